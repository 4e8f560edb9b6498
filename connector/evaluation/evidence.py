"""The evidence that a scoring works: every figure of `leadscore insights report`.

`build_evidence` turns one scoring model's scores for a history into plain dataclasses that
the HTML report, the JSON output and the dashboard all read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from connector.errors import LeadscoreError
from connector.evaluation.ab import ArmComparison, compare_arms
from connector.evaluation.stats import (
    BandRow,
    Calibration,
    GainsCurve,
    RankedOutcomes,
    band_table,
    calibration,
    cumulative_gains,
    wilson_interval,
)
from connector.scoring.ledger import Ledger
from connector.scoring.properties import TIERS
from connector.scoring.score_columns import ScoreColumn

SCORE_COLUMNS = (ScoreColumn.SCORE, ScoreColumn.TIER, ScoreColumn.LIKELIHOOD, ScoreColumn.REASONS)
"""Score frame columns the evidence reads."""


@dataclass(frozen=True)
class TierRow:
    """Conversion within one tier, and its share of leads against its share of conversions."""

    tier: str
    leads: int
    conversions: int
    rate: float
    rate_low: float
    rate_high: float
    share_of_leads: float
    share_of_conversions: float


@dataclass(frozen=True)
class CriterionRow:
    """How often a criterion fires and how its leads convert compared with the others."""

    criterion_id: str
    label: str
    kind: str
    """fit, engagement or exclusion."""
    points: float
    fired: int
    fired_share: float
    rate_when_fired: float
    rate_when_fired_low: float
    rate_when_fired_high: float
    rate_when_not: float
    rate_ratio: float


@dataclass(frozen=True)
class ReviewLead:
    """A high-scoring lead that never converted: worth a look at why."""

    contact_id: str
    score: float
    tier: str
    likelihood: float
    reasons: str


@dataclass(frozen=True)
class Distribution:
    """Score histograms of converted and non-converted leads on shared bin edges."""

    edges: list[float]
    converted: list[int]
    not_converted: list[int]


@dataclass(frozen=True)
class Evidence:
    """All report figures for one scoring model on one history."""

    model: str
    source: str
    leads: int
    conversions: int
    base_rate: float
    auc_score: float
    auc_likelihood: float | None
    top_decile_lift: float
    hot_warm_share_of_leads: float
    hot_warm_share_of_conversions: float
    hot_vs_cold_ratio: float
    deciles: list[BandRow]
    tiers: list[TierRow]
    gains: GainsCurve
    gains_likelihood: GainsCurve | None
    calibration: Calibration | None
    distribution: Distribution
    criteria: list[CriterionRow]
    review: list[ReviewLead]
    review_total: int
    """High-scoring non-converted leads in all (`review` holds the first ones)."""
    arms: ArmComparison | None


def build_evidence(
    frame: pd.DataFrame,
    converted: NDArray[np.bool_],
    *,
    model: str,
    source: str,
    ledger: Ledger | None = None,
    arms: NDArray[np.object_] | None = None,
    review_limit: int = 100,
) -> Evidence:
    """Compute the report figures.

    `frame` is the score frame (columns score, tier, likelihood 0–100 or NaN, reasons), its
    rows aligned with `converted`; `ledger` (same rows) tells which criteria fired for each
    lead; `arms` gives the A/B arm per lead when the history
    recorded one.
    """
    missing = [c for c in SCORE_COLUMNS if c not in frame.columns]
    if missing:
        raise LeadscoreError(f"score frame lacks column(s) {', '.join(missing)}")
    y = np.asarray(converted, dtype=bool)
    if len(y) != len(frame):
        raise LeadscoreError(f"{len(y)} outcomes for {len(frame)} scored leads")
    if len(y) == 0:
        raise LeadscoreError("no leads to evaluate")
    scores = frame[ScoreColumn.SCORE].to_numpy(float)
    ranked = RankedOutcomes(scores, y)
    tiers = frame[ScoreColumn.TIER].astype(str).to_numpy()
    likelihood = pd.to_numeric(frame[ScoreColumn.LIKELIHOOD], errors="coerce").to_numpy(float)
    has_likelihood = bool(np.isfinite(likelihood).all())
    tier_rows = _tier_rows(tiers, y)
    by_tier = {row.tier: row for row in tier_rows}
    hot_warm = [by_tier[t] for t in ("hot", "warm") if t in by_tier]
    hot, cold = by_tier.get("hot"), by_tier.get("cold")
    review_mask = _review_mask(tiers, scores, y)
    review_order = np.flatnonzero(review_mask)[np.argsort(-scores[review_mask], kind="stable")]
    return Evidence(
        model=model,
        source=source,
        leads=len(y),
        conversions=int(y.sum()),
        base_rate=float(y.mean()),
        auc_score=ranked.auc(),
        auc_likelihood=RankedOutcomes(likelihood, y).auc() if has_likelihood else None,
        top_decile_lift=ranked.lift_at(0.1) if y.any() else math.nan,
        hot_warm_share_of_leads=sum(r.share_of_leads for r in hot_warm),
        hot_warm_share_of_conversions=sum(r.share_of_conversions for r in hot_warm),
        hot_vs_cold_ratio=hot.rate / cold.rate if hot and cold and cold.rate > 0 else math.nan,
        deciles=band_table(scores, y),
        tiers=tier_rows,
        gains=cumulative_gains(scores, y),
        gains_likelihood=cumulative_gains(likelihood, y) if has_likelihood else None,
        calibration=calibration(likelihood / 100, y) if has_likelihood else None,
        distribution=_distribution(scores, y),
        criteria=_criterion_rows(ledger, y) if ledger is not None else [],
        review=[
            ReviewLead(
                contact_id=str(frame.index[i]),
                score=float(scores[i]),
                tier=str(tiers[i]),
                likelihood=float(likelihood[i]),
                reasons=str(frame[ScoreColumn.REASONS].iloc[i] or ""),
            )
            for i in review_order[:review_limit]
        ],
        review_total=int(review_mask.sum()),
        arms=compare_arms(arms, y) if arms is not None else None,
    )


def _tier_rows(tiers: NDArray[Any], y: NDArray[np.bool_]) -> list[TierRow]:
    n, total = len(y), int(y.sum())
    present = [t for t in TIERS if (tiers == t).any()]
    present += sorted(set(tiers.tolist()) - set(TIERS))
    rows = []
    for tier in present:
        mask = tiers == tier
        count, hits = int(mask.sum()), int(y[mask].sum())
        low, high = wilson_interval(hits, count)
        rows.append(
            TierRow(
                tier,
                count,
                hits,
                hits / count,
                low,
                high,
                count / n,
                hits / total if total else math.nan,
            )
        )
    return rows


def _review_mask(
    tiers: NDArray[Any], scores: NDArray[np.float64], y: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Non-converted leads in the hot tier, or in the top decile when no lead is hot."""
    high = tiers == "hot"
    if not high.any():
        high = scores >= np.quantile(scores, 0.9)
    return np.asarray(high & ~y, dtype=bool)


