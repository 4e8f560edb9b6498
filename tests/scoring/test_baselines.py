"""The backtest's baselines: raw columns read plainly, fitted independently, never on a leak."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from connector.scoring.backtest import run_backtest
from connector.scoring.baselines import (
    BASELINES,
    MAX_BASELINE_CATEGORIES,
    RawColumns,
    fit_baselines,
)
from tests.scoring.model_fixtures import NOW, synthetic_leads


def test_raw_columns_read_numbers_dates_and_categories_from_text() -> None:
    table = pd.DataFrame(
        {
            "views": ["3", "10", None, "7"],
            "last_visit": [(NOW - timedelta(days=d)).isoformat() for d in (1, 2, 3, 10)],
            "industry": ["software", "retail", "software", None],
        }
    )
    reading = RawColumns.fit(table)
    assert reading.numbers == ["views"] and reading.dates == ["last_visit"]
    assert reading.categories == {"industry": ["software", "retail"]}
    frame = reading.frame(table, NOW)
    assert np.isnan(frame["views"].iloc[2]) and frame["views"].iloc[1] == 10.0
    np.testing.assert_allclose(frame["last_visit"], [1, 2, 3, 10])
    assert frame["industry"].isna().iloc[3]


def test_unseen_and_rare_values_read_as_other_and_missing_columns_as_missing() -> None:
    values = [f"v{i}" for i in range(MAX_BASELINE_CATEGORIES + 20)]
    table = pd.DataFrame({"title": values + ["v0"] * 5})
    reading = RawColumns.fit(table)
    kept = reading.categories["title"]
    assert len(kept) == MAX_BASELINE_CATEGORIES and kept[0] == "v0"
    frame = reading.frame(pd.DataFrame({"title": ["v0", "never seen"]}), NOW)
    assert list(frame["title"]) == ["v0", "(other)"]
    assert reading.frame(pd.DataFrame({"other": [1, 2]}), NOW)["title"].isna().all()


def test_each_baseline_scores_the_test_rows_from_the_chosen_columns_only() -> None:
    table, outcome = synthetic_leads(n=800, seed=5)
    y = outcome.to_numpy().astype(np.int8)
    columns = ["hs_analytics_num_page_views", "industry", "hs_analytics_last_visit_timestamp"]
    read, scores = fit_baselines(
        table.iloc[:600], y[:600], table.iloc[600:], now=NOW, columns=columns
    )
    assert sorted(read) == sorted(columns)
    assert set(scores) == {b.name for b in BASELINES}
    for name, p in scores.items():
        assert p.shape == (200,), name
        assert ((p >= 0) & (p <= 1)).all(), name
        # Page views drive conversion: each baseline ranks better than chance.
        assert roc_auc_score(y[600:], p) > 0.6, name


@pytest.fixture(scope="module")
def backtest():
    table, outcome = synthetic_leads(n=900, seed=2)
    return run_backtest(table, outcome, now=NOW, folds=2, drop=["annualrevenue"])


def test_backtest_baselines_never_read_dropped_identifier_post_outcome_or_leak_columns(
    backtest,
) -> None:
    barred = {
        "annualrevenue",  # dropped on request
        "hs_object_id",
        "email",
        "firstname",  # identifiers
        "hs_lifecyclestage_customer_date",
        "hs_lead_status",  # post-outcome
        "outcome_copy",  # suspected leak
    }
    assert barred.isdisjoint(backtest.baseline_columns)
    assert {"hs_analytics_num_page_views", "jobtitle", "industry"} <= set(
        backtest.baseline_columns
    )


def test_backtest_reports_every_baseline_with_paired_fold_differences(backtest) -> None:
    names = [b.name for b in backtest.baselines]
    assert names == ["logistic_regression", "hist_gradient_boosting", "lightgbm"]
    for b in backtest.baselines:
        assert len(b.fold_aucs) == 2 == len(b.auc_diff_per_fold)
        expected = [round(m - a, 4) for m, a in zip(backtest.fold_aucs, b.fold_aucs, strict=True)]
        np.testing.assert_allclose(b.auc_diff_per_fold, expected, atol=2e-4)
    best = max(backtest.baselines, key=lambda b: b.auc)
    assert backtest.best_baseline == best.name and backtest.baseline_auc == best.auc
