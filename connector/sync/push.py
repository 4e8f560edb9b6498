"""Writing scores back: batches of 100, confirmed per contact, failures kept for a retry.

Before a write the contact's state already holds the values as `pending_values` (so a crash
between the write and its confirmation only means the next pass sends them again, which is
idempotent). The CRM's answer decides each contact: updated → `mark_written`; a 207/400
failure → `mark_failed` (retried next pass); a contact the CRM no longer has → forgotten.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from connector.crm import RECORD_GONE, CrmSession, ObjectType, RecordUpdate
from connector.store import Store

log = logging.getLogger(__name__)

RETRY_BATCH = 1000
MAX_WRITE_ATTEMPTS = 5
"""A write refused this often is no longer retried on its own; new inputs retry it."""


@dataclass(frozen=True)
class WriteOutcome:
    """How many contacts HubSpot confirmed, refused, or no longer has."""

    written: int = 0
    failed: int = 0
    forgotten: int = 0


def write_values(
    crm: CrmSession,
    store: Store,
    portal_id: int,
    updates: Mapping[int, Mapping[str, str]],
) -> WriteOutcome:
    """Send `updates` (contact id → values) and record each contact's outcome in the store."""
    if not updates:
        return WriteOutcome()
    result = crm.update(
        ObjectType.CONTACTS,
        [RecordUpdate(id=str(cid), properties=dict(values)) for cid, values in updates.items()],
    )
    written = [int(i) for i in result.updated_ids]
    store.contacts.mark_written(portal_id, written)
    failed: dict[int, str] = {}
    gone: list[int] = []
    for failure in result.failures:
        for raw_id in failure.ids:
            if not raw_id.isdigit():
                continue
            if failure.category == RECORD_GONE:
                gone.append(int(raw_id))
            else:
                failed[int(raw_id)] = failure.message or (failure.category or "write failed")
    store.contacts.mark_failed(portal_id, failed)
    if gone:
        store.contacts.delete(portal_id, gone)
    if failed:
        log.warning("portal %s: HubSpot refused %d of %d contact writes (first: %s); "
                    "they are retried next pass", portal_id, len(failed), len(updates),
                    next(iter(failed.values()))[:200])
    return WriteOutcome(written=len(written), failed=len(failed), forgotten=len(gone))


def retry_pending(
    crm: CrmSession, store: Store, portal_id: int, skip: Sequence[int] = ()
) -> WriteOutcome:
    """Send again every write not yet confirmed (failed, or cut short by a crash)."""
    totals = WriteOutcome()
    after = 0
    skipped = set(skip)
    while True:
        states = store.contacts.pending_writes(portal_id, limit=RETRY_BATCH, after_id=after)
        if not states:
            return totals
        after = states[-1].contact_id
        updates = {
            s.contact_id: s.pending_values
            for s in states
            if s.pending_values
            and s.contact_id not in skipped
            and s.write_attempts < MAX_WRITE_ATTEMPTS
        }
        outcome = write_values(crm, store, portal_id, updates)
        totals = WriteOutcome(totals.written + outcome.written, totals.failed + outcome.failed,
                              totals.forgotten + outcome.forgotten)
