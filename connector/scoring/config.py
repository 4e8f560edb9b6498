"""The scoring configuration: its schema (pydantic), loading from YAML, and its hash.

A configuration holds one or more scoring models (one per product line). Each model has fit
criteria (who the lead is) and engagement criteria (what the lead did), exclusions, caps,
decay, weights and tier thresholds. `docs/scoring.md` explains every field for marketers;
`config/scoring.yaml` is the commented default.

Loading never stops at the first problem: `load_config` collects every problem in the file
and raises one `ConfigError` listing them, each as `file: path (line N): expected X, found Y`.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from connector.scoring.config_errors import ConfigError, ConfigProblem, problems_from_validation
from connector.scoring.config_yaml import load_yaml
from connector.scoring.leads import ACTIVITY_KINDS
from connector.scoring.properties import MODEL_NAME

Kind = Literal["fit", "engagement"]
Importance = Literal["critical", "important", "influencer", "negative"]
ActivityKind = Literal["call", "email", "meeting", "note", "task"]
Scalar = str | int | float | bool

__all__ = ["ConfigError", "ConfigProblem", "ScoringConfig", "config_hash", "load_config"]

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_scoring.yaml")
"""The shipped default configuration: `config/scoring.yaml`, packaged with the code (in the
source tree this file is a symlink to it), so a plain `pip install` finds it too."""

ALWAYS_PROTECTED_STAGES = ("opportunity", "customer", "evangelist")
HUBSPOT_DEFAULT_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)


class _Strict(BaseModel):
    """Base for every schema object: unknown keys are errors that name the allowed keys."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    _key_kind: ClassVar[str] = "key"

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        # A typo such as `greater:` should say which keys exist, not just "extra input".
        if isinstance(data, dict):
            allowed = [field.alias or name for name, field in cls.model_fields.items()]
            unknown = [key for key in data if key not in allowed]
            if unknown:
                raise PydanticCustomError(
                    "unknown_key",
                    "expected {kind} (one of {allowed}), found unknown key {key}",
                    {"kind": cls._key_kind, "allowed": ", ".join(allowed), "key": repr(unknown[0])},
                )
        return data


class Bounds(_Strict):
    """A numeric range: any of gte, gt, lte, lt (at least one)."""

    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> Bounds:
        if self.gte is None and self.gt is None and self.lte is None and self.lt is None:
            raise PydanticCustomError(
                "bounds", "expected at least one of gte, gt, lte, lt, found an empty range"
            )
        return self


OPERATORS = ("equals", "in", "contains", "regex", "range", "exists", "days_since", "domain_in")


class PropertyCondition(_Strict):
    """A test on one contact property with exactly one operator.

    equals/in compare text case-insensitively (numbers compare as numbers, true/false as
    HubSpot's "true"/"false"); contains is a case-insensitive substring (any of a list);
    regex is a case-insensitive search; range compares the value as a number; exists is
    true when the value is present and not blank; days_since compares the age in days of
    a date/datetime value; domain_in matches an email's domain or any subdomain of it.
    """

    _key_kind: ClassVar[str] = "an operator or 'property'"

    property: str = Field(min_length=1)
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1)
    contains: str | list[str] | None = None
    regex: str | None = None
    range: Bounds | None = None
    exists: bool | None = None
    days_since: Bounds | None = None
    domain_in: list[str] | None = Field(default=None, min_length=1)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise PydanticCustomError(
                    "regex",
                    "expected a valid regular expression, found {value} ({error})",
                    {"value": repr(value), "error": str(exc)},
                ) from exc
        return value

    @model_validator(mode="after")
    def _one_operator(self) -> PropertyCondition:
        present = [op for op in OPERATORS if getattr(self, _attr(op)) is not None]
        if len(present) != 1:
            found = "none" if not present else ", ".join(present)
            raise PydanticCustomError(
                "operator",
                "expected exactly one operator ({allowed}), found {found}",
                {"allowed": ", ".join(OPERATORS), "found": found},
            )
        return self

    # A method, not a property: the `property` field shadows the builtin in this class body.
    def operator(self) -> str:
        """The one operator this condition uses."""
        return next(op for op in OPERATORS if getattr(self, _attr(op)) is not None)


