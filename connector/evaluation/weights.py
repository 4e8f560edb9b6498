"""Suggested weights and tier thresholds, chosen on earlier leads and graded on later ones.

Leads are split by create date: the earliest `1 - later_share` choose, the latest
`later_share` grade. On the earlier part every fit/engagement/likelihood weighting on a
grid of the simplex (step `step`; likelihood only when a model gave one, else the config's
likelihood share is kept for when a model comes) is scored as the
engine combines them (a missing likelihood's weight is shared out, an excluded lead scores
0) and the weighting with the best AUC is kept. Its tiers are then chosen on the same
earlier part:

- hot: the whole-number threshold with the best hot-tier precision (conversion rate) among
  those that keep at least `min_hot_share` of the leads hot (without that floor, the best
  precision is one lucky lead);
- warm: the lowest threshold below hot whose warm band still converts at least at the
  earlier part's average rate (everything cold then converts below average).

The forward figures — AUC, hot-tier precision and hot share on the later part, for the
suggestion and for the config's current weights and tiers, with paired bootstrap intervals
of the difference — are what the suggestion is judged by, never the earlier part it was
chosen on. Sub-scores are as the history gives them (as of now for a CSV), so engagement
logged after a later lead converted still counts; the split guards the choice, not the
inputs.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray

from connector.errors import LeadscoreError
from connector.evaluation.stats import (
    FloatArray,
    Interval,
    RankedOutcomes,
    bootstrap_weights,
    percentile_interval,
    weighted_rate,
)
from connector.scoring.config import ModelConfig
from connector.scoring.score_columns import ScoreColumn

MIN_LEADS_PER_PART = 50
"""Fewest leads (and at least one of each outcome) each side of the split needs."""


@dataclass(frozen=True)
class SubScores:
    """What the combined score is made of, per lead (rows aligned with the outcomes)."""

    fit: FloatArray
    engagement: FloatArray
    likelihood: FloatArray
    """0–100, NaN where no model gave one."""
    excluded: NDArray[np.bool_]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> SubScores:
        """The sub-scores of a score frame (columns fit, engagement, likelihood, excluded)."""
        return cls(
            fit=frame[ScoreColumn.FIT].to_numpy(float),
            engagement=frame[ScoreColumn.ENGAGEMENT].to_numpy(float),
            likelihood=frame[ScoreColumn.LIKELIHOOD].to_numpy(float),
            excluded=frame[ScoreColumn.EXCLUDED].to_numpy(bool),
        )

    def combined(self, weights: tuple[float, float, float]) -> FloatArray:
        """The combined score 0–100 as the engine computes it, rounded as it is written."""
        w_fit, w_engagement, w_likelihood = weights
        has = ~np.isnan(self.likelihood)
        w_like = np.where(has, w_likelihood, 0.0)
        total = w_fit + w_engagement + w_like
        weighted = (
            w_fit * self.fit
            + w_engagement * self.engagement
            + w_like * np.nan_to_num(self.likelihood)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(total > 0, weighted / np.where(total > 0, total, 1.0), 0.0)
        score = np.where(self.excluded, 0.0, np.clip(score, 0.0, 100.0))
        return np.asarray(np.round(score, 1), dtype=np.float64)

    def rows(self, mask: NDArray[np.bool_]) -> SubScores:
        """The sub-scores of the leads where `mask` is True."""
        return SubScores(
            self.fit[mask], self.engagement[mask], self.likelihood[mask], self.excluded[mask]
        )


@dataclass(frozen=True)
class Setting:
    """Weights (summing to 100) and tier thresholds."""

    fit: float
    engagement: float
    likelihood: float
    hot: float
    warm: float

    @property
    def weights(self) -> tuple[float, float, float]:
        """(fit, engagement, likelihood)."""
        return (self.fit, self.engagement, self.likelihood)


@dataclass(frozen=True)
class ForwardFigure:
    """One figure on the later part: suggestion, current config, and their difference."""

    metric: str
    suggested: Interval
    current: Interval
    difference: Interval
    """Suggested − current, paired bootstrap."""


@dataclass(frozen=True)
class TimeSplit:
    """Which leads chose and which graded."""

    column: str
    cutoff: str
    """ISO 8601 instant: leads created before it chose, from it on graded."""
    earlier: int
    later: int
    earlier_conversions: int
    later_conversions: int
    undated: int
    """Leads without a usable create date (in neither part)."""


@dataclass(frozen=True)
class WeightsAdvice:
    """Everything `insights weights` shows."""

    split: TimeSplit
    suggested: Setting
    current: Setting
    earlier_auc: float
    """The suggestion's AUC on the part it was chosen on (optimistic; for reference only)."""
    candidates: int
    forward: list[ForwardFigure]
    replicates: int
    seed: int


