"""One sync pass over a portal: full (list paging) or incremental (compound cursor).

The cursor moves only after a chunk's writes are confirmed, so a crash (even `kill -9`) at
any moment repeats at most the chunk under way, and repeating it is harmless: contacts whose
values were confirmed are recognised as unchanged, and unconfirmed writes are sent again.
A stop request (SIGTERM) is honoured between chunks: the current chunk finishes, its cursor
is saved, and the pass returns with `stopped=True`.

When the pass starts it records its start time (stream `contacts.pass`), kept across a
crash; the pass that completes sets the next window to start `overlap` before it, which
also covers search's eventual consistency.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connector.crm import CrmRecord, CrmSession, ObjectType
from connector.store import Store, SyncCursor
from connector.sync.process import ContactProcessor
from connector.sync.pull import (
    CONTACTS_STREAM,
    FULL,
    INCREMENTAL,
    PASS_SUFFIX,
    full_chunks,
    incremental_chunks,
)
from connector.sync.push import retry_pending
from connector.sync.report import PassReport

log = logging.getLogger(__name__)

ChunkCallback = Callable[[PassReport], None]


@dataclass(frozen=True)
class PassOptions:
    """How a pass runs: chunk size, window overlap, dry run, stop event, progress hook."""

    full: bool = False
    dry_run: bool = False
    chunk_size: int = 1000
    overlap: timedelta = timedelta(minutes=2)
    stops: tuple[threading.Event, ...] = ()
    """Any of these set stops the pass after the current chunk (SIGTERM, a lost lease)."""
    on_chunk: ChunkCallback | None = None
    on_cursor: Callable[[], object] | None = None
    """Called after each saved cursor (lease renewal hooks in here)."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class StreamOutcome:
    """How one stream's pass went: its kind, chunks handled, and how it ended."""

    kind: str = FULL
    chunks: int = 0
    completed: bool = False
    stopped: bool = False


RecordHandler = Callable[[Sequence[CrmRecord], bool], None]
"""Handles one chunk of a stream's records; the flag says the pass is incremental."""


def starting_cursor(store: Store, portal_id: int, full: bool,
                    stream: str = CONTACTS_STREAM) -> SyncCursor:
    """Where this pass starts: a full sync when asked, never synced, or one under way."""
    cursor = store.cursors.get(portal_id, stream)
    if cursor is None or (full and cursor.phase != FULL):
        return SyncCursor(portal_id=portal_id, stream=stream, phase=FULL)
    return cursor


def pass_start(store: Store, portal_id: int, dry_run: bool,
               stream: str = CONTACTS_STREAM) -> datetime:
    """When the pass under way began (a resumed pass keeps the first start)."""
    record = store.cursors.get(portal_id, stream + PASS_SUFFIX)
    if record is not None and record.window_start is not None:
        return record.window_start
    started = _now()
    if not dry_run:
        store.cursors.save(SyncCursor(portal_id=portal_id, stream=stream + PASS_SUFFIX,
                                      phase="running", window_start=started))
    return started


def run_stream_pass(
    store: Store,
    crm: CrmSession,
    object_type: ObjectType,
    properties: Sequence[str],
    handle: RecordHandler,
    options: PassOptions,
    after_chunk: Callable[[], None] | None = None,
) -> StreamOutcome:
    """One pass over a stream: full (list paging) or incremental (compound cursor),
    `handle` called per chunk, the cursor saved after each handled chunk, then
    `after_chunk`."""
    portal_id = crm.hub_id
    stream = object_type.value
    cursor = starting_cursor(store, portal_id, options.full, stream)
    started = pass_start(store, portal_id, options.dry_run, stream)
    outcome = StreamOutcome(kind=FULL if cursor.phase == FULL else INCREMENTAL)
    log.info("portal %s: %s %s pass from %s", portal_id, outcome.kind, stream,
             _describe(cursor))
    chunks = (
        full_chunks(crm, properties, cursor, options.chunk_size, object_type)
        if cursor.phase == FULL
        else incremental_chunks(crm, properties, cursor, options.chunk_size, object_type)
    )
    for chunk in chunks:
        handle(chunk.records, cursor.phase != FULL)
        outcome.chunks += 1
        if not options.dry_run and not chunk.last:
            store.cursors.save(chunk.resume)
            if options.on_cursor is not None:
                options.on_cursor()
        if after_chunk is not None:
            after_chunk()
        if chunk.last:
            break
        if any(event.is_set() for event in options.stops):
            outcome.stopped = True
            log.info("portal %s: stop requested; %s cursor saved after chunk %d", portal_id,
                     stream, outcome.chunks)
            return outcome
    if not options.dry_run:
        store.cursors.save(SyncCursor(portal_id=portal_id, stream=stream, phase=INCREMENTAL,
                                      window_start=started - options.overlap))
        store.cursors.reset(portal_id, stream + PASS_SUFFIX)
    outcome.completed = True
    return outcome


def run_contact_pass(
    store: Store,
    processor: ContactProcessor,
    report: PassReport,
    options: PassOptions,
) -> PassReport:
    """Run one contact pass with `processor` (bound to the portal's CRM session)."""
    crm = processor.crm
    if not options.dry_run:
        retried = retry_pending(crm, store, processor.portal_id)
        report.retried_writes += retried.written + retried.failed
        report.contacts_written += retried.written
        report.contacts_failed += retried.failed
        report.forgotten += retried.forgotten

    def handle(records: Sequence[CrmRecord], incremental: bool) -> None:
        processor.process(records, report, check_properties=incremental)
        report.chunks += 1

    def progress() -> None:
        if options.on_chunk is not None:
            options.on_chunk(report)

    outcome = run_stream_pass(store, crm, ObjectType.CONTACTS, processor.properties, handle,
                              options, progress)
    report.kind = "full" if outcome.kind == FULL else "incremental"
    report.stopped = outcome.stopped
    report.completed = outcome.completed
    return report


def _describe(cursor: SyncCursor) -> str:
    if cursor.phase == FULL:
        return "the start" if cursor.full_after is None else f"page token {cursor.full_after}"
    start = cursor.window_start.isoformat() if cursor.window_start else "the beginning"
    after = f", after id {cursor.last_object_id}" if cursor.last_object_id else ""
    return f"{start}{after}"
