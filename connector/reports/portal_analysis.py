"""The figures of one portal's page: the forward grade first, then score and tier
distributions, conversion by band, segments with recommendations — all computed from the
store, none from HubSpot.

The forward grade (`portal_forward_grade`, through `reports.portal_forward`) is the
headline: trained on what was known 90 days ago, the leads open then ranked against the
conversions of the next 90 days, by the configured outcome. The all-contacts figures that
follow evaluate the scores the sync computed and wrote against the outcome the portal
records (see `connector.reports.portal_history`); they include leads already converted,
so they are secondary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from connector.errors import LeadscoreError
from connector.evaluation import (
    SEGMENT_LABELS,
    Evidence,
    SegmentProfile,
    build_evidence,
    segment_leads,
)
from connector.evaluation.forward import ForwardBacktest
from connector.reports import plots
from connector.reports.forward import portal_forward
from connector.reports.portal_history import PortalHistory
from connector.reports.render import evidence_figures, forward_figure
from connector.scoring.config import ScoringConfig
from connector.scoring.leads import LeadFrame
from connector.scoring.properties import TIERS, UNSEGMENTED
from connector.scoring.score_columns import ScoreColumn
from connector.store import Store

SEGMENT_RANGE = (3, 6)
"""Numbers of segments tried on the dashboard (fewer than the CLI: it renders on request)."""

MAP_SAMPLE = 2000
"""Leads drawn on the segment map."""


@dataclass(frozen=True)
class Count:
    """How many contacts hold one value (a tier or a segment), and their share."""

    value: str
    label: str
    contacts: int
    share: float


@dataclass(frozen=True)
class PortalForward:
    """The portal's forward backtest as of T − 90 days with its figure, or why there is
    none."""

    backtest: ForwardBacktest | None
    note: str | None
    """Why there is no backtest (too few conversions by then, no synced contact)."""
    figure: str | None = None
    """Inline SVG: claimed against forward AUC per scorer (`render.forward_figure`)."""


@dataclass(frozen=True)
class PortalAnalysis:
    """Everything the portal page shows besides the store's live counters."""

    hub_id: int
    scoring_model: str
    contacts: int
    scored: int
    converted: int
    tiers: list[Count]
    written_segments: list[Count]
    evidence: Evidence | None
    evidence_note: str | None
    segments: list[SegmentProfile]
    segments_base_rate: float
    segments_note: str | None
    figures: dict[str, str]
    """Inline SVG per figure name (absent when there was nothing to draw)."""


def portal_forward_grade(
    store: Store, hub_id: int, config: ScoringConfig | None, now: datetime
) -> PortalForward:
    """The portal's forward backtest (see `reports.portal_forward`), or why there is none;
    `config` None when the scoring configuration cannot be read."""
    if config is None:
        return PortalForward(None, "The scoring configuration cannot be read.")
    try:
        backtest = portal_forward(store, hub_id, config, now)
    except LeadscoreError as exc:  # NotEnoughData among them: too young a history
        return PortalForward(None, f"No forward grade yet: {exc}.")
    return PortalForward(backtest, None, forward_figure(backtest))


def analyse_portal(loaded: PortalHistory, attributes: list[str] | None) -> PortalAnalysis:
    """Compute the portal page's figures besides the forward grade; `attributes` are the
    properties the rules read."""
    history, written = loaded.history, loaded.written
    written = written.reindex(history.leads.contacts.index)
    scored_mask = written[ScoreColumn.SCORE].notna().to_numpy()
    y = history.converted[scored_mask]
    frame = written.loc[scored_mask]
    figures: dict[str, str] = {}
    evidence, evidence_note = _evidence(loaded, frame, y)
    if evidence is not None:
        figures.update(evidence_figures(evidence))
    segments, segments_note = _segments(loaded, scored_mask, attributes, figures)
    base_rate = float(y.mean()) if len(y) else 0.0
    return PortalAnalysis(
        hub_id=loaded.portal.hub_id,
        scoring_model=loaded.scoring_model,
        contacts=len(written),
        scored=int(scored_mask.sum()),
        converted=history.conversions,
        tiers=_counts(frame[ScoreColumn.TIER], TIERS, {t: t.capitalize() for t in TIERS}),
        written_segments=_counts(
            frame[ScoreColumn.SEGMENT],
            (*SEGMENT_LABELS, UNSEGMENTED),
            SEGMENT_LABELS,
            skip_empty=True,
        ),
        evidence=evidence,
        evidence_note=evidence_note,
        segments=segments,
        segments_base_rate=base_rate,
        segments_note=segments_note,
        figures=figures,
    )


