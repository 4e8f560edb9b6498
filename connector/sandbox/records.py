"""Stored CRM objects: immutable records in an id-ordered store, and the lagging search index.

Records are replaced, never mutated, on every write. That makes eventual consistency cheap:
the search index keeps references to older versions until their visibility delay passes.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connector.sandbox.values import iso_from_ms


@dataclass(frozen=True, slots=True)
class Record:
    """One CRM object version: string property values keyed by name (absent = empty)."""

    id: int
    properties: dict[str, str]
    created_ms: int
    updated_ms: int
    archived: bool = False
    archived_ms: int | None = None

    def to_json(self, names: tuple[str, ...] | None, defined: frozenset[str]) -> dict[str, Any]:
        """HubSpot's SimplePublicObject: defined-but-empty → null, unknown names omitted."""
        props = self.properties
        if names is None:
            shown: dict[str, str | None] = dict(props)
        else:
            shown = {n: props.get(n) for n in names if n in defined}
        body: dict[str, Any] = {
            "id": str(self.id),
            "properties": shown,
            "createdAt": iso_from_ms(self.created_ms),
            "updatedAt": iso_from_ms(self.updated_ms),
            "archived": self.archived,
        }
        if self.archived_ms is not None:
            body["archivedAt"] = iso_from_ms(self.archived_ms)
        return body


class ObjectStore:
    """Live records of one object type in id order, plus archived ones.

    `ids` stays sorted because ids are allocated increasingly, so list paging is a bisect
    and batch updates are dict lookups.
    """

    def __init__(self, first_id: int) -> None:
        self.records: dict[int, Record] = {}
        self.archived: dict[int, Record] = {}
        self.ids: list[int] = []
        self._next_id = first_id

    def __len__(self) -> int:
        return len(self.records)

    def allocate_id(self) -> int:
        """The next unused id."""
        new_id = self._next_id
        self._next_id += 1
        return new_id

    def put(self, record: Record) -> None:
        """Insert a new record or replace the current version of an existing one."""
        if record.id not in self.records:
            if self.ids and record.id < self.ids[-1]:
                self.ids.insert(bisect_left(self.ids, record.id), record.id)
            else:
                self.ids.append(record.id)
            self._next_id = max(self._next_id, record.id + 1)
        self.records[record.id] = record

    def get(self, record_id: int) -> Record | None:
        """The live record with that id, if any."""
        return self.records.get(record_id)

    def archive(self, record_id: int, now_ms: int) -> Record | None:
        """Move a record to the archive; returns the archived version or None if unknown."""
        record = self.records.pop(record_id, None)
        if record is None:
            return None
        del self.ids[bisect_left(self.ids, record_id)]
        archived = Record(record.id, record.properties, record.created_ms, now_ms, True, now_ms)
        self.archived[record_id] = archived
        return archived

    def page(self, after: int, limit: int) -> tuple[list[Record], int | None]:
        """Up to `limit` live records with id ≥ `after`, and the cursor of the next page."""
        start = bisect_left(self.ids, after)
        chunk = self.ids[start : start + limit + 1]
        records = [self.records[i] for i in chunk[:limit]]
        next_after = chunk[limit] if len(chunk) > limit else None
        return records, next_after

    def archived_page(self, after: int, limit: int) -> tuple[list[Record], int | None]:
        """Like `page`, over archived records."""
        ids = sorted(i for i in self.archived if i >= after)
        records = [self.archived[i] for i in ids[:limit]]
        return records, (ids[limit] if len(ids) > limit else None)


class SearchIndex:
    """What search sees: record versions that become visible `delay_s` after each write.

    HubSpot's search is eventually consistent; a client that trusts a search right after a
    write sees the old values (or no record). Pending versions wait in a FIFO queue (writes
    arrive in time order, so the queue is ordered by due time too).
    """

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self._visible: dict[int, Record] = {}
        self._pending: deque[tuple[float, int, Record | None]] = deque()

    def stage(self, record_id: int, record: Record | None) -> None:
        """Schedule a new version (None = deleted) to become searchable after the delay."""
        if self.delay_s <= 0 and not self._pending:
            self._apply(record_id, record)
            return
        self._pending.append((time.monotonic() + self.delay_s, record_id, record))

    def load(self, records: dict[int, Record]) -> None:
        """Make a whole data set visible at once (seeding and reset)."""
        self._visible = dict(records)
        self._pending.clear()

    def visible(self) -> Iterator[Record]:
        """Every record search can currently see, in id order."""
        self._catch_up()
        return iter(self._visible.values())

    def pending_count(self) -> int:
        """How many writes are not yet visible to search."""
        self._catch_up()
        return len(self._pending)

    def _catch_up(self) -> None:
        now = time.monotonic()
        pending = self._pending
        while pending and pending[0][0] <= now:
            _, record_id, record = pending.popleft()
            self._apply(record_id, record)

    def _apply(self, record_id: int, record: Record | None) -> None:
        visible = self._visible
        if record is None:
            visible.pop(record_id, None)
            return
        out_of_order = (
            bool(visible) and record_id not in visible and record_id < next(reversed(visible))
        )
        visible[record_id] = record
        if out_of_order:
            # A lower id appearing late (explicit ids only): re-sort to keep id order.
            self._visible = dict(sorted(visible.items()))
