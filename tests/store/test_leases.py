"""Leases: one holder at a time, renewable, expiring when the holder dies."""

from __future__ import annotations

import threading
from datetime import timedelta

from connector.store import Store, lease_name, open_store
from tests.store.conftest import ManualClock

TTL = timedelta(seconds=60)


def test_acquire_renew_release(store: Store, clock: ManualClock) -> None:
    name = lease_name(62515, "sync")
    assert name == "sync:62515"
    assert store.leases.try_acquire(name, "worker-a", TTL)
    assert not store.leases.try_acquire(name, "worker-b", TTL)
    assert store.leases.try_acquire(name, "worker-a", TTL)  # re-entrant for its holder
    lease = store.leases.get(name)
    assert lease is not None and lease.owner == "worker-a" and lease.expires_at == clock.now + TTL

    clock.advance(seconds=50)
    assert store.leases.renew(name, "worker-a", TTL)
    assert not store.leases.renew(name, "worker-b", TTL)
    clock.advance(seconds=50)  # would have expired without the renewal
    assert not store.leases.try_acquire(name, "worker-b", TTL)

    assert not store.leases.release(name, "worker-b")
    assert store.leases.release(name, "worker-a")
    assert store.leases.get(name) is None
    assert store.leases.try_acquire(name, "worker-b", TTL)


def test_dead_holders_lease_expires(store: Store, clock: ManualClock) -> None:
    assert store.leases.try_acquire("sync:1", "dead", TTL)
    clock.advance(seconds=61)
    assert store.leases.get("sync:1") is None
    assert not store.leases.renew("sync:1", "dead", TTL)  # too late: it must stop
    assert store.leases.try_acquire("sync:1", "alive", TTL)
    assert [(lease.name, lease.owner) for lease in store.leases.active()] == [("sync:1", "alive")]


def test_leases_are_independent(store: Store) -> None:
    assert store.leases.try_acquire("sync:1", "a", TTL)
    assert store.leases.try_acquire("sync:2", "b", TTL)
    assert store.leases.try_acquire("train:1", "b", TTL)
    assert [lease.name for lease in store.leases.active()] == ["sync:1", "sync:2", "train:1"]


def test_contending_workers_get_exactly_one_holder(db_url: str, key: str) -> None:
    workers = 8
    rounds = 5
    winners: list[list[str]] = [[] for _ in range(rounds)]
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def contend(owner: str) -> None:
        # Each worker has its own engine and connections, as separate processes would.
        with open_store(db_url, encryption_key=key) as own:
            for r in range(rounds):
                barrier.wait()
                if own.leases.try_acquire(f"sync:{r}", owner, TTL):
                    with lock:
                        winners[r].append(owner)

    threads = [threading.Thread(target=contend, args=(f"w{i}",)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [len(w) for w in winners] == [1] * rounds
