"""How much one raw column gives the outcome away on its own: its AUC and its purity.

Both are measured on halves of the rows (one fixed random split): the AUC ranks each half by
per-value rates learnt on the other half, and a value is pure only when each half shows it
on its own, so a column cannot look predictive just by memorising its own rows.

Purity catches what the AUC misses. A sales "Tags" column ("Closed by Horizzon", "Will
revert after reading the email", "Lost to EINS", "Already a student") is written while a
lead is worked, so several of its values decide the outcome alone, yet its blank and mixed
values keep its overall AUC below the leak threshold. Its purity is the share of rows whose
value is *pure*: on each half of the rows separately (a fixed random split), that value

- has at least `MIN_SUPPORT` rows, and enough of them that the base rate would predict at
  least `MIN_EXPECTED` conversions (for a value that never converts) or non-conversions
  (for a value that always converts), so chance cannot make it pure; and
- converts at `PURE_HIGH` or more, or at `PURE_LOW` or less; with an extreme base rate each
  bound moves to a tenth of the base rate's distance (`pure_bounds`), so that in a portal
  where 3 % convert, a value converting at 1 % is not called pure.

Numbers with many distinct values are judged by their twenty quantile bins, so a leak such
as a call's duration (short calls never convert) is seen as well; missing is a value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

PURE_HIGH = 0.95
"""Out-of-fold conversion rate at or above which a value decides "converted" alone."""
PURE_LOW = 0.02
"""Out-of-fold conversion rate at or below which a value decides "not converted" alone."""
MIN_SUPPORT = 30
"""Rows a value needs (in the other half) before its rate can be called pure."""
MIN_EXPECTED = 5
"""Conversions (or non-conversions) the base rate must predict among those rows."""
QUANTILE_BINS = 20
"""Bins of a many-valued number: each holds about 5 % of the rows."""
_FEW_NUMBERS = 50
"""A number with at most this many distinct values is judged value by value."""


@dataclass(frozen=True)
class PureValue:
    """One value (or number range) that decides the outcome alone."""

    value: str
    rate: float
    """Its conversion rate over all rows."""
    rows: int


@dataclass(frozen=True)
class Purity:
    """The share of rows on pure values, and those values, the most frequent first."""

    share: float
    values: tuple[PureValue, ...]


def pure_bounds(base_rate: float) -> tuple[float, float]:
    """The (low, high) conversion rates beyond which a value is pure, for a base rate."""
    return min(PURE_LOW, base_rate / 10.0), max(PURE_HIGH, 1.0 - (1.0 - base_rate) / 10.0)


def _halves(rows: int) -> np.ndarray:
    """A fixed random split of the rows in two (the same for the AUC and the purity)."""
    return np.random.default_rng(0).integers(0, 2, size=rows)


@dataclass(frozen=True)
class _Column:
    """One column read once: a code per row (-1 when missing or blank), each code's
    stripped text, and the values as floats when (almost) every present one is a number.

    Text work happens on the distinct values only, so a million rows cost little more
    than their distinct values do.
    """

    codes: np.ndarray
    labels: list[str]
    numbers: np.ndarray | None


def _read(values: pd.Series) -> _Column:
    if pd.api.types.is_bool_dtype(values):
        flags = values.astype(float).to_numpy()
        return _Column(flags.astype(np.int64), ["False", "True"], flags)
    raw, uniques = pd.factorize(values)
    if len(uniques) == 0:
        # An all-empty column (nothing set by a cutoff) has no distinct value to map.
        return _Column(np.full(len(values), -1, dtype=np.int64), [], None)
    text = pd.Index(uniques.astype(str)).str.strip()
    codes_of_text, labels = pd.factorize(text)
    kept = np.asarray(text != "")
    mapping = np.where(kept, codes_of_text, -1)
    codes = np.where(raw >= 0, mapping[np.maximum(raw, 0)], -1)
    parsed = pd.to_numeric(pd.Series(labels), errors="coerce").to_numpy(dtype=float)
    present = codes >= 0
    numbers = None
    if present.any():
        rows_per_label = np.bincount(codes[present], minlength=len(labels))
        numeric_rows = rows_per_label[~np.isnan(parsed)].sum()
        if numeric_rows >= 0.98 * present.sum():
            numbers = np.where(present, parsed[np.maximum(codes, 0)], np.nan)
    # Blank text was factorised with the rest; its code is never used.
    return _Column(codes, [str(v) for v in labels], numbers)


@dataclass(frozen=True)
class LeakFigures:
    """A column's single-column AUC and its purity."""

    auc: float
    purity: Purity