def _distribution(
    scores: NDArray[np.float64], y: NDArray[np.bool_], bins: int = 20
) -> Distribution:
    low, high = float(scores.min()), float(scores.max())
    edges = np.linspace(low, high if high > low else low + 1, bins + 1)
    converted, _ = np.histogram(scores[y], edges)
    other, _ = np.histogram(scores[~y], edges)
    return Distribution(edges.tolist(), converted.tolist(), other.tolist())


def _criterion_rows(ledger: Ledger, y: NDArray[np.bool_]) -> list[CriterionRow]:
    """Ledger entries by how often they fire (most first)."""
    if len(ledger.index) != len(y):
        raise LeadscoreError(f"the ledger has {len(ledger.index)} leads for {len(y)} outcomes")
    n, total = len(y), int(y.sum())
    rows = []
    for j, entry in enumerate(ledger.entries):
        mask = np.asarray(ledger.fired[:, j], dtype=bool)
        count, hits = int(mask.sum()), int(y[mask].sum())
        rest, rest_hits = n - count, total - hits
        rate = hits / count if count else math.nan
        rate_not = rest_hits / rest if rest else math.nan
        low, high = wilson_interval(hits, count)
        rows.append(
            CriterionRow(
                criterion_id=entry.id,
                label=entry.label,
                kind=entry.kind,
                points=entry.points,
                fired=count,
                fired_share=count / n,
                rate_when_fired=rate,
                rate_when_fired_low=low,
                rate_when_fired_high=high,
                rate_when_not=rate_not,
                rate_ratio=rate / rate_not if count and rest and rate_not > 0 else math.nan,
            )
        )
    rows.sort(key=lambda r: (-r.fired, r.criterion_id))
    return rows
