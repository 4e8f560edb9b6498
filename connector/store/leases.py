"""Leases: at most one worker runs a given job (e.g. syncing one portal) at a time.

Every operation is one conditional statement, so there is no window between checking and
taking a lease: `INSERT ... ON CONFLICT DO UPDATE ... WHERE expired OR mine` either takes the
row or leaves it to its live holder. A holder that dies simply stops renewing; its lease
expires after its TTL and another worker takes over.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, Row, delete, or_, select, update

from connector.store.clock import Clock
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.records import Lease
from connector.store.schema import leases


def lease_name(portal_id: int, job: str) -> str:
    """The conventional lease name of a job on one portal, e.g. `sync:12345`."""
    return f"{job}:{portal_id}"


class LeaseRepository:
    """Acquire, renew and release named leases with an owner id and a time to live."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock (lease times use the workers' clocks)."""
        self._engine = engine
        self._clock = clock

    def try_acquire(self, name: str, owner: str, ttl: timedelta) -> bool:
        """Take the lease if it is free, expired or already ours; True if we now hold it."""
        now = self._clock()
        insert = dialect_insert(self._engine, leases).values(
            name=name, owner=owner, acquired_at=now, expires_at=now + ttl
        )
        stmt = insert.on_conflict_do_update(
            index_elements=[leases.c.name],
            set_={
                "owner": insert.excluded.owner,
                "acquired_at": insert.excluded.acquired_at,
                "expires_at": insert.excluded.expires_at,
            },
            where=or_(leases.c.expires_at <= now, leases.c.owner == owner),
        ).returning(leases.c.owner)
        with write_tx(self._engine) as conn:
            # A row comes back only if we inserted or the WHERE let us take it over.
            return conn.execute(stmt).first() is not None

    def renew(self, name: str, owner: str, ttl: timedelta) -> bool:
        """Extend our unexpired lease; False means it was lost (stop the job)."""
        now = self._clock()
        with write_tx(self._engine) as conn:
            return (
                conn.execute(
                    update(leases)
                    .where(
                        leases.c.name == name, leases.c.owner == owner, leases.c.expires_at > now
                    )
                    .values(expires_at=now + ttl)
                ).rowcount
                == 1
            )

    def release(self, name: str, owner: str) -> bool:
        """Give the lease up if we hold it; True if we did."""
        with write_tx(self._engine) as conn:
            return (
                conn.execute(
                    delete(leases).where(leases.c.name == name, leases.c.owner == owner)
                ).rowcount
                == 1
            )

    def get(self, name: str) -> Lease | None:
        """The current holder of a lease, if it is held and not expired."""
        with read_tx(self._engine) as conn:
            row = conn.execute(
                select(leases).where(leases.c.name == name, leases.c.expires_at > self._clock())
            ).one_or_none()
        return _lease(row) if row is not None else None

    def active(self) -> list[Lease]:
        """Every unexpired lease (the dashboard shows who runs what)."""
        with read_tx(self._engine) as conn:
            rows = conn.execute(
                select(leases).where(leases.c.expires_at > self._clock()).order_by(leases.c.name)
            )
            return [_lease(r) for r in rows]


def _lease(row: Row[Any]) -> Lease:
    return Lease(
        name=row.name, owner=row.owner, acquired_at=row.acquired_at, expires_at=row.expires_at
    )
