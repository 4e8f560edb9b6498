"""Short signed reasons from a ledger, for a million leads without a loop per lead.

A lead's reasons are its top N ledger entries by absolute points, e.g.
`+30 Requested a demo (12 days ago); -15 Student`, then the predictive model's own reasons.

The top entries come from a few `argmax` passes over the points matrix. Each distinct
(entry, rounded points, age in days) slot is formatted once in Python; each lead's shown
slots are then joined with one `str.join` (about half a second per million leads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from connector.scoring.ledger import LedgerEntry

SEPARATOR = "; "
_POINT_SPAN = 100_000
_DAY_SPAN = 100_000


@dataclass(frozen=True)
class ReasonInputs:
    """What reasons are built from: a ledger's matrices plus each entry's signal age."""

    entries: Sequence[LedgerEntry]
    points: np.ndarray
    fired: np.ndarray
    age_days: np.ndarray
    """Leads × entries, age in days of each entry's signal (NaN when unknown or not shown)."""


def rule_reasons(inputs: ReasonInputs, top: int) -> np.ndarray:
    """The top `top` signed reasons of every lead, joined by "; " (object array of str).

    Exclusions that fired come first; then entries by absolute points (ties by entry order),
    skipping entries whose points round to 0.
    """
    n, m = inputs.points.shape
    if n == 0 or m == 0:
        return np.full(n, "", dtype=object)
    is_exclusion = np.array([entry.kind == "exclusion" for entry in inputs.entries])
    # Rank key: exclusions above any points, hidden entries below zero; ties by entry order.
    # Built in place: one leads × entries matrix, not one per step.
    key = np.abs(np.rint(inputs.points), dtype=np.float32)
    key[key < 1] = -1
    key[inputs.fired & is_exclusion[None, :]] = 1e9
    key -= (np.arange(m, dtype=np.float32) * np.float32(1e-3))[None, :]
    rows = np.arange(n)
    slots = []
    # k passes of argmax beat a full argsort/argpartition of the matrix in time and memory.
    for _ in range(min(top, m)):
        chosen = key.argmax(axis=1)
        shown = key[rows, chosen] > 0
        key[rows, chosen] = -2
        points = np.rint(inputs.points[rows, chosen]).astype(np.int64)
        age = inputs.age_days[rows, chosen]
        days = np.where(np.isnan(age) | (age < 0), -1, np.rint(np.nan_to_num(age)))
        days = np.clip(days, -1, _DAY_SPAN - 2).astype(np.int64)
        points = np.clip(points, -_POINT_SPAN // 2 + 1, _POINT_SPAN // 2 - 1) + _POINT_SPAN // 2
        code = (chosen.astype(np.int64) * _POINT_SPAN + points) * _DAY_SPAN + (days + 1)
        slots.append(np.where(shown, code, -1))
    return _join_slots(np.column_stack(slots), inputs.entries)


def model_reason_text(model: np.ndarray, top: int) -> np.ndarray:
    """Each lead's first `top` model reasons joined by "; " ("" when none)."""
    return np.array(
        [SEPARATOR.join(extra[:top]) if extra and top > 0 else "" for extra in model],
        dtype=object,
    )


def merge_model_reasons(rules: np.ndarray, model_text: np.ndarray | None) -> np.ndarray:
    """Rule reasons followed by the model's (`model_reason_text`) for each lead."""
    if model_text is None:
        return rules
    if len(model_text) != len(rules):
        raise ValueError(f"{len(model_text)} model reasons for {len(rules)} leads")
    both = (rules != "") & (model_text != "")
    # Object-array `+` concatenates in one C loop instead of a Python loop per lead.
    joined = rules + np.where(both, SEPARATOR, "").astype(object) + model_text
    return np.asarray(joined, dtype=object)


def _join_slots(codes: np.ndarray, entries: Sequence[LedgerEntry]) -> np.ndarray:
    """Format each distinct slot once, then join each lead's shown slots.

    Hidden slots sort last, so a lead with c shown slots joins its first c; leads are
    grouped by c so the per-lead work is one C-level `str.join`.
    """
    n, k = codes.shape
    inverse, distinct = pd.factorize(codes.ravel())
    texts = np.array([_format(int(code), entries) for code in distinct], dtype=object)
    slot_text = inverse.reshape(n, k)
    shown_count = (codes >= 0).sum(axis=1)
    result = np.full(n, "", dtype=object)
    for count in range(1, k + 1):
        rows = np.flatnonzero(shown_count == count)
        if len(rows) == 0:
            continue
        parts = [texts[slot_text[rows, slot]] for slot in range(count)]
        result[rows] = [SEPARATOR.join(slots) for slots in zip(*parts, strict=True)]
    return result


def _format(code: int, entries: Sequence[LedgerEntry]) -> str:
    if code < 0:
        return ""
    days = code % _DAY_SPAN - 1
    rest = code // _DAY_SPAN
    points = rest % _POINT_SPAN - _POINT_SPAN // 2
    entry = entries[rest // _POINT_SPAN]
    if entry.kind == "exclusion":
        return f"Excluded: {entry.label}"
    text = f"{points:+d} {entry.label}"
    if days >= 0:
        if entry.id == "inactivity":
            text += f" (for {days} days)"
        else:
            text += " (today)" if days == 0 else f" ({days} day{'s' if days != 1 else ''} ago)"
    return text
