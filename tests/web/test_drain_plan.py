"""How the webhook drain reduces a batch of events to one action per contact (pure logic)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.crm import ObjectType
from connector.hubspot import HubSpotApp, HubSpotConnector
from connector.store import InboxEvent
from connector.sync.webhook_drain import PortalPlan
from connector.sync.webhook_drain import classify as classify_event
from connector.sync.webhook_drain import plan_portal as plan_events

HUBSPOT = HubSpotConnector(HubSpotApp("http://127.0.0.1:9", "http://127.0.0.1:9", "id",
                                      "secret", "http://127.0.0.1:9/oauth/callback"))
SCORING = {ObjectType.CONTACTS: frozenset({"jobtitle", "numemployees", "lifecyclestage"}),
           ObjectType.COMPANIES: frozenset({"industry", "numberofemployees"}),
           ObjectType.DEALS: frozenset({"dealstage"})}


def classify(event: InboxEvent, relevant: object) -> object:
    return classify_event(event, HUBSPOT, SCORING)


def plan_portal(portal_id: int, events: list[InboxEvent], relevant: object) -> PortalPlan:
    return plan_events(portal_id, events, HUBSPOT, SCORING)
T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def event(kind: str, object_id: int, *, seconds: float = 0, prop: str | None = None,
          raw: dict[str, Any] | None = None) -> InboxEvent:
    return InboxEvent(
        id=next(_ids), portal_id=1, subscription_id=1, event_id=next(_ids),
        subscription_type=kind, object_id=object_id, property_name=prop, property_value="x",
        change_source="CRM_UI", occurred_at=T0 + timedelta(seconds=seconds), attempt_number=0,
        raw=raw or {}, received_at=T0, status="processing", attempts=1, claimed_by="w",
        processed_at=None, error=None,
    )


def test_creations_and_relevant_changes_of_one_contact_coalesce_into_one_rescore() -> None:
    events = [event("contact.creation", 5), event("contact.propertyChange", 5, seconds=1,
                                                    prop="jobtitle"),
              event("contact.propertyChange", 6, prop="numemployees")]
    plan = plan_portal(1, events, SCORING)
    assert plan.ids("rescore") == [5, 6]
    assert plan.ids("forget") == []
    assert sorted(plan.events_of([5], "rescore")) == sorted([events[0].id, events[1].id])
    assert plan.skipped == {}


def test_own_property_changes_are_echoes() -> None:
    assert classify(event("contact.propertyChange", 5, prop="leadscore_tier"), SCORING) == (
        "echo of the connector's own write to leadscore_tier")
    assert classify(event("contact.propertyChange", 5, prop="leadscore_web_score"), SCORING) == (
        "echo of the connector's own write to leadscore_web_score")


def test_irrelevant_properties_and_unknown_types_are_skipped_with_reasons() -> None:
    irrelevant = event("contact.propertyChange", 5, prop="hs_persona")
    unknown = event("ticket.creation", 5)
    plan = plan_portal(1, [irrelevant, unknown], SCORING)
    assert plan.actions == ()
    assert plan.skipped == {
        "contact property hs_persona does not feed scoring": (irrelevant.id,),
        "unhandled event type ticket.creation": (unknown.id,),
    }


def test_company_and_deal_changes_rescore_their_contacts_apart_from_contact_ids() -> None:
    events = [event("contact.creation", 7), event("company.propertyChange", 7, prop="industry"),
              event("company.propertyChange", 8, prop="zip"), event("deal.creation", 7),
              event("deal.deletion", 9)]
    plan = plan_portal(1, events, SCORING)
    # Contact 7, company 7 and deal 7 are three records: none folds into another.
    assert plan.ids("rescore") == [7]
    assert plan.ids("company") == [7]
    assert plan.ids("deal") == [7]
    assert plan.ids("deal_gone") == [9]
    assert plan.skipped == {"company property zip does not feed scoring": (events[2].id,)}


def test_a_company_changed_then_deleted_is_forgotten() -> None:
    events = [event("company.propertyChange", 3, prop="industry"),
              event("company.deletion", 3, seconds=1)]
    plan = plan_portal(1, events, SCORING)
    assert plan.ids("company") == []
    assert plan.ids("company_gone") == [3]


def test_the_newest_event_decides_between_rescore_and_forget() -> None:
    deleted_last = [event("contact.creation", 5), event("contact.deletion", 5, seconds=2)]
    assert plan_portal(1, deleted_last, SCORING).ids("forget") == [5]
    restored_last = [event("contact.deletion", 5), event("contact.restore", 5, seconds=2)]
    plan = plan_portal(1, restored_last, SCORING)
    assert plan.ids("rescore") == [5]
    assert plan.ids("forget") == []
    assert sorted(plan.events_of([5], "rescore")) == sorted(e.id for e in restored_last)


def test_privacy_deletion_forgets() -> None:
    plan = plan_portal(1, [event("contact.privacyDeletion", 8)], SCORING)
    assert plan.ids("forget") == [8]


def test_merge_forgets_merged_records_and_rescores_the_survivor() -> None:
    merge = event("contact.merge", 10, raw={"mergedObjectIds": [10, 11], "newObjectId": 12,
                                           "primaryObjectId": 10})
    plan = plan_portal(1, [merge], SCORING)
    assert plan.ids("forget") == [10, 11]
    assert plan.ids("rescore") == [12]


def test_merge_without_details_rescores_the_primary() -> None:
    plan = plan_portal(1, [event("contact.merge", 10)], SCORING)
    assert plan.ids("rescore") == [10]
    assert plan.ids("forget") == []
