"""Backtesting two rule sets on the same history, with paired bootstrap intervals.

Both scorings are evaluated on the same bootstrap resamples (paired), so the interval of
the difference accounts for the two being measured on the same leads — much tighter than
comparing two independent intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from connector.errors import LeadscoreError
from connector.evaluation.provenance import SampleCheck
from connector.evaluation.stats import (
    BandRow,
    FloatArray,
    GainsCurve,
    Interval,
    RankedOutcomes,
    band_table,
    bootstrap_weights,
    cumulative_gains,
    percentile_interval,
    weighted_rate,
)
from connector.scoring.score_columns import ScoreColumn

METRICS = ("AUC", "top-decile lift", "hot conversion rate")


@dataclass(frozen=True)
class MetricComparison:
    """One metric for A and B with intervals, and the interval of B − A."""

    metric: str
    a: Interval
    b: Interval
    difference: Interval
    significant: bool
    """True when the interval of the difference excludes 0."""


@dataclass(frozen=True)
class ConfigComparison:
    """Rule set A against rule set B on one history."""

    label_a: str
    label_b: str
    leads: int
    conversions: int
    replicates: int
    seed: int
    metrics: list[MetricComparison]
    verdict: str
    deciles_a: list[BandRow]
    deciles_b: list[BandRow]
    gains_a: GainsCurve
    gains_b: GainsCurve
    samples: list[SampleCheck] = field(default_factory=list)
    """Per config, whether it was derived from the graded rows (see `provenance.py`)."""
    graded_rows: str = "all rows"
    """Which rows were graded: every row, or the held-out rows of a split."""


def compare_scorings(
    frame_a: pd.DataFrame,
    frame_b: pd.DataFrame,
    converted: NDArray[np.bool_],
    *,
    label_a: str = "A",
    label_b: str = "B",
    replicates: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    samples: Sequence[SampleCheck] = (),
    graded_rows: str = "all rows",
) -> ConfigComparison:
    """Compare two score frames (columns score, tier; rows aligned with `converted`).

    `samples` say which config was derived from the graded rows; the verdict then warns that
    its figures are in-sample (optimistic).
    """
    y = np.asarray(converted, dtype=bool)
    if len(frame_a) != len(y) or len(frame_b) != len(y):
        raise LeadscoreError("both scorings must cover the same leads as the outcomes")
    if not 0 < y.sum() < len(y):
        raise LeadscoreError("the history needs both converted and unconverted leads to compare")
    ranked_a = RankedOutcomes(_scores(frame_a), y)
    ranked_b = RankedOutcomes(_scores(frame_b), y)
    hot_a = (frame_a[ScoreColumn.TIER].astype(str) == "hot").to_numpy()
    hot_b = (frame_b[ScoreColumn.TIER].astype(str) == "hot").to_numpy()

    def metrics(w: FloatArray) -> tuple[tuple[float, float], ...]:
        return (
            (ranked_a.auc(w), ranked_b.auc(w)),
            (ranked_a.lift_at(0.1, w), ranked_b.lift_at(0.1, w)),
            (weighted_rate(hot_a, y, w), weighted_rate(hot_b, y, w)),
        )

    point = metrics(np.ones(len(y)))
    draws = np.array([metrics(w) for w in bootstrap_weights(len(y), replicates, seed)])
    results = []
    for m, name in enumerate(METRICS):
        est_a, est_b = point[m]
        a = percentile_interval(est_a, draws[:, m, 0], confidence)
        b = percentile_interval(est_b, draws[:, m, 1], confidence)
        diff = percentile_interval(est_b - est_a, draws[:, m, 1] - draws[:, m, 0], confidence)
        significant = not math.isnan(diff.low) and diff.excludes(0.0)
        results.append(MetricComparison(name, a, b, diff, significant))
    return ConfigComparison(
        label_a=label_a,
        label_b=label_b,
        leads=len(y),
        conversions=int(y.sum()),
        replicates=replicates,
        seed=seed,
        metrics=results,
        verdict=verdict(results, label_a, label_b) + _in_sample_warning(samples),
        deciles_a=band_table(_scores(frame_a), y),
        deciles_b=band_table(_scores(frame_b), y),
        gains_a=cumulative_gains(_scores(frame_a), y),
        gains_b=cumulative_gains(_scores(frame_b), y),
        samples=list(samples),
        graded_rows=graded_rows,
    )


def _in_sample_warning(samples: Sequence[SampleCheck]) -> str:
    seen = [s.label for s in samples if s.in_sample]
    if not seen:
        return ""
    return (
        f" — in-sample for {' and '.join(seen)}: derived from the rows graded, so optimistic; "
        "grade on held-out rows (--holdout)"
    )


def _scores(frame: pd.DataFrame) -> FloatArray:
    return np.asarray(frame[ScoreColumn.SCORE].to_numpy(float), dtype=np.float64)


def verdict(metrics: list[MetricComparison], label_a: str, label_b: str) -> str:
    """A plain sentence on which rule set ranks leads better, judged by AUC.

    E.g. "B ranks leads better: AUC 0.78 vs 0.72, difference 0.06 [0.04, 0.08]"; the other
    metrics are mentioned when they differ significantly.
    """
    auc = next(m for m in metrics if m.metric == "AUC")
    d = auc.difference
    if auc.significant:
        # State the gap as "better minus worse" so the sentence reads with a positive number.
        b_better = d.estimate > 0
        better, worse = (label_b, label_a) if b_better else (label_a, label_b)
        high, low = (auc.b, auc.a) if b_better else (auc.a, auc.b)
        gap = (d.estimate, d.low, d.high) if b_better else (-d.estimate, -d.high, -d.low)
        sentence = (
            f"{better} ranks leads better than {worse}: AUC {high.estimate:.3f} vs "
            f"{low.estimate:.3f}, difference {gap[0]:.3f} [{gap[1]:.3f}, {gap[2]:.3f}]"
        )
    else:
        sentence = (
            f"no significant difference in ranking: AUC {auc.b.estimate:.3f} ({label_b}) vs "
            f"{auc.a.estimate:.3f} ({label_a}), difference {d.estimate:+.3f} "
            f"[{d.low:+.3f}, {d.high:+.3f}]"
        )
    others = [
        f"{m.metric} {m.b.estimate:.3g} vs {m.a.estimate:.3g} "
        f"[{m.difference.low:+.3g}, {m.difference.high:+.3g}]"
        for m in metrics
        if m.metric != "AUC" and m.significant
    ]
    if others:
        sentence += f"; also significant ({label_b} vs {label_a}): " + "; ".join(others)
    return sentence
