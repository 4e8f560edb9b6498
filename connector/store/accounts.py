"""Synced companies (their properties and the scores written to them) and deals (their
properties and which contacts and companies they belong to)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Engine, Row, bindparam, case, delete, func, select, update

from connector.store.clock import Clock
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.records import CompanyState, DealRecord
from connector.store.schema import companies as companies_table
from connector.store.schema import company_members as members_table
from connector.store.schema import deals as deals_table

# Ids per IN (...) list.
_ID_CHUNK = 1000


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start : start + _ID_CHUNK]


def _delete(engine: Engine, portal_column: Column[Any], id_column: Column[Any],
            portal_id: int, ids: Iterable[int]) -> int:
    """Delete a portal's rows by id; returns how many there were."""
    removed = 0
    with write_tx(engine) as conn:
        for chunk in _chunks(sorted(set(ids))):
            removed += conn.execute(delete(id_column.table).where(
                portal_column == portal_id, id_column.in_(chunk))).rowcount or 0
    return removed


class CompanyRepository:
    """Companies keyed by (portal, company id)."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def save_properties(self, portal_id: int, properties: Mapping[int, Mapping[str, Any]]
                        ) -> int:
        """Insert or update companies' properties (their written scores are kept)."""
        if not properties:
            return 0
        now = self._clock()
        rows = [{"portal_id": portal_id, "company_id": cid, "properties": dict(props),
                 "written_values": {}, "scored_at": None, "updated_at": now}
                for cid, props in properties.items()]
        insert = dialect_insert(self._engine, companies_table)
        stmt = insert.on_conflict_do_update(
            index_elements=[companies_table.c.portal_id, companies_table.c.company_id],
            set_={"properties": insert.excluded.properties,
                  "updated_at": insert.excluded.updated_at},
        )
        with write_tx(self._engine) as conn:
            conn.execute(stmt, rows)
        return len(rows)

    def mark_written(self, portal_id: int, written: Mapping[int, Mapping[str, str]]) -> int:
        """Record the values the CRM confirmed for these companies (merged into theirs)."""
        if not written:
            return 0
        current = self.get_many(portal_id, written)
        now = self._clock()
        stmt = (
            update(companies_table)
            .where(companies_table.c.portal_id == bindparam("b_portal"),
                   companies_table.c.company_id == bindparam("b_company"))
            .values(written_values=bindparam("b_written"), scored_at=bindparam("b_now"))
        )
        rows = [{"b_portal": portal_id, "b_company": cid, "b_now": now,
                 "b_written": {**current[cid].written_values, **values}}
                for cid, values in written.items() if cid in current]
        if rows:
            with write_tx(self._engine) as conn:
                conn.execute(stmt, rows)
        return len(rows)

    def get_many(self, portal_id: int, company_ids: Iterable[int]) -> dict[int, CompanyState]:
        """The stored companies among these ids."""
        ids = sorted(set(company_ids))
        found: dict[int, CompanyState] = {}
        with read_tx(self._engine) as conn:
            for chunk in _chunks(ids):
                rows = conn.execute(select(companies_table).where(
                    companies_table.c.portal_id == portal_id,
                    companies_table.c.company_id.in_(chunk)))
                found.update((r.company_id, _company(r)) for r in rows)
        return found

    def delete(self, portal_id: int, company_ids: Iterable[int]) -> int:
        """Forget companies (deleted or merged away); returns how many were stored."""
        return _delete(self._engine, companies_table.c.portal_id, companies_table.c.company_id,
                       portal_id, company_ids)

    def ids(self, portal_id: int) -> list[int]:
        """Every stored company id of the portal, ascending."""
        with read_tx(self._engine) as conn:
            rows = conn.execute(select(companies_table.c.company_id).where(
                companies_table.c.portal_id == portal_id).order_by(companies_table.c.company_id))
            return [r.company_id for r in rows]


