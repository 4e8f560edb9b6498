"""The rule engine: a batch of leads in, one `ScoreFrame` per scoring model out.

Everything is columnar: each criterion is evaluated once over the whole batch (numpy
arrays, one value per lead), so a million leads cost a few vectorised passes per criterion.

How a model's numbers are made
------------------------------
1. Each criterion gives points where its condition holds (per occurrence and capped by
   `max_points` when repeatable). Positive engagement points are multiplied by the decay
   factor of their signal's age (`decay.py`); fit points and penalties never decay.
2. Group caps, then kind caps, limit the positive points: when a lead's positive points in
   a group exceed the cap, each positive entry is scaled down by the same ratio, so the
   ledger still adds up to the capped total. Penalties are never capped away.
3. The inactivity penalty applies when the newest known activity is older than the limit.
4. Normalisation: fit = 100 × fit points / (most positive fit points attainable), clipped
   to 0–100; the same for engagement. "Attainable" sums each positive criterion's most
   points (its `points`, or `max_points` when repeatable), limited by group and kind caps;
   so a lead meeting every positive criterion at full strength scores 100.
5. Combined score = weighted mean of fit, engagement and likelihood (the model's calibrated
   probability × 100). Without a model (or where it gives no value) the likelihood weight
   is shared out between fit and engagement in proportion to their weights.
6. Tier by the combined score's thresholds; an excluded lead is `disqualified` with score 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from connector.scoring.columns import BatchColumns
from connector.scoring.config import (
    Criterion,
    Grade,
    ModelConfig,
    PerActivity,
    PerProperty,
    ScoringConfig,
    model_hash,
)
from connector.scoring.decay import decay_factor
from connector.scoring.leads import LeadFrame
from connector.scoring.ledger import Ledger, LedgerEntry
from connector.scoring.properties import GRADES
from connector.scoring.reasons import (
    ReasonInputs,
    merge_model_reasons,
    model_reason_text,
    rule_reasons,
)
from connector.scoring.score_columns import ScoreColumn

if TYPE_CHECKING:
    from connector.scoring.model import LeadModel

_TIER_NAMES = np.array(["disqualified", "hot", "warm", "cold"], dtype=object)



@dataclass(frozen=True)
class ScoreFrame:
    """One scoring model's results for a batch.

    `frame` is indexed by contact id with the columns of `score_columns.FRAME_COLUMNS`: score, fit,
    engagement (float 0–100, 1 decimal), likelihood (float 0–100 or NaN), tier (str),
    reasons (str), lifecycle_target (str or None: the stage the tier asks for, before the
    forward-only check of `lifecycle.forward_stages`), excluded (bool).
    """

    model: str
    version: str
    """Rules hash of this model's configuration, plus `+<model version>` when a model was used."""
    frame: pd.DataFrame
    ledger: Ledger
    scored_at: datetime


@dataclass(frozen=True)
class _Likelihood:
    """One model's output for a batch, shared by every scoring model that uses it."""

    probability: np.ndarray
    reason_text: np.ndarray
    """Each lead's shown model reasons, already joined."""


@dataclass
class _Columns:
    """Ledger columns being built for one model."""

    entries: list[LedgerEntry] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)
    fired: list[np.ndarray] = field(default_factory=list)
    ages: list[np.ndarray] = field(default_factory=list)
    groups: list[str | None] = field(default_factory=list)

    def add(
        self,
        entry: LedgerEntry,
        points: np.ndarray,
        fired: np.ndarray,
        age: np.ndarray,
        group: str | None = None,
    ) -> None:
        # float32 halves the memory of a million-lead batch; points need no more precision.
        self.entries.append(entry)
        self.points.append(points.astype(np.float32))
        self.fired.append(fired)
        self.ages.append(age.astype(np.float32))
        self.groups.append(group)