def suggest_weights(
    scores: SubScores,
    converted: NDArray[np.bool_],
    created: pd.Series,
    current: ModelConfig,
    *,
    column: str = "createdate",
    later_share: float = 0.3,
    step: float = 0.1,
    min_hot_share: float = 0.05,
    replicates: int = 500,
    seed: int = 0,
    confidence: float = 0.95,
) -> WeightsAdvice:
    """Choose weights and tiers on the earlier leads and grade them on the later ones.

    `created` holds each lead's create time (UTC timestamps, NaT when unknown), aligned by
    position with `scores` and `converted`; `current` is the config's model, whose weights
    and tiers are graded beside the suggestion.
    """
    if not 0 < later_share < 1:
        raise LeadscoreError(f"the later share must be between 0 and 1, got {later_share:g}")
    if not 0 < step <= 0.5:
        raise LeadscoreError(f"the weight step must be in (0, 0.5], got {step:g}")
    y = np.asarray(converted, dtype=bool)
    times = pd.to_datetime(created, utc=True, errors="coerce").reset_index(drop=True)
    dated = times.notna().to_numpy()
    if dated.sum() < 2 * MIN_LEADS_PER_PART:
        raise LeadscoreError(
            f"only {int(dated.sum())} leads have a usable {column}; a time split needs at least "
            f"{2 * MIN_LEADS_PER_PART}"
        )
    cutoff = (
        times[dated]
        .sort_values()
        .iloc[min(round((1 - later_share) * int(dated.sum())), int(dated.sum()) - 1)]
    )
    earlier = dated & (times < cutoff).to_numpy()
    later = dated & (times >= cutoff).to_numpy()
    for name, part in (("earlier", earlier), ("later", later)):
        hits = int(y[part].sum())
        if part.sum() < MIN_LEADS_PER_PART or hits == 0 or hits == part.sum():
            raise LeadscoreError(
                f"the {name} part of the {column} split has {int(part.sum())} leads and {hits} "
                "conversions; it needs both outcomes and at least "
                f"{MIN_LEADS_PER_PART} leads"
            )
    split = TimeSplit(
        column=column,
        cutoff=cutoff.isoformat(),
        earlier=int(earlier.sum()),
        later=int(later.sum()),
        earlier_conversions=int(y[earlier].sum()),
        later_conversions=int(y[later].sum()),
        undated=int((~dated).sum()),
    )
    early_scores, early_y = scores.rows(earlier), y[earlier]
    with_likelihood = bool((~np.isnan(scores.likelihood)).any())
    grid = _grid(step, with_likelihood)
    aucs = [RankedOutcomes(early_scores.combined(w), early_y).auc() for w in grid]
    best = grid[int(np.argmax(aucs))]
    early_combined = early_scores.combined(best)
    hot = _hot_threshold(early_combined, early_y, min_hot_share)
    warm = _warm_threshold(early_combined, early_y, hot)
    if not with_likelihood:
        # No likelihood to weigh: keep the config's likelihood share for when a model comes
        # (the engine shares a missing likelihood's weight out, so the ranking is the same).
        w = current.weights
        keep = w.likelihood / (w.fit + w.engagement + w.likelihood)
        best = (best[0] * (1 - keep), best[1] * (1 - keep), keep)
    fit, engagement, likelihood = (round(100 * w) for w in best)
    suggested = Setting(fit, engagement, likelihood, hot=hot, warm=warm)
    now = Setting(
        current.weights.fit,
        current.weights.engagement,
        current.weights.likelihood,
        hot=current.tiers.hot.min_score,
        warm=current.tiers.warm.min_score,
    )
    forward = _forward(scores.rows(later), y[later], suggested, now, replicates, seed, confidence)
    return WeightsAdvice(
        split=split,
        suggested=suggested,
        current=now,
        earlier_auc=float(max(aucs)),
        candidates=len(grid),
        forward=forward,
        replicates=replicates,
        seed=seed,
    )


