"""Statistics of ranking and conversion, shared by the report, the comparisons and the dashboard.

Everything here works on numpy arrays (a score per lead, a converted flag per lead) and
optional non-negative weights per lead. Weights are how the bootstrap resamples without
copying: a resample is a vector of draw counts, so one precomputed ordering serves every
replicate.

Ties in the score are common (rule scores are integers), and an ordering that broke them by
row order would let the file's sort order leak into deciles and gains. So a block of tied
leads is treated as if shuffled: each rank position inside the block carries the block's
average conversion. Decile conversions are then expected counts and may be fractional.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

from connector.errors import LeadscoreError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a confidence interval."""

    estimate: float
    low: float
    high: float
    confidence: float

    def excludes(self, value: float) -> bool:
        """True when `value` lies outside the interval."""
        return value < self.low or value > self.high


@dataclass(frozen=True)
class BandRow:
    """One rank band (e.g. a decile) of leads ordered by score, best first."""

    band: int
    score_min: float
    score_max: float
    leads: int
    conversions: float
    rate: float
    rate_low: float
    rate_high: float
    lift: float
    cumulative_share_of_leads: float
    cumulative_share_of_conversions: float


@dataclass(frozen=True)
class GainsCurve:
    """Cumulative gains: share of conversions captured by the top share of leads."""

    share_of_leads: list[float]
    share_of_conversions: list[float]
    lift: list[float]


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability diagram: predicted probability against observed frequency."""

    low: float
    high: float
    leads: int
    mean_predicted: float
    observed_rate: float
    observed_low: float
    observed_high: float


@dataclass(frozen=True)
class Calibration:
    """How well predicted probabilities match observed conversion."""

    bins: list[ReliabilityBin]
    brier_score: float
    expected_calibration_error: float


@dataclass(frozen=True)
class ZTest:
    """Two-proportion z-test of rate B against rate A (pooled standard error)."""

    rate_a: float
    rate_b: float
    difference: float
    z: float
    p_value: float


def _as_arrays(
    scores: ArrayLike, converted: ArrayLike, weights: ArrayLike | None
) -> tuple[FloatArray, BoolArray, FloatArray]:
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(converted, dtype=bool)
    if s.ndim != 1 or y.shape != s.shape:
        raise LeadscoreError(
            f"scores and outcomes must be one value per lead (got {s.shape} and {y.shape})"
        )
    if np.isnan(s).any():
        raise LeadscoreError("scores contain missing values; score every lead before evaluating")
    w = np.ones_like(s) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != s.shape:
        raise LeadscoreError(f"weights must be one value per lead (got {w.shape})")
    return s, y, w


class RankedOutcomes:
    """Leads grouped by distinct score, best first, ready for weighted rank statistics.

    Build it once per score vector; every statistic then costs O(leads) per weight vector,
    which keeps a bootstrap of a million leads cheap.
    """

    def __init__(self, scores: ArrayLike, converted: ArrayLike) -> None:
        s, y, _ = _as_arrays(scores, converted, None)
        if len(s) == 0:
            raise LeadscoreError("no leads to evaluate")
        # Negating before unique() orders the groups from the highest score down.
        negated_levels, self.group = np.unique(-s, return_inverse=True)
        self.levels: FloatArray = -negated_levels
        self.converted: BoolArray = y
        self.n = len(s)

    def group_counts(self, weights: ArrayLike | None = None) -> tuple[FloatArray, FloatArray]:
        """Weighted (converted, not converted) totals per score group, best group first."""
        w = np.ones(self.n) if weights is None else np.asarray(weights, dtype=np.float64)
        size = len(self.levels)
        pos = np.bincount(self.group, weights=w * self.converted, minlength=size)
        neg = np.bincount(self.group, weights=w * ~self.converted, minlength=size)
        return np.asarray(pos, dtype=np.float64), np.asarray(neg, dtype=np.float64)

    def auc(self, weights: ArrayLike | None = None) -> float:
        """Area under the ROC curve (ties count one half); NaN when one class is absent."""
        pos, neg = self.group_counts(weights)
        total_pos, total_neg = pos.sum(), neg.sum()
        if total_pos == 0 or total_neg == 0:
            return math.nan
        negatives_below = total_neg - np.cumsum(neg)
        return float((pos * (negatives_below + 0.5 * neg)).sum() / (total_pos * total_neg))

    def gains_at(self, shares: ArrayLike, weights: ArrayLike | None = None) -> FloatArray:
        """Share of conversions held by the top `shares` of leads (ties shared evenly)."""
        pos, neg = self.group_counts(weights)
        cum_leads = np.concatenate([[0.0], np.cumsum(pos + neg)])
        cum_pos = np.concatenate([[0.0], np.cumsum(pos)])
        total_leads, total_pos = cum_leads[-1], cum_pos[-1]
        if total_pos == 0:
            return np.full(np.shape(shares), math.nan)
        # Linear interpolation inside a group is exactly "a tied block in random order".
        captured = np.interp(np.asarray(shares, dtype=np.float64) * total_leads, cum_leads, cum_pos)
        return np.asarray(captured / total_pos, dtype=np.float64)

    def lift_at(self, share: float, weights: ArrayLike | None = None) -> float:
        """Conversion rate of the top `share` of leads divided by the overall rate."""
        if not 0 < share <= 1:
            raise LeadscoreError(f"lift share must be in (0, 1], got {share}")
        return float(self.gains_at([share], weights)[0] / share)


def roc_auc(scores: ArrayLike, converted: ArrayLike) -> float:
    """Probability that a random converted lead outscores a random other one (ties: 1/2)."""
    return RankedOutcomes(scores, converted).auc()


def lift(scores: ArrayLike, converted: ArrayLike, share: float = 0.1) -> float:
    """Lift of the top `share` of leads by score: their conversion rate over the base rate."""
    return RankedOutcomes(scores, converted).lift_at(share)


def cumulative_gains(scores: ArrayLike, converted: ArrayLike, points: int = 20) -> GainsCurve:
    """Cumulative gains and lift at `points` evenly spaced shares of leads (best first)."""
    ranked = RankedOutcomes(scores, converted)
    shares = np.linspace(0, 1, points + 1)
    captured = ranked.gains_at(shares)
    with np.errstate(divide="ignore", invalid="ignore"):
        lifts = np.where(shares > 0, captured / np.where(shares > 0, shares, 1), math.nan)
    return GainsCurve(
        share_of_leads=shares.tolist(),
        share_of_conversions=captured.tolist(),
        lift=lifts.tolist(),
    )


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there are no trials."""
    if n < 0 or successes < 0 or successes > n:
        raise LeadscoreError(f"invalid proportion: {successes} successes out of {n}")
    if n == 0:
        return 0.0, 1.0
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_ztest(successes_a: int, n_a: int, successes_b: int, n_b: int) -> ZTest:
    """Two-sided z-test that two conversion rates differ, with the pooled standard error."""
    if n_a <= 0 or n_b <= 0:
        raise LeadscoreError("both groups need at least one lead for a z-test")
    for successes, n in ((successes_a, n_a), (successes_b, n_b)):
        if not 0 <= successes <= n:
            raise LeadscoreError(f"invalid proportion: {successes} successes out of {n}")
    rate_a, rate_b = successes_a / n_a, successes_b / n_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        # Both rates are 0 or both are 1: no evidence of any difference.
        return ZTest(rate_a, rate_b, 0.0, 0.0, 1.0)
    z = (rate_b - rate_a) / se
    return ZTest(rate_a, rate_b, rate_b - rate_a, z, float(2 * norm.sf(abs(z))))


