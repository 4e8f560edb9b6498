"""Forward-looking evidence: grading a portal's scoring "as of T − N days".

A grade over every contact mixes the future with the past: converted leads carry what
happened because they converted. The honest question is the one a sales team asks of a
score: *of the leads open back then, did the ones scored high convert in the next N days?*
`forward_backtest` answers it on a portal's history:

1. `as_of` = now − N days; only what was known then is used;
2. the point-in-time model is trained on the leads that existed then, each at its cutoff
   (`scoring.point_in_time`), with the properties history shows were set after the
   conversion excluded (`scoring.time_leaks`);
3. the same model is trained on the values as they were at `as_of` ("current values" then:
   what training without history does), for comparison;
4. both, and the product's score (rules + the point-in-time model), rank the leads open at
   `as_of` against the conversions of the next N days.

The naive model looks better in its own cross-validation (it learns the leak) and worse
forward: that difference is the proof that the leak is closed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from connector.errors import LeadscoreError
from connector.evaluation.stats import Interval, RankedOutcomes, bootstrap_interval
from connector.scoring.config import ScoringConfig
from connector.scoring.engine import Scorer
from connector.scoring.guards import ExcludedColumn
from connector.scoring.histories import ContactHistory
from connector.scoring.leads import LeadFrame
from connector.scoring.model import FeatureImportance, LeadModel, NotEnoughData, train_model
from connector.scoring.point_in_time import (
    TimedRows,
    conversions_with_a_past,
    open_rows,
    point_in_time_rows,
    snapshot_rows,
)
from connector.scoring.score_columns import ScoreColumn
from connector.scoring.time_leaks import TimedVerdict, timed_exclusions, timed_verdicts

DEFAULT_HORIZON_DAYS = 90
BOOTSTRAP_REPLICATES = 200
TOP_FEATURES = 10
Method = Literal["point_in_time", "current_values"]


@dataclass(frozen=True)
class ForwardFigures:
    """How one scorer ranked the leads open at `as_of` against the next N days' conversions."""

    open_leads: int
    conversions: int
    auc: Interval | None
    """None when no open lead, or every one, converted."""
    top_decile_lift: float | None


@dataclass(frozen=True)
class TrainedVariant:
    """A model trained as of `as_of` one way, with its own cross-validation and its forward
    grade."""

    method: Method
    rows: int
    positives: int
    in_sample_auc: float
    """Out-of-fold AUC on its own training rows: what it claims."""
    forward: ForwardFigures
    """What it does on the leads open then."""
    excluded: list[ExcludedColumn]
    features: list[FeatureImportance] = field(default_factory=list)
    """What it learned most from (mean |contribution|), strongest first."""


@dataclass(frozen=True)
class ForwardBacktest:
    """The forward grade of a portal's history "as of T − N days" (see the module doc)."""

    as_of: datetime
    horizon_days: int
    outcome: str
    """What "converted" means here, e.g. "a deal created for the contact or its company"."""
    point_in_time: TrainedVariant
    current_values: TrainedVariant | None
    score: ForwardFigures | None
    """The product's score (rules + the point-in-time model) as of `as_of`."""
    post_outcome: list[TimedVerdict] = field(default_factory=list)
    """Properties history shows were set at or after the conversion (excluded)."""
    unknown_past: tuple[str, ...] = ()
    """Columns left out because their value as of a past moment is not known."""


