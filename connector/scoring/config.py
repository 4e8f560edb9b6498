"""The scoring configuration: its schema (pydantic), parsing from YAML text, and its hash.

A configuration holds one or more scoring models (one per product line). Each model has fit
criteria (who the lead is) and engagement criteria (what the lead did), exclusions, caps,
decay, weights and tier thresholds. `docs/scoring.md` explains every field for marketers;
`config/scoring.yaml` is the commented default.

Parsing never stops at the first problem: `parse_config_text` collects every problem in the
text and raises one `ConfigError` listing them, each as `file: path (line N): expected X,
found Y`. Reading the file is `connector.scoring_files.load_config`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from connector.scoring.conditions import (
    CONDITION_TAGS,
    OPERATORS,
    ActivityCondition,
    ActivityFilter,
    ActivityKind,
    AllCondition,
    AnyCondition,
    Condition,
    NotCondition,
    PropertyCondition,
)
from connector.scoring.config_errors import ConfigError, ConfigProblem, problems_from_validation
from connector.scoring.config_yaml import parse_yaml
from connector.scoring.leads import ACTIVITY_KINDS, column_source
from connector.scoring.properties import MODEL_NAME
from connector.scoring.schema_base import Bounds, Scalar, StrictModel

Kind = Literal["fit", "engagement"]
Importance = Literal["critical", "important", "influencer", "negative"]

__all__ = [
    "OPERATORS",
    "ActivityCondition",
    "ActivityFilter",
    "ActivityKind",
    "AllCondition",
    "AnyCondition",
    "Bounds",
    "Condition",
    "ConfigError",
    "ConfigProblem",
    "NotCondition",
    "PropertyCondition",
    "Scalar",
    "ScoringConfig",
    "config_hash",
    "parse_config",
    "parse_config_text",
]

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


class PerProperty(StrictModel):
    """Occurrences read from a number property (e.g. page views)."""

    property: str = Field(min_length=1)

    def properties(self) -> frozenset[str]:
        """The number property."""
        return frozenset((self.property,))

    def activity_kinds(self) -> frozenset[str]:
        """None: occurrences come from a property."""
        return frozenset()


class PerActivity(ActivityFilter):
    """Occurrences counted from engagement objects; each one decays with its own age."""

    def properties(self) -> frozenset[str]:
        """None: occurrences come from engagement objects."""
        return frozenset()

    def activity_kinds(self) -> frozenset[str]:
        """The kinds counted."""
        return frozenset(self.kinds)


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


class Criterion(StrictModel):
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

    def properties(self) -> frozenset[str]:
        """Every property the criterion reads: its condition's, its count's and its date."""
        found = frozenset((self.date,)) if self.date else frozenset()
        for part in (self.when, self.per):
            if part is not None:
                found |= part.properties()
        return found

    def activity_kinds(self) -> frozenset[str]:
        """Every engagement object kind the criterion reads."""
        found: frozenset[str] = frozenset()
        for part in (self.when, self.per):
            if part is not None:
                found |= part.activity_kinds()
        return found


class Exclusion(StrictModel):
    """A condition that disqualifies a lead outright (tier `disqualified`, score 0)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    label: str = Field(min_length=1, max_length=80)
    when: Condition


class Group(StrictModel):
    """A named set of criteria whose positive points together are capped."""

    label: str | None = None
    max_points: float = Field(gt=0)


class KindCaps(StrictModel):
    """Caps on the positive points of each kind (fit, engagement); none by default."""

    fit: float | None = Field(default=None, gt=0)
    engagement: float | None = Field(default=None, gt=0)


class ImportancePoints(StrictModel):
    """Points a criterion gets from its importance when it gives none itself."""

    critical: float = Field(default=30, gt=0)
    important: float = Field(default=15, gt=0)
    influencer: float = Field(default=5, gt=0)
    negative: float = Field(default=-10, lt=0)


class Inactivity(StrictModel):
    """Points taken away when the newest activity is older than `after_days`."""

    after_days: float = Field(gt=0)
    points: float = Field(lt=0)
    dates: list[str] = Field(default_factory=list)
    label: str = "No activity"


class Decay(StrictModel):
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


class Weights(StrictModel):
    """Weights of fit, engagement and likelihood in the combined score (any scale)."""

    fit: float = Field(default=0.4, ge=0)
    engagement: float = Field(default=0.35, ge=0)
    likelihood: float = Field(default=0.25, ge=0)


