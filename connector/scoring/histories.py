"""Property value histories of leads, and their values as of a moment in the past.

HubSpot keeps every value a property has had (`propertiesWithHistory`): when it was set and
from where (`sourceType`: FORM, CRM_UI, INTEGRATION, IMPORT, AUTOMATION, …). Training on a
lead "as it was" before it converted needs those versions: `values_as_of` rebuilds a
property table at one cutoff per lead.

`ContactHistory` is what the connector keeps per contact; its compact JSON document
(schema version 1) is

    {"v": 1, "p": {property: [[timestamp_ms, value | null, source], ...]}}

with each property's changes oldest first (a `null` or "" value: the property was cleared).

Pure: the sync reads histories from the CRM and stores these records; training reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from connector.errors import LeadscoreError

HISTORY_FORMAT = 1


class HistoryError(LeadscoreError, ValueError):
    """A stored history document that is not of a known shape."""


@dataclass(frozen=True, slots=True)
class ValueChange:
    """One version of a property: `value` (None when cleared) from `at_ms` on."""

    at_ms: int
    value: str | None
    source: str


@dataclass(frozen=True)
class ContactHistory:
    """The versions of the properties read with history for one contact, oldest first.

    A property in `properties` with no change was read and never held a value; a property
    absent from it was not read with history (its past is unknown).
    """

    properties: Mapping[str, tuple[ValueChange, ...]] = field(default_factory=dict)

    @classmethod
    def from_versions(cls, versions: Mapping[str, Iterable[ValueChange]]) -> ContactHistory:
        """A history from versions in any order (HubSpot sends them newest first)."""
        return cls({
            name: tuple(sorted(changes, key=lambda c: c.at_ms))
            for name, changes in versions.items()
        })

    def first_set_ms(self, name: str) -> int | None:
        """When `name` first held a non-empty value (None: never, or not read)."""
        for change in self.properties.get(name, ()):
            if change.value not in (None, ""):
                return change.at_ms
        return None

    def value_at(self, name: str, at_ms: int) -> str | None:
        """The value `name` held just before `at_ms` (None if it held none)."""
        value: str | None = None
        for change in self.properties.get(name, ()):
            if change.at_ms >= at_ms:
                break
            value = change.value or None
        return value

    def to_json(self) -> str:
        """The compact stored document (see the module doc)."""
        return json.dumps(
            {"v": HISTORY_FORMAT,
             "p": {n: [[c.at_ms, c.value, c.source] for c in cs]
                   for n, cs in self.properties.items()}},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ContactHistory:
        """Read a stored document; raises `HistoryError` naming what is wrong."""
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise HistoryError(f"history document is not JSON: {exc}") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("p"), dict):
            raise HistoryError("history document must be an object with a 'p' object")
        version = doc.get("v")
        if version != HISTORY_FORMAT:
            raise HistoryError(f"history document version {version!r} is not {HISTORY_FORMAT}")
        properties: dict[str, tuple[ValueChange, ...]] = {}
        for name, rows in doc["p"].items():
            properties[str(name)] = tuple(_change(name, row) for row in _rows(name, rows))
        return cls(properties)


def _rows(name: str, rows: Any) -> list[Any]:
    if not isinstance(rows, list):
        raise HistoryError(f"history of {name!r} must be a list")
    return rows


def _change(name: str, row: Any) -> ValueChange:
    ok = (
        isinstance(row, list) and len(row) == 3
        and isinstance(row[0], int) and not isinstance(row[0], bool)
        and (row[1] is None or isinstance(row[1], str)) and isinstance(row[2], str)
    )
    if not ok:
        raise HistoryError(f"history of {name!r}: a change must be [ms, value|null, source]")
    return ValueChange(row[0], row[1], row[2])


def values_as_of(
    contacts: pd.DataFrame,
    histories: Mapping[str, ContactHistory],
    cutoffs_ms: pd.Series,
) -> pd.DataFrame:
    """`contacts` with every property that has a history set to its value at the cutoff.

    `contacts` is indexed by contact id (str); `cutoffs_ms` (epoch ms, aligned with it) is
    each lead's moment. A property read with history for a contact takes the value it held
    just before the cutoff (None if it held none); other cells keep their current value.
    """
    out = contacts.copy()
    cutoffs = cutoffs_ms.reindex(contacts.index).to_numpy(dtype=np.int64)
    positions = {cid: i for i, cid in enumerate(contacts.index.astype(str))}
    columns = {c: out.columns.get_loc(c) for c in out.columns}
    cells: dict[str, tuple[list[int], list[str | None]]] = {}
    for cid, history in histories.items():
        row = positions.get(cid)
        if row is None:
            continue
        at = int(cutoffs[row])
        for name in history.properties:
            if name in columns:
                rows, values = cells.setdefault(name, ([], []))
                rows.append(row)
                values.append(history.value_at(name, at))
    for name, (rows, values) in cells.items():
        column = out[name].astype(object).to_numpy(copy=True)
        column[np.asarray(rows, dtype=np.int64)] = np.asarray(values, dtype=object)
        out[name] = column
    return out
