"""Checking the scores the demo wrote to HubSpot against the generator's hidden truth.

The sandbox knows who really converts, including conversions that have not happened yet
when the demo runs. The connector never sees that truth; the demo reads it through the
sandbox's control API only to grade the scores it wrote, and to grade the contact-only
rules of before on the same stored inputs (`compare_rule_sets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from connector.demo.sandbox_control import GroundTruth
from connector.demo.summary import (
    Evaluation,
    GradeDistribution,
    GradeRow,
    RulesComparison,
    RuleSetGrade,
    ScoreDifference,
)
from connector.errors import LeadscoreError
from connector.evaluation import Evidence, RankedOutcomes, build_evidence, compare_scorings
from connector.reports import PortalHistory
from connector.scoring.config import ScoringConfig, config_hash
from connector.scoring.engine import Scorer
from connector.scoring.leads import LeadFrame
from connector.scoring.ledger import Ledger
from connector.scoring.properties import DEFAULT_MODEL, GRADES
from connector.scoring.score_columns import ScoreColumn

SCORE_FRAME_COLUMNS = [
    ScoreColumn.SCORE, ScoreColumn.TIER, ScoreColumn.LIKELIHOOD, ScoreColumn.REASONS
]
COMPARISON_REPLICATES = 400
"""Paired bootstrap resamples of the forward-AUC difference (a fixed seed: reproducible)."""


@dataclass(frozen=True)
class GradedLeads:
    """The contacts the sync scored, with the hidden truth and what HubSpot showed.

    `scored` holds their written scores (`PortalHistory.written` rows with a score);
    `converted` whether each ever converts (the hidden truth); `open_mask` whether HubSpot
    still showed it as open (lifecycle stage before opportunity) when it was scored.
    """

    scored: pd.DataFrame
    converted: NDArray[np.bool_]
    open_mask: NDArray[np.bool_]

    @property
    def future(self) -> NDArray[np.bool_]:
        """Open leads that convert later: what a forecast has to find."""
        return self.converted & self.open_mask


def graded_leads(portal_history: PortalHistory, truth: GroundTruth) -> GradedLeads:
    """The scored contacts of the portal, aligned with the hidden truth."""
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
    history = portal_history.history
    known = pd.Series(history.converted, index=history.leads.contacts.index)
    return GradedLeads(
        scored=scored,
        converted=truth.converted.reindex(scored.index).to_numpy(dtype=bool),
        # Leads HubSpot still shows as open: the ones whose future the score has to forecast.
        open_mask=~known.reindex(scored.index).fillna(False).to_numpy(dtype=bool),
    )


def forward_auc(scores: NDArray[np.float64], leads: GradedLeads) -> float | None:
    """AUC of `scores` (aligned with `leads`) on the open leads against later conversions;
    None when no open lead, or every open lead, converts later."""
    future = leads.future[leads.open_mask]
    if not future.any() or future.all():
        return None
    return RankedOutcomes(scores[leads.open_mask], future).auc()


def grade(
    portal_history: PortalHistory, truth: GroundTruth, ledger: Ledger | None = None
) -> tuple[Evaluation, Evidence]:
    """The summary figures and the report evidence for the written scores.

    `portal_history.written` holds the scores the sync wrote, `portal_history.history` the
    outcomes HubSpot shows (lifecycle stage); `ledger`, aligned with the history's leads,
    adds which criteria fired to the report.
    """
    leads = graded_leads(portal_history, truth)
    scored = leads.scored
    evidence = build_evidence(
        scored[SCORE_FRAME_COLUMNS],
        leads.converted,
        model=portal_history.scoring_model,
        source=(
            f"sandbox portal {portal_history.portal.hub_id}: the scores written to HubSpot "
            "against the hidden ground truth (converted = becomes an opportunity, now or later)"
        ),
        ledger=_aligned(ledger, scored.index) if ledger is not None else None,
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
        open_leads=int(leads.open_mask.sum()),
        open_leads_future_conversions=int(np.count_nonzero(leads.future)),
        auc_open_leads=forward_auc(scored[ScoreColumn.SCORE].to_numpy(float), leads),
    )
    return evaluation, evidence


@dataclass(frozen=True)
class RuleSet:
    """A scoring configuration to grade, with how the summary names it."""

    label: str
    file: str
    config: ScoringConfig


def compare_rule_sets(
    stored: LeadFrame,
    leads: GradedLeads,
    company_aware: RuleSet,
    contact_only: RuleSet,
    now: datetime,
    *,
    replicates: int = COMPARISON_REPLICATES,
) -> RulesComparison:
    """Score the stored inputs with both rule sets (rules only) and grade them alike.

    `stored` is the portal's stored inputs as the sync keeps them
    (`lead_frame_from_states`: contact properties, `company.*` and `account.*` columns,
    activities); only the contacts of `leads` are graded, against the same truth.
    Raises `LeadscoreError` when the stored inputs lack a property a rule set reads (the
    comparison would then not be on equal terms).
    """
    available = set(map(str, stored.contacts.columns))
    for rule_set in (company_aware, contact_only):
        missing = sorted(rule_set.config.models[DEFAULT_MODEL].properties() - available)
        if missing:
            raise LeadscoreError(
                f"the stored inputs lack {', '.join(missing)}, which the {rule_set.label} "
                "rules read: the sync did not read them, so the rule sets cannot be "
                "compared on equal terms"
            )
    index = leads.scored.index
    frames = {
        rule_set.label: _rules_only(rule_set.config, stored, now).reindex(index)
        for rule_set in (company_aware, contact_only)
    }
    grades = {
        rule_set.label: _grade_rule_set(rule_set, frames[rule_set.label], leads)
        for rule_set in (company_aware, contact_only)
    }
    aware, baseline = grades[company_aware.label], grades[contact_only.label]
    combined = leads.scored[ScoreColumn.SCORE].to_numpy(float)
    return RulesComparison(
        leads=len(index),
        conversions=int(leads.converted.sum()),
        open_leads=int(leads.open_mask.sum()),
        open_leads_future_conversions=int(np.count_nonzero(leads.future)),
        auc_combined=RankedOutcomes(combined, leads.converted).auc(),
        auc_rules_company_aware=aware.auc,
        auc_rules_contact_only=baseline.auc,
        forward_auc_combined=forward_auc(combined, leads),
        forward_auc_rules_company_aware=aware.forward_auc,
        forward_auc_rules_contact_only=baseline.forward_auc,
        forward_auc_difference=_forward_difference(
            frames[contact_only.label], frames[company_aware.label], leads, replicates
        ),
        company_aware=aware,
        contact_only=baseline,
        note=(
            f"rules only (no model) for both rule sets, on the stored inputs of the same "
            f"{len(index):,} contacts against the same hidden truth; the combined score is "
            "the written one (rules + model). Forward = the leads still open when scored, "
            "against their later conversions (all-leads AUCs include leads already "
            "converted, whose own deal shows in the account signals)."
        ),
    )


def _rules_only(config: ScoringConfig, stored: LeadFrame, now: datetime) -> pd.DataFrame:
    # No trained model: the likelihood's weight is shared between fit and engagement.
    return Scorer(config).score_model(DEFAULT_MODEL, stored, now).frame


def _grade_rule_set(rule_set: RuleSet, frame: pd.DataFrame, leads: GradedLeads) -> RuleSetGrade:
    if frame[ScoreColumn.SCORE].isna().any():
        raise LeadscoreError(f"the {rule_set.label} rules left some graded contacts unscored")
    evidence = build_evidence(
        frame[SCORE_FRAME_COLUMNS], leads.converted, model=DEFAULT_MODEL,
        source=f"{rule_set.file} (rules only) on the stored inputs",
    )
    return RuleSetGrade(
        label=rule_set.label,
        config=rule_set.file,
        version=config_hash(rule_set.config),
        auc=evidence.auc_score,
        forward_auc=forward_auc(frame[ScoreColumn.SCORE].to_numpy(float), leads),
        top_decile_lift=evidence.top_decile_lift,
        tiers=evidence.tiers,
    )


def _forward_difference(
    frame_a: pd.DataFrame, frame_b: pd.DataFrame, leads: GradedLeads, replicates: int
) -> ScoreDifference | None:
    """B − A forward AUC on the open leads, both measured on the same resamples."""
    open_rows = leads.open_mask
    future = leads.future[open_rows]
    if not future.any() or future.all():
        return None
    comparison = compare_scorings(
        frame_a[open_rows], frame_b[open_rows], future, replicates=replicates, seed=0
    )
    auc = next(m for m in comparison.metrics if m.metric == "AUC")
    d = auc.difference
    return ScoreDifference(
        estimate=d.estimate, low=d.low, high=d.high, confidence=d.confidence,
        significant=auc.significant,
    )


def grade_distribution(grades: pd.Series, leads: GradedLeads, prop: str) -> GradeDistribution:
    """How the graded contacts' written grades (`grades`, by contact id; None for none)
    spread over A1 … C3, with the hidden truth's conversion rate of each."""
    values = grades.reindex(leads.scored.index).to_numpy(dtype=object)
    has = np.array([isinstance(v, str) and v != "" for v in values], dtype=bool)
    rows = []
    for name in GRADES:
        mask = values == name
        count, hits = int(mask.sum()), int(leads.converted[mask].sum())
        rows.append(GradeRow(name, count, hits, hits / count if count else None))
    return GradeDistribution(
        property=prop,
        graded=int(has.sum()),
        without_grade=int((~has).sum()),
        counts={row.grade: row.contacts for row in rows},
        rows=rows,
    )


def _aligned(ledger: Ledger, index: pd.Index) -> Ledger:
    rows = ledger.index.get_indexer(index)
    if (rows < 0).any():
        raise LeadscoreError("the criteria ledger lacks some of the scored contacts")
    return Ledger(
        index=index, entries=ledger.entries, points=ledger.points[rows], fired=ledger.fired[rows]
    )