class Scorer:
    """Scores batches of leads with a configuration and optional trained models."""

    def __init__(
        self, config: ScoringConfig, models: Mapping[str, LeadModel] | None = None
    ) -> None:
        """Keep the configuration and the trained likelihood models.

        `models` is keyed by artifact name: a scoring model uses the entry named by its
        `likelihood.model`, or by its own name when that is not set
        (`ScoringConfig.artifact_key`). A scoring model without an entry scores without
        likelihood.
        """
        self.config = config
        self.models: Mapping[str, LeadModel] = dict(models or {})

    def score(self, leads: LeadFrame, now: datetime) -> dict[str, ScoreFrame]:
        """Score the batch with every scoring model of the configuration, by model name."""
        columns = BatchColumns(leads, now)
        predictions: dict[str, _Likelihood] = {}
        return {
            name: self._score(name, leads, columns, predictions, now) for name in self.config.models
        }

    def score_model(self, model_name: str, leads: LeadFrame, now: datetime) -> ScoreFrame:
        """Score the batch with one scoring model; `KeyError` if the config lacks it."""
        if model_name not in self.config.models:
            raise KeyError(model_name)
        return self._score(model_name, leads, BatchColumns(leads, now), {}, now)

    def _score(
        self,
        name: str,
        leads: LeadFrame,
        columns: BatchColumns,
        predictions: dict[str, _Likelihood],
        now: datetime,
    ) -> ScoreFrame:
        model = self.config.models[name]
        n = columns.size
        rules = evaluate_rules(model, columns, self.config.reasons.top)
        prediction = self._predict(name, leads, predictions, now)
        likelihood = (
            np.full(n, np.nan)
            if prediction is None
            else np.clip(prediction.probability * 100, 0, 100)
        )
        score = _combine(model, rules.fit, rules.engagement, likelihood)
        score = np.where(rules.excluded, 0.0, score)
        tier = _tiers(model, score, rules.excluded)
        reasons = merge_model_reasons(
            rules.reasons, None if prediction is None else prediction.reason_text
        )
        stages = {
            "hot": model.tiers.hot.lifecycle_stage,
            "warm": model.tiers.warm.lifecycle_stage,
        }
        fit, engagement = np.round(rules.fit, 1), np.round(rules.engagement, 1)
        frame = pd.DataFrame(
            {
                ScoreColumn.SCORE: np.round(score, 1),
                ScoreColumn.FIT: fit,
                ScoreColumn.ENGAGEMENT: engagement,
                ScoreColumn.LIKELIHOOD: np.round(likelihood, 1),
                ScoreColumn.TIER: tier,
                ScoreColumn.REASONS: reasons,
                ScoreColumn.LIFECYCLE_TARGET: pd.Series(tier, dtype=object)
                .map(stages)
                .to_numpy(dtype=object),
                ScoreColumn.EXCLUDED: rules.excluded,
            },
            index=leads.contacts.index,
        )
        target = frame[ScoreColumn.LIFECYCLE_TARGET]
        frame[ScoreColumn.LIFECYCLE_TARGET] = target.astype(object).where(target.notna(), None)
        if model.grades is not None:
            frame[ScoreColumn.GRADE] = grades(fit, engagement, model.grades, rules.excluded)
        version = model_hash(self.config, name)
        if prediction is not None:
            version = f"{version}+{self.models[self.config.artifact_key(name)].version}"
        return ScoreFrame(
            model=name, version=version, frame=frame, ledger=rules.ledger, scored_at=now
        )

    def _predict(
        self,
        name: str,
        leads: LeadFrame,
        predictions: dict[str, _Likelihood],
        now: datetime,
    ) -> _Likelihood | None:
        key = self.config.artifact_key(name)
        if key not in self.models:
            return None
        model = self.models[key]
        # By object: one model given under several artifact names predicts once per batch.
        cache_key = str(id(model))
        if cache_key not in predictions:
            prediction = model.predict(leads, now)
            if len(prediction.probability) != len(leads):
                raise ValueError(
                    f"model {key!r} returned {len(prediction.probability)} probabilities "
                    f"for {len(leads)} leads"
                )
            predictions[cache_key] = _Likelihood(
                prediction.probability,
                model_reason_text(prediction.reasons, self.config.reasons.model_top),
            )
        return predictions[cache_key]


@dataclass(frozen=True)
class RuleResult:
    """A model's rules evaluated over a batch: fit and engagement 0–100 (unrounded),
    exclusions, the ledger and the rule reasons."""

    fit: np.ndarray
    engagement: np.ndarray
    excluded: np.ndarray
    ledger: Ledger
    reasons: np.ndarray


