"""Engagement objects and associations v4 batch read, through the SDK and httpx."""

from __future__ import annotations

from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest

from connector.sandbox.server import SandboxServer
from tests.sandbox.conftest import HUB, http_client, sdk_client


def test_engagement_objects_list_and_batch_read_with_their_fields(small: SandboxServer) -> None:
    api = sdk_client(small)
    page = api.crm.objects.calls.basic_api.get_page(
        limit=5,
        properties=["hs_timestamp", "hs_call_status", "hs_call_duration", "hs_call_direction"],
    )
    assert len(page.results) == 5
    call = page.results[0].properties
    assert call["hs_timestamp"] and call["hs_call_status"] and call["hs_call_direction"]
    read = api.crm.objects.meetings.batch_api.read(
        {
            "inputs": [
                {"id": r.id} for r in api.crm.objects.meetings.basic_api.get_page(limit=3).results
            ],
            "properties": ["hs_meeting_outcome", "hs_meeting_start_time", "hs_timestamp"],
            "propertiesWithHistory": [],
        }
    )
    assert len(read.results) == 3
    assert all(r.properties["hs_meeting_outcome"] for r in read.results)
    for object_type, field in [
        ("emails", "hs_email_direction"),
        ("notes", "hs_note_body"),
        ("tasks", "hs_task_status"),
    ]:
        with http_client(small) as http:
            body = http.get(
                f"/crm/v3/objects/{object_type}", params={"limit": 1, "properties": field}
            )
        assert body.status_code == 200
        assert field in body.json()["results"][0]["properties"]


def test_associations_batch_read_shapes_errors_and_paging(small: SandboxServer) -> None:
    portal = small.sandbox.portals[HUB]
    with_calls = list(portal.links.sources("contacts", "calls"))[:3]
    without = next(
        c for c in portal.contacts.store.ids if not portal.links.ids("contacts", c, "calls")
    )
    api = sdk_client(small)
    result = api.crm.associations.v4.batch_api.get_page(
        "contacts",
        "calls",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[{"id": str(c)} for c in [*with_calls, without]]
        ),
    )
    assert {r._from.id for r in result.results} == {str(c) for c in with_calls}
    first = next(r for r in result.results if r._from.id == str(with_calls[0]))
    assert [int(t.to_object_id) for t in first.to] == portal.links.ids(
        "contacts", with_calls[0], "calls"
    )
    assert first.to[0].association_types[0].type_id == 193
    assert first.to[0].association_types[0].category == "HUBSPOT_DEFINED"
    assert result.num_errors == 1
    assert result.errors[0].context == {"fromObjectId": [str(without)]}

    with http_client(small) as http:
        raw = http.post(
            "/crm/v4/associations/contacts/meetings/batch/read",
            json={"inputs": [{"id": str(c)} for c in with_calls]},
        )
        too_many = http.post(
            "/crm/v4/associations/contacts/calls/batch/read",
            json={"inputs": [{"id": "1"}] * 1001},
        )
    assert raw.status_code in (200, 207)
    for entry in raw.json()["results"]:
        assert isinstance(entry["to"][0]["toObjectId"], int)
        assert entry["to"][0]["associationTypes"][0] == {
            "category": "HUBSPOT_DEFINED",
            "typeId": 199,
            "label": None,
        }
    assert too_many.status_code == 400


def test_associations_page_per_input_when_more_remain(small: SandboxServer) -> None:
    contact = small.sandbox.portals[HUB].contacts.store.ids[0]
    with http_client(small) as http:
        added = http.post(
            f"/_sandbox/portals/{HUB}/engagements",
            json=[
                {"type": "notes", "contact_id": contact, "properties": {"hs_note_body": f"n{i}"}}
                for i in range(510)
            ],
        )
        assert added.status_code == 201
        first = http.post(
            "/crm/v4/associations/contacts/notes/batch/read",
            json={"inputs": [{"id": str(contact)}]},
        ).json()["results"][0]
        after = first["paging"]["next"]["after"]
        rest = http.post(
            "/crm/v4/associations/contacts/notes/batch/read",
            json={"inputs": [{"id": str(contact), "after": after}]},
        ).json()["results"][0]
    total = len(small.sandbox.portals[HUB].links.ids("contacts", contact, "notes"))
    assert len(first["to"]) == 500
    assert len(first["to"]) + len(rest["to"]) == total
    assert "paging" not in rest
