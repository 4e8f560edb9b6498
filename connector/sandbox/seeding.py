"""Filling portals from the generator (`generator.py`): the seed state and added leads."""

from __future__ import annotations

from typing import Any

import numpy as np

from connector.sandbox.generator import (
    DEFAULT_COMPANIES_PER_CONTACT,
    ENGAGEMENT_KINDS,
    GeneratedPortal,
    generate_leads,
    generate_portal,
)
from connector.sandbox.history import SeededVersions, Version
from connector.sandbox.object_types import (
    COMPANIES,
    CONTACTS,
    DEALS,
    FIRST_CONTACT_ID,
    OBJECT_TYPES,
)
from connector.sandbox.pipelines import OPEN_STAGES
from connector.sandbox.portal import (
    PortalState,
    SeedContact,
    SeedEngagement,
    SeedLink,
    SeedRecord,
)
from connector.sandbox.records import Record
from connector.sandbox.values import parse_time_ms

# Generated ids start right after this offset (so they match the portal's id scheme).
ID_OFFSET = FIRST_CONTACT_ID - 1


def _deal_history(
    props: dict[str, str], created_ms: int, updated_ms: int
) -> dict[str, tuple[Version, ...]]:
    """`dealstage` versions: the open stages walked through in turn, then the final one."""
    stage = props.get("dealstage", "")
    closed_ms = parse_time_ms(props.get("closedate", "")) if stage not in OPEN_STAGES else None
    if closed_ms is not None:
        path, end = [OPEN_STAGES[0], stage], closed_ms
    else:
        path, end = list(OPEN_STAGES[: OPEN_STAGES.index(stage) + 1]), updated_ms
    step = (end - created_ms) // max(len(path) - 1, 1)
    times = [created_ms + i * step for i in range(len(path) - 1)] + [end]
    return {"dealstage": tuple(Version(s, t, "CRM_UI") for s, t in zip(path, times, strict=True))}


def _contacts(generated: GeneratedPortal, fallback_ms: int) -> list[SeedContact]:
    seeds = []
    for row in generated.contact_records():
        props = {k: v for k, v in row.items() if v is not None}
        created = parse_time_ms(props.get("createdate", "")) or fallback_ms
        updated = parse_time_ms(props.get("lastmodifieddate", "")) or created
        seeds.append(
            SeedContact(props, created, updated, int(props["hs_object_id"]))
        )
    return seeds


def _engagements(generated: GeneratedPortal, fallback_ms: int) -> list[SeedEngagement]:
    seeds = []
    for kind in ENGAGEMENT_KINDS:
        rows = sorted(generated.engagement_records(kind), key=lambda r: int(r["hs_object_id"] or 0))
        for row in rows:
            contact_id = int(row.pop("contact_id") or 0)
            props = {k: v for k, v in row.items() if v is not None}
            when = parse_time_ms(props.get("hs_timestamp", "")) or fallback_ms
            seeds.append(
                SeedEngagement(kind, props, (contact_id,), when, int(props["hs_object_id"]))
            )
    return seeds


def _record(object_type: str, row: dict[str, str | None], fallback_ms: int) -> SeedRecord:
    definition = OBJECT_TYPES[object_type]
    props = {k: v for k, v in row.items() if v is not None}
    created = parse_time_ms(props.get(definition.created_property, "")) or fallback_ms
    updated = parse_time_ms(props.get(definition.modified_property, "")) or created
    history = _deal_history(props, created, updated) if object_type == DEALS else {}
    return SeedRecord(object_type, props, created, updated, int(props["hs_object_id"]), history)


def _companies(generated: GeneratedPortal, fallback_ms: int) -> list[SeedRecord]:
    return [_record(COMPANIES, row, fallback_ms) for row in generated.company_records()]


def _company_links(generated: GeneratedPortal) -> list[SeedLink]:
    """Each contact → its company, as the primary company (its only one)."""
    ids = generated.contacts["hs_object_id"].tolist()
    pairs = zip(ids, generated.contact_company.tolist(), strict=True)
    return [
        SeedLink(CONTACTS, int(contact), COMPANIES, int(company), primary=True)
        for contact, company in pairs
        if company is not None
    ]


def _deals(generated: GeneratedPortal, fallback_ms: int) -> tuple[list[SeedRecord], list[SeedLink]]:
    """Deals and their links: to the converted contact and (as primary) to its company."""
    records, links = [], []
    for row in generated.deal_records():
        contact_id, company_id = row.pop("contact_id"), row.pop("company_id")
        record = _record(DEALS, row, fallback_ms)
        records.append(record)
        links.append(SeedLink(DEALS, record.record_id, CONTACTS, int(contact_id or 0)))
        if company_id is not None:
            links.append(SeedLink(DEALS, record.record_id, COMPANIES, int(company_id), True))
    return records, links


def _versions(generated: GeneratedPortal) -> dict[str, SeededVersions]:
    """The contacts' generated property histories, as the portal holds them."""
    h = generated.contact_history
    return {
        CONTACTS: SeededVersions.build(
            h.contact_id, h.property, h.value, h.timestamp_ms, h.source, h.user_id
        )
    }


def _truth(generated: GeneratedPortal) -> dict[int, dict[str, Any]]:
    """The hidden outcome columns per contact id, as plain JSON-able values."""
    columns = {k: v for k, v in generated.truth.items() if k != "contact_id"}
    ids = generated.truth["contact_id"]
    truth: dict[int, dict[str, Any]] = {}
    for i, contact_id in enumerate(ids.tolist()):
        truth[int(contact_id)] = {
            name: (col[i].item() if isinstance(col[i], np.generic) else col[i])
            for name, col in columns.items()
        }
    return truth


def seed_portal(
    portal: PortalState,
    n_contacts: int,
    seed: int,
    now_ms: int,
    companies_per_contact: float = DEFAULT_COMPANIES_PER_CONTACT,
) -> None:
    """Fill an empty portal with `n_contacts` generated contacts, their engagements, their
    companies and the deals of those who already converted."""
    if n_contacts <= 0:
        return
    generated = generate_portal(
        n_contacts,
        seed,
        now_ms,
        id_offset=ID_OFFSET,
        companies_per_contact=companies_per_contact,
    )
    deals, deal_links = _deals(generated, now_ms)
    portal.seed(
        _contacts(generated, now_ms),
        _engagements(generated, now_ms),
        _truth(generated),
        records=[*_companies(generated, now_ms), *deals],
        links=[*_company_links(generated), *deal_links],
        versions=_versions(generated),
    )


def add_generated_leads(portal: PortalState, count: int, seed: int, now_ms: int) -> list[Record]:
    """Add `count` brand-new realistic leads (created in the last minutes) to a portal; their
    companies are found by domain or created, as HubSpot's auto-association does."""
    with portal.lock:
        offset = portal.contacts.store.allocate_id() - 1
    generated = generate_leads(count, seed, now_ms, id_offset=offset)
    members = {c for c in generated.contact_company.tolist() if c is not None}
    companies = [c for c in _companies(generated, now_ms) if str(c.record_id) in members]
    return portal.add_generated(
        _contacts(generated, now_ms),
        _engagements(generated, now_ms),
        _truth(generated),
        companies=companies,
        company_links=_company_links(generated),
        versions=_versions(generated),
    )
