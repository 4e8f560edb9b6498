"""Evaluating criteria conditions over a whole batch at once.

Each function returns one value per lead as a numpy array; nothing loops over leads.
Text tests run on a column's distinct values (see `columns.TextColumn`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from connector.scoring.columns import BatchColumns
from connector.scoring.config import (
    ActivityCondition,
    ActivityFilter,
    AllCondition,
    AnyCondition,
    Bounds,
    Condition,
    NotCondition,
    PropertyCondition,
    Scalar,
)


@dataclass(frozen=True)
class ActivityCounts:
    """Matching activities per lead: how many, and the age of the newest."""

    count: np.ndarray
    newest_age: np.ndarray
    """Age in days of the newest matching activity (NaN when none)."""


def evaluate(condition: Condition, columns: BatchColumns) -> np.ndarray:
    """Whether the condition holds, per lead (bool array)."""
    if isinstance(condition, PropertyCondition):
        return _property(condition, columns)
    if isinstance(condition, ActivityCondition):
        return in_bounds(count_activities(condition, columns).count, condition.count)
    if isinstance(condition, AllCondition):
        result = np.ones(columns.size, dtype=bool)
        for part in condition.all:
            result &= evaluate(part, columns)
        return result
    if isinstance(condition, AnyCondition):
        result = np.zeros(columns.size, dtype=bool)
        for part in condition.any:
            result |= evaluate(part, columns)
        return result
    if isinstance(condition, NotCondition):
        return ~evaluate(condition.not_, columns)
    raise TypeError(f"unknown condition {type(condition).__name__}")


def in_bounds(values: np.ndarray, bounds: Bounds) -> np.ndarray:
    """Whether each value lies within the bounds (NaN never does)."""
    with np.errstate(invalid="ignore"):
        result = ~np.isnan(values)
        if bounds.gte is not None:
            result &= values >= bounds.gte
        if bounds.gt is not None:
            result &= values > bounds.gt
        if bounds.lte is not None:
            result &= values <= bounds.lte
        if bounds.lt is not None:
            result &= values < bounds.lt
    return result


def activity_mask(spec: ActivityFilter, columns: BatchColumns) -> np.ndarray:
    """Which of the batch's activities match the filter (bool per activity row)."""
    acts = columns.activities()
    mask = acts.kind.matches(list(spec.kinds))
    if spec.outcome is not None:
        mask &= acts.outcome.matches([value.strip().lower() for value in spec.outcome])
    if spec.direction is not None:
        mask &= acts.direction.matches([value.strip().lower() for value in spec.direction])
    if spec.within_days is not None:
        # Scheduled (future) activities have negative ages and count as recent.
        mask &= acts.age_days <= spec.within_days
    return mask


def count_activities(spec: ActivityFilter, columns: BatchColumns) -> ActivityCounts:
    """Count the matching activities of each lead and the age of the newest one."""
    acts = columns.activities()
    mask = activity_mask(spec, columns)
    rows = acts.row[mask]
    count = np.bincount(rows, minlength=columns.size).astype(np.float64)
    newest = np.full(columns.size, np.inf)
    np.minimum.at(newest, rows, acts.age_days[mask])
    newest[np.isinf(newest)] = np.nan
    return ActivityCounts(count=count, newest_age=newest)


def _property(condition: PropertyCondition, columns: BatchColumns) -> np.ndarray:
    name = condition.property
    operator = condition.operator()
    if operator == "range":
        assert condition.range is not None
        return in_bounds(columns.number(name), condition.range)
    if operator == "days_since":
        assert condition.days_since is not None
        return in_bounds(columns.days_since(name), condition.days_since)
    if operator == "equals":
        assert condition.equals is not None
        return _matches_any(name, [condition.equals], columns)
    if operator == "in":
        assert condition.in_ is not None
        return _matches_any(name, condition.in_, columns)
    if operator == "domain_in":
        return _domain_in(condition, columns)
    text = columns.text(name)
    if operator == "exists":
        present = text.lookup(np.array([value != "" for value in text.uniques], dtype=bool))
        return present if condition.exists else ~present
    if operator == "contains":
        needles = (
            [condition.contains] if isinstance(condition.contains, str) else condition.contains
        )
        lowered = [needle.lower() for needle in needles or []]
        hits = [any(needle in value for needle in lowered) for value in text.uniques]
        return text.lookup(np.array(hits, dtype=bool))
    if operator == "regex":
        assert condition.regex is not None
        pattern = re.compile(condition.regex, re.IGNORECASE)
        hits = [pattern.search(value) is not None for value in text.uniques]
        return text.lookup(np.array(hits, dtype=bool))
    raise ValueError(f"unknown operator {operator}")


def _domain_in(condition: PropertyCondition, columns: BatchColumns) -> np.ndarray:
    """An email's domain equals a listed domain or is a subdomain of one (`edu` → `x.edu`)."""
    domains = tuple(domain.strip().lower().lstrip("@.") for domain in condition.domain_in or [])
    suffixes = tuple("." + domain for domain in domains)
    column = columns.domain(condition.property)
    hits = [value in domains or value.endswith(suffixes) for value in column.uniques]
    return column.lookup(np.array(hits, dtype=bool))


def _matches_any(name: str, wanted: list[Scalar], columns: BatchColumns) -> np.ndarray:
    """equals/in: numbers compare as numbers, true/false as HubSpot's text, text without case."""
    numbers = [float(v) for v in wanted if isinstance(v, int | float) and not isinstance(v, bool)]
    words = {
        ("true" if v else "false") if isinstance(v, bool) else str(v).strip().lower()
        for v in wanted
        if isinstance(v, str | bool)
    }
    result = np.zeros(columns.size, dtype=bool)
    if numbers:
        result |= np.isin(columns.number(name), numbers)
    if words:
        text = columns.text(name)
        result |= text.lookup(np.array([value in words for value in text.uniques], dtype=bool))
    return result