def _attr(operator: str) -> str:
    return "in_" if operator == "in" else operator


class ActivityFilter(_Strict):
    """Which engagement objects count: kinds, outcomes, directions, and how recent."""

    activity: ActivityKind | list[ActivityKind]
    outcome: list[str] | None = Field(default=None, min_length=1)
    direction: list[str] | None = Field(default=None, min_length=1)
    within_days: float | None = Field(default=None, gt=0)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The activity kinds as a tuple."""
        return (self.activity,) if isinstance(self.activity, str) else tuple(self.activity)


class ActivityCondition(ActivityFilter):
    """True when the number of matching engagement objects lies in `count` (default ≥ 1)."""

    count: Bounds = Bounds(gte=1)


class AllCondition(_Strict):
    """True when every sub-condition is true."""

    all: list[Condition] = Field(min_length=1)


class AnyCondition(_Strict):
    """True when at least one sub-condition is true."""

    any: list[Condition] = Field(min_length=1)


class NotCondition(_Strict):
    """True when the sub-condition is false."""

    not_: Condition = Field(alias="not")


_CONDITION_KEYS = {"property": "property", "activity": "activity", "all": "all", "any": "any"}


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, tag in _CONDITION_KEYS.items():
            if key in value:
                return tag
        if "not" in value:
            return "not"
        return None
    if isinstance(value, BaseModel):
        return {
            PropertyCondition: "property",
            ActivityCondition: "activity",
            AllCondition: "all",
            AnyCondition: "any",
            NotCondition: "not",
        }.get(type(value))
    return None


Condition = Annotated[
    Annotated[PropertyCondition, Tag("property")]
    | Annotated[ActivityCondition, Tag("activity")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message=(
            "expected a condition: a mapping with one of the keys property, activity, all, any, not"
        ),
    ),
]
CONDITION_TAGS = frozenset(("property", "activity", "all", "any", "not"))

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()


class PerProperty(_Strict):
    """Occurrences read from a number property (e.g. page views)."""

    property: str = Field(min_length=1)


class PerActivity(ActivityFilter):
    """Occurrences counted from engagement objects; each one decays with its own age."""


def _per_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return "activity" if "activity" in value else "property" if "property" in value else None
    if isinstance(value, BaseModel):
        return "activity" if isinstance(value, PerActivity) else "property"
    return None


Per = Annotated[
    Annotated[PerProperty, Tag("property")] | Annotated[PerActivity, Tag("activity")],
    Discriminator(
        _per_tag,
        custom_error_type="per",
        custom_error_message="expected a mapping with 'property' (a number) or 'activity'",
    ),
]


class Criterion(_Strict):
    """One scoring rule: when its condition holds the lead gets its points.

    A repeatable criterion (`per`) earns `points` per occurrence, up to `max_points`.
    Engagement points decay with the age of the signal (`date`, or the newest matching
    activity); fit points never decay; negative points never decay.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    label: str = Field(min_length=1, max_length=80)
    kind: Kind
    importance: Importance
    points: float | None = None
    when: Condition | None = None
    per: Per | None = None
    max_points: float | None = Field(default=None, gt=0)
    group: str | None = None
    date: str | None = Field(default=None, min_length=1)


