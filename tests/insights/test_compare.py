"""Backtest comparison of two rule sets: paired bootstrap intervals and the verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from connector.evaluation.compare import compare_scorings


def _frames(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 600
    signal = rng.normal(size=n)
    converted = rng.random(n) < 1 / (1 + np.exp(-(2.5 * signal - 1.5)))
    good = signal * 20 + 50
    weak = signal * 5 + rng.normal(scale=20, size=n) + 50

    def frame(score: np.ndarray) -> pd.DataFrame:
        tier = np.where(score >= 70, "hot", np.where(score >= 40, "warm", "cold"))
        return pd.DataFrame({"score": score, "tier": tier})

    return frame(weak), frame(good), converted


def test_the_better_ranking_wins_with_a_positive_difference() -> None:
    weak, good, converted = _frames()
    result = compare_scorings(weak, good, converted, label_a="A", label_b="B", replicates=200)
    auc = result.metrics[0]
    assert auc.metric == "AUC" and auc.significant
    assert auc.difference.low > 0
    assert result.verdict.startswith("B ranks leads better than A: AUC")


def test_the_order_of_the_configs_does_not_change_the_winner() -> None:
    weak, good, converted = _frames()
    result = compare_scorings(good, weak, converted, label_a="A", label_b="B", replicates=200)
    assert result.verdict.startswith("A ranks leads better than B")
    assert "difference 0." in result.verdict  # stated as better minus worse


def test_identical_scorings_show_no_difference() -> None:
    weak, _, converted = _frames()
    result = compare_scorings(weak, weak.copy(), converted, replicates=100)
    assert all(not m.significant for m in result.metrics)
    assert result.verdict.startswith("no significant difference")


def test_same_seed_same_intervals() -> None:
    weak, good, converted = _frames()
    first = compare_scorings(weak, good, converted, replicates=100, seed=5)
    again = compare_scorings(weak, good, converted, replicates=100, seed=5)
    assert first.metrics == again.metrics
