"""Reading lead properties as analysable attributes: which are numeric, which categorical.

Properties arrive as text (see `connector.tables`), so a column is numeric when nearly all of
its filled cells parse as numbers and it has enough distinct values to be worth binning;
it is categorical when it has a handful of distinct values. Free text, e-mails and ids are
neither and are left out of points and segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

MAX_CATEGORIES = 30
"""A column with more distinct values than this is free text, not a category."""

MIN_NUMERIC_DISTINCT = 8
"""A numeric column with fewer distinct values is better read as categories (e.g. 0/1/2)."""

NUMERIC_PARSE_SHARE = 0.95
"""Share of filled cells that must parse as numbers for a column to count as numeric."""


@dataclass(frozen=True)
class Attribute:
    """A property usable as an attribute, and how it is read."""

    name: str
    kind: Literal["numeric", "categorical"]


def numeric_values(column: pd.Series) -> pd.Series:
    """The column as floats, NaN where empty or not a number."""
    return pd.to_numeric(column, errors="coerce").astype(float)


def classify(column: pd.Series) -> Attribute | None:
    """How to read a property column, or None when it is free text, an id or constant."""
    filled = column.dropna()
    if filled.empty:
        return None
    distinct = filled.nunique()
    if distinct < 2:
        return None
    numbers = numeric_values(filled)
    parsed = numbers.notna().mean()
    name = str(column.name)
    if parsed >= NUMERIC_PARSE_SHARE and numbers.nunique() >= MIN_NUMERIC_DISTINCT:
        return Attribute(name, "numeric")
    if distinct <= MAX_CATEGORIES and distinct < len(filled):
        return Attribute(name, "categorical")
    return None


def usable_attributes(contacts: pd.DataFrame, names: list[str] | None = None) -> list[Attribute]:
    """Attributes among `names` (default: every column) that can be analysed, in column order."""
    chosen = [c for c in contacts.columns if names is None or c in names]
    found = (classify(contacts[c]) for c in chosen)
    return [a for a in found if a is not None]


def category_labels(column: pd.Series) -> pd.Series:
    """Category values as trimmed text, with "(empty)" standing for a missing value."""
    return column.astype("string").str.strip().fillna("(empty)").astype(str)
