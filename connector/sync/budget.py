"""Counting a session's CRM calls into the store's daily usage, without double counting."""

from __future__ import annotations

import threading

from connector.crm import CrmSession
from connector.store import Store


class BudgetMeter:
    """Adds the calls a session made since the last flush to the portal's usage of today.

    Only billable calls count (HubSpot's daily allowance leaves search out).
    """

    def __init__(self, store: Store, portal_id: int, crm: CrmSession) -> None:
        """Meter `crm`'s calls for `portal_id`."""
        self._store = store
        self._portal_id = portal_id
        self._crm = crm
        self._recorded = 0
        self._lock = threading.Lock()

    def flush(self) -> int:
        """Record the calls made since the last flush; returns today's total."""
        with self._lock:
            total = self._crm.calls().billable
            delta, self._recorded = total - self._recorded, total
        if delta <= 0:
            return self._store.budget.used(self._portal_id)
        return self._store.budget.add(self._portal_id, delta)