def leak_figures(values: pd.Series, target: np.ndarray) -> LeakFigures:
    """Both measures of one column, reading it once."""
    column = _read(values)
    return LeakFigures(_auc(column, target), _purity(column, target))


def single_column_auc(values: pd.Series, target: np.ndarray) -> float:
    """How well one raw column separates the classes on its own (0.5..1, orientation-free).

    Numbers are ranked directly (missing tried at both ends); anything else is turned into
    an out-of-fold per-value conversion rate so that many-valued columns cannot score well
    just by memorising rows.
    """
    return _auc(_read(values), target)


def column_purity(values: pd.Series, target: np.ndarray) -> Purity:
    """The share of rows whose value decides the outcome alone (see the module docstring)."""
    return _purity(_read(values), target)


def _auc(column: _Column, target: np.ndarray) -> float:
    if len(target) == 0 or target.min() == target.max():
        return 0.5
    if column.numbers is not None:
        x = column.numbers
        missing = np.isnan(x)
        if missing.all():
            return 0.5
        lo, hi = np.nanmin(x) - 1.0, np.nanmax(x) + 1.0
        best = 0.5
        for fill in (lo, hi):
            auc = float(roc_auc_score(target, np.where(missing, fill, x)))
            best = max(best, auc, 1.0 - auc)
        return best
    # Missing is a category of its own (the last code).
    codes = np.where(column.codes >= 0, column.codes, len(column.labels))
    encoded = _out_of_fold_rate(codes, target)
    auc = float(roc_auc_score(target, encoded))
    return max(auc, 1.0 - auc)


def _out_of_fold_rate(codes: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per-category conversion rate computed on the other half of the rows (2-fold)."""
    fold = _halves(len(codes))
    n_codes = int(codes.max()) + 1
    prior = float(target.mean())
    encoded = np.empty(len(codes), dtype=float)
    for f in (0, 1):
        fit = fold != f
        hits = np.bincount(codes[fit], weights=target[fit], minlength=n_codes)
        counts = np.bincount(codes[fit], minlength=n_codes)
        # A light prior keeps a category seen once from scoring 0 or 1.
        rate = (hits + prior * 5.0) / (counts + 5.0)
        encoded[~fit] = rate[codes[~fit]]
    return encoded


def _value_codes(column: _Column) -> tuple[np.ndarray, list[str]]:
    """Codes of the values purity is judged on (missing included), and a label per code."""
    numbers = column.numbers
    if numbers is not None and len(np.unique(numbers[~np.isnan(numbers)])) > _FEW_NUMBERS:
        bins = pd.qcut(pd.Series(numbers), QUANTILE_BINS, duplicates="drop")
        codes, uniques = pd.factorize(bins)
        labels = [str(u) for u in uniques]
    else:
        codes, labels = column.codes, list(column.labels)
    missing = codes < 0
    if missing.any():
        codes = np.where(missing, len(labels), codes)
        labels = [*labels, "(missing)"]
    return codes, labels


def _purity(column: _Column, target: np.ndarray) -> Purity:
    if len(target) == 0 or target.min() == target.max():
        return Purity(0.0, ())
    codes, labels = _value_codes(column)
    n_codes = len(labels)
    base = float(target.mean())
    low, high = pure_bounds(base)
    fold = _halves(len(codes))
    # A value is pure only when each half of the rows shows it on its own: one lucky half
    # cannot make it pure, and no row judges itself.
    pure_code = np.ones(n_codes, dtype=bool)
    for f in (0, 1):
        half = fold == f
        hits = np.bincount(codes[half], weights=target[half], minlength=n_codes)
        counts = np.bincount(codes[half], minlength=n_codes)
        rate = np.divide(hits, counts, out=np.full(n_codes, base), where=counts > 0)
        supported = counts >= MIN_SUPPORT
        never = supported & (counts * base >= MIN_EXPECTED) & (rate <= low)
        always = supported & (counts * (1.0 - base) >= MIN_EXPECTED) & (rate >= high)
        pure_code &= never | always
    pure = pure_code[codes]
    rows = np.bincount(codes, minlength=n_codes)
    hits = np.bincount(codes, weights=target, minlength=n_codes)
    found = sorted(
        (
            PureValue(labels[c], round(float(hits[c] / rows[c]), 4), int(rows[c]))
            for c in np.flatnonzero(pure_code & (rows > 0))
        ),
        key=lambda v: -v.rows,
    )
    return Purity(round(float(pure.mean()), 4), tuple(found))
