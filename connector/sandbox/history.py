"""Property value history, as `propertiesWithHistory` reads it.

HubSpot keeps every value a property has had, with when and from where it was set, and
returns the versions newest first in its ValueWithTimestamp shape (`value`, `timestamp`,
`sourceType`, and where known `sourceId`, `sourceLabel`, `updatedByUserId`). The portal
records a version on every write that changes a value (`WriteSource` says who wrote it);
seeded records bring the versions the generator knows, held column-wise
(`SeededVersions`) so that seeding a large portal costs a sort, not an object per version.

A property with a value but no known version (a seeded value the generator kept no history
for) reports its current value once: a date-time value from its own instant (a "last
activity" date became true then), any other value from the record's creation; its source
is CALCULATED for the properties HubSpot computes, IMPORT otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from connector.sandbox.records import Record
from connector.sandbox.values import iso_from_ms, parse_time_ms

SANDBOX_USER_ID = 7_100_001
"""The HubSpot user of the sandbox's portals: who edits records in the UI (`CRM_UI`)."""


@dataclass(frozen=True, slots=True)
class Version:
    """One value a property had: `value` ("" when it was cleared), since `timestamp_ms`."""

    value: str
    timestamp_ms: int
    source_type: str
    source_id: str | None = None
    source_label: str | None = None
    updated_by_user_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """HubSpot's ValueWithTimestamp shape (the optional fields only where known)."""
        body: dict[str, Any] = {
            "value": self.value,
            "timestamp": iso_from_ms(self.timestamp_ms),
            "sourceType": self.source_type,
        }
        if self.source_id is not None:
            body["sourceId"] = self.source_id
        if self.source_label is not None:
            body["sourceLabel"] = self.source_label
        if self.updated_by_user_id is not None:
            body["updatedByUserId"] = self.updated_by_user_id
        return body


@dataclass(frozen=True, slots=True)
class WriteSource:
    """Who made a write: the history's `sourceType`/`sourceId`/`sourceLabel`/user and the
    webhook's `changeSource`/`sourceId`, which HubSpot fills from the same facts."""

    source_type: str
    source_id: str | None = None
    source_label: str | None = None
    user_id: int | None = None

    @classmethod
    def of(cls, source: str | WriteSource) -> WriteSource:
        """A source given by its type alone (`"CALCULATED"`) or in full."""
        if isinstance(source, WriteSource):
            return source
        if source == "CRM_UI":
            return crm_ui(SANDBOX_USER_ID)
        return cls(source)

    def version(self, value: str, at_ms: int) -> Version:
        """The version this source leaves when it sets `value` at `at_ms`."""
        return Version(
            value, at_ms, self.source_type, self.source_id, self.source_label, self.user_id
        )


Source = str | WriteSource
"""What write methods accept as their author."""


def crm_ui(user_id: int) -> WriteSource:
    """A user editing in HubSpot's UI: HubSpot names the user (`userId:<id>`)."""
    return WriteSource("CRM_UI", f"userId:{user_id}", None, user_id)


def integration(app_id: int, label: str | None = None) -> WriteSource:
    """An app writing through the API with its token: INTEGRATION, `sourceId` the app id."""
    return WriteSource("INTEGRATION", str(app_id), label)


@dataclass(frozen=True)
class SeededVersions:
    """Generated versions, column-wise and sorted by record id (then property, then time).

    `user_id` is -1 where no user made the change; a CRM_UI change by a user reports
    `sourceId` `userId:<id>` and `updatedByUserId`, as HubSpot does.
    """

    record_id: NDArray[np.int64]
    property: NDArray[np.object_]
    value: NDArray[np.object_]
    timestamp_ms: NDArray[np.int64]
    source: NDArray[np.object_]
    user_id: NDArray[np.int64]

    @classmethod
    def build(
        cls,
        record_id: NDArray[np.int64],
        property: NDArray[np.object_],
        value: NDArray[np.object_],
        timestamp_ms: NDArray[np.int64],
        source: NDArray[np.object_],
        user_id: NDArray[np.int64],
    ) -> SeededVersions:
        """Versions in any order, sorted for lookup."""
        order = np.lexsort((timestamp_ms, property.astype(str), record_id))
        return cls(
            record_id[order],
            property[order],
            value[order],
            timestamp_ms[order],
            source[order],
            user_id[order],
        )

    def of_record(self, record_id: int) -> dict[str, list[Version]]:
        """The versions of one record by property, oldest first."""
        lo, hi = np.searchsorted(self.record_id, [record_id, record_id + 1])
        out: dict[str, list[Version]] = {}
        for i in range(int(lo), int(hi)):
            user, kind = int(self.user_id[i]), str(self.source[i])
            source = crm_ui(user) if user >= 0 and kind == "CRM_UI" else WriteSource(kind)
            out.setdefault(str(self.property[i]), []).append(
                source.version(str(self.value[i]), int(self.timestamp_ms[i]))
            )
        return out


