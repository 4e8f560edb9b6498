"""Per-lead model contributions, summed back to source columns and phrased as short reasons.

Contributions are exact path attributions: walking a lead down each tree, every split moves
the expected value from the node's to the child's, and that move is credited to the split's
feature. Summed over trees they add up, with the bias (the trees' root values), to the
lead's raw margin exactly. They are computed from LightGBM's leaf indices and a per-leaf
table, i.e. one sparse product, because TreeSHAP (`pred_contrib=True`) measured about
100 µs per lead on this model size: 100 s for a million leads against a budget of seconds.

A text column becomes many token features and a lead's reason should name the column, so
contributions are summed per source column; the phrase then names the token or window that
pushed hardest in that direction.

A reason says how far it moved the lead's likelihood, in percentage points of the calibrated
likelihood written to HubSpot: the likelihood shown minus the likelihood without that
column's push. Reasons are the strongest such moves of either sign, so a lead at 8 % is
told what holds it down, not padded with faint positives.

Phrasing is vectorised: texts are produced once per distinct (feature, rounded value) and
spread back with integer indexing, so a million leads cost a few thousand string formats.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import scipy.sparse as sp

from connector.scoring.features import ColumnKind, FeatureSpec

REASONS_SHOWN = 4
"""Most model reasons a lead gets: its strongest pushes, whatever their sign."""
REASON_MIN_POINTS = 1
"""A push that moves the likelihood by less than this many percentage points (rounded) is
too weak to be a reason; a lead may show fewer reasons rather than weak ones."""
MAX_DESCRIPTION_CHARS = 80
"""Longest description of one reason (a long category value is cut), so the reasons line
stays short in HubSpot (a textarea holds 65,536 characters; reasons use a few hundred)."""


@dataclass(frozen=True)
class LeafAttribution:
    """Per-leaf contribution vectors of a booster, flattened over all its trees."""

    offsets: np.ndarray
    """Row of each tree's first leaf in `per_leaf`."""
    per_leaf: np.ndarray
    """(all leaves, features): what reaching that leaf credits to each feature."""
    bias: float
    """Sum of the trees' root values: the margin of a lead about whom nothing is known."""

    @classmethod
    def from_booster(cls, booster: lgb.Booster) -> LeafAttribution:
        """Walk every tree of `booster` once and tabulate its leaves' attributions."""
        n_features = booster.num_feature()
        trees = booster.dump_model()["tree_info"]
        counts = np.array([int(t["num_leaves"]) for t in trees], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        per_leaf = np.zeros((int(counts.sum()), n_features), dtype=np.float64)
        bias = 0.0
        for tree, offset in zip(trees, offsets, strict=True):
            root = tree["tree_structure"]
            bias += _node_value(root)
            _credit(root, np.zeros(n_features), per_leaf, int(offset))
        return cls(offsets=offsets, per_leaf=per_leaf.astype(np.float32), bias=bias)

    def contributions(self, leaves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(leads, features) contributions and each lead's margin, from `pred_leaf` output.

        A sparse product with one nonzero per tree and lead, in float32: half the memory
        traffic, and a margin within about 1e-6 of LightGBM's own.
        """
        n, n_trees = leaves.shape
        columns = (leaves + self.offsets[None, :].astype(np.int32)).ravel()
        onehot = sp.csr_matrix(
            (
                np.ones(columns.size, dtype=np.float32),
                columns,
                np.arange(0, columns.size + 1, n_trees, dtype=np.int64),
            ),
            shape=(n, self.per_leaf.shape[0]),
        )
        by_feature = np.asarray(onehot @ self.per_leaf)
        return by_feature, by_feature.sum(axis=1, dtype=np.float64) + self.bias


def _node_value(node: dict[str, Any]) -> float:
    return float(node["leaf_value"] if "leaf_index" in node else node["internal_value"])


def _credit(node: dict[str, Any], path: np.ndarray, per_leaf: np.ndarray, offset: int) -> None:
    """Fill the rows of `node`'s leaves with the credits accumulated along `path`."""
    if "leaf_index" in node:
        per_leaf[offset + int(node["leaf_index"])] = path
        return
    here = _node_value(node)
    feature = int(node["split_feature"])
    for side in ("left_child", "right_child"):
        child = node[side]
        step = path.copy()
        step[feature] += _node_value(child) - here
        _credit(child, step, per_leaf, offset)


def source_map(specs: list[FeatureSpec], sources: list[str]) -> np.ndarray:
    """A (features, sources) 0/1 matrix that sums feature contributions per source column."""
    position = {name: i for i, name in enumerate(sources)}
    mapping = np.zeros((len(specs), len(sources)), dtype=np.float64)
    for j, spec in enumerate(specs):
        mapping[j, position[spec.column.name]] = 1.0
    return mapping


def build_reasons(
    by_source: np.ndarray,
    by_feature: np.ndarray,
    matrix: np.ndarray,
    specs: list[FeatureSpec],
    sources: list[str],
    *,
    margin: np.ndarray,
    likelihood: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """An object array of `list[str]`: each lead's strongest reasons, strongest first.

    `by_source` (leads x sources) and `by_feature` (leads x features) are contributions in
    log-odds without the bias; `matrix` holds the feature values the model saw; `margin` is
    each lead's raw margin and `likelihood` the calibration that turns margins into the
    likelihood written to HubSpot.

    A reason's size is in percentage points of that likelihood: the likelihood shown minus
    the likelihood the lead would have without that column's push (every other push kept),
    e.g. `- Model: poutcome is 'nonexistent' (likelihood -12 pts)`. Reasons are ranked by
    that size whatever its sign, so a lead at 8 % shows what holds it down; up to
    `REASONS_SHOWN`, none under `REASON_MIN_POINTS`.
    """
    n = by_source.shape[0]
    if n == 0:
        return np.empty(0, dtype=object)
    shown = likelihood(margin)
    # (leads x sources) points moved by each column: exact for this lead, not a slope.
    moved = (shown[:, None] - likelihood(margin[:, None] - by_source)) * 100.0
    points = np.sign(moved) * np.floor(np.abs(moved) + 0.5)
    strength = np.abs(points) + np.abs(moved) * 1e-6  # ties broken by the unrounded push
    features_of = _features_per_source(specs, sources)
    rows = np.arange(n)
    slots: list[np.ndarray] = []
    count = np.zeros(n, dtype=np.int64)
    # k argmax passes, strongest first: cheaper than partitioning and sorting each row.
    for _ in range(min(REASONS_SHOWN, by_source.shape[1])):
        top = strength.argmax(axis=1)
        pts = points[rows, top]
        active = np.abs(pts) >= REASON_MIN_POINTS
        strength[rows, top] = -np.inf
        count += active
        slot = np.full(n, None, dtype=object)
        for sign, prefix in ((1.0, "+ Model: "), (-1.0, "- Model: ")):
            chosen = active & (np.sign(pts) == sign)
            texts = _phrase_slot(top, chosen, sign, prefix, by_feature, matrix, specs, features_of)
            slot[chosen] = texts[chosen] + _points_suffix(pts[chosen])
        slots.append(slot)
    return _assemble(slots, count)


def _points_suffix(points: np.ndarray) -> np.ndarray:
    """The text " (likelihood +12 pts)" per lead, each distinct number formatted once."""
    distinct, inverse = np.unique(points.astype(np.int64), return_inverse=True)
    texts = np.array(
        [f" (likelihood {p:+d} pt{'s' if abs(p) != 1 else ''})" for p in distinct], dtype=object
    )
    return texts[inverse.reshape(-1)]


def _assemble(slots: list[np.ndarray], count: np.ndarray) -> np.ndarray:
    """Per-lead lists from the slot columns, without a Python loop per lead.

    The active slots form a prefix (they are sorted by strength), so leads group by how
    many reasons they have, and each group's lists are built by `zip` in C.
    """
    reasons = np.empty(len(count), dtype=object)
    for c in np.unique(count):
        rows = np.flatnonzero(count == c)
        if c:
            columns = [slot[rows] for slot in slots[:c]]
            reasons[rows] = list(map(list, zip(*columns, strict=True)))
        else:
            reasons[rows] = [[] for _ in range(rows.size)]
    return reasons


def _features_per_source(specs: list[FeatureSpec], sources: list[str]) -> list[np.ndarray]:
    names = [spec.column.name for spec in specs]
    return [np.array([j for j, n in enumerate(names) if n == s], dtype=np.intp) for s in sources]


def _phrase_slot(
    source: np.ndarray,
    active: np.ndarray,
    sign: float,
    prefix: str,
    by_feature: np.ndarray,
    matrix: np.ndarray,
    specs: list[FeatureSpec],
    features_of: list[np.ndarray],
) -> np.ndarray:
    """One reason per lead for its chosen source column (None where the push is too small)."""
    out = np.full(len(source), None, dtype=object)
    rows_all = np.flatnonzero(active)
    if rows_all.size == 0:
        return out
    # The feature that speaks for the source: the one pushing hardest in this direction.
    feature = np.empty(rows_all.size, dtype=np.intp)
    chosen_source = source[rows_all]
    for s in np.unique(chosen_source):
        in_s = chosen_source == s
        feats = features_of[s]
        if feats.size == 1:
            feature[in_s] = feats[0]
        else:
            rows = rows_all[in_s]
            best = np.argmax(by_feature[np.ix_(rows, feats)] * sign, axis=1)
            feature[in_s] = feats[best]
    for f in np.unique(feature):
        in_f = feature == f
        rows = rows_all[in_f]
        out[rows] = phrase(specs[f], matrix[rows, f], prefix)
    return out


def phrase(spec: FeatureSpec, values: np.ndarray, prefix: str = "") -> np.ndarray:
    """Short descriptions of feature values, e.g. "job title mentions 'director'"."""
    rounded = _round_for_text(spec, values.astype(np.float64))
    distinct, inverse = np.unique(rounded, return_inverse=True)
    texts = np.array([prefix + _cut(describe(spec, float(v))) for v in distinct], dtype=object)
    return texts[inverse.reshape(-1)]


def _cut(text: str) -> str:
    if len(text) <= MAX_DESCRIPTION_CHARS:
        return text
    return text[: MAX_DESCRIPTION_CHARS - 1] + "…"


def _round_for_text(spec: FeatureSpec, values: np.ndarray) -> np.ndarray:
    kind = spec.column.kind
    if kind in (ColumnKind.DATE, ColumnKind.ACTIVITY_RECENCY):
        return np.round(values)
    if kind is ColumnKind.NUMERIC:
        # Three significant digits: enough for a reason, and few distinct texts to format.
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = 10.0 ** (np.floor(np.log10(np.abs(values))) - 2)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        return np.round(values / scale) * scale
    return values


def describe(spec: FeatureSpec, value: float) -> str:
    """Describe one feature value in words."""
    col = spec.column
    label = col.label
    kind = col.kind
    if math.isnan(value):
        if kind is ColumnKind.ACTIVITY_RECENCY:
            return "no activity on record"
        if kind in (ColumnKind.TEXT, ColumnKind.DATE):
            return f"no {label}"
        if col.sentinel is not None:
            return f"{label} not set"
        return f"{label} unknown"
    if kind is ColumnKind.CATEGORICAL:
        code = int(value)
        if code < len(col.categories):
            return f"{label} is '{col.categories[code]}'"
        return f"{label} is an uncommon value"
    if kind is ColumnKind.TEXT:
        verb = "mentions" if value >= 0.5 else "doesn't mention"
        return f"{label} {verb} '{spec.token}'"
    if kind is ColumnKind.BOOLEAN:
        return f"{label}: {'yes' if value >= 0.5 else 'no'}"
    if kind in (ColumnKind.DATE, ColumnKind.ACTIVITY_RECENCY):
        days = round(value)
        if days == 0:
            return f"{label} today"
        if days < 0:
            return f"{label} in {-days} days"
        return f"{label} {days} day{'s' if days != 1 else ''} ago"
    if kind is ColumnKind.ACTIVITY_COUNT:
        return f"no {label}" if value == 0 else f"{value:g} {label}"
    if col.count_like and value == 0:
        return f"no {label}"
    return f"{label}: {value:.6g}"
