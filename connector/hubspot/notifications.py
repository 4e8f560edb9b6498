"""Webhook subscription types → neutral change events (`connector.crm.Change`).

HubSpot names events `<object>.<change>` (`contact.creation`, `company.propertyChange`,
`deal.deletion`, …). What each asks the sync to do is decided here, once, for every object
type in `objects.OBJECTS`; the sync never sees a subscription type.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from connector.crm.events import Change, Ignored
from connector.crm.objects import ObjectType
from connector.crm.port import Notification
from connector.hubspot.objects import object_for_subscription

RESCORE_CHANGES = frozenset({"creation", "restore", "associationChange"})
FORGET_CHANGES = frozenset({"deletion", "privacyDeletion"})
MERGE_CHANGE = "merge"
PROPERTY_CHANGE = "propertyChange"


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _merge(object_type: ObjectType, notification: Notification) -> list[Change]:
    # HubSpot names the surviving record `newObjectId` (or `primaryObjectId`) and the records
    # folded into it `mergedObjectIds`; the survivor's data changed, the others are gone.
    raw = notification.raw
    survivor = (_as_int(raw.get("newObjectId")) or _as_int(raw.get("primaryObjectId"))
                or notification.object_id)
    merged_raw = raw.get("mergedObjectIds")
    merged = [_as_int(m) for m in merged_raw] if isinstance(merged_raw, list) else []
    changes = [Change("forget", object_type, m) for m in merged if m is not None
               and m != survivor]
    changes.append(Change("rescore", object_type, survivor))
    return changes


def classify_notification(
    notification: Notification,
    relevant: Mapping[ObjectType, Collection[str]],
    own_prefix: str,
) -> list[Change] | Ignored:
    """What one webhook event asks for, or why it needs nothing.

    A property change matters only for a property scoring reads of that object type
    (`relevant`); a change to one of our own properties (`own_prefix`) is our echo.
    """
    prefix, _, change = notification.subscription_type.partition(".")
    object_type = object_for_subscription(prefix)
    if object_type is None or not change:
        return Ignored(f"unhandled event type {notification.subscription_type}")
    if change in RESCORE_CHANGES:
        return [Change("rescore", object_type, notification.object_id)]
    if change in FORGET_CHANGES:
        return [Change("forget", object_type, notification.object_id)]
    if change == MERGE_CHANGE:
        return _merge(object_type, notification)
    if change == PROPERTY_CHANGE:
        name = notification.property_name or ""
        if name.startswith(own_prefix):
            return Ignored(f"echo of the connector's own write to {name}")
        if name not in relevant.get(object_type, ()):
            return Ignored(f"{prefix} property {name or '(none)'} does not feed scoring")
        return [Change("rescore", object_type, notification.object_id)]
    return Ignored(f"unhandled event type {notification.subscription_type}")
