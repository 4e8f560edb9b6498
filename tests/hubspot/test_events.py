"""Webhook body parsing."""

from __future__ import annotations

import json

import pytest

from connector.hubspot.events import MalformedWebhook, parse_webhook_body

EVENT = {
    "eventId": 100, "subscriptionId": 7, "portalId": 1000001, "appId": 424242,
    "occurredAt": 1763800000000, "subscriptionType": "contact.propertyChange",
    "attemptNumber": 0, "objectId": 5_000_000_000, "propertyName": "lifecyclestage",
    "propertyValue": "lead", "changeSource": "CRM", "sourceId": "userId:1",
}


def test_parses_a_batch_with_big_object_ids() -> None:
    events = parse_webhook_body(json.dumps([EVENT, {**EVENT, "eventId": 101}]).encode())
    assert len(events) == 2
    first = events[0]
    assert first.object_id == 5_000_000_000
    assert first.subscription_type == "contact.propertyChange"
    assert first.property_value == "lead"
    assert first.dedup_key == (7, 100, 5_000_000_000, 1763800000000)


def test_accepts_older_event_type_field() -> None:
    legacy = {k: v for k, v in EVENT.items() if k != "subscriptionType"}
    legacy["eventType"] = "contact.creation"
    assert parse_webhook_body(json.dumps([legacy]))[0].subscription_type == "contact.creation"


def test_merge_events_keep_merged_ids() -> None:
    merge = {**EVENT, "subscriptionType": "contact.merge", "mergedObjectIds": [1, 2],
             "newObjectId": 3}
    event = parse_webhook_body(json.dumps([merge]))[0]
    assert event.merged_object_ids == (1, 2)
    assert event.new_object_id == 3


def test_association_changes_are_about_their_from_object() -> None:
    change = {k: v for k, v in EVENT.items() if k not in ("objectId", "propertyName",
                                                           "propertyValue")}
    change.update(subscriptionType="contact.associationChange", fromObjectId=41,
                  toObjectId=77, associationType="CONTACT_TO_COMPANY",
                  associationRemoved=False, isPrimaryAssociation=True)
    event = parse_webhook_body(json.dumps([change]))[0]
    assert event.object_id == 41
    assert event.subscription_type == "contact.associationChange"


def test_names_the_index_and_field_of_a_bad_event() -> None:
    bad = {**EVENT, "objectId": "abc"}
    with pytest.raises(MalformedWebhook) as caught:
        parse_webhook_body(json.dumps([EVENT, bad]))
    assert caught.value.index == 1
    assert caught.value.field == "objectId"
    assert "event 1" in str(caught.value)


def test_missing_required_field() -> None:
    missing = {k: v for k, v in EVENT.items() if k != "occurredAt"}
    with pytest.raises(MalformedWebhook, match=r"occurredAt.*missing"):
        parse_webhook_body(json.dumps([missing]))


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"not json", "not JSON"), (b'{"a": 1}', "JSON array"), (b"[1]", "expected an object"),
     (json.dumps([EVENT] * 101).encode(), "at most 100")],
)
def test_rejects_bodies_hubspot_never_sends(body: bytes, message: str) -> None:
    with pytest.raises(MalformedWebhook, match=message):
        parse_webhook_body(body)