class DealRepository:
    """Deals keyed by (portal, deal id), with their contacts and companies."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def upsert(self, deals: Sequence[DealRecord]) -> int:
        """Insert or replace deals."""
        if not deals:
            return 0
        now = self._clock()
        rows = {(d.portal_id, d.deal_id): {
            "portal_id": d.portal_id, "deal_id": d.deal_id, "properties": dict(d.properties),
            "contact_ids": list(d.contact_ids), "company_ids": list(d.company_ids),
            "updated_at": now} for d in deals}
        insert = dialect_insert(self._engine, deals_table)
        stmt = insert.on_conflict_do_update(
            index_elements=[deals_table.c.portal_id, deals_table.c.deal_id],
            set_={name: insert.excluded[name]
                  for name in ("properties", "contact_ids", "company_ids", "updated_at")},
        )
        with write_tx(self._engine) as conn:
            conn.execute(stmt, list(rows.values()))
        return len(rows)

    def get_many(self, portal_id: int, deal_ids: Iterable[int]) -> list[DealRecord]:
        """The stored deals among these ids, by id."""
        ids = sorted(set(deal_ids))
        found: list[DealRecord] = []
        with read_tx(self._engine) as conn:
            for chunk in _chunks(ids):
                rows = conn.execute(select(deals_table).where(
                    deals_table.c.portal_id == portal_id, deals_table.c.deal_id.in_(chunk))
                    .order_by(deals_table.c.deal_id))
                found.extend(_deal(r) for r in rows)
        return found

    def all(self, portal_id: int) -> list[DealRecord]:
        """Every stored deal of the portal, by id."""
        with read_tx(self._engine) as conn:
            rows = conn.execute(select(deals_table).where(deals_table.c.portal_id == portal_id)
                                .order_by(deals_table.c.deal_id))
            return [_deal(r) for r in rows]

    def delete(self, portal_id: int, deal_ids: Iterable[int]) -> int:
        """Forget deals (deleted or merged away)."""
        return _delete(self._engine, deals_table.c.portal_id, deals_table.c.deal_id, portal_id,
                       deal_ids)


def _company(row: Row[Any]) -> CompanyState:
    return CompanyState(portal_id=row.portal_id, company_id=row.company_id,
                        properties=dict(row.properties or {}),
                        written_values=dict(row.written_values or {}),
                        scored_at=row.scored_at, updated_at=row.updated_at)


def _deal(row: Row[Any]) -> DealRecord:
    return DealRecord(portal_id=row.portal_id, deal_id=row.deal_id,
                      properties=dict(row.properties or {}),
                      contact_ids=tuple(int(i) for i in row.contact_ids or ()),
                      company_ids=tuple(int(i) for i in row.company_ids or ()))


@dataclass(frozen=True)
class AccountActivity:
    """What the store knows of one company's contacts."""

    contacts: int
    engaged: int
    """Contacts whose last activity is at or after the cutoff asked for."""
    last_activity_at: datetime | None


class MemberRepository:
    """Which company each contact belongs to (its primary company) and its last activity."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def save(self, portal_id: int, members: Mapping[int, tuple[int | None, datetime | None]]
             ) -> None:
        """Record contacts' (company, last activity); a contact without a company leaves."""
        joined = [{"portal_id": portal_id, "contact_id": cid, "company_id": company,
                   "last_activity_at": last}
                  for cid, (company, last) in members.items() if company is not None]
        left = [cid for cid, (company, _) in members.items() if company is None]
        with write_tx(self._engine) as conn:
            if joined:
                insert = dialect_insert(self._engine, members_table)
                conn.execute(insert.on_conflict_do_update(
                    index_elements=[members_table.c.portal_id, members_table.c.contact_id],
                    set_={"company_id": insert.excluded.company_id,
                          "last_activity_at": insert.excluded.last_activity_at},
                ), joined)
            for chunk in _chunks(sorted(left)):
                conn.execute(delete(members_table).where(
                    members_table.c.portal_id == portal_id,
                    members_table.c.contact_id.in_(chunk)))

    def companies_of(self, portal_id: int, contact_ids: Iterable[int]) -> dict[int, int]:
        """The company of each of these contacts that has one."""
        ids = sorted(set(contact_ids))
        found: dict[int, int] = {}
        with read_tx(self._engine) as conn:
            for chunk in _chunks(ids):
                rows = conn.execute(select(members_table.c.contact_id,
                                           members_table.c.company_id).where(
                    members_table.c.portal_id == portal_id,
                    members_table.c.contact_id.in_(chunk)))
                found.update((r.contact_id, r.company_id) for r in rows)
        return found

    def members_of(self, portal_id: int, company_ids: Iterable[int]) -> dict[int, list[int]]:
        """The contacts of each of these companies."""
        ids = sorted(set(company_ids))
        found: dict[int, list[int]] = {c: [] for c in ids}
        with read_tx(self._engine) as conn:
            for chunk in _chunks(ids):
                rows = conn.execute(select(members_table.c.company_id,
                                           members_table.c.contact_id).where(
                    members_table.c.portal_id == portal_id,
                    members_table.c.company_id.in_(chunk)))
                for r in rows:
                    found[r.company_id].append(r.contact_id)
        return found

    def activity(self, portal_id: int, company_ids: Iterable[int],
                 engaged_since: datetime) -> dict[int, AccountActivity]:
        """Per company: how many contacts, how many active since the cutoff, newest activity."""
        ids = sorted(set(company_ids))
        engaged = func.sum(case((members_table.c.last_activity_at >= engaged_since, 1), else_=0))
        found: dict[int, AccountActivity] = {}
        with read_tx(self._engine) as conn:
            for chunk in _chunks(ids):
                rows = conn.execute(
                    select(members_table.c.company_id, func.count(), engaged,
                           func.max(members_table.c.last_activity_at))
                    .where(members_table.c.portal_id == portal_id,
                           members_table.c.company_id.in_(chunk))
                    .group_by(members_table.c.company_id))
                for company, count, active, newest in rows:
                    found[company] = AccountActivity(int(count), int(active or 0),
                                                     _utc(newest))
        return found


def _utc(value: datetime | str | None) -> datetime | None:
    # Aggregates bypass the column type on SQLite (text comes back).
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
