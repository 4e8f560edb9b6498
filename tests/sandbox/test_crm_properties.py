"""Properties API through the official SDK: defaults, creation rules, 409s, groups, batches."""

from __future__ import annotations

import pytest
from hubspot.crm.properties import (
    BatchInputPropertyCreate,
    BatchReadInputPropertyName,
    PropertyCreate,
    PropertyGroupCreate,
    PropertyUpdate,
)
from hubspot.crm.properties.exceptions import ApiException

from connector.sandbox.server import SandboxServer
from tests.sandbox.conftest import http_client, sdk_client

SCORE = PropertyCreate(
    name="leadscore_score",
    label="Lead score",
    type="number",
    field_type="number",
    group_name="leadscore",
)
TIER = PropertyCreate(
    name="leadscore_tier",
    label="Tier",
    type="enumeration",
    field_type="select",
    group_name="leadscore",
    options=[{"label": "Hot", "value": "hot", "hidden": False, "displayOrder": 0}],
)


def test_defaults_include_read_only_calculated_properties_and_lifecycle_options(
    small: SandboxServer,
) -> None:
    core = sdk_client(small).crm.properties.core_api
    by_name = {p.name: p for p in core.get_all("contacts").results}
    assert {
        "email",
        "lifecyclestage",
        "hs_analytics_num_page_views",
        "num_conversion_events",
    } <= set(by_name)
    visits = by_name["hs_analytics_num_visits"]
    assert visits.hubspot_defined and visits.modification_metadata.read_only_value
    assert not by_name["firstname"].modification_metadata.read_only_value
    stage = core.get_by_name("contacts", "lifecyclestage")
    assert [o.value for o in stage.options] == [
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    ]


def test_create_group_and_properties_then_409_on_repeat(small: SandboxServer) -> None:
    api = sdk_client(small).crm.properties
    group = api.groups_api.create(
        "contacts", PropertyGroupCreate(name="leadscore", label="Lead scoring")
    )
    assert group.name == "leadscore"
    with pytest.raises(ApiException) as dup_group:
        api.groups_api.create("contacts", PropertyGroupCreate(name="leadscore", label="Again"))
    assert dup_group.value.status == 409
    created = api.core_api.create("contacts", SCORE)
    assert created.name == "leadscore_score" and created.type == "number"
    with pytest.raises(ApiException) as dup:
        api.core_api.create("contacts", SCORE)
    assert dup.value.status == 409
    # The new property is writable on contacts at once.
    contacts = sdk_client(small).crm.contacts.basic_api
    first = contacts.get_page(limit=1).results[0]
    updated = contacts.update(first.id, {"properties": {"leadscore_score": "87"}})
    assert updated.properties["leadscore_score"] == "87"


@pytest.mark.parametrize(
    ("type_", "field_type", "options"),
    [
        ("number", "text", None),
        ("string", "select", None),
        ("datetime", "text", None),
        ("bool", "radio", None),
        ("enumeration", "select", []),
        ("colour", "text", None),
    ],
)
def test_invalid_type_pairs_and_missing_options_are_refused(
    small: SandboxServer, type_: str, field_type: str, options: list[object] | None
) -> None:
    body: dict[str, object] = {
        "name": "bad_prop",
        "label": "Bad",
        "type": type_,
        "fieldType": field_type,
        "groupName": "contactinformation",
    }
    if options is not None:
        body["options"] = options
    with http_client(small) as http:
        response = http.post("/crm/v3/properties/contacts", json=body)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"


def test_patch_updates_options_and_delete_archives(small: SandboxServer) -> None:
    api = sdk_client(small).crm.properties
    api.groups_api.create("contacts", PropertyGroupCreate(name="leadscore", label="Lead scoring"))
    api.core_api.create("contacts", TIER)
    patched = api.core_api.update(
        "contacts",
        "leadscore_tier",
        PropertyUpdate(
            options=[
                {"label": "Hot", "value": "hot", "hidden": False, "displayOrder": 0},
                {"label": "Warm", "value": "warm", "hidden": False, "displayOrder": 1},
            ]
        ),
    )
    assert [o.value for o in patched.options] == ["hot", "warm"]
    api.core_api.archive("contacts", "leadscore_tier")
    with pytest.raises(ApiException) as gone:
        api.core_api.get_by_name("contacts", "leadscore_tier")
    assert gone.value.status == 404
    with pytest.raises(ApiException) as builtin:
        api.core_api.archive("contacts", "email")
    assert builtin.value.status == 400


def test_batch_create_and_batch_read(small: SandboxServer) -> None:
    api = sdk_client(small).crm.properties
    api.groups_api.create("contacts", PropertyGroupCreate(name="leadscore", label="Lead scoring"))
    created = api.batch_api.create("contacts", BatchInputPropertyCreate(inputs=[SCORE, TIER]))
    assert sorted(p.name for p in created.results) == ["leadscore_score", "leadscore_tier"]
    again = api.batch_api.create("contacts", BatchInputPropertyCreate(inputs=[SCORE]))
    assert again.num_errors == 1 and again.results == []
    read = api.batch_api.read(
        "contacts",
        BatchReadInputPropertyName(
            archived=False, inputs=[{"name": "leadscore_score"}, {"name": "nope"}]
        ),
    )
    assert [p.name for p in read.results] == ["leadscore_score"] and read.num_errors == 1
