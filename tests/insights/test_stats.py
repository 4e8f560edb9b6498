"""Statistics against hand-computed cases, plus properties that must hold for any input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from connector.errors import LeadscoreError
from connector.evaluation import stats


def test_auc_of_a_small_hand_example() -> None:
    # Positives 0.9 and 0.7; negatives 0.8 and 0.6. Pairs won: (0.9>0.8), (0.9>0.6), (0.7>0.6).
    assert stats.roc_auc([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]) == pytest.approx(3 / 4)


def test_auc_counts_ties_as_half() -> None:
    # Positive 1 ties negative 1 (1/2) and beats negative 0 (1): 1.5 of 2 pairs.
    assert stats.roc_auc([1, 1, 0], [1, 0, 0]) == pytest.approx(0.75)


def test_auc_is_nan_with_one_class() -> None:
    assert math.isnan(stats.roc_auc([1, 2, 3], [0, 0, 0]))


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = stats.wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_of_zero_successes_starts_at_zero() -> None:
    low, high = stats.wilson_interval(0, 20)
    assert low == 0.0
    assert high == pytest.approx(0.1611, abs=1e-4)


def test_wilson_rejects_more_successes_than_trials() -> None:
    with pytest.raises(LeadscoreError, match="invalid proportion"):
        stats.wilson_interval(5, 3)


def test_two_proportion_ztest_hand_example() -> None:
    # 40/100 vs 60/100: pooled 0.5, se = sqrt(0.25 * 0.02) = 0.0707, z = 2.828.
    test = stats.two_proportion_ztest(40, 100, 60, 100)
    assert test.difference == pytest.approx(0.2)
    assert test.z == pytest.approx(2.8284, abs=1e-4)
    assert test.p_value == pytest.approx(0.004678, abs=1e-5)


def test_ztest_with_identical_extreme_rates_finds_nothing() -> None:
    test = stats.two_proportion_ztest(0, 50, 0, 70)
    assert (test.z, test.p_value) == (0.0, 1.0)


def test_decile_table_of_twenty_ranked_leads() -> None:
    # Scores 20..1; the leads scored 20, 19, 18 and 11 converted (4 of 20, base 0.2).
    scores = np.arange(20, 0, -1)
    converted = np.isin(scores, [20, 19, 18, 11])
    rows = stats.band_table(scores, converted)
    assert [r.leads for r in rows] == [2] * 10
    assert [r.conversions for r in rows] == [2, 1, 0, 0, 1, 0, 0, 0, 0, 0]
    assert rows[0].rate == 1.0
    assert rows[0].lift == pytest.approx(5.0)
    assert (rows[0].score_max, rows[0].score_min) == (20, 19)
    assert rows[1].cumulative_share_of_conversions == pytest.approx(3 / 4)
    assert rows[-1].cumulative_share_of_leads == 1.0


def test_band_table_shares_a_tied_block_across_the_edge() -> None:
    # Two bands of two leads; the block scored 1 (one converted) straddles the edge.
    rows = stats.band_table([2, 1, 1, 0], [1, 1, 0, 0], bands=2)
    assert [r.conversions for r in rows] == [1.5, 0.5]


def test_band_table_does_not_depend_on_row_order_within_ties() -> None:
    a = stats.band_table([1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0], bands=3)
    b = stats.band_table([1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 0, 0], bands=3)
    assert [r.conversions for r in a] == [r.conversions for r in b]


def test_lift_of_the_top_decile() -> None:
    # 10 leads, 3 converted; the top lead converted: rate 1 vs 0.3.
    converted = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert stats.lift(np.arange(10, 0, -1), converted) == pytest.approx(1 / 0.3)


def test_cumulative_gains_end_points() -> None:
    curve = stats.cumulative_gains([3, 2, 1, 0], [1, 0, 1, 0], points=4)
    assert curve.share_of_leads == [0, 0.25, 0.5, 0.75, 1.0]
    assert curve.share_of_conversions == pytest.approx([0, 0.5, 0.5, 1.0, 1.0])
    assert curve.lift[1] == pytest.approx(2.0)


def test_calibration_bins_and_brier() -> None:
    p = [0.05, 0.05, 0.95, 0.95]
    result = stats.calibration(p, [0, 0, 1, 0], bins=10)
    assert [b.leads for b in result.bins] == [2, 2]
    assert result.bins[1].observed_rate == 0.5
    assert result.brier_score == pytest.approx((0.05**2 * 2 + 0.05**2 + 0.95**2) / 4)
    assert result.expected_calibration_error == pytest.approx((2 * 0.05 + 2 * 0.45) / 4)


def test_calibration_rejects_percentages() -> None:
    with pytest.raises(LeadscoreError, match=r"\[0, 1\]"):
        stats.calibration([50.0, 20.0], [1, 0])


def test_bootstrap_interval_is_reproducible_with_a_seed() -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(size=300)
    converted = rng.random(300) < 1 / (1 + np.exp(-2 * scores))
    ranked = stats.RankedOutcomes(scores, converted)
    first = stats.bootstrap_interval(ranked.auc, 300, replicates=200, seed=7)
    again = stats.bootstrap_interval(ranked.auc, 300, replicates=200, seed=7)
    other = stats.bootstrap_interval(ranked.auc, 300, replicates=200, seed=8)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)
    assert first.low < first.estimate < first.high
    assert first.estimate == pytest.approx(roc_auc_score(converted, scores))


def test_weighted_auc_equals_auc_of_the_resample() -> None:
    scores = np.array([5.0, 3.0, 3.0, 1.0, 0.0])
    converted = np.array([1, 0, 1, 0, 1], dtype=bool)
    counts = np.array([2.0, 0.0, 1.0, 1.0, 1.0])
    expanded = np.repeat(np.arange(5), counts.astype(int))
    weighted = stats.RankedOutcomes(scores, converted).auc(counts)
    assert weighted == pytest.approx(stats.roc_auc(scores[expanded], converted[expanded]))


outcomes = st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=2, max_size=60)


@settings(max_examples=80, deadline=None)
@given(outcomes)
def test_auc_agrees_with_sklearn(pairs: list[tuple[int, bool]]) -> None:
    scores = np.array([s for s, _ in pairs], dtype=float)
    converted = np.array([c for _, c in pairs])
    auc = stats.roc_auc(scores, converted)
    if converted.all() or not converted.any():
        assert math.isnan(auc)
    else:
        assert auc == pytest.approx(roc_auc_score(converted, scores))
        assert stats.roc_auc(-scores, converted) == pytest.approx(1 - auc)


@settings(max_examples=80, deadline=None)
@given(outcomes, st.integers(1, 12))
def test_bands_partition_leads_and_conversions(pairs: list[tuple[int, bool]], bands: int) -> None:
    scores = [s for s, _ in pairs]
    converted = [c for _, c in pairs]
    rows = stats.band_table(scores, converted, bands=bands)
    assert sum(r.leads for r in rows) == len(pairs)
    assert sum(r.conversions for r in rows) == pytest.approx(sum(converted))
    assert all(0 <= r.rate <= 1 + 1e-12 for r in rows)


@settings(max_examples=80, deadline=None)
@given(outcomes)
def test_gains_rise_from_zero_to_one(pairs: list[tuple[int, bool]]) -> None:
    converted = [c for _, c in pairs]
    curve = stats.cumulative_gains([s for s, _ in pairs], converted, points=10)
    if any(converted):
        gains = np.array(curve.share_of_conversions)
        assert gains[0] == 0 and gains[-1] == pytest.approx(1)
        assert (np.diff(gains) >= -1e-12).all()


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 500), st.integers(0, 500))
def test_wilson_interval_brackets_the_rate(successes: int, extra: int) -> None:
    n = successes + extra
    low, high = stats.wilson_interval(successes, n)
    assert 0 <= low <= high <= 1
    if n:
        assert low - 1e-12 <= successes / n <= high + 1e-12
