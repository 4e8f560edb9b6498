"""Live A/B experiments: each one's start per portal and the arm recorded for each contact.

An arm is recorded once, when the contact is first scored during the experiment, and never
changed afterwards (inserts ignore a contact already recorded), so a later change of the
challenger's share cannot move a contact between arms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, select

from connector.store.clock import Clock
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.records import ArmName, ExperimentArm
from connector.store.schema import experiment_arms as arms_table
from connector.store.schema import experiments as experiments_table

# Ids per IN (...) list.
_ID_CHUNK = 1000


class ExperimentRepository:
    """Experiment starts keyed by (portal, name) and arms keyed by (portal, name, contact)."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def start(self, portal_id: int, name: str) -> datetime:
        """When the experiment started on the portal, starting it now if it never ran.

        Concurrent workers agree: the first insert wins and every caller reads it back.
        """
        insert = dialect_insert(self._engine, experiments_table)
        stmt = insert.values(
            portal_id=portal_id, name=name, started_at=self._clock()
        ).on_conflict_do_nothing(
            index_elements=[experiments_table.c.portal_id, experiments_table.c.name]
        )
        with write_tx(self._engine) as conn:
            conn.execute(stmt)
            started: datetime = conn.execute(
                select(experiments_table.c.started_at).where(
                    experiments_table.c.portal_id == portal_id,
                    experiments_table.c.name == name,
                )
            ).scalar_one()
        return started

    def started_at(self, portal_id: int, name: str) -> datetime | None:
        """When the experiment started on the portal (None: it never ran there)."""
        with read_tx(self._engine) as conn:
            started: datetime | None = conn.execute(
                select(experiments_table.c.started_at).where(
                    experiments_table.c.portal_id == portal_id,
                    experiments_table.c.name == name,
                )
            ).scalar_one_or_none()
        return started

    def record(self, portal_id: int, name: str, arms: Mapping[int, ArmName]) -> None:
        """Record the arms of contacts not recorded yet, in one transaction.

        A contact already recorded keeps its first arm. The experiment must be started.
        """
        if not arms:
            return
        now = self._clock()
        rows = [
            {
                "portal_id": portal_id,
                "experiment": name,
                "contact_id": contact_id,
                "arm": arm,
                "assigned_at": now,
            }
            for contact_id, arm in arms.items()
        ]
        insert = dialect_insert(self._engine, arms_table)
        stmt = insert.on_conflict_do_nothing(
            index_elements=[arms_table.c.portal_id, arms_table.c.experiment,
                            arms_table.c.contact_id]
        )
        with write_tx(self._engine) as conn:
            conn.execute(stmt, rows)

    def arms_of(
        self, portal_id: int, name: str, contact_ids: Iterable[int]
    ) -> dict[int, ArmName]:
        """The recorded arm of each given contact (contacts not in the experiment are absent)."""
        ids = sorted(set(contact_ids))
        found: dict[int, ArmName] = {}
        with read_tx(self._engine) as conn:
            for start in range(0, len(ids), _ID_CHUNK):
                rows = conn.execute(
                    select(arms_table.c.contact_id, arms_table.c.arm).where(
                        arms_table.c.portal_id == portal_id,
                        arms_table.c.experiment == name,
                        arms_table.c.contact_id.in_(ids[start : start + _ID_CHUNK]),
                    )
                )
                found.update((int(r.contact_id), r.arm) for r in rows)
        return found

    def all_arms(self, portal_id: int, name: str) -> list[ExperimentArm]:
        """Every contact recorded in the experiment, by contact id."""
        with read_tx(self._engine) as conn:
            rows = conn.execute(
                select(arms_table)
                .where(arms_table.c.portal_id == portal_id, arms_table.c.experiment == name)
                .order_by(arms_table.c.contact_id)
            )
            return [_arm(r) for r in rows]


def _arm(row: Row[Any]) -> ExperimentArm:
    return ExperimentArm(
        portal_id=row.portal_id,
        experiment=row.experiment,
        contact_id=row.contact_id,
        arm=row.arm,
        assigned_at=row.assigned_at,
    )