class Exclusion(_Strict):
    """A condition that disqualifies a lead outright (tier `disqualified`, score 0)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    label: str = Field(min_length=1, max_length=80)
    when: Condition


class Group(_Strict):
    """A named set of criteria whose positive points together are capped."""

    label: str | None = None
    max_points: float = Field(gt=0)


class KindCaps(_Strict):
    """Caps on the positive points of each kind (fit, engagement); none by default."""

    fit: float | None = Field(default=None, gt=0)
    engagement: float | None = Field(default=None, gt=0)


class ImportancePoints(_Strict):
    """Points a criterion gets from its importance when it gives none itself."""

    critical: float = Field(default=30, gt=0)
    important: float = Field(default=15, gt=0)
    influencer: float = Field(default=5, gt=0)
    negative: float = Field(default=-10, lt=0)


class Inactivity(_Strict):
    """Points taken away when the newest activity is older than `after_days`."""

    after_days: float = Field(gt=0)
    points: float = Field(lt=0)
    dates: list[str] = Field(default_factory=list)
    label: str = "No activity"


class Decay(_Strict):
    """How positive engagement points lose value with the age of their signal.

    Either `half_life_days` (points halve every N days, continuously) or `percent` with
    `every_days` (points lose N % at the end of each whole period, compounding), or neither
    (no decay).
    """

    half_life_days: float | None = Field(default=None, gt=0)
    percent: float | None = Field(default=None, gt=0, le=100)
    every_days: float | None = Field(default=None, gt=0)
    inactivity: Inactivity | None = None

    @model_validator(mode="after")
    def _one_curve(self) -> Decay:
        if self.half_life_days is not None and (self.percent is not None or self.every_days):
            raise PydanticCustomError(
                "decay", "expected either half_life_days or percent with every_days, found both"
            )
        if (self.percent is None) != (self.every_days is None):
            raise PydanticCustomError(
                "decay", "expected percent and every_days together, found only one of them"
            )
        return self


class Weights(_Strict):
    """Weights of fit, engagement and likelihood in the combined score (any scale)."""

    fit: float = Field(default=0.4, ge=0)
    engagement: float = Field(default=0.35, ge=0)
    likelihood: float = Field(default=0.25, ge=0)


class Likelihood(_Strict):
    """Which trained predictive model gives the likelihood (a name or a file path)."""

    model: str | None = Field(default=None, min_length=1)


class Threshold(_Strict):
    """A tier's minimum combined score and the lifecycle stage it moves a lead to."""

    min_score: float = Field(ge=0, le=100)
    lifecycle_stage: str | None = None


class Tiers(_Strict):
    """Thresholds of the hot and warm tiers; below warm is cold."""

    hot: Threshold = Threshold(min_score=70, lifecycle_stage="salesqualifiedlead")
    warm: Threshold = Threshold(min_score=40, lifecycle_stage="marketingqualifiedlead")


class ModelConfig(_Strict):
    """One scoring model: its criteria and how they become a score, tier and stage."""

    label: str | None = None
    weights: Weights = Weights()
    likelihood: Likelihood = Likelihood()
    tiers: Tiers = Tiers()
    decay: Decay = Decay()
    default_points: ImportancePoints = ImportancePoints()
    max_points: KindCaps = KindCaps()
    groups: dict[str, Group] = Field(default_factory=dict)
    criteria: list[Criterion] = Field(min_length=1)
    exclusions: list[Exclusion] = Field(default_factory=list)

    def points_of(self, criterion: Criterion) -> float:
        """The criterion's points (per occurrence when repeatable), defaulted from importance."""
        if criterion.points is not None:
            return criterion.points
        return float(getattr(self.default_points, criterion.importance))


class LifecycleConfig(_Strict):
    """Lifecycle stages: the order used when the portal's own is unknown, and protected ones."""

    stages: list[str] = Field(default_factory=lambda: list(HUBSPOT_DEFAULT_STAGES), min_length=2)
    protected: list[str] = Field(default_factory=lambda: list(ALWAYS_PROTECTED_STAGES))

    @property
    def all_protected(self) -> frozenset[str]:
        """The configured protected stages plus the ones a scorer never touches."""
        return frozenset(self.protected) | frozenset(ALWAYS_PROTECTED_STAGES)


class ReasonsConfig(_Strict):
    """How many reasons to show: the top rule reasons, then the model's."""

    top: int = Field(default=4, ge=1, le=20)
    model_top: int = Field(default=2, ge=0, le=10)


