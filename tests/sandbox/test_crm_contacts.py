"""Contacts through the official SDK against a 20,000-contact portal: paging, reads,
search semantics and limits, batches with partial failure, write rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import ApiException

from connector.sandbox.server import SandboxServer
from tests.sandbox.conftest import HUB, http_client, sdk_client, start_sandbox

N_CONTACTS = 20_000


@pytest.fixture(scope="module")
def big() -> Iterator[SandboxServer]:
    server = start_sandbox(contacts_per_portal=N_CONTACTS)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(big: SandboxServer) -> HubSpot:
    return sdk_client(big)


def _first_ids(big: SandboxServer, n: int) -> list[str]:
    store = big.sandbox.portals[HUB].contacts.store
    return [str(i) for i in store.ids[:n]]


def test_sdk_lists_every_contact_of_a_20k_portal(api: HubSpot) -> None:
    basic = api.crm.contacts.basic_api
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = basic.get_page(limit=100, after=after, properties=["email", "lifecyclestage"])
        seen.extend(r.id for r in page.results)
        pages += 1
        if page.paging is None:
            break
        after = page.paging.next.after
    assert len(seen) == N_CONTACTS
    assert len(set(seen)) == N_CONTACTS
    assert pages == N_CONTACTS // 100
    assert all(set(r.properties) == {"email", "lifecyclestage"} for r in page.results)


def test_list_limit_above_100_is_refused(api: HubSpot) -> None:
    with pytest.raises(ApiException) as caught:
        api.crm.contacts.basic_api.get_page(limit=101)
    assert caught.value.status == 400


def test_properties_with_history_caps_the_page_at_50(big: SandboxServer) -> None:
    with http_client(big) as http:
        ok = http.get(
            "/crm/v3/objects/contacts", params={"limit": 50, "propertiesWithHistory": "email"}
        )
        too_big = http.get(
            "/crm/v3/objects/contacts", params={"limit": 51, "propertiesWithHistory": "email"}
        )
    assert ok.status_code == 200
    assert "propertiesWithHistory" in ok.json()["results"][0]
    assert too_big.status_code == 400


def test_repeated_and_comma_separated_properties_params_combine(big: SandboxServer) -> None:
    with http_client(big) as http:
        response = http.get(
            "/crm/v3/objects/contacts",
            params=[("limit", "1"), ("properties", "email,firstname"), ("properties", "company")],
        )
    assert set(response.json()["results"][0]["properties"]) == {"email", "firstname", "company"}


def test_get_by_id_shows_null_for_empty_and_omits_unknown(api: HubSpot, big: SandboxServer) -> None:
    portal = big.sandbox.portals[HUB]
    record = next(
        r for r in portal.contacts.store.records.values() if "industry" not in r.properties
    )
    got = api.crm.contacts.basic_api.get_by_id(
        str(record.id), properties=["email", "industry", "no_such_property"]
    )
    assert got.id == str(record.id)
    assert got.properties["industry"] is None
    assert "no_such_property" not in got.properties
    assert got.created_at is not None and got.updated_at is not None and got.archived is False


def test_missing_contact_is_a_404_with_hubspot_error_body(big: SandboxServer) -> None:
    with http_client(big) as http:
        response = http.get("/crm/v3/objects/contacts/1")
    body = response.json()
    assert response.status_code == 404
    assert body["status"] == "error" and body["category"] == "OBJECT_NOT_FOUND"
    assert body["correlationId"] and body["message"]


def _search(api: HubSpot, filters: Sequence[Mapping[str, object]], **kwargs: Any) -> Any:
    request = PublicObjectSearchRequest(filter_groups=[{"filters": filters}], **kwargs)
    return api.crm.contacts.search_api.do_search(request)


def test_search_by_lastmodifieddate_matches_and_hs_lastmodifieddate_silently_does_not(
    api: HubSpot, big: SandboxServer
) -> None:
    now = big.sandbox.clock.now_ms()
    week_ago = str(now - 7 * 86_400_000)
    hits = _search(
        api,
        [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": week_ago}],
        limit=100,
        properties=["lastmodifieddate"],
    )
    store = big.sandbox.portals[HUB].contacts.store
    expected = sum(1 for r in store.records.values() if r.updated_ms >= int(week_ago))
    assert hits.total == expected > 0
    assert all(r.updated_at.timestamp() * 1000 >= int(week_ago) for r in hits.results)
    blind = _search(
        api, [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": week_ago}]
    )
    assert blind.total == 0 and blind.results == []


def test_search_sorts_and_pages_with_after(api: HubSpot) -> None:
    first = _search(
        api,
        [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}],
        sorts=[{"propertyName": "createdate", "direction": "DESCENDING"}],
        limit=200,
        properties=["createdate", "lifecyclestage"],
    )
    dates = [r.properties["createdate"] for r in first.results]
    assert dates == sorted(dates, reverse=True)
    assert {r.properties["lifecyclestage"] for r in first.results} == {"lead"}
    second = _search(
        api,
        [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}],
        sorts=[{"propertyName": "createdate", "direction": "DESCENDING"}],
        limit=200,
        after=first.paging.next.after,
        properties=["createdate"],
    )
    assert second.results[0].properties["createdate"] <= dates[-1]


def test_search_refuses_paging_past_10000_results(api: HubSpot) -> None:
    everyone = [{"propertyName": "hs_object_id", "operator": "HAS_PROPERTY"}]
    last_allowed = _search(api, everyone, limit=200, after="9800")
    assert last_allowed.total == N_CONTACTS
    assert len(last_allowed.results) == 200 and last_allowed.paging is None
    with pytest.raises(ApiException) as caught:
        _search(api, everyone, limit=200, after="10000")
    assert caught.value.status == 400
    assert '"VALIDATION_ERROR"' in caught.value.body


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"filterGroups": [{"filters": []}] * 6}, "filter groups"),
        (
            {
                "filterGroups": [
                    {"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}] * 7}
                ]
            },
            "filters in a group",
        ),
        (
            {
                "filterGroups": [
                    {"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}] * 6}
                ]
                * 4
            },
            "at most 18",
        ),
        ({"sorts": ["email", "firstname"]}, "one sort"),
        ({"limit": 201}, "limit"),
        (
            {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "LIKE"}]}]},
            "operator",
        ),
    ],
)
def test_search_limits_are_enforced(
    big: SandboxServer, body: dict[str, object], fragment: str
) -> None:
    with http_client(big) as http:
        response = http.post("/crm/v3/objects/contacts/search", json=body)
    assert response.status_code == 400
    assert fragment in response.json()["message"]


def test_search_operators(api: HubSpot, big: SandboxServer) -> None:
    store = big.sandbox.portals[HUB].contacts.store
    records = list(store.records.values())
    gmail = sum(1 for r in records if r.properties.get("email", "").endswith("@gmail.com"))
    got = _search(
        api, [{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@gmail.com"}]
    )
    assert got.total == gmail
    stages = ["customer", "opportunity"]
    in_count = sum(1 for r in records if r.properties.get("lifecyclestage") in stages)
    got = _search(api, [{"propertyName": "lifecyclestage", "operator": "IN", "values": stages}])
    assert got.total == in_count
    no_industry = sum(1 for r in records if not r.properties.get("industry"))
    got = _search(api, [{"propertyName": "industry", "operator": "NOT_HAS_PROPERTY"}])
    assert got.total == no_industry
    views = [int(r.properties.get("hs_analytics_num_page_views", "0")) for r in records]
    between = sum(1 for v in views if 5 <= v <= 10)
    got = _search(
        api,
        [
            {
                "propertyName": "hs_analytics_num_page_views",
                "operator": "BETWEEN",
                "value": "5",
                "highValue": "10",
            }
        ],
    )
    assert got.total == between


def test_batch_update_reports_unknown_ids_as_a_207_partial_failure(
    api: HubSpot, big: SandboxServer
) -> None:
    good = _first_ids(big, 2)
    result = api.crm.contacts.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(id=good[0], properties={"firstname": "Ada"}),
                SimplePublicObjectBatchInput(id="999", properties={"firstname": "Nobody"}),
                SimplePublicObjectBatchInput(id=good[1], properties={"jobtitle": "CTO"}),
            ]
        )
    )
    assert type(result).__name__ == "BatchResponseSimplePublicObjectWithErrors"
    assert result.num_errors == 1
    assert result.errors[0].category == "OBJECT_NOT_FOUND"
    assert result.errors[0].context == {"ids": ["999"]}
    assert {r.id for r in result.results} == set(good)
    assert (
        api.crm.contacts.basic_api.get_by_id(good[0], properties=["firstname"]).properties[
            "firstname"
        ]
        == "Ada"
    )


def test_batch_read_reports_missing_ids_and_caps_inputs_at_100(
    api: HubSpot, big: SandboxServer
) -> None:
    ids = _first_ids(big, 3)
    result = api.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in [*ids, "12"]],
            properties=["email"],
            properties_with_history=[],
        )
    )
    assert result.num_errors == 1 and len(result.results) == 3
    with pytest.raises(ApiException) as caught:
        api.crm.contacts.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[{"id": i} for i in _first_ids(big, 101)],
                properties=[],
                properties_with_history=[],
            )
        )
    assert caught.value.status == 400


def test_batch_update_with_an_invalid_value_changes_nothing(
    api: HubSpot, big: SandboxServer
) -> None:
    ids = _first_ids(big, 12)[10:]
    before = api.crm.contacts.basic_api.get_by_id(ids[0], properties=["jobtitle"]).properties
    with pytest.raises(ApiException) as caught:
        api.crm.contacts.batch_api.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(id=ids[0], properties={"jobtitle": "Changed"}),
                    SimplePublicObjectBatchInput(id=ids[1], properties={"annualrevenue": "lots"}),
                ]
            )
        )
    assert caught.value.status == 400
    assert "INVALID_DECIMAL" in caught.value.body
    after = api.crm.contacts.basic_api.get_by_id(ids[0], properties=["jobtitle"]).properties
    assert after == before


def test_writes_reject_unknown_and_read_only_properties(api: HubSpot, big: SandboxServer) -> None:
    contact_id = _first_ids(big, 20)[19]
    for props, code in [
        ({"favourite_colour": "blue"}, "PROPERTY_DOESNT_EXIST"),
        ({"hs_analytics_num_visits": "3"}, "READ_ONLY_VALUE"),
        ({"num_conversion_events": "9"}, "READ_ONLY_VALUE"),
        ({"hs_email_open": "9"}, "READ_ONLY_VALUE"),
        ({"createdate": "2020-01-01"}, "READ_ONLY_VALUE"),
        ({"lastmodifieddate": "1700000000000"}, "READ_ONLY_VALUE"),
        ({"hs_object_id": "5"}, "READ_ONLY_VALUE"),
    ]:
        with pytest.raises(ApiException) as caught:
            api.crm.contacts.basic_api.update(contact_id, SimplePublicObjectInput(properties=props))
        assert caught.value.status == 400
        assert code in caught.value.body
        assert '"category":"VALIDATION_ERROR"' in caught.value.body


def test_update_bumps_lastmodifieddate_and_empty_string_clears(
    api: HubSpot, big: SandboxServer
) -> None:
    contact_id = _first_ids(big, 30)[29]
    basic = api.crm.contacts.basic_api
    before = basic.get_by_id(contact_id, properties=["lastmodifieddate"])
    big.sandbox.clock.advance(1)
    basic.update(contact_id, SimplePublicObjectInput(properties={"jobtitle": "Head of Ops"}))
    basic.update(contact_id, SimplePublicObjectInput(properties={"jobtitle": ""}))
    after = basic.get_by_id(contact_id, properties=["lastmodifieddate", "jobtitle"])
    assert after.properties["jobtitle"] is None
    assert after.properties["lastmodifieddate"] > before.properties["lastmodifieddate"]
    assert after.updated_at > before.updated_at


def test_lifecyclestage_only_moves_forward_unless_cleared_first(api: HubSpot) -> None:
    basic = api.crm.contacts.basic_api
    created = basic.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "forward.only@example.org", "lifecyclestage": "salesqualifiedlead"}
        )
    )
    with pytest.raises(ApiException) as caught:
        basic.update(created.id, SimplePublicObjectInput(properties={"lifecyclestage": "lead"}))
    assert caught.value.status == 400 and "lifecyclestage" in caught.value.body
    basic.update(created.id, SimplePublicObjectInput(properties={"lifecyclestage": "customer"}))
    basic.update(created.id, SimplePublicObjectInput(properties={"lifecyclestage": ""}))
    basic.update(created.id, SimplePublicObjectInput(properties={"lifecyclestage": "lead"}))
    got = basic.get_by_id(
        created.id, properties=["lifecyclestage", "hs_lifecyclestage_customer_date"]
    )
    assert got.properties["lifecyclestage"] == "lead"
    assert got.properties["hs_lifecyclestage_customer_date"] is not None


def test_number_and_option_values_are_validated(api: HubSpot) -> None:
    basic = api.crm.contacts.basic_api
    for props, code in [
        ({"annualrevenue": "12k"}, "INVALID_DECIMAL"),
        ({"numemployees": "7"}, "INVALID_OPTION"),
        ({"lifecyclestage": "champion"}, "INVALID_OPTION"),
    ]:
        with pytest.raises(ApiException) as caught:
            basic.create(SimplePublicObjectInputForCreate(properties=props))
        assert caught.value.status == 400 and code in caught.value.body


def test_duplicate_email_is_a_409_and_delete_archives(api: HubSpot) -> None:
    basic = api.crm.contacts.basic_api
    created = basic.create(
        SimplePublicObjectInputForCreate(properties={"email": "twice@example.org"})
    )
    with pytest.raises(ApiException) as caught:
        basic.create(SimplePublicObjectInputForCreate(properties={"email": "TWICE@example.org"}))
    assert caught.value.status == 409 and created.id in caught.value.body
    basic.archive(created.id)
    with pytest.raises(ApiException) as gone:
        basic.get_by_id(created.id)
    assert gone.value.status == 404
    assert basic.get_by_id(created.id, archived=True).archived is True


def test_batch_create_and_archive(api: HubSpot) -> None:
    batch = api.crm.contacts.batch_api
    made = batch.create(
        {
            "inputs": [
                {"properties": {"email": f"b{i}@example.net", "firstname": f"B{i}"}}
                for i in range(3)
            ]
        }
    )
    assert made.status == "COMPLETE" and len(made.results) == 3
    batch.archive(BatchInputSimplePublicObjectId(inputs=[{"id": r.id} for r in made.results]))
    left = batch.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": r.id} for r in made.results], properties=[], properties_with_history=[]
        )
    )
    assert left.num_errors == 1 and left.results == []


def test_search_is_eventually_consistent() -> None:
    server = start_sandbox(contacts_per_portal=10, search_consistency_delay_s=0.3)
    try:
        with http_client(server) as http:
            created = http.post(
                "/crm/v3/objects/contacts", json={"properties": {"email": "late@example.org"}}
            ).json()
            query = {
                "filterGroups": [
                    {
                        "filters": [
                            {"propertyName": "email", "operator": "EQ", "value": "late@example.org"}
                        ]
                    }
                ]
            }
            immediately = http.post("/crm/v3/objects/contacts/search", json=query).json()
            index = server.sandbox.portals[HUB].contacts.index
            while index.pending_count():
                pass  # the pending write becomes visible once its delay has passed
            later = http.post("/crm/v3/objects/contacts/search", json=query).json()
    finally:
        server.stop()
    assert immediately["total"] == 0
    assert [r["id"] for r in later["results"]] == [created["id"]]


def test_merge_moves_engagements_and_archives_the_merged_contact(small: SandboxServer) -> None:
    portal = small.sandbox.portals[HUB]
    with_calls = list(portal.links.sources("contacts", "calls"))[:2]
    primary, merged = with_calls
    expected = set(portal.links.ids("contacts", primary, "calls")) | set(
        portal.links.ids("contacts", merged, "calls")
    )
    with http_client(small) as http:
        response = http.post(
            "/crm/v3/objects/contacts/merge",
            json={"primaryObjectId": str(primary), "objectIdToMerge": str(merged)},
        )
        gone = http.get(f"/crm/v3/objects/contacts/{merged}")
    assert response.status_code == 200 and response.json()["id"] == str(primary)
    assert gone.status_code == 404
    assert set(portal.links.ids("contacts", primary, "calls")) == expected
