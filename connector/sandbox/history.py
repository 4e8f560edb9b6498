"""Property value history, as `propertiesWithHistory` reads it.

HubSpot keeps every value a property has had, with when and from where it was set, and
returns the versions newest first. The portal records a version on every write that
changes a value; seeded records bring the versions the generator knows (lifecycle stage and
deal stage changes). A property with a value but no recorded version (other seeded values)
reports its current value once, stamped with the record's last change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector.sandbox.records import Record
from connector.sandbox.values import iso_from_ms


@dataclass(frozen=True, slots=True)
class Version:
    """One value a property had: `value` ("" when it was cleared), since `timestamp_ms`."""

    value: str
    timestamp_ms: int
    source_type: str

    def to_json(self) -> dict[str, Any]:
        """HubSpot's ValueWithTimestamp shape."""
        return {
            "value": self.value,
            "timestamp": iso_from_ms(self.timestamp_ms),
            "sourceType": self.source_type,
        }


class PropertyHistory:
    """Versions per record and property of one object type. Callers hold the portal lock."""

    def __init__(self) -> None:
        # record id → property → versions, oldest first (appends are the common case)
        self._versions: dict[int, dict[str, list[Version]]] = {}

    def copy(self) -> PropertyHistory:
        """An independent copy (snapshots and reset)."""
        other = PropertyHistory()
        other._versions = {
            i: {name: list(vs) for name, vs in props.items()} for i, props in self._versions.items()
        }
        return other

    def seed(self, record_id: int, versions: Mapping[str, tuple[Version, ...]]) -> None:
        """Load known versions of a seeded record (any order)."""
        if versions:
            self._versions[record_id] = {
                name: sorted(vs, key=lambda v: v.timestamp_ms) for name, vs in versions.items()
            }

    def record(
        self,
        before: Record | None,
        record_id: int,
        changes: Mapping[str, str],
        timestamp_ms: int,
        source_type: str,
    ) -> None:
        """Add a version for every changed property (`before`: the record as it was, None
        on creation). A value seeded without history first becomes a version of its own, so
        the change does not erase what the property held."""
        props = self._versions.setdefault(record_id, {})
        for name, value in changes.items():
            versions = props.setdefault(name, [])
            old = before.properties.get(name) if before is not None else None
            if not versions and old:
                versions.append(Version(old, before.updated_ms if before else 0, "API"))
            versions.append(Version(value, timestamp_ms, source_type))

    def versions_json(self, record: Record, name: str) -> list[dict[str, Any]]:
        """The versions of one property, newest first, in HubSpot's JSON."""
        known = self._versions.get(record.id, {}).get(name)
        if known:
            return [v.to_json() for v in reversed(known)]
        current = record.properties.get(name)
        if not current:
            return []
        return [Version(current, record.updated_ms, "API").to_json()]
