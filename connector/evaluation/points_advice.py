"""What `insights points` shows: the leak guard, the joint scorecard, the evidence, the checks.

The lead properties go through the model's own leak guard first
(`connector.scoring.guards.screen_columns`: identifiers, post-outcome columns, columns that
predict the outcome alone, and the user's `drop`), so no suggested criterion reads a column
the model would refuse. The kept columns are then weighed jointly (`scorecard.py`), and
each value's close rate alone (`points.py`) stays next to its joint points as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from connector.evaluation.history import History
from connector.evaluation.points import (
    CriterionCheck,
    ValueEvidence,
    check_criteria,
    suggest_points,
    yaml_fragment,
)
from connector.evaluation.provenance import Provenance
from connector.evaluation.scorecard import Scorecard, chosen_bins, fit_scorecard
from connector.evaluation.scoring_run import ScoredModel
from connector.scoring.guards import ExcludedColumn, screen_columns


@dataclass(frozen=True)
class PointsAdvice:
    """Everything `insights points` shows."""

    base_rate: float
    leads: int
    points_per_logit: float
    min_leads: int
    excluded: list[ExcludedColumn]
    """Columns the leak guard left out (and those dropped on request), with why."""
    scorecard: Scorecard
    """The suggested points: attributes fitted jointly."""
    values: list[ValueEvidence]
    """Each value's close rate alone (the evidence beside the joint points)."""
    checks: list[CriterionCheck]
    skipped_values: int
    """Attribute values left out for having fewer than `min_leads` leads."""


def advise_points(
    history: History, scored: ScoredModel, min_leads: int = 30, drop: Sequence[str] = ()
) -> PointsAdvice:
    """Everything `insights points` shows for one scoring model on a history.

    `drop` names properties to leave out (refused when the history lacks one).
    """
    contacts = history.leads.contacts
    screening = screen_columns(contacts, np.asarray(history.converted, dtype=int), drop=drop)
    now = pd.Timestamp(history.now)
    card = fit_scorecard(
        history.leads,
        history.converted,
        scored.config,
        now,
        properties=screening.kept,
        min_leads=min_leads,
    )
    values, skipped = suggest_points(
        history.leads, history.converted, scored.config, now, min_leads, screening.kept
    )
    return PointsAdvice(
        base_rate=float(history.converted.mean()),
        leads=len(history.leads),
        points_per_logit=card.points_per_logit,
        min_leads=min_leads,
        excluded=screening.excluded,
        scorecard=card,
        values=values,
        checks=check_criteria(
            scored.ledger.fired_frame(), history.converted, scored.config, min_leads
        ),
        skipped_values=skipped,
    )


def points_fragment(
    advice: PointsAdvice, model_name: str = "default", provenance: Provenance | None = None
) -> str:
    """The joint points as criteria for `models.<model_name>.criteria`, with their provenance.

    Only bins whose close rate differs significantly from the overall rate and whose joint
    points are not zero become criteria; the header says so, and `provenance` (when given)
    lets `insights compare` recognise a config derived from the data it grades.
    """
    chosen = chosen_bins(advice.scorecard)
    header = [
        f"Suggested by `leadscore insights points` from {len(chosen)} attribute values whose",
        "close rate differs significantly from the overall rate; points from a joint",
        f"scorecard (WoE + L2 logistic regression, {advice.points_per_logit:.1f} points per "
        "unit of log-odds).",
    ]
    if provenance is not None:
        header += [*provenance.header_lines(), "Keep these comment lines with the criteria."]
    return yaml_fragment([b.criterion for b in chosen], model_name, header)
