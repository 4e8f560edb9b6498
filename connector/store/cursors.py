"""Sync cursors: where each portal's streams stand, saved after every page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, Row, delete, select

from connector.store.clock import Clock
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.records import SyncCursor
from connector.store.schema import sync_cursors


class CursorRepository:
    """Read and save compound sync cursors per (portal, stream)."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def get(self, portal_id: int, stream: str) -> SyncCursor | None:
        """The stream's cursor, or None before its first sync."""
        with read_tx(self._engine) as conn:
            row = conn.execute(
                select(sync_cursors).where(
                    sync_cursors.c.portal_id == portal_id, sync_cursors.c.stream == stream
                )
            ).one_or_none()
        return _cursor(row) if row is not None else None

    def save(self, cursor: SyncCursor) -> SyncCursor:
        """Insert or replace the cursor; returns it with `updated_at` set."""
        saved = replace(cursor, updated_at=self._clock())
        values = {
            "phase": saved.phase,
            "window_start": saved.window_start,
            "last_object_id": saved.last_object_id,
            "full_after": saved.full_after,
            "updated_at": saved.updated_at,
        }
        stmt = (
            dialect_insert(self._engine, sync_cursors)
            .values(portal_id=saved.portal_id, stream=saved.stream, **values)
            .on_conflict_do_update(
                index_elements=[sync_cursors.c.portal_id, sync_cursors.c.stream], set_=values
            )
        )
        with write_tx(self._engine) as conn:
            conn.execute(stmt)
        return saved

    def for_portal(self, portal_id: int) -> list[SyncCursor]:
        """Every stream's cursor of one portal, by stream name."""
        with read_tx(self._engine) as conn:
            rows = conn.execute(
                select(sync_cursors)
                .where(sync_cursors.c.portal_id == portal_id)
                .order_by(sync_cursors.c.stream)
            )
            return [_cursor(r) for r in rows]

    def reset(self, portal_id: int, stream: str | None = None) -> int:
        """Forget one stream's cursor (or all of the portal's) so the next sync is full."""
        stmt = delete(sync_cursors).where(sync_cursors.c.portal_id == portal_id)
        if stream is not None:
            stmt = stmt.where(sync_cursors.c.stream == stream)
        with write_tx(self._engine) as conn:
            return conn.execute(stmt).rowcount


def _cursor(row: Row[Any]) -> SyncCursor:
    return SyncCursor(
        portal_id=row.portal_id,
        stream=row.stream,
        phase=row.phase,
        window_start=row.window_start,
        last_object_id=row.last_object_id,
        full_after=row.full_after,
        updated_at=row.updated_at,
    )