class Likelihood(StrictModel):
    """Which trained predictive model gives the likelihood (a name or a file path), and the
    contact properties it may learn from beyond the rules' inputs (`learn_from`: read by
    every sync; their property history decides whether they were known before the
    conversion, so one filled in afterwards is excluded and named, not learned)."""

    model: str | None = Field(default=None, min_length=1)
    learn_from: list[str] = Field(default_factory=list)


class Threshold(StrictModel):
    """A tier's minimum combined score and the lifecycle stage it moves a lead to."""

    min_score: float = Field(ge=0, le=100)
    lifecycle_stage: str | None = None


class GradeBands(StrictModel):
    """Two thresholds cutting a 0–100 score into three bands: ≥ top, ≥ middle, below."""

    top: float = Field(default=60, gt=0, le=100)
    middle: float = Field(default=30, gt=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> GradeBands:
        if self.middle >= self.top:
            raise PydanticCustomError(
                "grade",
                "expected middle below top ({top}), found {middle}",
                {"top": f"{self.top:g}", "middle": f"{self.middle:g}"},
            )
        return self


class Grade(StrictModel):
    """HubSpot's combined fit × engagement label, A1 (best) to C3, written as `*_grade`.

    The letter comes from fit (≥ fit.top → A, ≥ fit.middle → B, else C), the digit from
    engagement (≥ engagement.top → 1, ≥ engagement.middle → 2, else 3).
    """

    enabled: bool = True
    fit: GradeBands = GradeBands()
    engagement: GradeBands = GradeBands()


class Tiers(StrictModel):
    """Thresholds of the hot and warm tiers; below warm is cold."""

    hot: Threshold = Threshold(min_score=70, lifecycle_stage="salesqualifiedlead")
    warm: Threshold = Threshold(min_score=40, lifecycle_stage="marketingqualifiedlead")


class ModelConfig(StrictModel):
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
    grade: Grade | None = None

    @property
    def grades(self) -> Grade | None:
        """The grade settings when the grade is enabled, else None."""
        return self.grade if self.grade is not None and self.grade.enabled else None

    def points_of(self, criterion: Criterion) -> float:
        """The criterion's points (per occurrence when repeatable), defaulted from importance."""
        if criterion.points is not None:
            return criterion.points
        return float(getattr(self.default_points, criterion.importance))

    def properties(self) -> frozenset[str]:
        """Every property the model's criteria, exclusions and inactivity rule read."""
        found = frozenset().union(
            *(c.properties() for c in self.criteria),
            *(e.when.properties() for e in self.exclusions),
        )
        if self.decay.inactivity is not None:
            found |= frozenset(self.decay.inactivity.dates)
        return found

    def activity_kinds(self) -> frozenset[str]:
        """Every engagement object kind the model reads (all of them for inactivity)."""
        found = frozenset().union(
            *(c.activity_kinds() for c in self.criteria),
            *(e.when.activity_kinds() for e in self.exclusions),
        )
        if self.decay.inactivity is not None:
            found |= frozenset(ACTIVITY_KINDS)
        return found


class CompanyEngagement(StrictModel):
    """How a company's engagement is rolled up from its contacts' engagement scores.

    The `top_contacts` most engaged contacts' engagement (each 0–100) is summed, capped at
    `cap` and scaled to 0–100, so one very engaged contact cannot carry an account alone
    and a hundred lukewarm ones do not add up to a hot one. A contact with engagement ≥
    `engaged_at` counts as an engaged contact.
    """

    model: str = Field(default="default", min_length=1)
    """The scoring model whose contact engagement is rolled up."""
    top_contacts: int = Field(default=3, ge=1, le=100)
    cap: float = Field(default=150, gt=0)
    engaged_at: float = Field(default=20, gt=0, le=100)


class CompanyWeights(StrictModel):
    """Weights of fit and rolled-up engagement in the company score (any scale)."""

    fit: float = Field(default=0.5, ge=0)
    engagement: float = Field(default=0.5, ge=0)


class ScoreThreshold(StrictModel):
    """A tier's minimum score."""

    min_score: float = Field(ge=0, le=100)


class CompanyTiers(StrictModel):
    """Thresholds of the hot and warm company tiers; below warm is cold."""

    hot: ScoreThreshold = ScoreThreshold(min_score=70)
    warm: ScoreThreshold = ScoreThreshold(min_score=40)


class CompaniesConfig(StrictModel):
    """The company (account) score: fit criteria on company properties plus engagement
    rolled up from the company's contacts.

    Criteria use the same conditions as contact criteria, on the company's own property
    names (`industry`, `numberofemployees`), and must be of kind `fit`.
    """

    label: str | None = None
    weights: CompanyWeights = CompanyWeights()
    tiers: CompanyTiers = CompanyTiers()
    default_points: ImportancePoints = ImportancePoints()
    max_points: float | None = Field(default=None, gt=0)
    """Cap on the positive fit points (fit reaches 100 at the cap)."""
    groups: dict[str, Group] = Field(default_factory=dict)
    criteria: list[Criterion] = Field(min_length=1)
    exclusions: list[Exclusion] = Field(default_factory=list)
    engagement: CompanyEngagement = CompanyEngagement()

    def rules(self) -> ModelConfig:
        """The fit rules as a scoring model, so the engine evaluates them like a contact's."""
        return ModelConfig(
            weights=Weights(fit=1, engagement=0, likelihood=0),
            default_points=self.default_points,
            max_points=KindCaps(fit=self.max_points),
            groups=self.groups,
            criteria=self.criteria,
            exclusions=self.exclusions,
        )

    def properties(self) -> frozenset[str]:
        """The company properties the criteria and exclusions read."""
        return self.rules().properties()


OutcomeKind = Literal["deal_created", "deal_stage", "deal_won", "lifecycle_stage"]


class Outcome(StrictModel):
    """What counts as a conversion (what the predictive model learns and evidence measures).

    - deal_created: a deal was created for the contact or its primary company;
    - deal_stage: such a deal reached one of `stage` (deal stage ids; list the stage and
      the later ones);
    - deal_won: such a deal was closed won;
    - lifecycle_stage: the contact's lifecycle stage reached `stage` (default
      opportunity) or later.
    `pipeline` limits the deal kinds to one pipeline.
    """

    kind: OutcomeKind = "deal_created"
    stage: str | list[str] | None = None
    pipeline: str | None = Field(default=None, min_length=1)

    @property
    def stages(self) -> tuple[str, ...]:
        """`stage` as a tuple (empty when not given)."""
        if self.stage is None:
            return ()
        return (self.stage,) if isinstance(self.stage, str) else tuple(self.stage)


class LifecycleConfig(StrictModel):
    """Lifecycle stages: the order used when the portal's own is unknown, and protected ones."""

    stages: list[str] = Field(default_factory=lambda: list(HUBSPOT_DEFAULT_STAGES), min_length=2)
    protected: list[str] = Field(default_factory=lambda: list(ALWAYS_PROTECTED_STAGES))

    @property
    def all_protected(self) -> frozenset[str]:
        """The configured protected stages plus the ones a scorer never touches."""
        return frozenset(self.protected) | frozenset(ALWAYS_PROTECTED_STAGES)


class ReasonsConfig(StrictModel):
    """How many reasons to show: the top rule reasons, then the model's."""

    top: int = Field(default=4, ge=1, le=20)
    model_top: int = Field(default=2, ge=0, le=10)


class ScoringConfig(StrictModel):
    """A whole scoring configuration file."""

    models: dict[str, ModelConfig] = Field(min_length=1)
    lifecycle: LifecycleConfig = LifecycleConfig()
    reasons: ReasonsConfig = ReasonsConfig()
    companies: CompaniesConfig | None = None
    outcome: Outcome = Outcome()

    def properties_used(self) -> list[str]:
        """Every `LeadFrame.contacts` column any model reads, sorted.

        Contact properties, `company.*` and `account.*` columns alike;
        `needs.properties_needed` splits them into what to read from where.
        """
        return sorted(frozenset().union(*(m.properties() for m in self.models.values())))

    def activity_kinds_used(self) -> list[str]:
        """Every engagement object kind any model reads, sorted (what a sync must fetch)."""
        return sorted(frozenset().union(*(m.activity_kinds() for m in self.models.values())))

    def artifact_key(self, model_name: str) -> str:
        """The key under which a scoring model's trained likelihood model is looked up."""
        return self.models[model_name].likelihood.model or model_name


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


def parse_config_text(text: str, source: str) -> ScoringConfig:
    """Parse and validate a scoring configuration's YAML text.

    `source` names the text (usually its file) in messages. Raises `ConfigError` (a
    `LeadscoreError`) whose message lists every problem, one per line, as
    `source: path (line N): expected X, found Y`; YAML syntax errors give the line and column.
    """
    data, lines = parse_yaml(text, source)
    return parse_config(data, source, lines)


def config_hash(config: ScoringConfig) -> str:
    """A short stable hash of the whole configuration (10 hex digits).

    Computed from the validated content (defaults filled in, keys sorted), so comments,
    key order and formatting do not change it.
    """
    payload = config.model_dump(mode="json", by_alias=True)
    # Sections added later leave the hash of a file that does not use them unchanged.
    if payload["companies"] is None:
        del payload["companies"]
    if config.outcome == Outcome():
        del payload["outcome"]
    for model in payload["models"].values():
        _drop_absent_grade(model)
    return _digest(payload)


def model_hash(config: ScoringConfig, model_name: str) -> str:
    """A short stable hash of what one scoring model's output depends on.

    Editing another model does not change it, so its contacts are not rewritten.
    """
    model = config.models[model_name].model_dump(mode="json", by_alias=True)
    payload = {
        "model": _drop_absent_grade(model),
        "lifecycle": config.lifecycle.model_dump(mode="json"),
        "reasons": config.reasons.model_dump(mode="json"),
    }
    return _digest(payload)


def _drop_absent_grade(model: dict[str, Any]) -> dict[str, Any]:
    # A model without a grade hashes as it did before the grade existed: no rewrite of
    # every contact just because the program learnt a new field.
    if model.get("grade") is None:
        model.pop("grade", None)
    return model


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
    if config.companies is not None:
        _check_companies(config, config.companies, add)
    _check_outcome(config, add)
    return problems


def _check_companies(config: ScoringConfig, companies: CompaniesConfig, add: Any) -> None:
    base = "companies"
    rules = companies.rules()
    _check_ids(rules, base, add)
    for index, criterion in enumerate(companies.criteria):
        path = f"{base}.criteria[{index}]"
        if criterion.kind != "fit":
            add(
                f"{path}.kind",
                "'fit' (a company's engagement is rolled up from its contacts)",
                repr(criterion.kind),
            )
            continue
        _check_criterion(rules, criterion, path, add)
    for index, criterion in enumerate(companies.criteria):
        for name in sorted(criterion.properties()):
            if column_source(name) != "contact":
                add(
                    f"{base}.criteria[{index}]",
                    "the company's own property names (e.g. industry, not company.industry)",
                    repr(name),
                )
    hot, warm = companies.tiers.hot, companies.tiers.warm
    if hot.min_score <= warm.min_score:
        add(
            f"{base}.tiers.hot.min_score",
            f"a score above tiers.warm.min_score ({warm.min_score:g})",
            f"{hot.min_score:g}",
        )
    if companies.weights.fit + companies.weights.engagement <= 0:
        add(f"{base}.weights", "fit or engagement weight above 0", "both 0")
    if companies.engagement.model not in config.models:
        add(
            f"{base}.engagement.model",
            f"one of the scoring models ({', '.join(config.models)})",
            repr(companies.engagement.model),
        )


def _check_outcome(config: ScoringConfig, add: Any) -> None:
    outcome = config.outcome
    if outcome.kind == "deal_stage" and not outcome.stages:
        add("outcome.stage", "the deal stage id(s) that count as converted", "nothing")
    if outcome.kind in ("deal_created", "deal_won") and outcome.stage is not None:
        add(
            "outcome.stage",
            f"no stage for kind {outcome.kind!r} (stage applies to deal_stage and "
            "lifecycle_stage)",
            repr(outcome.stage),
        )
    if outcome.kind == "lifecycle_stage":
        if outcome.pipeline is not None:
            add(
                "outcome.pipeline", "no pipeline for kind 'lifecycle_stage'", repr(outcome.pipeline)
            )
        if len(outcome.stages) > 1:
            add("outcome.stage", "one lifecycle stage (later ones count too)", repr(outcome.stage))
        elif outcome.stages and outcome.stages[0] not in config.lifecycle.stages:
            add(
                "outcome.stage",
                f"one of lifecycle.stages ({', '.join(config.lifecycle.stages)})",
                repr(outcome.stages[0]),
            )


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
    if criterion.kind == "fit" and criterion.per is not None and criterion.per.activity_kinds():
        add(f"{path}.kind", "'engagement' for a criterion counting activities", "'fit'")