def band_table(
    scores: ArrayLike, converted: ArrayLike, bands: int = 10, confidence: float = 0.95
) -> list[BandRow]:
    """Conversion by rank band (deciles by default), band 1 holding the highest scores.

    Band k holds rank positions floor((k-1)·n/bands) to floor(k·n/bands); with ties across a
    band edge the tied block's conversions are shared in proportion (see module docstring).
    """
    s, y, _ = _as_arrays(scores, converted, None)
    if bands < 1:
        raise LeadscoreError(f"bands must be at least 1, got {bands}")
    ranked = RankedOutcomes(s, y)
    n, total_pos = len(s), float(y.sum())
    base = total_pos / n
    edges = np.floor(np.arange(bands + 1) * n / bands).astype(int)
    captured = ranked.gains_at(edges / n) * total_pos if total_pos else np.zeros(bands + 1)
    ordered = np.sort(s)[::-1]
    rows = []
    for k in range(bands):
        start, stop = edges[k], edges[k + 1]
        leads = int(stop - start)
        conversions = float(captured[k + 1] - captured[k])
        rate = conversions / leads if leads else 0.0
        low, high = wilson_interval(min(conversions, leads), leads, confidence)
        rows.append(
            BandRow(
                band=k + 1,
                score_min=float(ordered[stop - 1]) if leads else math.nan,
                score_max=float(ordered[start]) if leads else math.nan,
                leads=leads,
                conversions=conversions,
                rate=rate,
                rate_low=low,
                rate_high=high,
                lift=rate / base if base > 0 else math.nan,
                cumulative_share_of_leads=float(stop / n),
                cumulative_share_of_conversions=float(captured[k + 1] / total_pos)
                if total_pos
                else math.nan,
            )
        )
    return rows


