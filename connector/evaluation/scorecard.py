"""A regularised scorecard: attributes weighed jointly, so overlapping ones share the credit.

Close rates judge each attribute alone: two columns that say the same thing (a copy, or job
title and seniority) would each get the full points and count the effect twice. The
scorecard fits them together, as credit scorecards do:

1. Weight-of-evidence binning per attribute: each value, numeric bin or activity band (the
   groups of `points.value_groups`) gets WoE = ln(odds of converting in the bin / odds
   overall), smoothed by half a lead; bins with fewer than `min_leads` leads get 0 (no
   evidence either way).
2. An L2-regularised logistic regression on the WoE features, one per attribute. An
   attribute that adds nothing beyond the others gets a coefficient near 0; two identical
   attributes split one coefficient equally (the L2 penalty prefers halves to one whole).
3. Points = factor × coefficient × WoE, with the factor the config's own scale
   (`points.points_per_logit`: points per unit of log-odds), rounded to whole points.

Evidence stays next to the points: each bin's close rate with its Wilson interval and the
points it would get alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

from connector.errors import LeadscoreError
from connector.evaluation.points import (
    Source,
    ValueGroup,
    criterion_for,
    log_odds_ratio,
    points_per_logit,
    round_to_five,
    value_groups,
)
from connector.evaluation.stats import wilson_interval
from connector.scoring.config import Criterion, ModelConfig
from connector.scoring.leads import LeadFrame

REGULARISATION = 1.0
"""Inverse L2 strength (scikit-learn's C) of the logistic regression on the WoE features."""


@dataclass(frozen=True)
class BinPoints:
    """One bin of one attribute: its evidence alone and its points in the joint fit."""

    signal: str
    source: Source
    value: str
    leads: int
    conversions: int
    rate: float
    rate_low: float
    rate_high: float
    significant: bool
    """True when the Wilson interval of the rate excludes the base rate."""
    woe: float
    """ln(odds in the bin / odds overall); 0 for bins below the minimum size."""
    alone_points: int
    """Points from this bin's close rate alone (rounded to 5, as `insights points` always did)."""
    points: int
    """Points in the joint fit: factor × the attribute's coefficient × WoE."""
    criterion: Criterion
    """The bin as a criterion worth `points` (what the YAML fragment holds)."""


@dataclass(frozen=True)
class AttributeWeight:
    """How much of an attribute's own evidence the joint fit keeps."""

    signal: str
    coefficient: float


@dataclass(frozen=True)
class Scorecard:
    """The joint points of every attribute."""

    points_per_logit: float
    regularisation: float
    min_leads: int
    attributes: list[AttributeWeight]
    bins: list[BinPoints]
    """Bins with at least `min_leads` leads, strongest joint points first."""


def fit_scorecard(
    leads: LeadFrame,
    converted: NDArray[np.bool_],
    model: ModelConfig,
    now: pd.Timestamp,
    *,
    properties: list[str] | None = None,
    min_leads: int = 30,
    regularisation: float = REGULARISATION,
) -> Scorecard:
    """Fit the scorecard on `leads` (see the module docstring).

    `properties` limits which properties are read (default: every usable one; the leak
    guard's kept columns in `insights points`); activity bands are always included.
    """
    y = np.asarray(converted, dtype=bool)
    base = float(y.mean())
    if not 0 < base < 1:
        raise LeadscoreError("the history needs both converted and unconverted leads")
    scale = points_per_logit(model)
    by_signal: dict[str, list[ValueGroup]] = {}
    for group in value_groups(leads, now, properties):
        by_signal.setdefault(group.signal, []).append(group)
    signals = list(by_signal)
    features = np.zeros((len(y), len(signals)), dtype=np.float64)
    woe: dict[tuple[str, str], float] = {}
    for j, signal in enumerate(signals):
        for group in by_signal[signal]:
            n = int(group.mask.sum())
            value = log_odds_ratio(int(y[group.mask].sum()), n, base) if n >= min_leads else 0.0
            woe[(signal, group.value)] = value
            features[group.mask, j] = value
    coefficients = _fit(features, y, regularisation)
    used_ids: set[str] = set()
    bins: list[BinPoints] = []
    for j, signal in enumerate(signals):
        for group in by_signal[signal]:
            n = int(group.mask.sum())
            if n < min_leads:
                continue
            hits = int(y[group.mask].sum())
            low, high = wilson_interval(hits, n)
            value = woe[(signal, group.value)]
            points = int(np.rint(scale * coefficients[j] * value))
            bins.append(
                BinPoints(
                    signal=signal,
                    source=group.source,
                    value=group.value,
                    leads=n,
                    conversions=hits,
                    rate=hits / n,
                    rate_low=low,
                    rate_high=high,
                    significant=not low <= base <= high,
                    woe=value,
                    alone_points=round_to_five(value * scale),
                    points=points,
                    criterion=criterion_for(group, points, model, used_ids),
                )
            )
    bins.sort(key=lambda b: (-abs(b.points), -abs(b.woe), b.signal, b.value))
    return Scorecard(
        points_per_logit=scale,
        regularisation=regularisation,
        min_leads=min_leads,
        attributes=[
            AttributeWeight(signal, float(c))
            for signal, c in zip(signals, coefficients, strict=True)
        ],
        bins=bins,
    )


def _fit(
    features: NDArray[np.float64], y: NDArray[np.bool_], strength: float
) -> NDArray[np.float64]:
    """L2 logistic regression coefficients of the WoE features (zeros when there are none)."""
    if features.shape[1] == 0:
        return np.zeros(0)
    fitted = LogisticRegression(C=strength, max_iter=1000).fit(features, y)
    return np.asarray(fitted.coef_[0], dtype=np.float64)


def chosen_bins(card: Scorecard) -> list[BinPoints]:
    """The bins worth a criterion: significant alone and non-zero in the joint fit."""
    return [b for b in card.bins if b.significant and b.points != 0]