def evaluate_rules(model: ModelConfig, columns: BatchColumns, top: int) -> RuleResult:
    """Points, caps, decay, inactivity, exclusions and normalisation of one model's rules.

    The part of scoring that needs no likelihood; contacts and companies both go through it.
    `top` is how many rule reasons to keep per row.
    """
    n = columns.size
    built = _Columns()
    for criterion in model.criteria:
        points, fired, age = _criterion(criterion, model, columns)
        nominal = model.points_of(criterion)
        shown_age = age if criterion.kind == "engagement" else np.full(n, np.nan)
        built.add(
            LedgerEntry(
                criterion.id,
                criterion.label,
                criterion.kind,
                criterion.importance,
                nominal,
                _most_points(criterion, nominal),
            ),
            points,
            fired,
            shown_age,
            criterion.group,
        )
    _apply_caps(built, model)
    if model.decay.inactivity is not None:
        _add_inactivity(built, model, columns)
    fit_points = _kind_sum(built, "fit")
    engagement_points = _kind_sum(built, "engagement")
    excluded = np.zeros(n, dtype=bool)
    for exclusion in model.exclusions:
        hit = exclusion.when.evaluate(columns)
        excluded |= hit
        built.add(
            LedgerEntry(exclusion.id, exclusion.label, "exclusion", "exclusion", 0.0, 0.0),
            np.zeros(n),
            hit,
            np.full(n, np.nan),
        )
    ledger = Ledger(
        index=columns.contacts.index,
        entries=tuple(built.entries),
        points=_matrix(built.points, n, np.float32),
        fired=_matrix(built.fired, n, np.bool_),
    )
    ages = _matrix(built.ages, n, np.float32)
    # The ledger holds stacked copies: free the column lists before building reasons.
    built.points.clear()
    built.fired.clear()
    built.ages.clear()
    reasons = rule_reasons(ReasonInputs(ledger.entries, ledger.points, ledger.fired, ages), top)
    return RuleResult(
        fit=_normalise(fit_points, _attainable(model, "fit")),
        engagement=_normalise(engagement_points, _attainable(model, "engagement")),
        excluded=excluded,
        ledger=ledger,
        reasons=reasons,
    )


_GRADE_NAMES = np.array(GRADES, dtype=object)


def grades(
    fit: np.ndarray, engagement: np.ndarray, grade: Grade, excluded: np.ndarray | None = None
) -> np.ndarray:
    """The A1–C3 grade per lead: letter from fit (A best), digit from engagement (1 best).

    Scores are compared as given (the engine passes them rounded to one decimal, like
    tiers); an excluded lead, or one without a fit or engagement, gets None.
    """
    with np.errstate(invalid="ignore"):
        letter = np.select([fit >= grade.fit.top, fit >= grade.fit.middle], [0, 1], default=2)
        digit = np.select(
            [engagement >= grade.engagement.top, engagement >= grade.engagement.middle],
            [0, 1],
            default=2,
        )
    result: np.ndarray = _GRADE_NAMES[letter * 3 + digit]
    unknown = np.isnan(fit) | np.isnan(engagement)
    if excluded is not None:
        unknown |= excluded
    result[unknown] = None
    return result


