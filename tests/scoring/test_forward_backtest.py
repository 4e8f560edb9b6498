"""The forward backtest: graded as of T − 90 days, point-in-time against current values."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from connector.errors import LeadscoreError
from connector.evaluation.forward import forward_backtest, forward_figures
from connector.scoring.guards import ExclusionReason
from tests.scoring.history_fixtures import NOW, history_portal


@pytest.fixture(scope="module")
def backtest():
    portal = history_portal(n=10_000, seed=5)
    return portal, forward_backtest(portal.leads, portal.converted_at, portal.histories, NOW,
                                    outcome="a deal created")


def test_the_naive_model_looks_better_in_its_own_cv_and_worse_forward(backtest) -> None:
    _, result = backtest
    honest, naive = result.point_in_time, result.current_values
    assert naive is not None
    # Trained on values as they stood, it learns what conversion caused: a near-perfect
    # cross-validation...
    assert naive.in_sample_auc > honest.in_sample_auc + 0.05
    # ...and it ranks the leads that were open then worse than the point-in-time model.
    assert honest.forward.auc is not None and naive.forward.auc is not None
    assert honest.forward.auc.estimate > naive.forward.auc.estimate
    assert honest.forward.auc.low < honest.forward.auc.estimate < honest.forward.auc.high


def test_the_grade_is_as_of_ninety_days_ago_on_the_leads_open_then(backtest) -> None:
    portal, result = backtest
    assert result.as_of == NOW - timedelta(days=90)
    assert result.horizon_days == 90 and result.outcome == "a deal created"
    created = pd.to_datetime(portal.leads.contacts["createdate"], utc=True)
    at = portal.converted_at
    as_of = pd.Timestamp(result.as_of)
    open_then = (created <= as_of) & ~(at <= as_of)
    later = open_then & (at > as_of)
    assert result.point_in_time.forward.open_leads == int(open_then.sum())
    assert result.point_in_time.forward.conversions == int(later.sum())


def test_the_planted_post_outcome_property_is_named_and_excluded(backtest) -> None:
    _, result = backtest
    assert [v.column for v in result.post_outcome] == ["budget_confirmed"]
    excluded = {e.column: e for e in result.point_in_time.excluded}
    assert excluded["budget_confirmed"].reason is ExclusionReason.POST_OUTCOME
    assert "property history" in excluded["budget_confirmed"].detail


def test_forward_figures_need_both_outcomes() -> None:
    figures = forward_figures([0.1, 0.2, 0.3], [False, False, False])
    assert figures.auc is None and figures.open_leads == 3 and figures.conversions == 0
    graded = forward_figures([0.1, 0.2, 0.3, 0.9], [False, False, True, True])
    assert graded.auc is not None and graded.auc.estimate == 1.0


def test_a_horizon_below_one_day_is_refused() -> None:
    portal = history_portal(n=200, seed=1)
    with pytest.raises(LeadscoreError, match="at least 1 day"):
        forward_backtest(portal.leads, portal.converted_at, portal.histories, NOW,
                         outcome="x", horizon_days=0)
