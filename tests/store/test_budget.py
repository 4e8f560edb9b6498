"""Daily API usage counters per portal."""

from __future__ import annotations

import threading
from datetime import date

from connector.store import DailyUsage, Store, open_store
from tests.store.conftest import ManualClock


def test_counts_per_day(store: Store, portal_id: int, clock: ManualClock) -> None:
    assert store.budget.used(portal_id) == 0
    assert store.budget.add(portal_id, 40) == 40
    assert store.budget.add(portal_id, 2) == 42
    clock.advance(days=1)
    assert store.budget.used(portal_id) == 0
    store.budget.add(portal_id, 7)
    assert store.budget.used(portal_id, date(2026, 11, 22)) == 42
    assert store.budget.history(portal_id, days=7) == [
        DailyUsage(portal_id, date(2026, 11, 22), 42),
        DailyUsage(portal_id, date(2026, 11, 23), 7),
    ]


def test_concurrent_increments_are_not_lost(
    db_url: str, key: str, store: Store, portal_id: int
) -> None:
    def add_many() -> None:
        with open_store(db_url, encryption_key=key) as own:
            for _ in range(20):
                own.budget.add(portal_id, 1)

    threads = [threading.Thread(target=add_many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Those stores use the real clock; read that day's counter.
    assert store.budget.used(portal_id, date.today()) == 80
