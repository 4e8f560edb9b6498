"""Associations v4 between contacts, companies and deals through the official SDK: batch
read both ways with HubSpot's type ids and the primary label, labels, per-record lists,
default and labelled creation, paging past 500, removal, and the counts they drive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
)

from connector.sandbox.portal import PortalState
from connector.sandbox.server import SandboxServer
from tests.sandbox.conftest import HUB, http_client, sdk_client, start_sandbox


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    started = start_sandbox(contacts_per_portal=1_500)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def api(server: SandboxServer) -> HubSpot:
    return sdk_client(server)


def _portal(server: SandboxServer) -> PortalState:
    return server.sandbox.portals[HUB]


def _read(api: HubSpot, source: str, target: str, ids: list[int]) -> Any:
    return api.crm.associations.v4.batch_api.get_page(
        source,
        target,
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": str(i)} for i in ids]),
    )


def _types(entry: Any) -> set[tuple[int, str | None]]:
    return {(t.type_id, t.label) for to in entry.to for t in to.association_types}


def test_contact_to_company_carries_the_primary_label(api: HubSpot, server: SandboxServer) -> None:
    portal = _portal(server)
    contacts = list(portal.links.sources("contacts", "companies"))[:20]
    result = _read(api, "contacts", "companies", contacts)
    assert not getattr(result, "errors", None)  # a plain 200, not a 207
    assert len(result.results) == 20
    for entry in result.results:
        [to] = entry.to  # generated contacts work at one company
        assert isinstance(to.to_object_id, str | int)
        assert {(t.category, t.type_id, t.label) for t in to.association_types} == {
            ("HUBSPOT_DEFINED", 279, None),
            ("HUBSPOT_DEFINED", 1, "Primary"),
        }
        company = int(to.to_object_id)
        assert int(entry._from.id) in portal.links.ids("companies", company, "contacts")
    # The raw JSON has numeric toObjectIds, as HubSpot sends them.
    with http_client(server) as http:
        raw = http.post(
            "/crm/v4/associations/0-1/company/batch/read",  # aliases HubSpot accepts
            json={"inputs": [{"id": str(contacts[0])}]},
        ).json()
    assert isinstance(raw["results"][0]["to"][0]["toObjectId"], int)


def test_reverse_directions_and_deal_pairs(api: HubSpot, server: SandboxServer) -> None:
    portal = _portal(server)
    company = next(iter(portal.links.sources("companies", "deals")))
    deal = portal.links.ids("companies", company, "deals")[0]
    contact = portal.links.ids("deals", deal, "contacts")[0]

    back = _read(api, "companies", "contacts", [company]).results[0]
    assert _types(back) >= {(280, None), (2, "Primary")}
    assert _types(_read(api, "contacts", "deals", [contact]).results[0]) == {(4, None)}
    assert _types(_read(api, "deals", "contacts", [deal]).results[0]) == {(3, None)}
    assert (342, None) in _types(_read(api, "companies", "deals", [company]).results[0])
    assert _types(_read(api, "deals", "companies", [deal]).results[0]) == {
        (341, None),
        (5, "Primary"),
    }
    # A deal's contact works at the deal's company.
    assert company in portal.links.ids("contacts", contact, "companies")


def test_labels_between_pairs(api: HubSpot) -> None:
    labels = api.crm.associations.v4.schema.definitions_api.get_all("contacts", "companies")
    assert {(x.category, x.type_id, x.label) for x in labels.results} == {
        ("HUBSPOT_DEFINED", 1, "Primary"),
        ("HUBSPOT_DEFINED", 279, None),
    }
    deal_labels = api.crm.associations.v4.schema.definitions_api.get_all("deals", "contacts")
    assert [(x.type_id, x.label) for x in deal_labels.results] == [(3, None)]


def test_inputs_without_associations_are_errors_and_limits_hold(
    api: HubSpot, server: SandboxServer
) -> None:
    portal = _portal(server)
    lonely = next(
        c for c in portal.contacts.store.ids if not portal.links.ids("contacts", c, "companies")
    )
    result = _read(api, "contacts", "companies", [lonely])
    assert result.results == [] and result.num_errors == 1
    with http_client(server) as http:
        too_many = http.post(
            "/crm/v4/associations/contacts/companies/batch/read",
            json={"inputs": [{"id": "1"}] * 1001},
        )
        unknown_pair = http.post(
            "/crm/v4/associations/companies/calls/batch/read", json={"inputs": [{"id": "1"}]}
        )
    assert too_many.status_code == 400
    assert unknown_pair.status_code == 400


def test_a_company_with_more_than_500_contacts_pages_per_input() -> None:
    server = start_sandbox(contacts_per_portal=600)
    try:
        portal = _portal(server)
        api = sdk_client(server)
        company = api.crm.companies.basic_api.create(
            {"properties": {"name": "Big Account", "domain": "big-account.example"}}
        )
        contacts = portal.contacts.store.ids[:520]
        created = api.crm.associations.v4.batch_api.create_default(
            "contacts",
            "companies",
            BatchInputPublicDefaultAssociationMultiPost(
                inputs=[{"from": {"id": str(c)}, "to": {"id": company.id}} for c in contacts]
            ),
        )
        assert not getattr(created, "errors", None)
        first = _read(api, "companies", "contacts", [int(company.id)]).results[0]
        assert len(first.to) == 500 and first.paging.next.after
        with http_client(server) as http:
            rest = http.post(
                "/crm/v4/associations/companies/contacts/batch/read",
                json={"inputs": [{"id": company.id, "after": first.paging.next.after}]},
            ).json()["results"][0]
            listed = http.get(f"/crm/v4/objects/companies/{company.id}/associations/contacts")
            second = http.get(
                f"/crm/v4/objects/companies/{company.id}/associations/contacts",
                params={"after": listed.json()["paging"]["next"]["after"]},
            ).json()
            count = http.get(
                f"/crm/v3/objects/companies/{company.id}",
                params={"properties": "num_associated_contacts"},
            ).json()["properties"]["num_associated_contacts"]
        seen = [int(t.to_object_id) for t in first.to] + [t["toObjectId"] for t in rest["to"]]
        assert sorted(seen) == sorted(contacts)
        assert "paging" not in rest
        assert len(listed.json()["results"]) == 500 and len(second["results"]) == 20
        assert "paging" not in second
        assert count == "520"
    finally:
        server.stop()


def test_default_creation_makes_the_first_company_primary_and_labels_move_it(
    small: SandboxServer,
) -> None:
    api = sdk_client(small)
    contact = api.crm.contacts.basic_api.create({"properties": {"email": "new@acme.example"}})
    acme, other = (
        api.crm.companies.basic_api.create({"properties": {"name": n, "domain": d}})
        for n, d in (("Acme", "acme.example"), ("Other", "other.example"))
    )
    made = api.crm.associations.v4.basic_api.create_default(
        "contacts", contact.id, "companies", acme.id
    )
    created = {(r._from.id, r.to.id, r.association_spec.association_type_id) for r in made.results}
    assert created == {
        (contact.id, acme.id, 279),
        (acme.id, contact.id, 280),
        (contact.id, acme.id, 1),
        (acme.id, contact.id, 2),
    }
    second = api.crm.associations.v4.basic_api.create_default(
        "contacts", contact.id, "companies", other.id
    )
    assert {r.association_spec.association_type_id for r in second.results} == {279, 280}
    labelled = api.crm.associations.v4.basic_api.create(
        "contacts",
        contact.id,
        "companies",
        other.id,
        [AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)],
    )
    assert labelled.labels == ["Primary"]
    page = api.crm.associations.v4.basic_api.get_page("contacts", contact.id, "companies")
    by_company = {
        str(r.to_object_id): {t.type_id for t in r.association_types} for r in page.results
    }
    assert by_company == {acme.id: {279}, other.id: {1, 279}}
    with http_client(small) as http:
        removed = http.delete(
            f"/crm/v4/objects/contacts/{contact.id}/associations/companies/{other.id}"
        )
        after = http.get(f"/crm/v4/objects/contact/{contact.id}/associations/0-2").json()
        wrong = http.put(
            f"/crm/v4/objects/contacts/{contact.id}/associations/companies/{acme.id}",
            json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4}],
        )
        missing = http.put(
            f"/crm/v4/objects/contacts/{contact.id}/associations/default/companies/1"
        )
        legacy = http.get(
            f"/crm/v3/objects/contacts/{contact.id}", params={"associations": "companies"}
        ).json()
    assert removed.status_code == 204
    assert [r["toObjectId"] for r in after["results"]] == [int(acme.id)]
    assert wrong.status_code == 400
    assert missing.status_code == 404
    assert legacy["associations"]["companies"]["results"] == [
        {"id": acme.id, "type": "contact_to_company_unlabeled"}
    ]


def test_seeded_associations_match_the_generated_portal(server: SandboxServer) -> None:
    portal = _portal(server)
    for contact_id, targets in list(portal.links.sources("contacts", "companies").items())[:50]:
        [company] = targets
        assert contact_id in portal.links.targets("companies", company, "contacts")
        assert targets[company] == {1, 279}
    for deal in portal.deals.store.ids:
        assert len(portal.links.ids("deals", deal, "contacts")) == 1
        contact = portal.contacts.store.records[portal.links.ids("deals", deal, "contacts")[0]]
        assert contact.properties["num_associated_deals"] == "1"
    counted = {
        company: int(record.properties["num_associated_contacts"])
        for company, record in portal.companies.store.records.items()
    }
    assert counted == {
        company: len(portal.links.targets("companies", company, "contacts"))
        for company in portal.companies.store.ids
    }
