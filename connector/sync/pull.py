"""Reading contacts in chunks, and the engagements of exactly the contacts of a chunk.

A chunk is what a pass confirms at once: about `chunk_size` contacts (10 list pages or 5
search pages), so associations (≤1,000 inputs per call, one call per engagement kind) and
engagement batch reads (≤100 per call) run near their minimum number of calls. Each chunk
carries the cursor to save once its writes are confirmed.

- Full sync: the list endpoint's `after` token.
- Incremental sync: the compound cursor. Every search is a fresh query for
  `lastmodifieddate >= window_start` sorted by `hs_object_id` and continuing after the last
  id seen, so thousands of contacts sharing one timestamp never loop and are never skipped,
  and HubSpot's 10,000-results-per-query cap is never reached. The window is open-ended
  (anything modified while the pass runs and past the id cursor is taken now; the rest is
  taken by the next pass, whose window starts before this pass began).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from connector.crm import CrmRecord, CrmSession, ObjectType
from connector.store import SyncCursor

CONTACTS_STREAM = ObjectType.CONTACTS.value
"""The cursor of the contact sync (phase `full` or `incremental`); every object type's
stream is named by its `ObjectType` value the same way."""
PASS_SUFFIX = ".pass"
"""`<stream>.pass` records when the stream's pass under way began (its `window_start`)."""
PASS_STREAM = CONTACTS_STREAM + PASS_SUFFIX

FULL = "full"
INCREMENTAL = "incremental"
LIST_PAGE = 100
SEARCH_PAGE = 200


@dataclass(frozen=True)
class Chunk:
    """Contacts to process together, and the cursor to save once they are confirmed."""

    records: tuple[CrmRecord, ...]
    resume: SyncCursor
    last: bool


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def full_chunks(
    crm: CrmSession, properties: Sequence[str], cursor: SyncCursor, chunk_size: int,
    object_type: ObjectType = ObjectType.CONTACTS,
) -> Iterator[Chunk]:
    """Every record of a type by list paging, from `cursor.full_after`, chunk by chunk."""
    pages_per_chunk = max(1, chunk_size // LIST_PAGE)
    records: list[CrmRecord] = []
    pages = 0
    for page in crm.list_pages(object_type, properties, after=cursor.full_after):
        records.extend(page.records)
        pages += 1
        last = page.next_after is None
        if pages >= pages_per_chunk or last:
            yield Chunk(tuple(records), replace(cursor, full_after=page.next_after), last)
            records, pages = [], 0


def incremental_chunks(
    crm: CrmSession, properties: Sequence[str], cursor: SyncCursor, chunk_size: int,
    object_type: ObjectType = ObjectType.CONTACTS,
) -> Iterator[Chunk]:
    """Records modified since `cursor.window_start`, after `cursor.last_object_id`, by id."""
    start = cursor.window_start or datetime(1970, 1, 1, tzinfo=UTC)
    after = str(cursor.last_object_id) if cursor.last_object_id is not None else None
    records: list[CrmRecord] = []
    for page in crm.modified_pages(object_type, _ms(start), properties, after_id=after):
        records.extend(page.records)
        last = not page.has_more or not page.records
        if len(records) >= chunk_size or last:
            last_id = int(page.last_id) if page.last_id is not None else cursor.last_object_id
            yield Chunk(tuple(records), replace(cursor, last_object_id=last_id), last)
            records = []
