"""Run history: every sync, rescore, webhook drain and training run, with its counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, select, update

from connector.errors import LeadscoreError
from connector.store.clock import Clock
from connector.store.engine import read_tx, write_tx
from connector.store.records import Run, RunCounters, RunKind, RunStatus
from connector.store.schema import runs

_COUNTER_COLUMNS = (
    "contacts_read",
    "contacts_scored",
    "contacts_written",
    "contacts_unchanged",
    "contacts_failed",
    "rate_limited",
    "errors",
    "seconds",
)


class RunRepository:
    """Start, finish and list runs."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def start(self, portal_id: int | None, kind: RunKind) -> Run:
        """Record that a run began (status `running`, zero counters)."""
        counters = RunCounters()
        values: dict[str, Any] = {
            "portal_id": portal_id,
            "kind": kind,
            "status": "running",
            "started_at": self._clock(),
            **_counter_values(counters),
        }
        with write_tx(self._engine) as conn:
            run_id = conn.execute(runs.insert().values(values).returning(runs.c.id)).scalar_one()
        return Run(
            id=run_id,
            portal_id=portal_id,
            kind=kind,
            status="running",
            started_at=values["started_at"],
            finished_at=None,
            counters=counters,
            error=None,
        )

    def update_counters(self, run_id: int, counters: RunCounters) -> None:
        """Save progress of a running run (the dashboard shows it live)."""
        with write_tx(self._engine) as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(_counter_values(counters)))

    def finish(
        self,
        run_id: int,
        status: RunStatus,
        counters: RunCounters,
        error: str | None = None,
    ) -> Run:
        """Record the outcome of a run; returns the finished record."""
        with write_tx(self._engine) as conn:
            result = conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    status=status,
                    finished_at=self._clock(),
                    error=error,
                    **_counter_values(counters),
                )
            )
            if result.rowcount == 0:
                raise LeadscoreError(f"run {run_id} does not exist")
            row = conn.execute(select(runs).where(runs.c.id == run_id)).one()
        return _run(row)

    def get(self, run_id: int) -> Run | None:
        """One run by id."""
        with read_tx(self._engine) as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).one_or_none()
        return _run(row) if row is not None else None

    def recent(
        self, limit: int = 20, *, portal_id: int | None = None, kind: RunKind | None = None
    ) -> list[Run]:
        """The newest runs first."""
        stmt = select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit)
        if portal_id is not None:
            stmt = stmt.where(runs.c.portal_id == portal_id)
        if kind is not None:
            stmt = stmt.where(runs.c.kind == kind)
        with read_tx(self._engine) as conn:
            return [_run(r) for r in conn.execute(stmt)]

    def last_succeeded(self, portal_id: int, kind: RunKind) -> Run | None:
        """The newest successful run of a kind (e.g. when the last full sync completed)."""
        stmt = (
            select(runs)
            .where(runs.c.portal_id == portal_id, runs.c.kind == kind, runs.c.status == "succeeded")
            .order_by(runs.c.started_at.desc(), runs.c.id.desc())
            .limit(1)
        )
        with read_tx(self._engine) as conn:
            row = conn.execute(stmt).one_or_none()
        return _run(row) if row is not None else None

    def abandon_stale(self, started_before: datetime) -> int:
        """Mark runs still `running` that began before the given time as `abandoned`.

        A worker that died mid-run leaves its run `running`; call this at start-up.
        """
        with write_tx(self._engine) as conn:
            return conn.execute(
                update(runs)
                .where(runs.c.status == "running", runs.c.started_at < started_before)
                .values(
                    status="abandoned",
                    finished_at=self._clock(),
                    error="the worker stopped before the run finished",
                )
            ).rowcount


def _counter_values(c: RunCounters) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(c, name) for name in _COUNTER_COLUMNS}
    values["api_calls"] = dict(c.api_calls)
    return values


def _run(row: Row[Any]) -> Run:
    return Run(
        id=row.id,
        portal_id=row.portal_id,
        kind=row.kind,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        counters=RunCounters(
            **{name: getattr(row, name) for name in _COUNTER_COLUMNS},
            api_calls=dict(row.api_calls or {}),
        ),
        error=row.error,
    )
