"""Checking the scores the demo wrote to HubSpot against the generator's hidden truth.

The sandbox knows who really converts, including conversions that have not happened yet
when the demo runs. The connector never sees that truth; the demo reads it through the
sandbox's control API only to grade the scores it wrote.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from connector.demo.sandbox_control import GroundTruth
from connector.demo.summary import Evaluation
from connector.errors import LeadscoreError
from connector.evaluation import Evidence, RankedOutcomes, build_evidence
from connector.reports import PortalHistory
from connector.scoring.ledger import Ledger
from connector.scoring.score_columns import ScoreColumn

SCORE_FRAME_COLUMNS = [
    ScoreColumn.SCORE, ScoreColumn.TIER, ScoreColumn.LIKELIHOOD, ScoreColumn.REASONS
]


def grade(
    portal_history: PortalHistory, truth: GroundTruth, ledger: Ledger | None = None
) -> tuple[Evaluation, Evidence]:
    """The summary figures and the report evidence for the written scores.

    `portal_history.written` holds the scores the sync wrote, `portal_history.history` the
    outcomes HubSpot shows (lifecycle stage); `ledger`, aligned with the history's leads,
    adds which criteria fired to the report.
    """
    written = portal_history.written
    scored = written[written[ScoreColumn.SCORE].notna()]
    if scored.empty:
        raise LeadscoreError(f"portal {portal_history.portal.hub_id}: no contact was scored")
    unknown = scored.index.difference(truth.converted.index)
    if len(unknown):
        raise LeadscoreError(
            f"{len(unknown)} scored contacts are unknown to the sandbox's ground truth "
            f"(e.g. {unknown[0]})"
        )
    converted = truth.converted.reindex(scored.index).to_numpy(dtype=bool)
    frame = scored[SCORE_FRAME_COLUMNS]
    evidence = build_evidence(
        frame,
        converted,
        model=portal_history.scoring_model,
        source=(
            f"sandbox portal {portal_history.portal.hub_id}: the scores written to HubSpot "
            "against the hidden ground truth (converted = becomes an opportunity, now or later)"
        ),
        ledger=_aligned(ledger, scored.index) if ledger is not None else None,
    )
    history = portal_history.history
    known = pd.Series(history.converted, index=history.leads.contacts.index)
    # Leads HubSpot still shows as open: the ones whose future the score has to forecast.
    open_mask = ~known.reindex(scored.index).fillna(False).to_numpy(dtype=bool)
    future = converted & open_mask
    open_scores = scored[ScoreColumn.SCORE].to_numpy(float)[open_mask]
    open_future = future[open_mask]
    auc_open = (
        RankedOutcomes(open_scores, open_future).auc()
        if open_future.any() and not open_future.all()
        else None
    )
    evaluation = Evaluation(
        contacts=evidence.leads,
        conversions=evidence.conversions,
        base_rate=evidence.base_rate,
        auc_score=evidence.auc_score,
        auc_likelihood=evidence.auc_likelihood,
        top_decile_lift=evidence.top_decile_lift,
        tiers=evidence.tiers,
        deciles=evidence.deciles,
        open_leads=int(open_mask.sum()),
        open_leads_future_conversions=int(np.count_nonzero(open_future)),
        auc_open_leads=auc_open,
    )
    return evaluation, evidence


def _aligned(ledger: Ledger, index: pd.Index) -> Ledger:
    rows = ledger.index.get_indexer(index)
    if (rows < 0).any():
        raise LeadscoreError("the criteria ledger lacks some of the scored contacts")
    return Ledger(
        index=index, entries=ledger.entries, points=ledger.points[rows], fired=ledger.fired[rows]
    )
