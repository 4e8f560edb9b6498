"""The durable webhook inbox: store at once, de-duplicate, process later by claim.

HubSpot retries a delivery that is not answered within 5 s and sends duplicates anyway, so
the web layer only inserts here and answers; workers claim batches and mark them done.
Events of unknown portals or types are kept too (status `skipped` once looked at), so
nothing received is lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, and_, case, delete, func, or_, select, update

from connector.store.clock import Clock
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.records import InboxClaim, InboxEvent, InboxStatus, NewInboxEvent
from connector.store.schema import webhook_events as ev

_DEDUP_KEY = ("subscription_id", "event_id", "object_id", "occurred_at")
_EVENT_COLUMNS = [c for c in ev.c if c.name not in ("claim_token", "claimed_at", "available_at")]


class InboxRepository:
    """Add, claim and settle webhook events."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        max_attempts: int = 5,
        stale_after: timedelta = timedelta(minutes=5),
    ):
        """Bind to an engine and clock.

        `max_attempts` bounds how often one event is tried (a poison event must not loop
        forever); a claim older than `stale_after` is taken to belong to a dead worker and
        its events become claimable again.
        """
        self._engine = engine
        self._clock = clock
        self._max_attempts = max_attempts
        self._stale_after = stale_after

    def add(self, events: Sequence[NewInboxEvent]) -> int:
        """Store a delivery's events in one transaction; returns how many were new."""
        if not events:
            return 0
        now = self._clock()
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for e in events:
            row = {
                "portal_id": e.portal_id,
                "subscription_id": e.subscription_id,
                "event_id": e.event_id,
                "subscription_type": e.subscription_type,
                "object_id": e.object_id,
                "property_name": e.property_name,
                "property_value": e.property_value,
                "change_source": e.change_source,
                "occurred_at": e.occurred_at,
                "attempt_number": e.attempt_number,
                "raw": e.raw,
                "received_at": now,
                "status": "pending",
                "available_at": now,
                "attempts": 0,
            }
            rows.setdefault(tuple(row[k] for k in _DEDUP_KEY), row)
        stmt = (
            dialect_insert(self._engine, ev)
            .on_conflict_do_nothing(index_elements=[ev.c[k] for k in _DEDUP_KEY])
            .returning(ev.c.id)
        )
        with write_tx(self._engine) as conn:
            # RETURNING yields only the rows actually inserted, i.e. the new events.
            inserted = conn.execute(stmt, list(rows.values())).all()
        return len(inserted)

    def claim(self, worker: str, limit: int = 100, *, portal_id: int | None = None) -> InboxClaim:
        """Atomically take up to `limit` claimable events (oldest first) for one worker.

        On PostgreSQL concurrent claimers skip each other's rows (`FOR UPDATE SKIP LOCKED`);
        on SQLite the claim is one write statement under the database's single writer lock.
        Either way no event is handed to two live workers.
        """
        now = self._clock()
        stale = now - self._stale_after
        token = uuid.uuid4().hex
        abandoned = and_(ev.c.status == "processing", ev.c.claimed_at < stale)
        candidates = (
            select(ev.c.id)
            .where(
                or_(and_(ev.c.status == "pending", ev.c.available_at <= now), abandoned),
                ev.c.attempts < self._max_attempts,
            )
            .order_by(ev.c.id)
            .limit(limit)
        )
        if portal_id is not None:
            candidates = candidates.where(ev.c.portal_id == portal_id)
        if self._engine.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        with write_tx(self._engine) as conn:
            # A dead worker's events that used up their attempts fail for good here.
            conn.execute(
                update(ev)
                .where(abandoned, ev.c.attempts >= self._max_attempts)
                .values(
                    status="failed",
                    claim_token=None,
                    error="abandoned by a worker that stopped; attempts used up",
                )
            )
            rows = conn.execute(
                update(ev)
                .where(ev.c.id.in_(candidates.scalar_subquery()))
                .values(
                    status="processing",
                    claim_token=token,
                    claimed_by=worker,
                    claimed_at=now,
                    attempts=ev.c.attempts + 1,
                )
                .returning(*_EVENT_COLUMNS)
            ).all()
        return InboxClaim(token=token, events=sorted((_event(r) for r in rows), key=_by_id))

    def mark_processed(self, token: str, event_ids: Sequence[int]) -> int:
        """Settle claimed events as done; only the claim's holder can (returns how many)."""
        return self._settle(token, event_ids, status="processed", error=None)

    def mark_skipped(self, token: str, event_ids: Sequence[int], reason: str) -> int:
        """Settle claimed events as deliberately not acted on (unknown portal or type)."""
        return self._settle(token, event_ids, status="skipped", error=reason)

    def mark_failed(
        self,
        token: str,
        event_ids: Sequence[int],
        error: str,
        *,
        retry_in: timedelta | None = timedelta(minutes=1),
    ) -> int:
        """Record a failure: retried after `retry_in` until attempts run out, then `failed`.

        `retry_in=None` fails the events for good at once (e.g. a malformed event).
        """
        if not event_ids:
            return 0
        now = self._clock()
        if retry_in is None:
            status: Any = "failed"
        else:
            status = case((ev.c.attempts >= self._max_attempts, "failed"), else_="pending")
        with write_tx(self._engine) as conn:
            return conn.execute(
                update(ev)
                .where(ev.c.claim_token == token, ev.c.id.in_(list(event_ids)))
                .values(
                    status=status,
                    error=error,
                    claim_token=None,
                    processed_at=now if retry_in is None else None,
                    available_at=now + (retry_in or timedelta(0)),
                )
            ).rowcount

    def release(self, token: str) -> int:
        """Give back a claim's unsettled events (graceful shutdown), without using an attempt."""
        with write_tx(self._engine) as conn:
            return conn.execute(
                update(ev)
                .where(ev.c.claim_token == token, ev.c.status == "processing")
                .values(status="pending", claim_token=None, attempts=ev.c.attempts - 1)
            ).rowcount

    def claimants(self) -> list[str]:
        """The workers holding events in `processing` right now (to spot dead ones)."""
        with read_tx(self._engine) as conn:
            rows = conn.execute(
                select(ev.c.claimed_by).where(ev.c.status == "processing").distinct()
            ).all()
        return sorted(r[0] for r in rows if r[0] is not None)

    def release_worker(self, worker: str) -> int:
        """Give back every event a worker that died mid-batch still held (its attempt counts).

        Without this a crashed worker's claim is only retaken after the stale timeout.
        """
        with write_tx(self._engine) as conn:
            return conn.execute(
                update(ev)
                .where(ev.c.claimed_by == worker, ev.c.status == "processing")
                .values(status="pending", claim_token=None)
            ).rowcount

    def recent(
        self,
        limit: int = 50,
        *,
        portal_id: int | None = None,
        status: InboxStatus | None = None,
    ) -> list[InboxEvent]:
        """The newest received events, for the dashboard."""
        stmt = select(*_EVENT_COLUMNS).order_by(ev.c.id.desc()).limit(limit)
        if portal_id is not None:
            stmt = stmt.where(ev.c.portal_id == portal_id)
        if status is not None:
            stmt = stmt.where(ev.c.status == status)
        with read_tx(self._engine) as conn:
            return [_event(r) for r in conn.execute(stmt)]

    def counts(self, portal_id: int | None = None) -> dict[str, int]:
        """How many events are in each status."""
        stmt = select(ev.c.status, func.count()).group_by(ev.c.status)
        if portal_id is not None:
            stmt = stmt.where(ev.c.portal_id == portal_id)
        with read_tx(self._engine) as conn:
            return {row[0]: int(row[1]) for row in conn.execute(stmt)}

    def purge(self, received_before: datetime) -> int:
        """Delete settled (processed or skipped) events received before the given time."""
        with write_tx(self._engine) as conn:
            return conn.execute(
                delete(ev).where(
                    ev.c.status.in_(("processed", "skipped")), ev.c.received_at < received_before
                )
            ).rowcount

    def _settle(
        self, token: str, event_ids: Sequence[int], *, status: str, error: str | None
    ) -> int:
        if not event_ids:
            return 0
        with write_tx(self._engine) as conn:
            return conn.execute(
                update(ev)
                .where(ev.c.claim_token == token, ev.c.id.in_(list(event_ids)))
                .values(status=status, error=error, claim_token=None, processed_at=self._clock())
            ).rowcount


def _by_id(event: InboxEvent) -> int:
    return event.id


def _event(row: Row[Any]) -> InboxEvent:
    return InboxEvent(
        id=row.id,
        portal_id=row.portal_id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        subscription_type=row.subscription_type,
        object_id=row.object_id,
        property_name=row.property_name,
        property_value=row.property_value,
        change_source=row.change_source,
        occurred_at=row.occurred_at,
        attempt_number=row.attempt_number,
        raw=row.raw,
        received_at=row.received_at,
        status=row.status,
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        processed_at=row.processed_at,
        error=row.error,
    )
