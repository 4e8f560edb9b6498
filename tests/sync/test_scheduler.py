"""The worker's schedule: new portals synced at once, portals needing reconnection skipped."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from connector.store import Store, Tokens
from connector.sync.pull import CONTACTS_STREAM
from connector.sync.scheduler import WorkerScheduler
from tests.sync.conftest import Box, make_service


def test_scheduler_syncs_connected_portals_and_skips_reconnects(
        box_factory: Callable[..., Box], store: Store, tmp_path: Path) -> None:
    box = box_factory(portals=2, contacts_per_portal=60)
    good, broken = box.server.config.portal_hub_ids()
    for hub in (good, broken):
        store.portals.connect(hub, kind="static", tier="pro",
                              tokens=Tokens(box.server.sandbox.static_tokens[hub]))
    store.portals.set_status(broken, "needs_reconnect", "HubSpot refused the grant")
    worker = WorkerScheduler(make_service(box, store, tmp_path), worker_id="solo", poll_s=0.2)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while store.runs.last_succeeded(good, "full") is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.portals == {good}
        # The portal is fixed: the worker picks it up on its next look at the portal list.
        store.portals.set_status(broken, "connected")
        while store.runs.last_succeeded(broken, "full") is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.portals == {good, broken}
        store.portals.disconnect(good)
        while good in worker.portals and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.portals == {broken}
    finally:
        worker.shutdown()
    assert store.cursors.get(good, CONTACTS_STREAM) is not None
    assert store.cursors.get(broken, CONTACTS_STREAM) is not None
