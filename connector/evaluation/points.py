"""Points suggested by the data: each attribute value's close rate against the overall rate.

For every categorical property value, numeric property bin and engagement signal (count
of each activity kind) with enough leads, the close rate gets a Wilson interval and a
log-odds ratio against the base rate. Log-odds become points on the configuration's own
scale: a value that multiplies the odds of converting by `ODDS_FOLD_FOR_CRITICAL` earns
as many points as the config's `critical` importance (30 by default). Suggestions are
expressed as criteria of the rules engine's schema, so the YAML fragment printed for them
is validated by the same code that loads `config/scoring.yaml`.

This is the evidence of each value alone; `scorecard.py` weighs the attributes jointly, which
is what `insights points` suggests (`points_advice.py`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray

from connector.errors import LeadscoreError
from connector.evaluation.attributes import category_labels, numeric_values, usable_attributes
from connector.evaluation.stats import wilson_interval
from connector.scoring.config import (
    ActivityCondition,
    Bounds,
    Criterion,
    Importance,
    ModelConfig,
    PropertyCondition,
)
from connector.scoring.leads import ACTIVITY_KINDS, LeadFrame

ODDS_FOLD_FOR_CRITICAL = 4.0
"""Odds ratio that is worth the config's `critical` points (and its inverse as many, negative)."""

NUMERIC_BINS = 5
"""Quantile bins per numeric property."""

ACTIVITY_COUNT_BINS = ((0, 0), (1, 1), (2, 4), (5, None))
"""Activity count bands per kind (inclusive; None = no upper end)."""

SMOOTHING = 0.5
"""Added to converted and not-converted counts so a value with no conversions stays finite."""

Source = Literal["property", "activity"]


@dataclass(frozen=True)
class ValueGroup:
    """Leads sharing one attribute value or signal band, and the condition that selects them."""

    signal: str
    source: Source
    value: str
    mask: NDArray[np.bool_]
    condition: PropertyCondition | ActivityCondition


@dataclass(frozen=True)
class ValueEvidence:
    """How one attribute value or engagement signal converts, and the points it suggests."""

    signal: str
    source: Source
    value: str
    leads: int
    conversions: int
    rate: float
    rate_low: float
    rate_high: float
    base_rate: float
    log_odds_ratio: float
    suggested_points: int
    significant: bool
    """True when the Wilson interval of the rate excludes the base rate."""
    criterion: Criterion
    """The suggestion as a criterion of the rules engine (what the YAML fragment holds)."""


@dataclass(frozen=True)
class CriterionCheck:
    """A configured criterion against what the data says it is worth."""

    criterion_id: str
    label: str
    configured_points: float
    fired: int
    conversions_when_fired: int
    rate_when_fired: float
    suggested_points: int | None
    """None when the criterion fires for fewer than the minimum number of leads."""
    disagreement: float
    sign_differs: bool


def round_to_five(points: float) -> int:
    """Points rounded to the nearest multiple of 5 (halves away from zero)."""
    return int(math.copysign(math.floor(abs(points) / 5 + 0.5) * 5, points))


def points_per_logit(model: ModelConfig) -> float:
    """The config's scale: points per unit of log-odds (see module docstring)."""
    return model.default_points.critical / math.log(ODDS_FOLD_FOR_CRITICAL)


def log_odds_ratio(conversions: float, leads: float, base_rate: float) -> float:
    """Log of (odds of converting with the value) / (odds overall), smoothed."""
    if not 0 < base_rate < 1:
        raise LeadscoreError("the history needs both converted and unconverted leads")
    odds = (conversions + SMOOTHING) / (leads - conversions + SMOOTHING)
    return math.log(odds) - math.log(base_rate / (1 - base_rate))


