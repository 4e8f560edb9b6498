"""Refreshing stored property histories against the sandbox: only stale contacts are read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connector.crm import CrmSession, ObjectType
from connector.store import Store, properties_key
from connector.sync.history_reads import CLOCK_MARGIN, refresh_histories, stale_contacts
from connector.sync.portal_session import PortalSession
from tests.sync.conftest import Box, connect_static, make_service

PROPERTIES = ("lifecyclestage", "jobtitle")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def _now(box: Box) -> datetime:
    """The sandbox's clock (HubSpot's time), which stamps every modification."""
    return EPOCH + box.control("GET", "/time")["now_ms"] * MS


def _modified_ms(crm: CrmSession, ids: list[int]) -> dict[int, int]:
    """Each contact's `lastmodifieddate` (epoch ms), as the caller's stored inputs give it."""
    found: dict[int, int] = {}
    for record in crm.read(ObjectType.CONTACTS, [str(i) for i in ids], ["lastmodifieddate"]):
        stamp = record.properties["lastmodifieddate"]
        assert stamp is not None
        found[int(record.id)] = (datetime.fromisoformat(stamp) - EPOCH) // MS
    return found


@pytest.fixture
def session(box: Box, store: Store, tmp_path: Path) -> Iterator[PortalSession]:
    connect_static(box, store)
    with make_service(box, store, tmp_path).session(box.hub_id) as opened:
        yield opened


@pytest.fixture
def contact_ids(session: PortalSession) -> list[int]:
    pages = session.crm.list_pages(ObjectType.CONTACTS, ["email"])
    return sorted(int(r.id) for page in pages for r in page.records)


def test_a_second_refresh_reads_nothing_and_a_patched_contact_alone_is_read_again(
    box: Box, store: Store, session: PortalSession, contact_ids: list[int],
) -> None:
    crm, hub = session.crm, box.hub_id
    modified = _modified_ms(crm, contact_ids)
    box.control("POST", "/time/advance", json={"seconds": 600})

    first = refresh_histories(crm, store, hub, contact_ids, PROPERTIES, modified, _now(box))
    second = refresh_histories(crm, store, hub, contact_ids, PROPERTIES, modified, _now(box))

    assert (first.read, first.reused, first.calls, first.complete) == (120, 0, 3, True)
    assert (second.read, second.reused, second.calls, second.complete) == (0, 120, 0, True)
    stored = store.histories.load(hub)
    assert len(stored) == 120
    assert all(set(h.properties) == set(PROPERTIES) for h in stored.values())
    assert all(h.properties["lifecyclestage"] for h in stored.values())

    patched = contact_ids[17]
    box.control("PATCH", f"/portals/{hub}/contacts/{patched}", json={"jobtitle": "CTO"})
    modified.update(_modified_ms(crm, [patched]))  # the next pass stores its new input
    box.control("POST", "/time/advance", json={"seconds": 600})

    third = refresh_histories(crm, store, hub, contact_ids, PROPERTIES, modified, _now(box))

    assert (third.read, third.reused, third.calls, third.complete) == (1, 119, 1, True)
    latest = store.histories.load(hub, [patched])[str(patched)].properties["jobtitle"][-1]
    assert (latest.value, latest.at_ms) == ("CTO", modified[patched])


def test_another_property_set_reads_every_contact_again(
    box: Box, store: Store, session: PortalSession, contact_ids: list[int],
) -> None:
    crm, hub = session.crm, box.hub_id
    modified = _modified_ms(crm, contact_ids)
    refresh_histories(crm, store, hub, contact_ids, PROPERTIES, modified, _now(box))

    wider = refresh_histories(crm, store, hub, contact_ids, (*PROPERTIES, "industry"),
                              modified, _now(box))

    assert (wider.read, wider.reused, wider.calls) == (120, 0, 3)
    marks = store.histories.read_marks(hub)
    assert {key for key, _ in marks.values()} == {
        properties_key(["industry", "jobtitle", "lifecyclestage"])}


def test_a_spent_budget_keeps_what_was_read_and_the_next_refresh_reads_the_rest(
    box: Box, store: Store, session: PortalSession, contact_ids: list[int],
) -> None:
    crm, hub = session.crm, box.hub_id
    modified = _modified_ms(crm, contact_ids)
    used = store.budget.add(hub, 1000)
    spent_so_far = crm.calls().billable

    # The day may reach one call more than the store and this refresh have used.
    cut = refresh_histories(crm, store, hub, contact_ids, PROPERTIES, modified, _now(box),
                            budget=used + 1)
    rest = refresh_histories(crm, store, hub, contact_ids, PROPERTIES, modified, _now(box),
                             budget=used + 100)

    assert (cut.read, cut.calls, cut.complete) == (50, 1, False)
    assert crm.calls().billable - spent_so_far == 3
    assert (rest.read, rest.reused, rest.calls, rest.complete) == (70, 50, 2, True)
    assert len(store.histories.load(hub)) == 120


def test_contacts_the_crm_no_longer_has_are_counted_gone(
    box: Box, store: Store, session: PortalSession, contact_ids: list[int],
) -> None:
    crm, hub = session.crm, box.hub_id
    asked = [*contact_ids[:10], 987_654_321]

    refresh = refresh_histories(crm, store, hub, asked, PROPERTIES,
                                _modified_ms(crm, contact_ids[:10]), _now(box))

    assert (refresh.read, refresh.gone, refresh.calls, refresh.complete) == (10, 1, 1, True)
    assert set(store.histories.read_marks(hub)) == set(contact_ids[:10])


def test_staleness_rules() -> None:
    read_at = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    read_ms = (read_at - EPOCH) // MS
    margin_ms = CLOCK_MARGIN // MS
    marks = {1: ("k", read_at), 2: ("k", read_at), 3: ("other", read_at), 4: ("k", read_at),
             5: ("k", read_at)}
    modified = {1: read_ms - margin_ms - 1, 2: read_ms + 5, 4: read_ms - margin_ms // 2}

    stale = stale_contacts(marks, [1, 2, 3, 4, 5, 6, 2], "k", modified)

    # 1: modified well before its read; 5: no known modification; 2: modified after the
    # read; 3: another property set; 4: within the clock margin; 6: never read.
    assert stale == [2, 3, 4, 6]
