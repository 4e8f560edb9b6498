"""Property histories read from the sandbox over real HTTP through the real SDK."""

from __future__ import annotations

from collections.abc import Callable

from hubspot import HubSpot
from hubspot.crm.contacts import SimplePublicObjectInput

from connector.crm import ObjectType
from connector.hubspot.counters import CallKind
from connector.hubspot.raw import contact_history, epoch_ms
from connector.scoring.histories import ValueChange
from tests.hubspot.conftest import Sandbox

BATCH_READ = "POST /crm/v3/objects/{object_type}/batch/read"


def _now_ms(box: Sandbox) -> int:
    return int(box.control("GET", "/time")["now_ms"])


def _modified_ms(box: Sandbox, contact_id: str) -> int:
    """The contact's `lastmodifieddate` as the sandbox stamped it (epoch ms)."""
    gateway = box.gateway()
    [record] = gateway.read(ObjectType.CONTACTS, [contact_id], ["lastmodifieddate"])
    stamp = record.properties["lastmodifieddate"]
    assert stamp is not None
    ms = epoch_ms(stamp)
    assert ms is not None
    return ms


def _contact_ids(box: Sandbox) -> list[int]:
    pages = box.gateway().list_pages(ObjectType.CONTACTS, ["email"])
    return [int(r.id) for page in pages for r in page.records]


def test_a_property_changed_twice_reads_back_oldest_first_with_times_and_sources(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(contacts_per_portal=0)
    [contact_id] = box.control("POST", f"/portals/{box.hub_id}/leads",
                               json={"leads": [{"email": "h@x.example",
                                                "jobtitle": "Intern"}]})["ids"]
    created_ms = _modified_ms(box, contact_id)
    box.control("POST", "/time/advance", json={"seconds": 3600})
    # A PATCH through the public API with an app's token (HubSpot says INTEGRATION) ...
    sdk = HubSpot(access_token=box.static_token(), host=box.url)
    sdk.crm.contacts.basic_api.update(contact_id,
                                      SimplePublicObjectInput(properties={"jobtitle": "Analyst"}))
    api_ms = _modified_ms(box, contact_id)
    box.control("POST", "/time/advance", json={"seconds": 86_400})
    # ... and one by a user in HubSpot's UI (source CRM_UI).
    box.control("PATCH", f"/portals/{box.hub_id}/contacts/{contact_id}",
                json={"jobtitle": "Head of Data"})
    ui_ms = _modified_ms(box, contact_id)
    gateway = box.gateway()

    [batch] = list(gateway.histories(ObjectType.CONTACTS, [int(contact_id)], ["jobtitle"]))

    assert api_ms - created_ms >= 3_600_000 and ui_ms - api_ms >= 86_400_000
    assert batch[int(contact_id)].properties["jobtitle"] == (
        ValueChange(created_ms, "Intern", "CRM_UI"),
        ValueChange(api_ms, "Analyst", "INTEGRATION"),
        ValueChange(ui_ms, "Head of Data", "CRM_UI"),
    )
    assert gateway.counter.snapshot().calls[CallKind.HISTORY] == 1


def test_120_contacts_take_three_batch_reads_of_at_most_50(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(contacts_per_portal=120)
    ids = _contact_ids(box)
    before = box.control("GET", f"/portals/{box.hub_id}/counters")["requests"].get(BATCH_READ, {})
    gateway = box.gateway()

    batches = list(gateway.histories(ObjectType.CONTACTS, ids, ["lifecyclestage", "email"]))

    assert [len(b) for b in batches] == [50, 50, 20]
    assert sorted(cid for b in batches for cid in b) == sorted(ids)
    assert gateway.counter.snapshot().calls[CallKind.HISTORY] == 3
    after = box.control("GET", f"/portals/{box.hub_id}/counters")["requests"][BATCH_READ]
    assert after.get("200", 0) - before.get("200", 0) == 3
    # Every seeded contact has held a lifecycle stage and an email.
    assert all(h.properties["lifecyclestage"] and h.properties["email"]
               for b in batches for h in b.values())


def test_a_property_never_held_reads_as_an_empty_history(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(contacts_per_portal=0)
    [contact_id] = box.control("POST", f"/portals/{box.hub_id}/leads",
                               json={"leads": [{"email": "e@x.example"}]})["ids"]
    gateway = box.gateway()

    [batch] = list(gateway.histories(ObjectType.CONTACTS, [int(contact_id)],
                                     ["email", "jobtitle", "zz_not_a_property"]))

    history = batch[int(contact_id)]
    assert [c.value for c in history.properties["email"]] == ["e@x.example"]
    # Asked and never set, or not even defined: read, and empty (not missing).
    assert history.properties["jobtitle"] == ()
    assert history.properties["zz_not_a_property"] == ()
    assert history.first_set_ms("jobtitle") is None


def test_deleted_contacts_are_left_out(sandbox_factory: Callable[..., Sandbox]) -> None:
    box = sandbox_factory(contacts_per_portal=3)
    ids = _contact_ids(box)
    gateway = box.gateway()

    batches = list(gateway.histories(ObjectType.CONTACTS, [*ids, 987_654_321], ["email"]))

    assert [sorted(b) for b in batches] == [sorted(ids)]


def test_no_ids_make_no_call(sandbox: Sandbox) -> None:
    gateway = sandbox.gateway()

    assert list(gateway.histories(ObjectType.CONTACTS, [], ["email"])) == []
    assert gateway.counter.snapshot().calls[CallKind.HISTORY] == 0


def test_versions_are_parsed_from_value_timestamp_and_source_only() -> None:
    item = {"id": "7", "propertiesWithHistory": {"lifecyclestage": [
        {"value": "customer", "timestamp": "2026-03-02T10:00:00.250Z", "sourceType": "CRM_UI",
         "sourceId": "userId:9", "sourceLabel": "Ana", "updatedByUserId": 9},
        {"value": "lead", "timestamp": "2026-03-01T10:00:00Z", "sourceType": "FORM",
         "sourceId": None},
        {"value": "", "timestamp": None, "sourceType": "API"},
    ]}}

    history = contact_history(item, ["lifecyclestage", "hs_lead_status"])

    assert history.properties == {
        "lifecyclestage": (ValueChange(1_772_359_200_000, "lead", "FORM"),
                           ValueChange(1_772_445_600_250, "customer", "CRM_UI")),
        "hs_lead_status": (),
    }


def test_history_reads_are_retried_through_injected_faults(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(contacts_per_portal=120)
    ids = _contact_ids(box)
    box.control("PUT", "/faults", json={"error_rate": 0.4})
    gateway = box.gateway()

    batches = list(gateway.histories(ObjectType.CONTACTS, ids, ["lifecyclestage"]))

    assert sorted(cid for b in batches for cid in b) == sorted(ids)
    faults = box.control("GET", f"/portals/{box.hub_id}/counters")["faults"]
    assert sum(faults.values()) > 0
    # Each failed attempt was retried and counted: 3 batches plus one call per fault.
    assert gateway.counter.snapshot().calls[CallKind.HISTORY] == 3 + sum(faults.values())
