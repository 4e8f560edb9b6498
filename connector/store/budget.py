"""Daily HubSpot API usage per portal (UTC days), for the dashboard and rescore budgeting."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, select

from connector.store.clock import Clock
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.records import DailyUsage
from connector.store.schema import api_usage


class BudgetRepository:
    """Count API calls per portal and day; increments are atomic across workers."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def today(self) -> date:
        """The current UTC day, the unit the counters use."""
        return self._clock().date()

    def add(self, portal_id: int, calls: int, day: date | None = None) -> int:
        """Add calls to a day's counter (today by default); returns the new total."""
        insert = dialect_insert(self._engine, api_usage).values(
            portal_id=portal_id, day=day or self.today(), calls=calls
        )
        stmt = insert.on_conflict_do_update(
            index_elements=[api_usage.c.portal_id, api_usage.c.day],
            set_={"calls": api_usage.c.calls + insert.excluded.calls},
        ).returning(api_usage.c.calls)
        with write_tx(self._engine) as conn:
            return int(conn.execute(stmt).scalar_one())

    def used(self, portal_id: int, day: date | None = None) -> int:
        """Calls counted on a day (today by default)."""
        with read_tx(self._engine) as conn:
            calls = conn.execute(
                select(api_usage.c.calls).where(
                    api_usage.c.portal_id == portal_id, api_usage.c.day == (day or self.today())
                )
            ).scalar_one_or_none()
        return int(calls or 0)

    def history(self, portal_id: int, days: int = 30) -> list[DailyUsage]:
        """Per-day usage over the last `days` days (days without calls are omitted)."""
        since = self.today() - timedelta(days=days - 1)
        with read_tx(self._engine) as conn:
            rows = conn.execute(
                select(api_usage)
                .where(api_usage.c.portal_id == portal_id, api_usage.c.day >= since)
                .order_by(api_usage.c.day)
            )
            return [DailyUsage(portal_id=r.portal_id, day=r.day, calls=int(r.calls)) for r in rows]