class PropertyHistory:
    """Versions per record and property of one object type. Callers hold the portal lock.

    `calculated` names the properties HubSpot computes (the source of their unrecorded
    values); `derived` those whose history is computed from other objects when asked
    (`versions_json` leaves them to the caller, and writes to them are not stored).
    """

    def __init__(
        self, calculated: frozenset[str] = frozenset(), derived: frozenset[str] = frozenset()
    ) -> None:
        self.calculated = calculated
        self.derived = derived
        # record id → property → versions, oldest first (appends are the common case)
        self._versions: dict[int, dict[str, list[Version]]] = {}
        self._seeded: list[SeededVersions] = []

    def copy(self) -> PropertyHistory:
        """An independent copy (snapshots and reset); seeded columns are shared (immutable)."""
        other = PropertyHistory(self.calculated, self.derived)
        other._versions = {
            i: {name: list(vs) for name, vs in props.items()} for i, props in self._versions.items()
        }
        other._seeded = list(self._seeded)
        return other

    def seed(self, record_id: int, versions: Mapping[str, Sequence[Version]]) -> None:
        """Load known versions of a seeded record (any order)."""
        if versions:
            props = self._versions.setdefault(record_id, {})
            for name, vs in versions.items():
                props[name] = sorted([*props.get(name, ()), *vs], key=lambda v: v.timestamp_ms)

    def seed_columns(self, versions: SeededVersions) -> None:
        """Load generated versions held column-wise (see `SeededVersions`)."""
        if len(versions.record_id):
            self._seeded.append(versions)

    def record(
        self,
        before: Record | None,
        record_id: int,
        changes: Mapping[str, str],
        timestamp_ms: int,
        source: WriteSource,
    ) -> None:
        """Add a version for every changed property (`before`: the record as it was, None
        on creation). A value seeded without history first becomes a version of its own, so
        the change does not erase what the property held."""
        props = self._versions.setdefault(record_id, {})
        for name, value in changes.items():
            if name in self.derived:
                continue
            versions = props.get(name)
            if versions is None:
                versions = props[name] = []
                old = before.properties.get(name) if before is not None else None
                if before is not None and old and not self._seeded_versions(record_id, name):
                    versions.append(self._unrecorded(before, name, old))
            versions.append(source.version(value, timestamp_ms))

    def versions(self, record: Record, name: str) -> list[Version]:
        """The versions of one property, oldest first (one for an unrecorded value)."""
        known = [*self._seeded_versions(record.id, name), *self._live(record.id, name)]
        if known:
            return known
        current = record.properties.get(name)
        return [self._unrecorded(record, name, current)] if current else []

    def versions_json(self, record: Record, name: str) -> list[dict[str, Any]]:
        """The versions of one property, newest first, in HubSpot's JSON."""
        return [v.to_json() for v in reversed(self.versions(record, name))]

    def _live(self, record_id: int, name: str) -> list[Version]:
        return self._versions.get(record_id, {}).get(name, [])

    def _seeded_versions(self, record_id: int, name: str) -> list[Version]:
        found: list[Version] = []
        for chunk in self._seeded:
            found.extend(chunk.of_record(record_id).get(name, ()))
        return sorted(found, key=lambda v: v.timestamp_ms) if len(self._seeded) > 1 else found

    def _unrecorded(self, record: Record, name: str, value: str) -> Version:
        at = record.created_ms
        if _looks_like_instant(value):
            own = parse_time_ms(value)
            if own is not None:
                at = min(max(own, record.created_ms), max(record.updated_ms, record.created_ms))
        return Version(value, at, "CALCULATED" if name in self.calculated else "IMPORT")


def _looks_like_instant(value: str) -> bool:
    # ISO 8601 date-times only: "17" is a number, not 17 ms after the epoch.
    return len(value) >= 10 and value[4] == "-" and value[7] == "-"
