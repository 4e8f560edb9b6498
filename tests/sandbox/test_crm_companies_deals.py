"""Companies and deals through the official SDK: list, get, search, batches (207), properties,
read-only rollups, deal pipelines and the stage rules, per-type scopes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hubspot import HubSpot
from hubspot.crm.companies import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
)
from hubspot.crm.companies.exceptions import ApiException as CompaniesApiException
from hubspot.crm.deals.exceptions import ApiException as DealsApiException
from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException

from connector.sandbox.access import PRIVATE_APP_ID_BASE
from connector.sandbox.server import SandboxServer
from tests.sandbox.conftest import HUB, http_client, sdk_client, start_sandbox

N_CONTACTS = 2_000


@pytest.fixture(scope="module")
def portal_server() -> Iterator[SandboxServer]:
    server = start_sandbox(contacts_per_portal=N_CONTACTS)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(portal_server: SandboxServer) -> HubSpot:
    return sdk_client(portal_server)


def _all_ids(pager: object) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        page = pager.get_page(limit=100, after=after)  # type: ignore[attr-defined]
        ids.extend(r.id for r in page.results)
        if page.paging is None:
            return ids
        after = page.paging.next.after


def test_companies_and_deals_list_every_generated_record(
    api: HubSpot, portal_server: SandboxServer
) -> None:
    portal = portal_server.sandbox.portals[HUB]
    company_ids = _all_ids(api.crm.companies.basic_api)
    deal_ids = _all_ids(api.crm.deals.basic_api)
    assert len(company_ids) == len(portal.companies.store) == round(0.3 * N_CONTACTS)
    assert len(set(deal_ids)) == len(portal.deals.store) > 0
    page = api.crm.companies.basic_api.get_page(limit=3)
    assert set(page.results[0].properties) == {
        "createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name",
    }  # fmt: skip
    with pytest.raises(CompaniesApiException) as too_big:
        api.crm.companies.basic_api.get_page(limit=101)
    assert too_big.value.status == 400


def test_get_company_and_deal_by_id_with_their_properties(api: HubSpot) -> None:
    company = api.crm.companies.basic_api.get_page(limit=1).results[0]
    got = api.crm.companies.basic_api.get_by_id(
        company.id,
        properties=["name", "domain", "industry", "numberofemployees", "num_associated_contacts"],
    )
    assert got.properties["domain"] and got.properties["name"]
    assert int(got.properties["num_associated_contacts"]) >= 1
    deal = api.crm.deals.basic_api.get_page(limit=1).results[0]
    props = api.crm.deals.basic_api.get_by_id(
        deal.id, properties=["dealname", "amount", "pipeline", "dealstage", "hs_is_closed_won"]
    ).properties
    assert props["pipeline"] == "default" and props["dealstage"] and props["amount"]
    with pytest.raises(DealsApiException) as missing:
        api.crm.deals.basic_api.get_by_id("1")
    assert missing.value.status == 404


def test_search_companies_by_hs_lastmodifieddate_sorted_by_object_id(
    api: HubSpot, portal_server: SandboxServer
) -> None:
    portal = portal_server.sandbox.portals[HUB]
    stamps = sorted(
        r.properties["hs_lastmodifieddate"] for r in portal.companies.store.records.values()
    )
    middle = stamps[len(stamps) // 2]
    since = api.crm.companies.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {
                            "propertyName": "hs_lastmodifieddate",
                            "operator": "GTE",
                            "value": middle,
                        }
                    ]
                }
            ],
            sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            properties=["hs_lastmodifieddate"],
            limit=200,
        )
    )
    expected = sum(1 for s in stamps if s >= middle)
    assert since.total == expected > 0
    ids = [int(r.id) for r in since.results]
    assert ids == sorted(ids)
    assert all(r.properties["hs_lastmodifieddate"] >= middle for r in since.results)
    with http_client(portal_server) as http:
        contacts_name = http.post(
            "/crm/v3/objects/companies/search",
            json={"filterGroups": [{"filters": [
                {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}
            ]}]},
        )  # fmt: skip
        past_cap = http.post("/crm/v3/objects/deals/search", json={"after": 10_000})
        won = http.post(
            "/crm/v3/objects/deals/search",
            json={
                "filterGroups": [{"filters": [
                    {"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}
                ]}],
                "properties": ["hs_is_closed_won", "closedate"],
            },
        ).json()  # fmt: skip
    # Companies have no `lastmodifieddate`: the contacts' name is refused, not ignored.
    assert contacts_name.status_code == 400
    assert past_cap.status_code == 400
    assert won["total"] > 0
    assert all(r["properties"]["hs_is_closed_won"] == "true" for r in won["results"])
    assert all(r["properties"]["closedate"] for r in won["results"])


def test_batch_read_and_update_report_missing_ids_with_207(api: HubSpot) -> None:
    ids = [r.id for r in api.crm.companies.basic_api.get_page(limit=2).results]
    read = api.crm.companies.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in [*ids, "999"]],
            properties=["name"],
            properties_with_history=[],
        )
    )
    assert sorted(r.id for r in read.results) == sorted(ids)
    assert read.num_errors == 1 and read.errors[0].context == {"ids": ["999"]}
    updated = api.crm.companies.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[
                {"id": ids[0], "properties": {"description": "Key account"}},
                {"id": "999", "properties": {"description": "nobody"}},
            ]
        )
    )
    assert updated.num_errors == 1
    assert updated.results[0].properties["description"] == "Key account"


def test_writes_bump_hs_lastmodifieddate_and_calculated_properties_refuse_writes(
    portal_server: SandboxServer,
) -> None:
    portal = portal_server.sandbox.portals[HUB]
    company = next(iter(portal.companies.store.records.values()))
    before = company.properties["hs_lastmodifieddate"]
    portal_server.sandbox.clock.advance(1)
    with http_client(portal_server) as http:
        ok = http.patch(
            f"/crm/v3/objects/companies/{company.id}",
            json={"properties": {"industry": "COMPUTER_SOFTWARE", "numberofemployees": "120"}},
        )
        bad_option = http.patch(
            f"/crm/v3/objects/companies/{company.id}",
            json={"properties": {"industry": "Software"}},
        )
        read_only = http.patch(
            f"/crm/v3/objects/companies/{company.id}",
            json={"properties": {"num_associated_contacts": "9"}},
        )
        deal_read_only = http.post(
            "/crm/v3/objects/deals",
            json={"properties": {"dealname": "X", "dealstage": "qualifiedtobuy",
                                 "hs_is_closed_won": "true"}},
        )  # fmt: skip
    assert ok.status_code == 200
    assert ok.json()["properties"]["hs_lastmodifieddate"] > before
    assert bad_option.status_code == 400 and "INVALID_OPTION" in bad_option.json()["message"]
    assert read_only.status_code == 400 and "READ_ONLY_VALUE" in read_only.json()["message"]
    assert deal_read_only.status_code == 400
    assert "READ_ONLY_VALUE" in deal_read_only.json()["message"]


def test_deal_stages_are_validated_and_closing_sets_the_calculated_fields(
    small: SandboxServer,
) -> None:
    with http_client(small) as http:
        company = http.post(
            "/crm/v3/objects/companies", json={"properties": {"name": "Acme", "domain": "acme.io"}}
        ).json()
        no_stage = http.post("/crm/v3/objects/deals", json={"properties": {"dealname": "A"}})
        wrong_stage = http.post(
            "/crm/v3/objects/deals",
            json={"properties": {"dealname": "A", "dealstage": "negotiation"}},
        )
        wrong_pipeline = http.post(
            "/crm/v3/objects/deals",
            json={"properties": {"dealname": "A", "dealstage": "closedwon", "pipeline": "other"}},
        )
        deal = http.post(
            "/crm/v3/objects/deals",
            json={"properties": {"dealname": "Acme - New", "amount": "5000",
                                 "dealstage": "qualifiedtobuy"}},
        ).json()  # fmt: skip
        linked = http.put(
            f"/crm/v4/objects/deals/{deal['id']}/associations/default/companies/{company['id']}"
        )
        names = "hs_num_open_deals,num_associated_deals"
        open_counts = http.get(
            f"/crm/v3/objects/companies/{company['id']}", params={"properties": names}
        ).json()["properties"]
        small.sandbox.clock.advance(5)
        won = http.patch(
            f"/crm/v3/objects/deals/{deal['id']}", json={"properties": {"dealstage": "closedwon"}}
        ).json()["properties"]
        closed_counts = http.get(
            f"/crm/v3/objects/companies/{company['id']}", params={"properties": names}
        ).json()["properties"]
    assert no_stage.status_code == 400 and "dealstage" in no_stage.json()["message"]
    assert wrong_stage.status_code == 400 and "INVALID_OPTION" in wrong_stage.json()["message"]
    assert wrong_pipeline.status_code == 400
    assert deal["properties"]["pipeline"] == "default"
    assert deal["properties"]["hs_is_closed"] == "false"
    assert deal["properties"]["hs_deal_stage_probability"] == "0.4"
    assert linked.status_code == 200
    assert open_counts == {"hs_num_open_deals": "1", "num_associated_deals": "1"}
    assert (won["hs_is_closed"], won["hs_is_closed_won"], won["hs_is_closed_lost"]) == (
        "true",
        "true",
        "false",
    )
    assert won["closedate"] and won["hs_deal_stage_probability"] == "1.0"
    assert closed_counts == {"hs_num_open_deals": "0", "num_associated_deals": "1"}


def test_pipelines_through_the_sdk(api: HubSpot) -> None:
    pipelines = api.crm.pipelines.pipelines_api.get_all("deals").results
    assert [p.id for p in pipelines] == ["default"]
    default = api.crm.pipelines.pipelines_api.get_by_id("deals", "default")
    stages = [s.id for s in default.stages]
    assert stages == [
        "appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
        "decisionmakerboughtin", "contractsent", "closedwon", "closedlost",
    ]  # fmt: skip
    by_id = {s.id: s for s in default.stages}
    assert by_id["qualifiedtobuy"].metadata == {"isClosed": "false", "probability": "0.4"}
    assert by_id["closedwon"].metadata == {"isClosed": "true", "probability": "1.0"}
    assert by_id["closedlost"].metadata["probability"] == "0.0"
    assert [s.display_order for s in default.stages] == list(range(7))
    listed = api.crm.pipelines.pipeline_stages_api.get_all("deals", "default").results
    assert [s.id for s in listed] == stages


def test_unknown_pipelines_and_object_types(portal_server: SandboxServer) -> None:
    with http_client(portal_server) as http:
        assert http.get("/crm/v3/pipelines/deals/nope").status_code == 404
        assert http.get("/crm/v3/pipelines/tickets").status_code == 400
        assert http.get("/crm/v3/objects/0-2", params={"limit": 1}).status_code == 200
        assert http.get("/crm/v3/objects/widgets").status_code == 404


def test_company_properties_defaults_and_our_own_group_409_on_repeat(small: SandboxServer) -> None:
    api = sdk_client(small).crm.properties
    by_name = {p.name: p for p in api.core_api.get_all("companies").results}
    expected = {"name", "domain", "industry", "numberofemployees", "annualrevenue", "country",
                "num_associated_contacts", "hs_num_open_deals", "hs_lastmodifieddate"}  # fmt: skip
    assert expected <= set(by_name)
    assert "COMPUTER_SOFTWARE" in {o.value for o in by_name["industry"].options}
    assert by_name["num_associated_contacts"].modification_metadata.read_only_value
    deals = {p.name for p in api.core_api.get_all("deals").results}
    assert {"dealname", "amount", "pipeline", "dealstage", "closedate", "hs_is_closed_won",
            "hs_deal_stage_probability"} <= deals  # fmt: skip
    api.groups_api.create("companies", PropertyGroupCreate(name="leadscore", label="Lead scoring"))
    score = PropertyCreate(
        name="leadscore_account_score",
        label="Account score",
        type="number",
        field_type="number",
        group_name="leadscore",
    )
    assert api.core_api.create("companies", score).name == "leadscore_account_score"
    with pytest.raises(PropertiesApiException) as again:
        api.core_api.create("companies", score)
    assert again.value.status == 409
    with pytest.raises(PropertiesApiException) as group_again:
        api.groups_api.create("companies", PropertyGroupCreate(name="leadscore", label="Again"))
    assert group_again.value.status == 409
    # The contacts' registry is separate: the company property is not a contact property.
    assert "leadscore_account_score" not in {
        p.name for p in api.core_api.get_all("contacts").results
    }
    companies = sdk_client(small).crm.companies.basic_api
    first = companies.get_page(limit=1).results[0]
    written = companies.update(first.id, {"properties": {"leadscore_account_score": "71"}})
    assert written.properties["leadscore_account_score"] == "71"


def test_company_and_deal_reads_need_their_own_scopes() -> None:
    server = start_sandbox(contacts_per_portal=20)
    try:
        token = server.sandbox.tokens.add_static_token(
            HUB, scopes=("crm.objects.contacts.read", "crm.objects.contacts.write")
        )
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers) as http:
            contacts = http.get("/crm/v3/objects/contacts")
            companies = http.get("/crm/v3/objects/companies")
            deals = http.post("/crm/v3/objects/deals/search", json={})
            links = http.post(
                "/crm/v4/associations/contacts/companies/batch/read", json={"inputs": []}
            )
    finally:
        server.stop()
    assert contacts.status_code == 200
    assert companies.status_code == 403 and companies.json()["category"] == "MISSING_SCOPES"
    assert "crm.objects.companies.read" in companies.text
    assert deals.status_code == 403
    assert links.status_code == 403


def test_merging_companies_moves_contacts_and_deals(small: SandboxServer) -> None:
    portal = small.sandbox.portals[HUB]
    primary, twin = list(portal.links.sources("companies", "contacts"))[:2]
    contacts = set(portal.links.ids("companies", primary, "contacts")) | set(
        portal.links.ids("companies", twin, "contacts")
    )
    with http_client(small) as http:
        merged = http.post(
            "/crm/v3/objects/companies/merge",
            json={"primaryObjectId": str(primary), "objectIdToMerge": str(twin)},
        )
        gone = http.get(f"/crm/v3/objects/companies/{twin}")
        engagements = http.post(
            "/crm/v3/objects/calls/merge", json={"primaryObjectId": "1", "objectIdToMerge": "2"}
        )
    assert merged.status_code == 200 and merged.json()["id"] == str(primary)
    assert merged.json()["properties"]["num_associated_contacts"] == str(len(contacts))
    assert gone.status_code == 404
    assert set(portal.links.ids("companies", primary, "contacts")) == contacts
    # Every moved contact still has exactly one primary company: the survivor's or its own.
    for contact in contacts:
        primaries = [
            c
            for c, types in portal.links.targets("contacts", contact, "companies").items()
            if 1 in types
        ]
        assert len(primaries) == 1
    assert engagements.status_code == 400


def _stamps(versions: list[dict[str, str]]) -> list[str]:
    return [v["timestamp"] for v in versions]


def test_property_history_shows_stage_changes_newest_first(portal_server: SandboxServer) -> None:
    portal = portal_server.sandbox.portals[HUB]
    customer = next(
        r
        for r in portal.contacts.store.records.values()
        if r.properties.get("lifecyclestage") == "customer"
    )
    won = next(
        r
        for r in portal.deals.store.records.values()
        if r.properties.get("dealstage") == "closedwon"
    )
    with http_client(portal_server) as http:
        contact = http.get(
            f"/crm/v3/objects/contacts/{customer.id}",
            params={"propertiesWithHistory": "lifecyclestage,email"},
        ).json()["propertiesWithHistory"]
        deal = http.get(
            f"/crm/v3/objects/deals/{won.id}", params={"propertiesWithHistory": "dealstage"}
        ).json()["propertiesWithHistory"]["dealstage"]
        open_deal = http.post(
            "/crm/v3/objects/deals",
            json={"properties": {"dealname": "Later", "dealstage": "appointmentscheduled"}},
        ).json()
        portal_server.sandbox.clock.advance(2)
        http.patch(
            f"/crm/v3/objects/deals/{open_deal['id']}",
            json={"properties": {"dealstage": "contractsent", "amount": "100"}},
        )
        portal_server.sandbox.clock.advance(2)
        http.patch(f"/crm/v3/objects/deals/{open_deal['id']}", json={"properties": {"amount": ""}})
        written = http.post(
            "/crm/v3/objects/deals/batch/read",
            json={"inputs": [{"id": open_deal["id"]}], "properties": [],
                  "propertiesWithHistory": ["dealstage", "amount"]},
        ).json()["results"][0]["propertiesWithHistory"]  # fmt: skip
    stages = [v["value"] for v in contact["lifecyclestage"]]
    assert stages[0] == "customer" and "opportunity" in stages
    assert _stamps(contact["lifecyclestage"]) == sorted(
        _stamps(contact["lifecyclestage"]), reverse=True
    )
    assert [v["value"] for v in contact["email"]] == [customer.properties["email"]]
    assert [v["value"] for v in deal] == ["closedwon", "appointmentscheduled"]
    assert deal[0]["timestamp"] == won.properties["closedate"]
    assert [v["value"] for v in written["dealstage"]] == ["contractsent", "appointmentscheduled"]
    assert [v["value"] for v in written["amount"]] == ["", "100"]
    # Written with the portal's static token: its private app, as INTEGRATION.
    assert {v["sourceType"] for v in written["dealstage"]} == {"INTEGRATION"}
    assert {v["sourceId"] for v in written["dealstage"]} == {str(PRIVATE_APP_ID_BASE + HUB)}