def forward_figures(scores: ArrayLike, converted: ArrayLike, seed: int = 0) -> ForwardFigures:
    """AUC (with a bootstrap interval) and top-decile lift of `scores` for `converted`."""
    y = np.asarray(converted, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    if len(y) == 0 or y.all() or not y.any():
        return ForwardFigures(len(y), int(y.sum()), None, None)
    ranked = RankedOutcomes(s, y)
    interval = bootstrap_interval(ranked.auc, len(y), replicates=BOOTSTRAP_REPLICATES, seed=seed)
    return ForwardFigures(len(y), int(y.sum()), interval, round(ranked.lift_at(0.1), 3))


def forward_backtest(
    leads: LeadFrame,
    converted_at: pd.Series,
    histories: Mapping[str, ContactHistory],
    now: datetime,
    *,
    outcome: str,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    converted: pd.Series | None = None,
    drop: Sequence[str] = (),
    static: Collection[str] = (),
    config: ScoringConfig | None = None,
    compare_current_values: bool = True,
    matched_ages: bool = False,
) -> ForwardBacktest:
    """Grade the portal's scoring as of `now − horizon_days` (see the module doc).

    `converted_at` (UTC, NaT when not converted) is aligned with `leads.contacts`;
    `converted` marks conversions whose time is unknown. `drop` names columns never to
    learn from (the stage and other restatements of the outcome). With `config`, the
    product's score as of then is graded too. Raises `NotEnoughData` when too few leads had
    converted by then, `LeadscoreError` for a horizon that is not positive.
    """
    if horizon_days < 1:
        raise LeadscoreError(f"the forward horizon must be at least 1 day, got {horizon_days}")
    as_of = now - timedelta(days=horizon_days)
    at = pd.to_datetime(converted_at, utc=True)
    with_past = conversions_with_a_past(leads, at)
    known_then = with_past.where(with_past <= pd.Timestamp(as_of))
    verdicts = timed_verdicts(histories, known_then)
    timed = timed_exclusions(verdicts)
    honest = point_in_time_rows(leads, at, histories, as_of, converted=converted, static=static,
                                lead_time=timedelta(days=horizon_days), matched_ages=matched_ages)
    ahead = open_rows(leads, at, histories, as_of, now, converted=converted, static=static)
    model, variant = _variant("point_in_time", honest, ahead, as_of, drop, timed)
    naive = None
    if compare_current_values:
        # What training without history does at `as_of`: every lead as it stood then,
        # columns judged by their names. Same columns as the point-in-time model, so only
        # the cutoffs and the verdicts by time differ.
        snapshot = snapshot_rows(leads, at, histories, as_of, static=static)
        _, naive = _variant("current_values", snapshot, ahead, as_of, drop, {})
    score = None
    if config is not None:
        frame = _product_scores(config, model, ahead.leads, as_of)
        score = forward_figures(frame, ahead.target.to_numpy(dtype=bool))
    return ForwardBacktest(
        as_of=as_of,
        horizon_days=horizon_days,
        outcome=outcome,
        point_in_time=variant,
        current_values=naive,
        score=score,
        post_outcome=[v for v in verdicts if v.post_outcome],
        unknown_past=honest.unknown_past,
    )


def _variant(
    method: Method,
    rows: TimedRows,
    ahead: TimedRows,
    as_of: datetime,
    drop: Sequence[str],
    timed: Mapping[str, str | None],
) -> tuple[LeadModel, TrainedVariant]:
    table = rows.leads.contacts
    present = [c for c in drop if c in table.columns]
    cutoffs = rows.cutoffs if method == "point_in_time" else None
    try:
        model = train_model(table, rows.target, now=as_of, activities=rows.leads.activities,
                            drop=present, timed=timed, cutoffs=cutoffs)
    except NotEnoughData as exc:
        raise NotEnoughData(f"as of {as_of:%Y-%m-%d}: {exc}") from exc
    probability = model.predict(ahead.leads, as_of).probability
    meta = model.metadata
    return model, TrainedVariant(
        method=method,
        rows=meta.rows,
        positives=meta.positives,
        in_sample_auc=meta.metrics.auc,
        forward=forward_figures(probability, ahead.target.to_numpy(dtype=bool)),
        excluded=meta.excluded,
        features=meta.features[:TOP_FEATURES],
    )


def _product_scores(config: ScoringConfig, model: LeadModel, leads: LeadFrame,
                    as_of: datetime) -> np.ndarray:
    """The first scoring model's score of `leads` as of `as_of`, with `model` as its
    likelihood."""
    name = next(iter(config.models))
    scorer = Scorer(config, {config.artifact_key(name): model})
    frame = scorer.score_model(name, leads, as_of).frame
    return frame[ScoreColumn.SCORE].to_numpy(dtype=np.float64)
