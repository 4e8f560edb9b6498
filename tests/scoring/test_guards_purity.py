"""Purity: columns whose values decide the outcome alone for a large share of rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from connector.scoring.guards import PURITY_THRESHOLD, ExclusionReason, screen_columns
from connector.scoring.leak_measures import column_purity, pure_bounds, single_column_auc
from tests.scoring.leads_fixtures import leads_dataset


@pytest.fixture(scope="module")
def leads() -> tuple[pd.DataFrame, np.ndarray]:
    return leads_dataset()


def test_a_tags_column_is_a_suspected_leak_below_the_auc_threshold(leads) -> None:
    table, y = leads
    screening = screen_columns(table, y)
    leak = next(leak for leak in screening.leaks if leak.column == "Tags")
    assert leak.auc < 0.95
    assert leak.purity is not None and leak.purity >= PURITY_THRESHOLD
    assert not leak.kept
    excluded = {e.column: e for e in screening.excluded}
    assert excluded["Tags"].reason is ExclusionReason.SUSPECTED_LEAK
    assert "decides the outcome alone" in excluded["Tags"].detail
    assert "'Will revert after reading the email' 96% converted" in excluded["Tags"].detail
    assert "Tags" not in screening.kept


def test_the_tags_values_that_decide_the_outcome_are_named(leads) -> None:
    table, y = leads
    purity = column_purity(table["Tags"], y)
    names = {v.value for v in purity.values}
    assert {"Will revert after reading the email", "Closed by Horizzon", "Lost to EINS"} <= names
    assert "Already a student" in names
    # Mixed values (blank: 25 % converted, "Busy": 56 %) are not pure.
    assert not names & {"(missing)", "Busy"}
    assert purity.share == pytest.approx(sum(v.rows for v in purity.values) / len(table), abs=1e-4)


@pytest.mark.parametrize(
    "column",
    [
        "Lead Origin",
        "Lead Source",
        "Total Time Spent on Website",
        "What is your current occupation",
    ],
)
def test_legitimate_strong_columns_are_kept(leads, column: str) -> None:
    table, y = leads
    screening = screen_columns(table, y)
    assert column in screening.kept
    assert column not in {leak.column for leak in screening.leaks}
    assert column_purity(table[column], y).share < 0.05


def test_a_legitimate_column_is_informative_yet_not_pure(leads) -> None:
    table, y = leads
    # "Lead Add Form" converts at 92 %: strong, but not deciding the outcome alone.
    assert single_column_auc(table["Lead Origin"], y) > 0.55
    assert column_purity(table["Lead Origin"], y).values == ()


def test_a_value_needs_support_in_each_half_to_be_pure() -> None:
    rng = np.random.default_rng(5)
    y = (rng.random(1000) < 0.4).astype(np.int8)
    values = pd.Series(np.where(rng.random(1000) < 0.5, "a", "b"))
    # 40 rows of a value that always converts: about 20 per half, under the support.
    values[:40] = "rare"
    y[:40] = 1
    assert column_purity(values, y).values == ()
    values[:200] = "common"
    y[:200] = 1
    purity = column_purity(values, y)
    assert [v.value for v in purity.values] == ["common"]
    assert purity.share == pytest.approx(0.2)


def test_a_low_base_rate_tightens_the_never_converts_bound() -> None:
    low, high = pure_bounds(0.03)
    assert low == pytest.approx(0.003) and high == pytest.approx(0.95)
    rng = np.random.default_rng(2)
    y = (rng.random(6000) < 0.03).astype(np.int8)
    # Half the leads never visited and convert at 1 %: rarer, but not deciding alone.
    visited = np.arange(6000) % 2 == 0
    y[~visited] = (rng.random(3000) < 0.01).astype(np.int8)
    values = pd.Series(np.where(visited, "visited", "never"))
    assert column_purity(values, y).share == 0.0


def test_many_valued_numbers_are_judged_by_quantile_bins() -> None:
    rng = np.random.default_rng(4)
    seconds = rng.exponential(300, 4000)
    # Calls under two minutes (a third) never convert, longer ones often do: a duration leak.
    y = np.where(seconds < 120, 0, (rng.random(4000) < 0.5)).astype(np.int8)
    purity = column_purity(pd.Series([f"{s:.1f}" for s in seconds]), y)
    assert purity.share >= PURITY_THRESHOLD
    assert all(v.rate == 0.0 for v in purity.values)


def test_one_outcome_only_has_no_purity() -> None:
    assert column_purity(pd.Series(["a"] * 100), np.zeros(100, dtype=np.int8)).share == 0.0


@pytest.mark.parametrize(
    "empty",
    [
        pd.Series([np.nan] * 200),
        pd.Series([None] * 200, dtype=object),
        pd.Series([pd.NA] * 200, dtype="string"),
        pd.Series(["", " "] * 100),
    ],
)
def test_an_all_empty_column_is_neither_pure_nor_predictive(empty: pd.Series) -> None:
    y = np.array([0, 1] * 100, dtype=np.int8)
    assert column_purity(empty, y).share == 0.0
    assert single_column_auc(empty, y) < 0.6
    screening = screen_columns(pd.DataFrame({"nothing_yet": empty}), y)
    assert screening.kept == ["nothing_yet"] and screening.leaks == []
