"""Several workers on one PostgreSQL store: leases keep one portal's sync to one worker."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from connector.store import Store, Tokens, lease_name, open_store
from connector.sync.leases import LeaseBusy
from connector.sync.report import PassReport
from connector.sync.scheduler import WorkerScheduler
from tests.sync.conftest import Box, connect_static, make_service


@pytest.fixture
def pg_store(fresh_postgres_url: str) -> Iterator[Store]:
    with open_store(fresh_postgres_url, encryption_key=Fernet.generate_key().decode()) as store:
        yield store


@pytest.mark.parametrize("second_worker", ["worker-b", "worker-a"])
def test_a_second_job_cannot_sync_a_portal_being_synced(box: Box, pg_store: Store,
                                                        tmp_path: Path, second_worker: str) -> None:
    # worker-a twice: a scheduled pass and an API-triggered one in the same process.
    hub = connect_static(box, pg_store)
    first = make_service(box, pg_store, tmp_path, worker_id="worker-a")
    second = make_service(box, pg_store, tmp_path, worker_id=second_worker)
    inside, release = threading.Event(), threading.Event()

    def hold(report: PassReport) -> None:
        inside.set()
        release.wait(30)

    results: list[PassReport] = []
    thread = threading.Thread(target=lambda: results.append(first.run_pass(hub, on_chunk=hold)))
    thread.start()
    assert inside.wait(30)
    with pytest.raises(LeaseBusy, match="worker-a"):
        second.run_pass(hub)
    release.set()
    thread.join(60)
    assert results and results[0].completed
    assert second.run_pass(hub).completed


def test_a_dead_workers_lease_expires(box: Box, pg_store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, pg_store)
    assert pg_store.leases.try_acquire(lease_name(hub, "sync"), "dead-worker",
                                       timedelta(seconds=1))
    service = make_service(box, pg_store, tmp_path, worker_id="alive")
    with pytest.raises(LeaseBusy):
        service.run_pass(hub)
    time.sleep(1.2)
    assert service.run_pass(hub).completed
    assert pg_store.leases.get(lease_name(hub, "sync")) is None


def test_two_schedulers_share_portals_without_overlap(box_factory: Callable[..., Box],
                                                      pg_store: Store, tmp_path: Path) -> None:
    box = box_factory(portals=2, contacts_per_portal=150)
    hubs = box.server.config.portal_hub_ids()
    for hub in hubs:
        pg_store.portals.connect(hub, kind="static", tier="pro",
                                 tokens=Tokens(box.server.sandbox.static_tokens[hub]))
    workers = [
        WorkerScheduler(make_service(box, pg_store, tmp_path, worker_id=f"w{i}"),
                        worker_id=f"w{i}", poll_s=0.2)
        for i in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            done = [pg_store.runs.last_succeeded(h, "full") for h in hubs]
            if all(done):
                break
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.shutdown()
    for hub in hubs:
        runs = sorted(pg_store.runs.recent(50, portal_id=hub), key=lambda r: r.started_at)
        syncs = [r for r in runs if r.kind in ("full", "incremental")]
        assert syncs and syncs[0].status == "succeeded"
        for earlier, later in itertools.pairwise(syncs):
            assert earlier.finished_at is not None and earlier.finished_at <= later.started_at
        assert all(p.get("leadscore_score") for p in _contacts(box, hub).values())


def _contacts(box: Box, hub: int) -> dict[str, dict[str, str]]:
    rows = box.control("GET", f"/portals/{hub}/export")["results"]
    return {r["id"]: r["properties"] for r in rows}
