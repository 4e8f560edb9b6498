"""The gateway against the sandbox over real HTTP through the real SDK."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from connector.crm import ObjectType, RecordUpdate
from connector.hubspot.auth import StaticTokenProvider
from connector.hubspot.counters import CallKind
from connector.hubspot.errors import MissingScopes, NotFound, Unauthorized
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.paths import CRM_2026_03
from tests.hubspot.conftest import FAST_RETRY, UNPACED, Sandbox


def test_lists_every_contact_across_pages(sandbox_factory: Callable[..., Sandbox]) -> None:
    box = sandbox_factory(contacts_per_portal=45)
    gateway = box.gateway()
    pages = list(gateway.list_pages(ObjectType.CONTACTS, ["email", "lifecyclestage"], page_size=20))
    assert [len(p.records) for p in pages] == [20, 20, 5]
    assert pages[0].after is None
    assert [p.after for p in pages[1:]] == [p.next_after for p in pages[:-1]]
    assert pages[-1].next_after is None
    ids = [r.id for p in pages for r in p.records]
    assert len(set(ids)) == 45
    assert all("email" in r.properties for p in pages for r in p.records)
    assert gateway.counter.snapshot().calls[CallKind.LIST] == 3


def test_resumes_listing_from_a_cursor(sandbox: Sandbox) -> None:
    gateway = sandbox.gateway()
    first = next(gateway.list_pages(ObjectType.CONTACTS, ["email"], page_size=10))
    rest = list(gateway.list_pages(ObjectType.CONTACTS, ["email"], after=first.next_after,
                                   page_size=10))
    ids = [r.id for r in first.records] + [r.id for p in rest for r in p.records]
    assert len(ids) == len(set(ids)) == 30


def test_long_property_lists_are_completed_by_batch_read(sandbox: Sandbox) -> None:
    gateway = sandbox.gateway()
    padding = [f"zz_not_a_property_{i:03d}_with_a_long_name" for i in range(60)]
    pages = list(gateway.list_pages(ObjectType.CONTACTS, ["email", *padding, "lifecyclestage"],
                                    page_size=15))
    records = [r for p in pages for r in p.records]
    assert len(records) == 30
    assert all(r.properties.get("lifecyclestage") for r in records)
    assert gateway.counter.snapshot().calls[CallKind.BATCH_READ] == len(pages)


def test_search_cursor_passes_10000_contacts_with_one_modified_time(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(contacts_per_portal=0)
    count = 10_150
    leads = [{"email": f"bulk{i}@import.example", "firstname": f"B{i}"} for i in range(count)]
    created = box.control("POST", f"/portals/{box.hub_id}/leads", json={"leads": leads})["ids"]
    gateway = box.gateway(limits=UNPACED)
    stamps = {str(r.properties["lastmodifieddate"])
              for r in gateway.read(ObjectType.CONTACTS, created[:3] + created[-3:],
                                                   ["lastmodifieddate"])}
    assert len(stamps) == 1  # one import, one timestamp: the trap
    moment_ms = int(datetime.fromisoformat(stamps.pop().replace("Z", "+00:00")).timestamp()
                    * 1000)
    seen: list[str] = []
    for page in gateway.modified_pages(ObjectType.CONTACTS, moment_ms, ["email"]):
        seen.extend(r.id for r in page.records)
    assert len(seen) == count
    assert sorted(seen, key=int) == seen  # ascending ids: the cursor only moves forward
    assert set(seen) == set(created)


def test_search_page_reports_cursor_and_more(sandbox: Sandbox) -> None:
    gateway = sandbox.gateway(limits=UNPACED)
    page = next(gateway.modified_pages(ObjectType.CONTACTS, 0, ["email"], page_size=10))
    assert len(page.records) == 10
    assert page.has_more
    assert page.last_id == page.records[-1].id
    after = next(gateway.modified_pages(ObjectType.CONTACTS, 0, ["email"],
                                        after_id=page.last_id, page_size=50))
    assert len(after.records) == 20
    assert not after.has_more
    assert int(after.records[0].id) > int(page.last_id or 0)


def test_batch_update_collects_207_and_isolates_invalid_values(sandbox: Sandbox) -> None:
    gateway = sandbox.gateway(limits=UNPACED)
    ids = [r.id for p in gateway.list_pages(ObjectType.CONTACTS, ["email"]) for r in p.records][:4]
    updates = [
        RecordUpdate(ids[0], {"jobtitle": "CTO"}),
        RecordUpdate("999999999999", {"jobtitle": "Ghost"}),
        RecordUpdate(ids[1], {"jobtitle": "VP Sales"}),
    ]
    result = gateway.update(ObjectType.CONTACTS, updates)
    assert set(result.updated_ids) == {ids[0], ids[1]}
    assert result.failed_ids == ("999999999999",)
    assert result.failures[0].category == "OBJECT_NOT_FOUND"

    bad = gateway.update(ObjectType.CONTACTS, [
        RecordUpdate(ids[2], {"jobtitle": "Engineer"}),
        RecordUpdate(ids[3], {"lifecyclestage": "not-a-stage"}),
    ])
    assert bad.updated_ids == (ids[2],)
    assert bad.failed_ids == (ids[3],)
    assert bad.failures[0].category == "VALIDATION_ERROR"
    assert "not-a-stage" in bad.failures[0].message
    written = {r.id: r.properties for r in gateway.read(ObjectType.CONTACTS, ids[:3], ["jobtitle"])}
    assert written[ids[0]]["jobtitle"] == "CTO"
    assert written[ids[2]]["jobtitle"] == "Engineer"


def test_associations_and_engagements(sandbox_factory: Callable[..., Sandbox]) -> None:
    box = sandbox_factory(contacts_per_portal=0)
    contact = box.control("POST", f"/portals/{box.hub_id}/leads",
                          json={"leads": [{"email": "a@b.example"}]})["ids"][0]
    calls = [{"type": "calls", "contact_id": int(contact),
              "properties": {"hs_call_status": "COMPLETED"}} for _ in range(3)]
    engagement_ids = box.control("POST", f"/portals/{box.hub_id}/engagements", json=calls)["ids"]
    gateway = box.gateway(limits=UNPACED)
    activities = gateway.activities([contact], ["call", "meeting"])
    assert len(activities) == 3
    assert set(activities["contact_id"]) == {contact}
    assert set(activities["outcome"]) == {"completed"}
    assert set(activities["kind"]) == {"call"}
    records = gateway.engagements("call", [str(i) for i in engagement_ids])
    assert {r.id for r in records} == {str(i) for i in engagement_ids}
    assert {r.properties["hs_call_status"] for r in records} == {"COMPLETED"}
    with pytest.raises(ValueError, match="unknown engagement kind"):
        gateway.engagements("fax", ["1"], [])


def test_missing_scopes_and_not_found_are_typed(sandbox: Sandbox) -> None:
    read_only = sandbox.static_token(("crm.objects.contacts.read",))
    gateway = sandbox.gateway(limits=UNPACED, token=read_only)
    contact = next(gateway.list_pages(ObjectType.CONTACTS, ["email"])).records[0]
    with pytest.raises(MissingScopes) as caught:
        gateway.update(ObjectType.CONTACTS, [RecordUpdate(contact.id, {"jobtitle": "x"})])
    assert caught.value.scopes == ("crm.objects.contacts.write",)
    assert read_only not in str(caught.value)
    with pytest.raises(NotFound):
        sandbox.gateway(limits=UNPACED).get_property("no_such_property_anywhere")


def test_lifecycle_stages_come_from_the_portal(sandbox: Sandbox) -> None:
    stages = sandbox.gateway(limits=UNPACED).lifecycle_stages()
    assert stages[:3] == ["subscriber", "lead", "marketingqualifiedlead"]
    assert "customer" in stages


def test_account_details_name_the_tokens_portal_on_both_path_generations(
        sandbox: Sandbox) -> None:
    details = sandbox.gateway().account()
    assert details.portal_id == sandbox.hub_id
    assert (details.account_type, details.time_zone, details.company_currency) == (
        "STANDARD", "US/Eastern", "USD")
    dated = HubSpotGateway(sandbox.url, StaticTokenProvider(sandbox.static_token()),
                           limits=UNPACED, paths=CRM_2026_03, retry_policy=FAST_RETRY)
    assert dated.account().portal_id == sandbox.hub_id
    assert dated.counter.snapshot().calls[CallKind.ACCOUNT] == 1


def test_account_details_with_a_bad_token_raise_unauthorized(sandbox: Sandbox) -> None:
    bad = "pat-na1-00000000-0000-0000-0000-000000000000"
    with pytest.raises(Unauthorized) as caught:
        sandbox.gateway(token=bad).account()
    assert bad not in str(caught.value)