def _criterion(
    criterion: Criterion, model: ModelConfig, columns: BatchColumns
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points (after decay and the criterion's own cap), fired flags and signal age."""
    n = columns.size
    nominal = model.points_of(criterion)
    decays = criterion.kind == "engagement" and nominal > 0
    gate = criterion.when.evaluate(columns) if criterion.when is not None else np.ones(n, bool)
    age: np.ndarray = columns.days_since(criterion.date) if criterion.date else np.full(n, np.nan)
    if isinstance(criterion.per, PerActivity):
        acts = columns.activities()
        mask = criterion.per.mask(columns)
        weights = np.full(int(mask.sum()), nominal, dtype=np.float64)
        if decays:
            weights *= decay_factor(acts.age_days[mask], model.decay)
        points: np.ndarray = np.bincount(acts.row[mask], weights=weights, minlength=n)
        occurrences: np.ndarray = np.bincount(acts.row[mask], minlength=n)
        if not criterion.date:
            age = criterion.per.counts(columns).newest_age
    elif isinstance(criterion.per, PerProperty):
        occurrences = np.clip(np.nan_to_num(columns.number(criterion.per.property)), 0, None)
        points = occurrences * nominal
        if decays:
            points = points * decay_factor(age, model.decay)
    else:
        signal_age = None
        if criterion.when is not None and not criterion.date:
            signal_age = criterion.when.signal_age(columns)
        if signal_age is not None:
            age = signal_age
        occurrences = gate.astype(np.float64)
        points = occurrences * nominal
        if decays:
            points = points * decay_factor(age, model.decay)
    fired = gate & (occurrences > 0)
    points = np.where(fired, points, 0.0)
    if criterion.max_points is not None:
        points = np.clip(points, -criterion.max_points, criterion.max_points)
    return points, fired, age


def _apply_caps(built: _Columns, model: ModelConfig) -> None:
    """Scale positive points down where a group or kind total exceeds its cap."""
    for group_name, group in model.groups.items():
        members = [i for i, g in enumerate(built.groups) if g == group_name]
        _cap(built, members, group.max_points)
    for kind in ("fit", "engagement"):
        cap = getattr(model.max_points, kind)
        if cap is not None:
            _cap(built, [i for i, e in enumerate(built.entries) if e.kind == kind], cap)


def _cap(built: _Columns, members: list[int], cap: float) -> None:
    if not members:
        return
    total = np.zeros(len(built.points[members[0]]), dtype=np.float64)
    for i in members:
        total += np.maximum(built.points[i], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(total > cap, cap / total, 1.0)
    for i in members:
        values = built.points[i]
        built.points[i] = np.where(values > 0, values * scale, values).astype(np.float32)


def _add_inactivity(built: _Columns, model: ModelConfig, columns: BatchColumns) -> None:
    """The penalty for leads whose newest known activity is older than the limit."""
    rule = model.decay.inactivity
    assert rule is not None
    n = columns.size
    newest = np.full(n, np.inf)
    for name in rule.dates:
        newest = np.fmin(newest, columns.days_since(name))
    acts = columns.activities()
    np.minimum.at(newest, acts.row, acts.age_days)
    newest[np.isinf(newest)] = np.nan
    with np.errstate(invalid="ignore"):
        fired = newest > rule.after_days  # NaN (no known activity) never fires
    built.add(
        LedgerEntry("inactivity", rule.label, "engagement", "negative", rule.points, rule.points),
        np.where(fired, rule.points, 0.0),
        fired,
        newest,
    )


def _kind_sum(built: _Columns, kind: str) -> np.ndarray:
    total = np.zeros(len(built.points[0]) if built.points else 0, dtype=np.float64)
    for entry, points in zip(built.entries, built.points, strict=True):
        if entry.kind == kind:
            total += points
    return total


def _most_points(criterion: Criterion, nominal: float) -> float:
    """The most one criterion can add (signed): its points, or its cap when repeatable."""
    if criterion.max_points is None:
        return nominal
    if criterion.per is None:
        return float(np.sign(nominal) * min(abs(nominal), criterion.max_points))
    return float(np.sign(nominal) * criterion.max_points)


def _attainable(model: ModelConfig, kind: str) -> float:
    """The most positive points of a kind a lead can earn, after group and kind caps."""
    by_group: dict[str | None, float] = {}
    for criterion in model.criteria:
        nominal = model.points_of(criterion)
        if criterion.kind != kind or nominal <= 0:
            continue
        most = _most_points(criterion, nominal)
        by_group[criterion.group] = by_group.get(criterion.group, 0.0) + most
    total = 0.0
    for group_name, points in by_group.items():
        cap = model.groups[group_name].max_points if group_name is not None else points
        total += min(points, cap)
    kind_cap = getattr(model.max_points, kind)
    return min(total, kind_cap) if kind_cap is not None else total


def _normalise(points: np.ndarray, attainable: float) -> np.ndarray:
    if attainable <= 0:
        return np.zeros_like(points)
    return np.clip(points * (100.0 / attainable), 0.0, 100.0)


def _combine(
    model: ModelConfig, fit: np.ndarray, engagement: np.ndarray, likelihood: np.ndarray
) -> np.ndarray:
    weights = model.weights
    has_likelihood = ~np.isnan(likelihood)
    likelihood_weight = np.where(has_likelihood, weights.likelihood, 0.0)
    total = weights.fit + weights.engagement + likelihood_weight
    weighted = (
        weights.fit * fit
        + weights.engagement * engagement
        + likelihood_weight * np.nan_to_num(likelihood)
    )
    return np.clip(weighted / total, 0.0, 100.0)


def _tiers(model: ModelConfig, score: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    rounded = np.round(score, 1)
    # Integer codes, then one lookup: np.select over strings builds unicode arrays.
    code = np.select(
        [excluded, rounded >= model.tiers.hot.min_score, rounded >= model.tiers.warm.min_score],
        [0, 1, 2],
        default=3,
    )
    return _TIER_NAMES[code]


def _matrix(columns: list[np.ndarray], n: int, dtype: type) -> np.ndarray:
    if not columns:
        return np.zeros((n, 0), dtype=dtype)
    return np.column_stack([np.asarray(column, dtype=dtype) for column in columns])
