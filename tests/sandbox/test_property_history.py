"""Property history over real HTTP through the official SDK: HubSpot's ValueWithTimestamp
versions on get, list (page ≤ 50) and batch read, who wrote each version, stage dates on
lifecycle moves, activity summaries replayed from engagements, and the generated histories
(planted post-outcome properties set at/after the conversion)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId, SimplePublicObjectInput
from hubspot.crm.contacts.exceptions import ApiException

from connector.sandbox.access import PRIVATE_APP_ID_BASE
from connector.sandbox.generator_history import PLANTED_POST_OUTCOME_PROPERTIES
from connector.sandbox.history import SANDBOX_USER_ID
from connector.sandbox.server import SandboxServer
from connector.sandbox.values import parse_time_ms
from tests.sandbox.conftest import HUB, http_client, sdk_client, start_sandbox

SUMMARIES = ["notes_last_contacted", "num_contacted_notes", "notes_last_updated"]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    started = start_sandbox(contacts_per_portal=600)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def api(server: SandboxServer) -> HubSpot:
    return sdk_client(server)


def _converted(server: SandboxServer) -> list[int]:
    truth = server.sandbox.portals[HUB].ground_truth
    now = server.sandbox.clock.now_ms()
    return [i for i, t in truth.items() if 0 <= t["converted_at_ms"] <= now]


def test_get_by_id_returns_versions_newest_first_with_their_source(
    server: SandboxServer, api: HubSpot
) -> None:
    contact_id = _converted(server)[0]
    got = api.crm.contacts.basic_api.get_by_id(
        str(contact_id), properties_with_history=["lifecyclestage", "email"]
    )
    stages = got.properties_with_history["lifecyclestage"]
    assert stages[0].value in ("opportunity", "customer")
    stamps = [v.timestamp for v in stages]
    assert stamps == sorted(stamps, reverse=True) and len(stages) >= 2
    movers = {"FORM", "IMPORT", "AUTOMATION", "CRM_UI", "CALCULATED"}
    assert {v.source_type for v in stages} <= movers
    email = got.properties_with_history["email"]
    assert email[0].source_type in ("FORM", "IMPORT")
    assert email[0].timestamp == got.created_at


def test_api_writes_are_integration_versions_and_ui_edits_name_the_user(
    server: SandboxServer, api: HubSpot
) -> None:
    made = api.crm.contacts.basic_api.create(
        SimplePublicObjectInput(properties={"email": "hist@example.com", "jobtitle": "CTO"})
    )
    server.sandbox.clock.advance(1)
    portal = server.sandbox.portals[HUB]
    portal.update("contacts", int(made.id), {"jobtitle": "Chief Technology Officer"}, "CRM_UI")
    got = api.crm.contacts.basic_api.get_by_id(made.id, properties_with_history=["jobtitle"])
    edited, written = got.properties_with_history["jobtitle"]
    assert (written.value, written.source_type) == ("CTO", "INTEGRATION")
    assert written.source_id == str(PRIVATE_APP_ID_BASE + HUB)
    assert (edited.value, edited.source_type) == ("Chief Technology Officer", "CRM_UI")
    assert edited.source_id == f"userId:{SANDBOX_USER_ID}"
    assert edited.updated_by_user_id == SANDBOX_USER_ID


def test_list_page_with_history_is_capped_at_50(server: SandboxServer, api: HubSpot) -> None:
    page = api.crm.contacts.basic_api.get_page(limit=50, properties_with_history=["jobtitle"])
    assert len(page.results) == 50
    assert all(r.properties_with_history is not None for r in page.results)
    with pytest.raises(ApiException) as refused:
        api.crm.contacts.basic_api.get_page(limit=51, properties_with_history=["jobtitle"])
    assert refused.value.status == 400
    assert "propertiesWithHistory" in str(refused.value.body)


def test_batch_read_returns_histories_and_search_does_not(
    server: SandboxServer, api: HubSpot
) -> None:
    ids = [str(i) for i in _converted(server)[:5]]
    read = api.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in ids],
            properties=["email"],
            properties_with_history=["lifecyclestage", *PLANTED_POST_OUTCOME_PROPERTIES],
        )
    )
    assert {r.id for r in read.results} == set(ids)
    assert all("lifecyclestage" in r.properties_with_history for r in read.results)
    with http_client(server) as http:
        found = http.post(
            "/crm/v3/objects/contacts/search",
            json={"limit": 5, "properties": ["email"], "propertiesWithHistory": ["email"]},
        ).json()["results"]
    assert found and all("propertiesWithHistory" not in r for r in found)


def test_stage_move_stamps_entered_and_exited_dates(server: SandboxServer, api: HubSpot) -> None:
    made = api.crm.contacts.basic_api.create(
        SimplePublicObjectInput(
            properties={"email": "stage@example.com", "lifecyclestage": "lead"}
        )
    )
    server.sandbox.clock.advance(5)
    api.crm.contacts.basic_api.update(
        made.id, SimplePublicObjectInput(properties={"lifecyclestage": "marketingqualifiedlead"})
    )
    names = [
        "hs_lifecyclestage_lead_date",
        "hs_v2_date_entered_lead",
        "hs_v2_date_exited_lead",
        "hs_v2_date_entered_marketingqualifiedlead",
        "hs_lifecyclestage_marketingqualifiedlead_date",
    ]
    got = api.crm.contacts.basic_api.get_by_id(made.id, properties=names)
    p = got.properties
    assert p["hs_v2_date_entered_lead"] == p["hs_lifecyclestage_lead_date"]
    moved = p["hs_v2_date_entered_marketingqualifiedlead"]
    assert moved is not None and p["hs_v2_date_exited_lead"] == moved
    assert p["hs_lifecyclestage_marketingqualifiedlead_date"] == moved
    assert p["hs_v2_date_entered_lead"] < moved  # ISO 8601 UTC sorts as time
    with http_client(server) as http:
        labels = {
            n: http.get(f"/crm/v3/properties/contacts/{n}").json()["label"]
            for n in ("hs_v2_date_entered_lead", "hs_v2_date_exited_customer")
        }
    assert labels == {
        "hs_v2_date_entered_lead": 'Date entered "Lead (Lifecycle Stage Pipeline)"',
        "hs_v2_date_exited_customer": 'Date exited "Customer (Lifecycle Stage Pipeline)"',
    }


def test_activity_summary_history_is_replayed_from_engagements(
    server: SandboxServer, api: HubSpot
) -> None:
    made = api.crm.contacts.basic_api.create(
        SimplePublicObjectInput(properties={"email": "busy@example.com"})
    )
    portal = server.sandbox.portals[HUB]
    now = server.sandbox.clock.now_ms()
    first, second = now - 3 * 86_400_000, now - 86_400_000
    portal.add_engagement("calls", int(made.id), {"hs_call_status": "COMPLETED"}, first)
    portal.add_engagement("notes", int(made.id), {"hs_note_body": "Spoke"}, second)
    got = api.crm.contacts.basic_api.get_by_id(
        made.id, properties=SUMMARIES, properties_with_history=SUMMARIES
    )
    history = got.properties_with_history
    assert [v.value for v in history["num_contacted_notes"]] == ["1"]
    assert [parse_time_ms(v.value) for v in history["notes_last_updated"]] == [second, first]
    assert [parse_time_ms(v.value) for v in history["notes_last_contacted"]] == [first]
    assert {v.source_type for vs in history.values() for v in vs} == {"CALCULATED"}
    # The newest replayed version is the current value.
    assert all(history[n][0].value == got.properties[n] for n in SUMMARIES)


def test_seeded_summary_history_ends_at_the_current_value(
    server: SandboxServer, api: HubSpot
) -> None:
    ids = [str(i) for i in _converted(server)[:20]]
    read = api.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in ids],
            properties=SUMMARIES,
            properties_with_history=SUMMARIES,
        )
    )
    checked = 0
    for record in read.results:
        for name in SUMMARIES:
            versions = record.properties_with_history[name]
            current = record.properties.get(name)
            if current is None:
                assert versions == []
                continue
            assert versions[0].value == current
            checked += 1
    assert checked > 20


def test_planted_properties_set_after_the_conversion(server: SandboxServer, api: HubSpot) -> None:
    truth = server.sandbox.portals[HUB].ground_truth
    ids = _converted(server)[:100]
    read = api.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": str(i)} for i in ids],
            properties=list(PLANTED_POST_OUTCOME_PROPERTIES),
            properties_with_history=list(PLANTED_POST_OUTCOME_PROPERTIES),
        )
    )
    for name in PLANTED_POST_OUTCOME_PROPERTIES:
        after = 0
        for record in read.results:
            versions = record.properties_with_history[name]
            if versions:
                assert versions[0].value == record.properties[name]
                first = round(versions[-1].timestamp.timestamp() * 1000)
                after += first >= truth[int(record.id)]["converted_at_ms"]
        assert after > 0.5 * len(read.results), name
