"""The demo's headline: the portal's scoring graded forward, "as of T − 90 days".

`reports.portal_forward` trains on what the store knew 90 days ago and grades the leads
open then against the conversions of the next 90 days, by the portal's own recorded
outcome. This module turns that into the summary's `ForwardGrade`, counts from the stored
contacts who existed and who had converted by then (so the open leads graded can be
checked), and says whether the time-based guard named the post-outcome properties the
sandbox planted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pandas as pd

from connector.demo.summary import ForwardGrade, PlantedCheck, PostOutcomeFinding, TrainingGrade
from connector.errors import LeadscoreError
from connector.evaluation.forward import DEFAULT_HORIZON_DAYS, ForwardBacktest, TrainedVariant
from connector.evaluation.stats import Interval
from connector.reports.forward import portal_forward
from connector.reports.portal_history import portal_outcome
from connector.scoring.config import ScoringConfig
from connector.scoring.leads import LeadFrame
from connector.scoring.outcomes import utc_moments
from connector.scoring.point_in_time import CREATED
from connector.scoring.stored_inputs import lead_frame_from_states
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER
from connector.store import Store


def forward_grade(
    store: Store,
    hub_id: int,
    config: ScoringConfig,
    now: datetime,
    planted: Sequence[str] | None,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> tuple[ForwardGrade, ForwardBacktest | None]:
    """The forward grade of the synced portal, and the backtest it came from (None, with
    the reason in the grade, when the portal's history is too short for one).

    `planted` names the post-outcome properties the sandbox's generator planted (None when
    it plants none): each is reported found or missed by the time-based guard.
    """
    as_of = now - timedelta(days=horizon_days)
    states = [s for batch in store.contacts.iter_batches(hub_id) for s in batch]
    leads = lead_frame_from_states(states)
    then, meaning = _population_then(store, hub_id, leads, config, as_of)
    try:
        backtest = portal_forward(store, hub_id, config, now, horizon_days=horizon_days)
    except LeadscoreError as exc:  # NotEnoughData is one: too few conversions by then
        return ForwardGrade(
            as_of=as_of.date().isoformat(), horizon_days=horizon_days,
            outcome=meaning, **then,
            open_leads=None, conversions=None, score=None, point_in_time=None,
            current_values=None, post_outcome=[], planted=None, unknown_past=[],
            not_available_because=str(exc),
        ), None
    honest = backtest.point_in_time
    found = {v.column for v in backtest.post_outcome}
    return ForwardGrade(
        as_of=backtest.as_of.date().isoformat(),
        horizon_days=backtest.horizon_days,
        outcome=backtest.outcome,
        **then,
        open_leads=honest.forward.open_leads,
        conversions=honest.forward.conversions,
        score=backtest.score,
        point_in_time=_training(honest),
        current_values=(
            _training(backtest.current_values) if backtest.current_values is not None else None
        ),
        post_outcome=[
            PostOutcomeFinding(v.column, v.converted_with_value, v.set_after, v.share_after,
                               v.evidence())
            for v in backtest.post_outcome
        ],
        planted=(
            None if planted is None
            else [PlantedCheck(column, column in found) for column in planted]
        ),
        unknown_past=list(backtest.unknown_past),
        not_available_because=None,
    ), backtest


def _training(variant: TrainedVariant) -> TrainingGrade:
    return TrainingGrade(
        method=variant.method,
        rows=variant.rows,
        positives=variant.positives,
        in_sample_auc=variant.in_sample_auc,
        forward=variant.forward,
    )


def _population_then(
    store: Store, hub_id: int, leads: LeadFrame, config: ScoringConfig, as_of: datetime
) -> tuple[dict[str, int], str]:
    """Who existed at `as_of`, and who of them had converted by then or at an unknown
    time (the open leads graded forward are the rest); and what converting means."""
    found = portal_outcome(store, hub_id, leads, DEFAULT_LIFECYCLE_ORDER, config.outcome)
    index = pd.Index(leads.contacts.index.astype(str))
    moment = pd.Timestamp(as_of)
    created = utc_moments(leads.contacts[CREATED]).set_axis(index)
    existed = (created <= moment).to_numpy()
    at = pd.to_datetime(found.converted_at.reindex(index), utc=True)
    converted = found.converted.reindex(index).fillna(False).astype(bool)
    by_then = (at <= moment).to_numpy()
    untimed = (converted & at.isna()).to_numpy()
    counts = {
        "contacts_then": int(existed.sum()),
        "converted_by_then": int((existed & by_then).sum()),
        "conversion_time_unknown": int((existed & untimed).sum()),
    }
    return counts, found.meaning


def forward_headline(grade: ForwardGrade) -> str:
    """The summary's first figure in words, e.g. "As of 2026-01-01 (T − 90 days): the score
    ranked the 861 leads open then at AUC 0.710 [0.636–0.772] against the 39 conversions of
    the next 90 days (outcome: a deal created for the contact or its company)."."""
    start = f"As of {grade.as_of} (T − {grade.horizon_days} days): "
    outcome = f"(outcome: {grade.outcome})"
    if grade.not_available_because is not None:
        return f"{start}no forward grade {outcome}: {grade.not_available_because}."
    score = grade.score
    if score is None or score.auc is None:
        return (
            f"{start}{grade.open_leads:,} leads were open then and {grade.conversions:,} "
            f"converted in the next {grade.horizon_days} days {outcome}: an AUC needs both."
        )
    return (
        f"{start}the score ranked the {score.open_leads:,} leads open then at AUC "
        f"{_interval(score.auc)} against the {score.conversions:,} conversions of the next "
        f"{grade.horizon_days} days {outcome}."
    )


def trainings_sentence(grade: ForwardGrade) -> str:
    """The point-in-time model beside the same model trained on the values as they stood
    then: the AUC each claims in its own cross-validation, and the one it reached forward."""
    honest, naive = grade.point_in_time, grade.current_values
    if honest is None:
        return ""
    text = (
        f"The model trained point in time claims AUC {honest.in_sample_auc:.3f} in its own "
        f"cross-validation and reached {_interval(honest.forward.auc)} forward"
    )
    if naive is None:
        return text + "."
    return text + (
        f"; trained on the values as they stood then, it claims {naive.in_sample_auc:.3f} and "
        f"reached {_interval(naive.forward.auc)}."
    )


def _interval(auc: Interval | None) -> str:
    if auc is None:
        return "– (no AUC: the open leads all converted, or none did)"
    return f"{auc.estimate:.3f} [{auc.low:.3f}–{auc.high:.3f}]"