def _grid(step: float, with_likelihood: bool) -> list[tuple[float, float, float]]:
    """Weights on the simplex in steps of `step` (likelihood 0 without a model)."""
    units = round(1 / step)
    return [
        (f / units, e / units, (units - f - e) / units)
        for f, e in itertools.product(range(units + 1), repeat=2)
        if f + e <= units and (with_likelihood or f + e == units)
    ]


def _hot_threshold(score: FloatArray, y: NDArray[np.bool_], min_share: float) -> float:
    """The whole-number threshold with the best precision that keeps `min_share` hot."""
    best, best_rate = 1.0, -1.0
    for threshold in range(1, 100):
        hot = score >= threshold
        if hot.mean() < min_share:
            break
        rate = float(y[hot].mean())
        if rate > best_rate:
            best, best_rate = float(threshold), rate
    return best


def _warm_threshold(score: FloatArray, y: NDArray[np.bool_], hot: float) -> float:
    """The lowest threshold below hot whose warm band converts at least at the average."""
    base = float(y.mean())
    chosen = hot - 1
    for threshold in range(int(hot) - 1, 0, -1):
        band = (score >= threshold) & (score < hot)
        if band.any() and float(y[band].mean()) >= base:
            chosen = float(threshold)
    return chosen


def _forward(
    scores: SubScores,
    y: NDArray[np.bool_],
    suggested: Setting,
    current: Setting,
    replicates: int,
    seed: int,
    confidence: float,
) -> list[ForwardFigure]:
    ranked = [RankedOutcomes(scores.combined(s.weights), y) for s in (suggested, current)]
    hot = [scores.combined(s.weights) >= s.hot for s in (suggested, current)]

    def figures(w: FloatArray) -> tuple[tuple[float, float], ...]:
        share = [float(np.sum(w * h) / np.sum(w)) for h in hot]
        return (
            (ranked[0].auc(w), ranked[1].auc(w)),
            (weighted_rate(hot[0], y, w), weighted_rate(hot[1], y, w)),
            (share[0], share[1]),
        )

    point = figures(np.ones(len(y)))
    draws = np.array([figures(w) for w in bootstrap_weights(len(y), replicates, seed)])
    result = []
    for m, name in enumerate(("AUC", "hot conversion rate", "hot share of leads")):
        a, b = point[m]
        result.append(
            ForwardFigure(
                metric=name,
                suggested=percentile_interval(a, draws[:, m, 0], confidence),
                current=percentile_interval(b, draws[:, m, 1], confidence),
                difference=percentile_interval(a - b, draws[:, m, 0] - draws[:, m, 1], confidence),
            )
        )
    return result


def weights_fragment(advice: WeightsAdvice, model: ModelConfig, model_name: str) -> str:
    """The suggestion as YAML to paste under `models.<model_name>` (lifecycle stages kept)."""
    s = advice.suggested
    tiers = {
        "hot": {"min_score": s.hot, "lifecycle_stage": model.tiers.hot.lifecycle_stage},
        "warm": {"min_score": s.warm, "lifecycle_stage": model.tiers.warm.lifecycle_stage},
    }
    body = {
        "weights": {"fit": s.fit, "engagement": s.engagement, "likelihood": s.likelihood},
        "tiers": {
            name: {k: v for k, v in tier.items() if v is not None} for name, tier in tiers.items()
        },
    }
    auc = next(f for f in advice.forward if f.metric == "AUC")
    split = advice.split
    header = [
        "Suggested by `leadscore insights weights`: chosen on leads created before "
        f"{split.cutoff} ({split.earlier:,}),",
        f"graded on those created from then on ({split.later:,}): forward AUC "
        f"{auc.suggested.estimate:.3f} [{auc.suggested.low:.3f}, {auc.suggested.high:.3f}]"
        f" vs {auc.current.estimate:.3f} now.",
        f"Paste under models.{model_name} (replacing its weights and tiers).",
    ]
    comments = "".join(f"# {line}\n" for line in header)
    return comments + yaml.safe_dump(_plain(body), sort_keys=False)


def _plain(value: object) -> object:
    """Whole numbers as ints, so the YAML reads `70`, not `70.0`."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value
