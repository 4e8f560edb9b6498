"""Contacts' property histories, kept between trainings so only changed contacts are read.

One row per (portal, contact): the `ContactHistory.to_json()` document, the key of the
property set it was read for (`properties_key`) and when it was read. A history read for
another property set, or older than the contact's last modification, is stale; deciding
that is the sync's job (`sync.history_reads`), keeping the marks is this one's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Engine, Row, delete, select

from connector.scoring.histories import ContactHistory, HistoryError
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.schema import contact_histories as ch

# Ids per IN (...) list.
_ID_CHUNK = 1000
PROPERTIES_KEY_LENGTH = 16


def properties_key(names: Iterable[str]) -> str:
    """A short, order-free fingerprint of a set of property names (16 hex characters)."""
    joined = "\n".join(sorted(set(names)))
    return hashlib.sha256(joined.encode()).hexdigest()[:PROPERTIES_KEY_LENGTH]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start : start + _ID_CHUNK]


class HistoryRepository:
    """`ContactHistory` documents keyed by (portal, contact)."""

    def __init__(self, engine: Engine):
        """Bind to an engine (`read_at` comes from the caller: when the CRM was read)."""
        self._engine = engine

    def save(self, portal_id: int, histories: Mapping[int, ContactHistory],
             properties_key: str, read_at: datetime) -> int:
        """Insert or replace these contacts' histories, read at `read_at` for the property
        set `properties_key`; returns how many."""
        if not histories:
            return 0
        rows = [{"portal_id": portal_id, "contact_id": int(cid), "document": h.to_json(),
                 "properties_key": properties_key, "read_at": read_at}
                for cid, h in histories.items()]
        insert = dialect_insert(self._engine, ch)
        stmt = insert.on_conflict_do_update(
            index_elements=[ch.c.portal_id, ch.c.contact_id],
            set_={"document": insert.excluded.document,
                  "properties_key": insert.excluded.properties_key,
                  "read_at": insert.excluded.read_at},
        )
        with write_tx(self._engine) as conn:
            conn.execute(stmt, rows)
        return len(rows)

    def load(self, portal_id: int,
             contact_ids: Iterable[int] | None = None) -> dict[str, ContactHistory]:
        """The stored histories (of these contacts, or all of the portal's), keyed by the
        contact id as text (a `LeadFrame`'s index). Raises `HistoryError` naming the
        portal and contact of a malformed document."""
        columns = (ch.c.contact_id, ch.c.document)
        found: dict[str, ContactHistory] = {}
        with read_tx(self._engine) as conn:
            if contact_ids is None:
                rows = conn.execute(select(*columns).where(ch.c.portal_id == portal_id))
                found.update(_histories(portal_id, rows))
                return found
            for chunk in _chunks(sorted(set(int(i) for i in contact_ids))):
                rows = conn.execute(select(*columns).where(ch.c.portal_id == portal_id,
                                                           ch.c.contact_id.in_(chunk)))
                found.update(_histories(portal_id, rows))
        return found

    def read_marks(self, portal_id: int) -> dict[int, tuple[str, datetime]]:
        """Per stored contact: the property-set key its history was read for, and when."""
        stmt = select(ch.c.contact_id, ch.c.properties_key, ch.c.read_at).where(
            ch.c.portal_id == portal_id)
        with read_tx(self._engine) as conn:
            return {r.contact_id: (r.properties_key, r.read_at) for r in conn.execute(stmt)}

    def delete(self, portal_id: int, contact_ids: Iterable[int]) -> int:
        """Forget these contacts' histories; returns how many were stored."""
        removed = 0
        with write_tx(self._engine) as conn:
            for chunk in _chunks(sorted(set(int(i) for i in contact_ids))):
                removed += conn.execute(delete(ch).where(
                    ch.c.portal_id == portal_id, ch.c.contact_id.in_(chunk))).rowcount or 0
        return removed


def _histories(portal_id: int, rows: Iterable[Row[int, str]]
               ) -> Iterator[tuple[str, ContactHistory]]:
    for contact_id, document in rows:
        try:
            history = ContactHistory.from_json(document)
        except HistoryError as error:
            raise HistoryError(
                f"stored history of contact {contact_id} (portal {portal_id}) is "
                f"malformed: {error}"
            ) from None
        yield str(contact_id), history
