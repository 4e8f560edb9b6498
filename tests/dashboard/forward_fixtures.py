"""A forward backtest and an all-contacts evidence built by hand, for the rendering tests."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from connector.evaluation import Evidence, build_evidence
from connector.evaluation.forward import ForwardBacktest, ForwardFigures, TrainedVariant
from connector.evaluation.stats import Interval
from connector.scoring.guards import ExcludedColumn, ExclusionReason
from connector.scoring.time_leaks import TimedVerdict

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
OUTCOME = "a deal created for the contact or its company"


def forward_backtest() -> ForwardBacktest:
    """Figures shaped like a leak closed: the naive model claims more and reaches less."""
    excluded = [ExcludedColumn("budget_confirmed", ExclusionReason.POST_OUTCOME, "history")]
    return ForwardBacktest(
        as_of=AS_OF,
        horizon_days=90,
        outcome=OUTCOME,
        point_in_time=TrainedVariant(
            "point_in_time", 1051, 190, 0.781,
            ForwardFigures(861, 39, Interval(0.764, 0.701, 0.822, 0.95), 3.1), excluded,
        ),
        current_values=TrainedVariant(
            "current_values", 1051, 190, 0.968,
            ForwardFigures(861, 39, Interval(0.612, 0.540, 0.689, 0.95), 1.4), [],
        ),
        score=ForwardFigures(861, 39, Interval(0.743, 0.677, 0.801, 0.95), 2.9),
        post_outcome=[TimedVerdict("budget_confirmed", 180, 171)],
        unknown_past=("account.engaged_contacts",),
    )


def all_contacts_evidence(n: int = 400, seed: int = 0) -> Evidence:
    """The evidence over every contact (scores that rank conversions well)."""
    rng = np.random.default_rng(seed)
    converted = rng.random(n) < 0.2
    score = np.clip(rng.normal(40, 15, n) + 30 * converted, 0, 100)
    frame = pd.DataFrame(
        {
            "score": score,
            "tier": np.where(score > 60, "hot", "cold"),
            "likelihood": score,
            "reasons": [""] * n,
        },
        index=[str(i) for i in range(n)],
    )
    return build_evidence(frame, converted, model="default", source="a test portal")