class ScoringConfig(_Strict):
    """A whole scoring configuration file."""

    models: dict[str, ModelConfig] = Field(min_length=1)
    lifecycle: LifecycleConfig = LifecycleConfig()
    reasons: ReasonsConfig = ReasonsConfig()

    def properties_used(self) -> list[str]:
        """Every contact property any model reads, sorted (what a sync must fetch)."""
        found: set[str] = set()
        for model in self.models.values():
            for criterion in model.criteria:
                if criterion.when is not None:
                    found |= _condition_properties(criterion.when)
                if isinstance(criterion.per, PerProperty):
                    found.add(criterion.per.property)
                if criterion.date:
                    found.add(criterion.date)
            for exclusion in model.exclusions:
                found |= _condition_properties(exclusion.when)
            if model.decay.inactivity is not None:
                found |= set(model.decay.inactivity.dates)
        return sorted(found)

    def activity_kinds_used(self) -> list[str]:
        """Every engagement object kind any model reads, sorted (what a sync must fetch)."""
        found: set[str] = set()
        for model in self.models.values():
            for criterion in model.criteria:
                if criterion.when is not None:
                    found |= _condition_kinds(criterion.when)
                if isinstance(criterion.per, PerActivity):
                    found |= set(criterion.per.kinds)
            for exclusion in model.exclusions:
                found |= _condition_kinds(exclusion.when)
            if model.decay.inactivity is not None:
                found |= set(ACTIVITY_KINDS)
        return sorted(found)

    def artifact_key(self, model_name: str) -> str:
        """The key under which a scoring model's trained likelihood model is looked up."""
        return self.models[model_name].likelihood.model or model_name


def _condition_properties(condition: Condition) -> set[str]:
    if isinstance(condition, PropertyCondition):
        return {condition.property}
    if isinstance(condition, AllCondition | AnyCondition):
        parts = condition.all if isinstance(condition, AllCondition) else condition.any
        return set().union(*(_condition_properties(part) for part in parts))
    if isinstance(condition, NotCondition):
        return _condition_properties(condition.not_)
    return set()


def _condition_kinds(condition: Condition) -> set[str]:
    if isinstance(condition, ActivityCondition):
        return set(condition.kinds)
    if isinstance(condition, AllCondition | AnyCondition):
        parts = condition.all if isinstance(condition, AllCondition) else condition.any
        return set().union(*(_condition_kinds(part) for part in parts))
    if isinstance(condition, NotCondition):
        return _condition_kinds(condition.not_)
    return set()


def parse_config(data: Any, source: str, lines: dict[str, int] | None = None) -> ScoringConfig:
    """Validate already-parsed data (e.g. from YAML or an API body) into a `ScoringConfig`.

    `source` names where it came from in messages; `lines` maps field paths to line
    numbers when known. Raises `ConfigError` listing every problem.
    """
    lines = lines or {}
    try:
        config = ScoringConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            problems_from_validation(exc, data, source, lines, CONDITION_TAGS)
        ) from None
    problems = _semantic_problems(config, source, lines)
    if problems:
        raise ConfigError(problems)
    return config


def load_config(path: Path) -> ScoringConfig:
    """Read and validate a scoring configuration YAML file.

    Raises `ConfigError` (a `LeadscoreError`) whose message lists every problem, one per
    line, as `file: path (line N): expected X, found Y`; YAML syntax errors give the line
    and column.
    """
    data, lines = load_yaml(path)
    return parse_config(data, str(path), lines)


def config_hash(config: ScoringConfig) -> str:
    """A short stable hash of the whole configuration (10 hex digits).

    Computed from the validated content (defaults filled in, keys sorted), so comments,
    key order and formatting do not change it.
    """
    return _digest(config.model_dump(mode="json", by_alias=True))


