"""More than 10,000 contacts sharing one `lastmodifieddate`: no loop, no one skipped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from connector.hubspot.auth import StaticTokenProvider
from connector.hubspot.counters import CallKind
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.pacing import Pacer
from connector.sandbox.records import Record
from connector.sandbox.values import iso_from_ms
from connector.store import SyncCursor
from connector.sync.pull import CONTACTS_STREAM, INCREMENTAL, incremental_chunks
from tests.sync.conftest import FAST_RETRY, UNPACED, Box

N = 15_000


def stamp_bulk_import(box: Box, moment_ms: int) -> None:
    """Give every contact one identical modification time, as a bulk import does."""
    portal = box.server.sandbox.portals[box.hub_id]
    with portal.lock:
        contacts = portal.contacts
        for record in list(contacts.store.records.values()):
            props = {**record.properties, "lastmodifieddate": iso_from_ms(moment_ms)}
            stamped = Record(record.id, props, record.created_ms, moment_ms)
            contacts.store.put(stamped)
            contacts.index.stage(record.id, stamped)


def test_fifteen_thousand_contacts_with_one_timestamp(box_factory: Callable[..., Box]) -> None:
    box = box_factory(contacts_per_portal=N)
    moment = int(datetime(2026, 11, 20, 9, 0, tzinfo=UTC).timestamp() * 1000)
    stamp_bulk_import(box, moment)
    gateway = HubSpotGateway(box.url, StaticTokenProvider(box.static_token()), limits=UNPACED,
                             pacer=Pacer(UNPACED), retry_policy=FAST_RETRY)
    cursor = SyncCursor(portal_id=box.hub_id, stream=CONTACTS_STREAM, phase=INCREMENTAL,
                        window_start=datetime.fromtimestamp(moment / 1000, UTC))
    seen: list[str] = []
    chunks = incremental_chunks(gateway, ["lastmodifieddate"], cursor, 1000)
    for count, chunk in enumerate(chunks, start=1):
        seen.extend(r.id for r in chunk.records)
        assert count <= N // 1000 + 1, "the cursor loops"
        if not chunk.last:
            assert chunk.resume.last_object_id == int(chunk.records[-1].id)
    assert len(seen) == len(set(seen)) == N
    assert set(seen) == {str(i) for i in box.server.sandbox.portals[box.hub_id]
                         .contacts.store.records}
    # Searches only: 200 per page, one fresh query per page, none past HubSpot's 10k cap.
    assert gateway.counter.snapshot().calls[CallKind.SEARCH] == N // 200