def suggest_points(
    leads: LeadFrame,
    converted: NDArray[np.bool_],
    model: ModelConfig,
    now: pd.Timestamp,
    min_leads: int = 30,
    properties: list[str] | None = None,
) -> tuple[list[ValueEvidence], int]:
    """Evidence and suggested points for every attribute value and activity signal.

    Returns the values with at least `min_leads` leads, strongest effect first, and how many
    values were skipped as too small. `properties` limits which properties are read
    (default: every usable one). Activity signals count each kind within the last 365 days
    before `now`.
    """
    if min_leads < 1:
        raise LeadscoreError(f"minimum leads per value must be at least 1, got {min_leads}")
    y = np.asarray(converted, dtype=bool)
    base = float(y.mean())
    if not 0 < base < 1:
        raise LeadscoreError("the history needs both converted and unconverted leads")
    scale = points_per_logit(model)
    groups = value_groups(leads, now, properties)
    found: list[ValueEvidence] = []
    skipped = 0
    used_ids: set[str] = set()
    for group in groups:
        n = int(group.mask.sum())
        if n < min_leads:
            skipped += 1
            continue
        hits = int(y[group.mask].sum())
        low, high = wilson_interval(hits, n)
        lor = log_odds_ratio(hits, n, base)
        points = round_to_five(lor * scale)
        found.append(
            ValueEvidence(
                signal=group.signal,
                source=group.source,
                value=group.value,
                leads=n,
                conversions=hits,
                rate=hits / n,
                rate_low=low,
                rate_high=high,
                base_rate=base,
                log_odds_ratio=lor,
                suggested_points=points,
                significant=not low <= base <= high,
                criterion=criterion_for(group, points, model, used_ids),
            )
        )
    found.sort(key=lambda v: (-abs(v.log_odds_ratio), v.signal, v.value))
    return found, skipped


def value_groups(
    leads: LeadFrame, now: pd.Timestamp, properties: list[str] | None = None
) -> list[ValueGroup]:
    """Every attribute value, numeric bin and activity band, with the leads it holds.

    The groups of one signal partition the leads (a missing value is its own group), which
    is what the scorecard's weight-of-evidence binning needs.
    """
    groups: list[ValueGroup] = []
    for attribute in usable_attributes(leads.contacts, properties):
        column = leads.contacts[attribute.name]
        if attribute.kind == "numeric":
            groups.extend(_numeric_groups(attribute.name, numeric_values(column)))
        else:
            groups.extend(_category_groups(attribute.name, column))
    groups.extend(_activity_groups(leads, now))
    return groups


def check_criteria(
    fired: pd.DataFrame, converted: NDArray[np.bool_], model: ModelConfig, min_leads: int = 30
) -> list[CriterionCheck]:
    """Each configured criterion's points against the points its own close rate suggests.

    `fired` has one boolean column per criterion id (rows = leads, same order as
    `converted`). Sorted with sign disagreements first, then by the size of the gap.
    """
    y = np.asarray(converted, dtype=bool)
    base = float(y.mean())
    scale = points_per_logit(model)
    checks = []
    for criterion in model.criteria:
        mask = (
            fired[criterion.id].to_numpy(bool)
            if criterion.id in fired.columns
            else np.zeros(len(y), dtype=bool)
        )
        n, hits = int(mask.sum()), int(y[mask].sum())
        configured = model.points_of(criterion)
        suggested = round_to_five(log_odds_ratio(hits, n, base) * scale) if n >= min_leads else None
        gap = abs(configured - suggested) if suggested is not None else 0.0
        differs = suggested is not None and suggested != 0 and (suggested > 0) != (configured > 0)
        checks.append(
            CriterionCheck(
                criterion_id=criterion.id,
                label=criterion.label,
                configured_points=configured,
                fired=n,
                conversions_when_fired=hits,
                rate_when_fired=hits / n if n else math.nan,
                suggested_points=suggested,
                disagreement=gap,
                sign_differs=differs,
            )
        )
    checks.sort(key=lambda c: (not c.sign_differs, -c.disagreement, c.criterion_id))
    return checks


def yaml_fragment(
    criteria: Sequence[Criterion], model_name: str = "default", header: Sequence[str] = ()
) -> str:
    """Criteria ready to paste under `models.<name>.criteria` of a scoring config.

    `header` lines become comments above the list (what the criteria are, where they come
    from); the list itself is exactly what the config loader validates.
    """
    dumped = [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in criteria]
    lines = [
        *header,
        f"Paste under models.{model_name}.criteria (ids are unique within this fragment).",
    ]
    comments = "".join(f"# {line}\n" for line in lines)
    return comments + yaml.safe_dump({"criteria": dumped}, sort_keys=False, allow_unicode=True)


