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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connector.store import Store, SyncCursor
from connector.sync.process import ContactProcessor
from connector.sync.pull import (
    CONTACTS_STREAM,
    FULL,
    INCREMENTAL,
    PASS_STREAM,
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


def starting_cursor(store: Store, portal_id: int, full: bool) -> SyncCursor:
    """Where this pass starts: a full sync when asked, never synced, or one under way."""
    cursor = store.cursors.get(portal_id, CONTACTS_STREAM)
    if cursor is None or (full and cursor.phase != FULL):
        return SyncCursor(portal_id=portal_id, stream=CONTACTS_STREAM, phase=FULL)
    return cursor


def pass_start(store: Store, portal_id: int, dry_run: bool) -> datetime:
    """When the pass under way began (a resumed pass keeps the first start)."""
    record = store.cursors.get(portal_id, PASS_STREAM)
    if record is not None and record.window_start is not None:
        return record.window_start
    started = _now()
    if not dry_run:
        store.cursors.save(SyncCursor(portal_id=portal_id, stream=PASS_STREAM, phase="running",
                                      window_start=started))
    return started


def run_contact_pass(
    store: Store,
    processor: ContactProcessor,
    report: PassReport,
    options: PassOptions,
) -> PassReport:
    """Run one pass with `processor` (bound to the portal's CRM session), filling `report`."""
    portal_id = processor.portal_id
    crm = processor.crm
    if not options.dry_run:
        retried = retry_pending(crm, store, portal_id)
        report.retried_writes += retried.written + retried.failed
        report.contacts_written += retried.written
        report.contacts_failed += retried.failed
        report.forgotten += retried.forgotten
    cursor = starting_cursor(store, portal_id, options.full)
    started = pass_start(store, portal_id, options.dry_run)
    report.kind = "full" if cursor.phase == FULL else "incremental"
    log.info("portal %s: %s pass from %s", portal_id, report.kind, _describe(cursor))
    chunks = (
        full_chunks(crm, processor.properties, cursor, options.chunk_size)
        if cursor.phase == FULL
        else incremental_chunks(crm, processor.properties, cursor, options.chunk_size)
    )
    for chunk in chunks:
        processor.process(chunk.records, report, check_properties=cursor.phase != FULL)
        report.chunks += 1
        if not options.dry_run and not chunk.last:
            store.cursors.save(chunk.resume)
            if options.on_cursor is not None:
                options.on_cursor()
        if options.on_chunk is not None:
            options.on_chunk(report)
        if chunk.last:
            break
        if any(event.is_set() for event in options.stops):
            report.stopped = True
            log.info("portal %s: stop requested; cursor saved after chunk %d", portal_id,
                     report.chunks)
            return report
    if not options.dry_run:
        store.cursors.save(SyncCursor(portal_id=portal_id, stream=CONTACTS_STREAM,
                                      phase=INCREMENTAL, window_start=started - options.overlap))
        store.cursors.reset(portal_id, PASS_STREAM)
    report.completed = True
    return report


def _describe(cursor: SyncCursor) -> str:
    if cursor.phase == FULL:
        return "the start" if cursor.full_after is None else f"page token {cursor.full_after}"
    start = cursor.window_start.isoformat() if cursor.window_start else "the beginning"
    after = f", after id {cursor.last_object_id}" if cursor.last_object_id else ""
    return f"{start}{after}"