def model_hash(config: ScoringConfig, model_name: str) -> str:
    """A short stable hash of what one scoring model's output depends on.

    Editing another model does not change it, so its contacts are not rewritten.
    """
    payload = {
        "model": config.models[model_name].model_dump(mode="json", by_alias=True),
        "lifecycle": config.lifecycle.model_dump(mode="json"),
        "reasons": config.reasons.model_dump(mode="json"),
    }
    return _digest(payload)


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _semantic_problems(
    config: ScoringConfig, source: str, lines: dict[str, int]
) -> list[ConfigProblem]:
    """Checks that span several fields, each reported at the most precise path."""
    problems: list[ConfigProblem] = []

    def add(path: str, expected: str, found: str) -> None:
        problems.append(ConfigProblem(source, path, expected, found, lines.get(path)))

    protected = config.lifecycle.all_protected
    for name, model in config.models.items():
        base = f"models.{name}"
        if not MODEL_NAME.match(name):
            add(base, "a model name of lowercase letters, digits and _ (≤ 40)", repr(name))
        _check_ids(model, base, add)
        for index, criterion in enumerate(model.criteria):
            _check_criterion(model, criterion, f"{base}.criteria[{index}]", add)
        hot, warm = model.tiers.hot, model.tiers.warm
        if hot.min_score <= warm.min_score:
            add(
                f"{base}.tiers.hot.min_score",
                f"a score above tiers.warm.min_score ({warm.min_score:g})",
                f"{hot.min_score:g}",
            )
        for tier_name, threshold in (("hot", hot), ("warm", warm)):
            stage = threshold.lifecycle_stage
            if stage is None:
                continue
            path = f"{base}.tiers.{tier_name}.lifecycle_stage"
            if stage in protected:
                add(path, "a stage that is not protected", repr(stage))
            elif stage not in config.lifecycle.stages:
                add(
                    path,
                    f"one of lifecycle.stages ({', '.join(config.lifecycle.stages)})",
                    repr(stage),
                )
        weights = model.weights
        if weights.fit + weights.engagement <= 0:
            add(f"{base}.weights", "fit or engagement weight above 0", "both 0")
        for kind in ("fit", "engagement"):
            positive = any(c.kind == kind and model.points_of(c) > 0 for c in model.criteria)
            if getattr(weights, kind) > 0 and not positive:
                add(
                    f"{base}.weights.{kind}",
                    f"0, since the model has no positive {kind} criteria",
                    f"{getattr(weights, kind):g}",
                )
    return problems


def _check_ids(model: ModelConfig, base: str, add: Any) -> None:
    seen: dict[str, str] = {}
    entries = [(f"{base}.criteria[{i}]", c.id) for i, c in enumerate(model.criteria)]
    entries += [(f"{base}.exclusions[{i}]", e.id) for i, e in enumerate(model.exclusions)]
    for path, ident in entries:
        if ident in seen:
            add(
                f"{path}.id",
                f"an id not used before in this model (also {seen[ident]})",
                repr(ident),
            )
        else:
            seen[ident] = path
    if "inactivity" in seen and model.decay.inactivity is not None:
        add(
            f"{seen['inactivity']}.id",
            "an id other than 'inactivity' (reserved for decay)",
            "'inactivity'",
        )


def _check_criterion(model: ModelConfig, criterion: Criterion, path: str, add: Any) -> None:
    if criterion.when is None and criterion.per is None:
        add(path, "a 'when' condition or a 'per' count (or both)", "neither")
    points = model.points_of(criterion)
    if criterion.importance == "negative" and points >= 0:
        add(f"{path}.points", "a negative number for importance 'negative'", f"{points:g}")
    if criterion.importance != "negative" and points <= 0:
        add(
            f"{path}.points",
            f"a positive number for importance {criterion.importance!r} "
            "(use importance 'negative' for penalties)",
            f"{points:g}",
        )
    if criterion.per is not None and points > 0 and criterion.max_points is None:
        add(
            f"{path}.max_points", "a cap for a repeatable criterion with positive points", "nothing"
        )
    if criterion.group is not None and criterion.group not in model.groups:
        known = ", ".join(model.groups) or "none defined"
        add(f"{path}.group", f"a group defined under groups ({known})", repr(criterion.group))
    if criterion.kind == "fit" and isinstance(criterion.per, PerActivity):
        add(f"{path}.kind", "'engagement' for a criterion counting activities", "'fit'")
