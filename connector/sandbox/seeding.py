"""Filling portals from the generator (`generator.py`): the seed state and added leads."""

from __future__ import annotations

from typing import Any, get_args

import numpy as np

from connector.sandbox.generator import (
    EngagementKind,
    GeneratedPortal,
    generate_leads,
    generate_portal,
)
from connector.sandbox.portal import FIRST_CONTACT_ID, PortalState, SeedContact, SeedEngagement
from connector.sandbox.records import Record
from connector.sandbox.values import parse_time_ms

# Generated ids start right after this offset (so they match the portal's id scheme).
ID_OFFSET = FIRST_CONTACT_ID - 1


def _contacts(generated: GeneratedPortal, fallback_ms: int) -> list[SeedContact]:
    seeds = []
    for row in generated.contact_records():
        props = {k: v for k, v in row.items() if v is not None}
        created = parse_time_ms(props.get("createdate", "")) or fallback_ms
        updated = parse_time_ms(props.get("lastmodifieddate", "")) or created
        seeds.append(SeedContact(props, created, updated, int(props["hs_object_id"])))
    return seeds


def _engagements(generated: GeneratedPortal, fallback_ms: int) -> list[SeedEngagement]:
    seeds = []
    kinds: tuple[EngagementKind, ...] = get_args(EngagementKind)
    for kind in kinds:
        rows = sorted(generated.engagement_records(kind), key=lambda r: int(r["hs_object_id"] or 0))
        for row in rows:
            contact_id = int(row.pop("contact_id") or 0)
            props = {k: v for k, v in row.items() if v is not None}
            when = parse_time_ms(props.get("hs_timestamp", "")) or fallback_ms
            seeds.append(
                SeedEngagement(kind, props, (contact_id,), when, int(props["hs_object_id"]))
            )
    return seeds


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


def seed_portal(portal: PortalState, n_contacts: int, seed: int, now_ms: int) -> None:
    """Fill an empty portal with `n_contacts` generated contacts and their engagements."""
    if n_contacts <= 0:
        return
    generated = generate_portal(n_contacts, seed, now_ms, id_offset=ID_OFFSET)
    portal.seed(_contacts(generated, now_ms), _engagements(generated, now_ms), _truth(generated))


def add_generated_leads(portal: PortalState, count: int, seed: int, now_ms: int) -> list[Record]:
    """Add `count` brand-new realistic leads (created in the last minutes) to a portal."""
    offset = portal.contacts.store.allocate_id() - 1
    generated = generate_leads(count, seed, now_ms, id_offset=offset)
    return portal.add_generated(
        _contacts(generated, now_ms), _engagements(generated, now_ms), _truth(generated)
    )