def _category_groups(name: str, column: pd.Series) -> list[ValueGroup]:
    labels = category_labels(column)
    groups: list[ValueGroup] = []
    for value in sorted(labels.unique()):
        mask = (labels == value).to_numpy()
        condition = (
            PropertyCondition(property=name, exists=False)
            if value == "(empty)"
            else PropertyCondition(property=name, equals=value)
        )
        groups.append(ValueGroup(name, "property", value, mask, condition))
    return groups


def _numeric_groups(name: str, values: pd.Series) -> list[ValueGroup]:
    filled = values.dropna()
    edges = sorted(
        {_round_edge(q) for q in filled.quantile(np.linspace(0, 1, NUMERIC_BINS + 1)[1:-1])}
    )
    groups: list[ValueGroup] = []
    bounds = [None, *edges, None]
    array = values.to_numpy(float)
    for low, high in itertools.pairwise(bounds):
        mask = ~np.isnan(array)
        if low is not None:
            mask &= array >= low
        if high is not None:
            mask &= array < high
        if low is None and high is None:
            continue
        label = (
            f"< {high:g}"
            if low is None
            else f">= {low:g}"
            if high is None
            else f"{low:g} to < {high:g}"
        )
        condition = PropertyCondition(property=name, range=Bounds(gte=low, lt=high))
        groups.append(ValueGroup(name, "property", label, mask, condition))
    missing = np.isnan(array)
    if missing.any():
        empty = PropertyCondition(property=name, exists=False)
        groups.append(ValueGroup(name, "property", "(empty)", missing, empty))
    return groups


def _round_edge(value: float) -> float:
    """A bin edge rounded to two significant digits, so criteria read naturally."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    digits = 1 - math.floor(math.log10(abs(value)))
    return float(round(value, digits))


def _activity_groups(leads: LeadFrame, now: pd.Timestamp) -> list[ValueGroup]:
    activities = leads.activities
    if activities.empty:
        return []
    recent = activities[activities["timestamp"] >= now - pd.Timedelta(days=365)]
    groups: list[ValueGroup] = []
    for kind in ACTIVITY_KINDS:
        of_kind = recent[recent["kind"] == kind]
        if of_kind.empty:
            continue
        counts = (
            of_kind.groupby("contact_id")
            .size()
            .reindex(leads.contacts.index, fill_value=0)
            .to_numpy()
        )
        for low, high in ACTIVITY_COUNT_BINS:
            mask = counts >= low if high is None else (counts >= low) & (counts <= high)
            label = f"{low}+" if high is None else str(low) if low == high else f"{low}-{high}"
            # Validated from plain data: `kind` is one of the schema's activity kinds.
            condition = ActivityCondition.model_validate(
                {"activity": kind, "within_days": 365, "count": {"gte": low, "lte": high}}
            )
            groups.append(
                ValueGroup(f"{kind}s in the last year", "activity", label, mask, condition)
            )
    return groups


def criterion_for(
    group: ValueGroup, points: int, model: ModelConfig, used_ids: set[str]
) -> Criterion:
    """The group as a criterion of the rules engine worth `points` (its id unique in `used_ids`)."""
    signal, value = group.signal, group.value
    # Spell the comparison out so "< 89" and ">= 89" get different ids.
    words = value.replace(" to < ", " to ").replace(">=", "gte ").replace("<", "lt ")
    base = re.sub(r"[^a-z0-9]+", "_", f"{signal}_{words}".lower()).strip("_")
    base = ("c_" + base if not base[:1].isalpha() else base)[:54] or "criterion"
    ident, suffix = base, 2
    while ident in used_ids:
        ident, suffix = f"{base}_{suffix}", suffix + 1
    used_ids.add(ident)
    importance: Importance
    if points < 0:
        importance = "negative"
    elif points >= model.default_points.critical:
        importance = "critical"
    elif points >= model.default_points.important:
        importance = "important"
    else:
        importance = "influencer"
    spaced = group.source == "activity" or value[:1] in "<>"
    label = f"{signal} {value}" if spaced else f"{signal} = {value}"
    return Criterion(
        id=ident,
        label=label[:80],
        kind="fit" if group.source == "property" else "engagement",
        importance=importance,
        points=float(points),
        when=group.condition,
    )
