"""The linear half of the lead model: a regularised additive logistic model on binned features.

Boosted trees find interactions but spend many splits on smooth, monotone effects and are
noisy on small categories; a penalised logistic regression on the same features is the
opposite. Blending the two logits measurably ranks better than either (the model-quality
benchmark), and a linear part keeps the explanations exact: each feature adds one weight.

Each feature of the plan's matrix is read as bins: a numeric feature by up to `MAX_BINS`
quantile bins of its training values (each distinct value its own bin when there are few),
a category by its code, and a missing value as a bin of its own. The model is then a
logistic regression on those one-hot bins, L2-penalised, so its margin is a sum of one
weight per feature. Contributions are centred on the training rows (each feature's weight
minus its mean weight), so `bias + contributions.sum() == margin` and a zero contribution
means "as the average lead", as the trees' path attributions do.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression

MAX_BINS = 16
"""Quantile bins per numeric feature: enough for a smooth shape, few enough to estimate."""


class BinnedFeature(BaseModel):
    """One feature's bins and their weights (log-odds, centred on the training rows)."""

    edges: list[float]
    """Bin i holds values in (edges[i-1], edges[i]]; len(edges) + 1 bins."""
    weights: list[float]
    missing: float


class AdditivePart(BaseModel):
    """A fitted additive logistic model over the columns of a feature matrix."""

    features: list[BinnedFeature]
    bias: float
    """Intercept plus every feature's mean weight: the margin of the average training lead."""

    def contributions(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, features) contributions in log-odds and the margin they sum to with the bias."""
        out = np.empty(matrix.shape, dtype=np.float64)
        for j, feature in enumerate(self.features):
            column = matrix[:, j].astype(np.float64)
            weights = np.asarray(feature.weights)
            values = weights[np.searchsorted(np.asarray(feature.edges), column, side="left")]
            out[:, j] = np.where(np.isnan(column), feature.missing, values)
        return out, out.sum(axis=1) + self.bias

    def scaled(self, weight: float) -> AdditivePart:
        """The same part with every weight and the bias multiplied by `weight` (a blend)."""
        return AdditivePart(
            features=[
                BinnedFeature(
                    edges=f.edges,
                    weights=[w * weight for w in f.weights],
                    missing=f.missing * weight,
                )
                for f in self.features
            ],
            bias=self.bias * weight,
        )


def _edges(column: np.ndarray, categorical: bool) -> np.ndarray:
    column = column.astype(np.float64)
    present = column[~np.isnan(column)]
    distinct = np.unique(present)
    if categorical or distinct.size <= MAX_BINS:
        # Every value its own bin; the midpoints separate them.
        return (distinct[:-1] + distinct[1:]) / 2.0
    quantiles = np.quantile(present, np.linspace(0, 1, MAX_BINS + 1)[1:-1], method="lower")
    return np.unique(quantiles)


def _design(
    matrix: np.ndarray, edges: list[np.ndarray]
) -> tuple[sp.csr_matrix, list[int]]:
    """One-hot bins (missing as the last bin) and each feature's first column."""
    n, width = matrix.shape
    starts: list[int] = []
    columns = np.empty((n, width), dtype=np.int64)
    start = 0
    for j, cut in enumerate(edges):
        starts.append(start)
        column = matrix[:, j].astype(np.float64)
        index = np.searchsorted(cut, column, side="left")
        index[np.isnan(column)] = cut.size + 1
        columns[:, j] = start + index
        start += cut.size + 2
    design = sp.csr_matrix(
        (np.ones(n * width), columns.ravel(), np.arange(0, n * width + 1, width)),
        shape=(n, start),
    )
    return design, starts


def fit_additive(
    matrix: np.ndarray, y: np.ndarray, categorical: list[int], penalty_c: float
) -> AdditivePart:
    """Fit the additive part on `matrix` (the plan's features) with L2 strength 1/`penalty_c`."""
    is_category = set(categorical)
    edges = [_edges(matrix[:, j], j in is_category) for j in range(matrix.shape[1])]
    design, starts = _design(matrix, edges)
    lr = LogisticRegression(C=penalty_c, max_iter=500, tol=1e-5)
    lr.fit(design, y)
    coef = lr.coef_[0]
    counts = np.asarray(design.sum(axis=0)).ravel()
    features: list[BinnedFeature] = []
    bias = float(lr.intercept_[0])
    for j, cut in enumerate(edges):
        block = coef[starts[j] : starts[j] + cut.size + 2]
        seen = counts[starts[j] : starts[j] + cut.size + 2]
        mean = float(np.dot(block, seen) / len(y))
        bias += mean
        features.append(
            BinnedFeature(
                edges=[float(e) for e in cut],
                weights=[float(w - mean) for w in block[:-1]],
                missing=float(block[-1] - mean),
            )
        )
    return AdditivePart(features=features, bias=bias)