def _evidence(
    loaded: PortalHistory, frame: pd.DataFrame, y: np.ndarray
) -> tuple[Evidence | None, str | None]:
    if len(frame) == 0:
        return None, "No contact has been scored yet."
    if not y.any() or y.all():
        return None, (
            "Conversion by band needs both converted contacts (lifecycle stage opportunity or "
            "later) and unconverted ones; this portal has only one kind so far."
        )
    scores = pd.DataFrame(
        {
            ScoreColumn.SCORE: frame[ScoreColumn.SCORE].to_numpy(float),
            ScoreColumn.TIER: frame[ScoreColumn.TIER].fillna("unknown").astype(str).to_numpy(),
            ScoreColumn.LIKELIHOOD: frame[ScoreColumn.LIKELIHOOD].to_numpy(float),
            ScoreColumn.REASONS: frame[ScoreColumn.REASONS].fillna("").astype(str).to_numpy(),
        },
        index=frame.index,
    )
    evidence = build_evidence(
        scores, y, model=loaded.scoring_model, source=loaded.history.source, review_limit=10
    )
    return evidence, None


def _segments(
    loaded: PortalHistory,
    scored_mask: np.ndarray,
    attributes: list[str] | None,
    figures: dict[str, str],
) -> tuple[list[SegmentProfile], str | None]:
    contacts = loaded.history.leads.contacts.loc[scored_mask]
    written = loaded.written.reindex(contacts.index)
    scores = pd.DataFrame(
        {
            # A model without sub-scores written still segments on its attributes.
            ScoreColumn.FIT: written[ScoreColumn.FIT].fillna(0.0).to_numpy(float),
            ScoreColumn.ENGAGEMENT: written[ScoreColumn.ENGAGEMENT].fillna(0.0).to_numpy(float),
            ScoreColumn.EXCLUDED: (written[ScoreColumn.TIER] == "disqualified").to_numpy(bool),
        },
        index=contacts.index,
    )
    present = [a for a in attributes or () if a in contacts.columns] or None
    try:
        report = segment_leads(
            LeadFrame(contacts=contacts, activities=loaded.history.leads.activities),
            scores,
            loaded.history.converted[scored_mask],
            attributes=present,
            k_range=SEGMENT_RANGE,
        )
    except LeadscoreError as exc:
        return [], f"No segments yet: {exc}."
    n = len(report.clusters)
    sample = np.random.default_rng(0).choice(n, size=min(MAP_SAMPLE, n), replace=False)
    figures["segment_map"] = plots.segment_map(
        scores[ScoreColumn.FIT].to_numpy(float)[sample],
        scores[ScoreColumn.ENGAGEMENT].to_numpy(float)[sample],
        report.clusters[sample],
        report.segmentation.names,
        "segments on fit × engagement",
    )
    return report.profiles, None


def _counts(
    values: pd.Series,
    order: tuple[str, ...],
    labels: dict[str, str],
    *,
    skip_empty: bool = False,
) -> list[Count]:
    total = len(values)
    found = values.fillna("").astype(str).value_counts()
    counts = []
    for value in order:
        n = int(found.get(value, 0))
        if skip_empty and n == 0:
            continue
        counts.append(Count(value, labels.get(value, value), n, n / total if total else 0.0))
    return counts
