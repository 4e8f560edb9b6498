"""Keeping contacts' property histories current in the store, reading only the stale ones.

Point-in-time training needs each contact's property versions. Reading them costs one
call per 50 contacts, so a stored history is reused while it still tells the truth: it was
read for the same property set (`store.properties_key`) and no later than the contact's
last modification. Histories are stored batch by batch, so a crash or a spent API budget
keeps everything read so far and the next refresh asks only for the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connector.crm import CrmSession, ObjectType
from connector.store import Store, properties_key

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)

CLOCK_MARGIN = timedelta(minutes=1)
"""The CRM stamps modifications with its clock, reads are stamped with ours: a contact
modified within this margin of its read is read again, so a small clock skew never hides a
change."""


@dataclass(frozen=True)
class HistoryRefresh:
    """What a refresh did: contacts read (and stored), reused from the store, the CRM
    calls made (every attempt), whether every stale contact was asked for, and how many of
    those the CRM no longer has (`gone`, known when complete)."""

    read: int
    reused: int
    calls: int
    complete: bool
    gone: int = 0


def stale_contacts(
    marks: Mapping[int, tuple[str, datetime]],
    contact_ids: Iterable[int],
    key: str,
    modified_ms: Mapping[int, int],
) -> list[int]:
    """The contacts whose stored history must be read again, in the given order.

    Stale: never read, read for another property set (`key`), or read before the contact
    was last modified or less than `CLOCK_MARGIN` after (`modified_ms`, epoch ms). A
    contact without a known modification time keeps a history read for the same set.
    """
    stale: list[int] = []
    for cid in dict.fromkeys(contact_ids):
        mark = marks.get(cid)
        if mark is None or mark[0] != key:
            stale.append(cid)
            continue
        modified = modified_ms.get(cid)
        if modified is not None and modified >= (mark[1] - CLOCK_MARGIN - _EPOCH) // _MS:
            stale.append(cid)
    return stale


def refresh_histories(
    session: CrmSession,
    store: Store,
    portal_id: int,
    contact_ids: Sequence[int],
    properties: Sequence[str],
    modified_ms: Mapping[int, int],
    now: datetime,
    *,
    budget: int | None = None,
) -> HistoryRefresh:
    """Read and store the histories of `properties` for the stale contacts among these.

    `modified_ms`: each contact's last modification (the stored `lastmodifieddate`, epoch
    ms); `now`: when the reads start (stored as their read time, which errs towards reading
    again). `budget`: calls the portal's day may reach (`sync.rescore.call_budget`); when
    the next batch would pass it, the refresh stops with `complete=False`, keeping what it
    stored. Usage is not recorded here: the run's `BudgetMeter` counts the session's calls.
    """
    key = properties_key(properties)
    asked = list(dict.fromkeys(int(c) for c in contact_ids))
    wanted = stale_contacts(store.histories.read_marks(portal_id), asked, key, modified_ms)
    before = session.calls()
    used_before = store.budget.used(portal_id) if budget is not None else 0
    pending = set(wanted)
    read = 0
    complete = True
    batches = session.histories(ObjectType.CONTACTS, wanted, sorted(set(properties)))
    # The session reads lazily: each `next` makes the next call, so the budget is checked
    # before the call it would pay for.
    while pending:
        spent = session.calls().billable - before.billable
        if budget is not None and used_before + spent + 1 > budget:
            complete = False
            log.warning("portal %s: daily API budget reached (%s calls); %s contact "
                        "histories are left for the next refresh", portal_id, budget,
                        len(pending))
            break
        batch = next(batches, None)
        if batch is None:
            break
        store.histories.save(portal_id, batch, key, now)
        read += len(batch)
        pending.difference_update(batch)
    return HistoryRefresh(
        read=read,
        reused=len(asked) - len(wanted),
        calls=session.calls().total - before.total,
        complete=complete,
        gone=len(pending) if complete else 0,
    )
