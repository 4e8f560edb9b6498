"""Per-contact scoring state: input fingerprints, inputs for rescoring, written values.

One row per (portal, contact) serves every scoring model; `inputs` is stored as
`StoredInputs.to_json()` and read back through `StoredInputs.from_json` (a malformed row is
a `StoredInputsError` naming the contact).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, Row, bindparam, delete, func, select, update

from connector.scoring.stored_inputs import StoredInputs, StoredInputsError
from connector.store.clock import Clock
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.records import ContactState, WriteStatus
from connector.store.schema import contact_histories as ch
from connector.store.schema import contact_state as cs

# Ids per IN (...) list.
_ID_CHUNK = 1000
_UPSERT_SET = [c.name for c in cs.c if c.name not in ("portal_id", "contact_id")]


class ContactStateRepository:
    """Bulk reads and writes of `ContactState`, keyed by (portal, contact)."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def upsert(self, states: Sequence[ContactState]) -> int:
        """Insert or fully replace the given rows in one transaction; returns how many.

        For one key given twice the last one wins. `updated_at` is set to now.
        """
        if not states:
            return 0
        now = self._clock()
        rows: dict[tuple[int, int], dict[str, Any]] = {}
        for s in states:
            rows[(s.portal_id, s.contact_id)] = {
                "portal_id": s.portal_id,
                "contact_id": s.contact_id,
                "input_hash": s.input_hash,
                "inputs": s.inputs.to_json(),
                "written_values": s.written_values,
                "pending_values": s.pending_values,
                "write_status": s.write_status,
                "write_error": s.write_error,
                "write_attempts": s.write_attempts,
                "scored_at": s.scored_at,
                "written_at": s.written_at,
                "updated_at": now,
            }
        values = list(rows.values())
        insert = dialect_insert(self._engine, cs)
        stmt = insert.on_conflict_do_update(
            index_elements=[cs.c.portal_id, cs.c.contact_id],
            set_={name: insert.excluded[name] for name in _UPSERT_SET},
        )
        with write_tx(self._engine) as conn:
            conn.execute(stmt, values)
        return len(values)

    def get_many(self, portal_id: int, contact_ids: Iterable[int]) -> dict[int, ContactState]:
        """The stored state of the given contacts (absent ids are simply missing)."""
        ids = sorted(set(contact_ids))
        found: dict[int, ContactState] = {}
        with read_tx(self._engine) as conn:
            for chunk in _chunks(ids):
                rows = conn.execute(
                    select(cs).where(cs.c.portal_id == portal_id, cs.c.contact_id.in_(chunk))
                )
                found.update((s.contact_id, s) for s in _states(rows))
        return found

    def mark_written(self, portal_id: int, contact_ids: Iterable[int]) -> int:
        """HubSpot confirmed the pending values: they become the written values."""
        now = self._clock()
        count = 0
        with write_tx(self._engine) as conn:
            for chunk in _chunks(sorted(set(contact_ids))):
                count += conn.execute(
                    update(cs)
                    .where(cs.c.portal_id == portal_id, cs.c.contact_id.in_(chunk))
                    .values(
                        written_values=func.coalesce(cs.c.pending_values, cs.c.written_values),
                        pending_values=None,
                        write_status="written",
                        write_error=None,
                        write_attempts=0,
                        written_at=now,
                        updated_at=now,
                    )
                ).rowcount
        return count

    def mark_failed(self, portal_id: int, errors: Mapping[int, str]) -> int:
        """Writes that failed (e.g. a 207's `errors`): kept pending for a later retry."""
        if not errors:
            return 0
        now = self._clock()
        stmt = (
            update(cs)
            .where(cs.c.portal_id == portal_id, cs.c.contact_id == bindparam("b_contact_id"))
            .values(
                write_status="failed",
                write_error=bindparam("b_error"),
                write_attempts=cs.c.write_attempts + 1,
                updated_at=now,
            )
        )
        params = [{"b_contact_id": cid, "b_error": err} for cid, err in errors.items()]
        with write_tx(self._engine) as conn:
            return conn.execute(stmt, params).rowcount

    def pending_writes(
        self, portal_id: int, *, limit: int = 1000, after_id: int = 0
    ) -> list[ContactState]:
        """Contacts whose computed values are not yet confirmed (pending or failed), by id."""
        stmt = (
            select(cs)
            .where(
                cs.c.portal_id == portal_id,
                cs.c.write_status.in_(("pending", "failed")),
                cs.c.contact_id > after_id,
            )
            .order_by(cs.c.contact_id)
            .limit(limit)
        )
        with read_tx(self._engine) as conn:
            return _states(conn.execute(stmt))

    def iter_batches(
        self, portal_id: int, batch_size: int = 1000
    ) -> Iterator[list[ContactState]]:
        """Every stored contact of a portal in id order, a batch at a time (daily rescore)."""
        after = -1
        while True:
            with read_tx(self._engine) as conn:
                batch = _states(
                    conn.execute(
                        select(cs)
                        .where(cs.c.portal_id == portal_id, cs.c.contact_id > after)
                        .order_by(cs.c.contact_id)
                        .limit(batch_size)
                    )
                )
            if not batch:
                return
            yield batch
            after = batch[-1].contact_id

    def delete(self, portal_id: int, contact_ids: Iterable[int]) -> int:
        """Forget contacts (deleted, merged away, privacy deletion), with their property
        histories in the same transaction; returns how many contact states there were."""
        count = 0
        with write_tx(self._engine) as conn:
            for chunk in _chunks(sorted(set(contact_ids))):
                count += conn.execute(
                    delete(cs).where(cs.c.portal_id == portal_id, cs.c.contact_id.in_(chunk))
                ).rowcount
                conn.execute(delete(ch).where(ch.c.portal_id == portal_id,
                                              ch.c.contact_id.in_(chunk)))
        return count

    def counts(self, portal_id: int) -> dict[WriteStatus, int]:
        """How many contacts are in each write status."""
        stmt = (
            select(cs.c.write_status, func.count())
            .where(cs.c.portal_id == portal_id)
            .group_by(cs.c.write_status)
        )
        with read_tx(self._engine) as conn:
            return {row[0]: int(row[1]) for row in conn.execute(stmt)}


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start : start + _ID_CHUNK]


def _states(result: Iterable[Row[Any]]) -> list[ContactState]:
    """The rows as records, their inputs validated as one batch."""
    rows = list(result)
    try:
        inputs = StoredInputs.from_json_batch([r.inputs for r in rows])
    except StoredInputsError:
        for row in rows:  # name the first malformed contact
            try:
                StoredInputs.from_json(row.inputs)
            except StoredInputsError as error:
                raise StoredInputsError(
                    f"stored inputs of contact {row.contact_id} (portal {row.portal_id}) "
                    f"are malformed: {error}"
                ) from None
        raise
    return [_state(r, i) for r, i in zip(rows, inputs, strict=True)]


def _state(row: Row[Any], inputs: StoredInputs) -> ContactState:
    return ContactState(
        portal_id=row.portal_id,
        contact_id=row.contact_id,
        input_hash=row.input_hash,
        inputs=inputs,
        written_values=row.written_values,
        pending_values=row.pending_values,
        write_status=row.write_status,
        write_error=row.write_error,
        write_attempts=row.write_attempts,
        scored_at=row.scored_at,
        written_at=row.written_at,
        updated_at=row.updated_at,
    )
