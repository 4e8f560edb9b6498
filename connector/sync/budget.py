"""Counting a session's HubSpot calls into the store's daily usage, without double counting."""

from __future__ import annotations

import threading

from connector.hubspot.counters import CallCounter
from connector.hubspot.paths import Bucket
from connector.store import Store


class BudgetMeter:
    """Adds the calls a counter saw since the last flush to the portal's usage of today.

    Search calls are left out: HubSpot's daily allowance does not count them.
    """

    def __init__(self, store: Store, portal_id: int, counter: CallCounter) -> None:
        """Meter `counter`'s calls for `portal_id`."""
        self._store = store
        self._portal_id = portal_id
        self._counter = counter
        self._recorded = 0
        self._lock = threading.Lock()

    def _counted(self) -> int:
        calls = self._counter.snapshot().calls
        return sum(n for kind, n in calls.items() if kind.bucket is not Bucket.SEARCH)

    def flush(self) -> int:
        """Record the calls made since the last flush; returns today's total."""
        with self._lock:
            total = self._counted()
            delta, self._recorded = total - self._recorded, total
        if delta <= 0:
            return self._store.budget.used(self._portal_id)
        return self._store.budget.add(self._portal_id, delta)