def calibration(
    probabilities: ArrayLike, converted: ArrayLike, bins: int = 10, confidence: float = 0.95
) -> Calibration:
    """Reliability bins of width 1/bins over [0, 1], with Brier score and expected calibration
    error (the lead-weighted mean gap between predicted and observed). Empty bins are left out.
    """
    p, y, _ = _as_arrays(probabilities, converted, None)
    if len(p) == 0:
        raise LeadscoreError("no leads to evaluate")
    if (p < 0).any() or (p > 1).any():
        raise LeadscoreError("probabilities must lie in [0, 1]")
    index = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    gap_total = 0.0
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        if count == 0:
            continue
        hits = int(y[mask].sum())
        observed = hits / count
        predicted = float(p[mask].mean())
        low, high = wilson_interval(hits, count, confidence)
        rows.append(ReliabilityBin(b / bins, (b + 1) / bins, count, predicted, observed, low, high))
        gap_total += count * abs(predicted - observed)
    return Calibration(
        bins=rows,
        brier_score=float(np.mean((p - y) ** 2)),
        expected_calibration_error=gap_total / len(p),
    )


def bootstrap_interval(
    statistic: Callable[[FloatArray], float],
    n: int,
    replicates: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Interval:
    """Percentile bootstrap interval of `statistic(weights)`.

    `statistic` receives a vector of draw counts (one per lead, summing to n) for each
    replicate, and all-ones for the point estimate. Replicates where the statistic is
    undefined (NaN, e.g. a resample without conversions) are dropped. The same seed gives
    the same interval.
    """
    draws = bootstrap_weights(n, replicates, seed)
    values = np.array([statistic(w) for w in draws])
    return percentile_interval(statistic(np.ones(n)), values, confidence)


def bootstrap_weights(n: int, replicates: int, seed: int) -> Iterator[FloatArray]:
    """Draw-count vectors of `replicates` bootstrap resamples of n leads (seeded).

    Yielded one at a time so a million leads never hold every resample in memory; using
    each vector for two statistics gives a paired bootstrap.
    """
    if n <= 0:
        raise LeadscoreError("no leads to resample")
    if replicates < 1:
        raise LeadscoreError(f"replicates must be at least 1, got {replicates}")
    rng = np.random.default_rng(seed)
    for _ in range(replicates):
        yield np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)


def percentile_interval(estimate: float, values: ArrayLike, confidence: float = 0.95) -> Interval:
    """Interval from bootstrap replicate values (NaNs ignored) around a point estimate."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return Interval(estimate, math.nan, math.nan, confidence)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(v, [tail, 100 - tail])
    return Interval(estimate, float(low), float(high), confidence)


def weighted_rate(mask: BoolArray, converted: BoolArray, weights: FloatArray) -> float:
    """Conversion rate among leads in `mask` under bootstrap weights (NaN when empty)."""
    total = float(weights[mask].sum())
    return float((weights[mask] * converted[mask]).sum() / total) if total else math.nan
