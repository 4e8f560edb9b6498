"""Parsing HubSpot webhook bodies into `WebhookEvent`s, with precise errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connector.errors import LeadscoreError

MAX_EVENTS = 100


class MalformedWebhook(LeadscoreError):
    """A webhook body that is not what HubSpot sends; says which event and field."""

    def __init__(self, message: str, *, index: int | None = None, field: str | None = None):
        where = ""
        if index is not None:
            where = f"event {index}" + (f", field {field!r}" if field else "") + ": "
        super().__init__(f"malformed webhook: {where}{message}")
        self.index = index
        self.field = field


@dataclass(frozen=True)
class WebhookEvent:
    """One webhook event. `object_id` may exceed 2^31 (Python ints do not overflow)."""

    event_id: int
    subscription_id: int
    portal_id: int
    app_id: int | None
    occurred_at_ms: int
    subscription_type: str
    attempt_number: int
    object_id: int
    property_name: str | None = None
    property_value: str | None = None
    change_source: str | None = None
    source_id: str | None = None
    merged_object_ids: tuple[int, ...] = ()
    new_object_id: int | None = None

    @property
    def dedup_key(self) -> tuple[int, int, int, int]:
        """HubSpot does not promise unique eventIds: de-duplicate on these four together."""
        return (self.subscription_id, self.event_id, self.object_id, self.occurred_at_ms)


def _opt_int(raw: Any, index: int, field: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise MalformedWebhook(f"expected an integer, got {raw!r}", index=index, field=field)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    raise MalformedWebhook(f"expected an integer, got {raw!r}", index=index, field=field)


def _int(raw: Any, index: int, field: str) -> int:
    value = _opt_int(raw, index, field)
    if value is None:
        raise MalformedWebhook("missing", index=index, field=field)
    return value


def _str(raw: Any, index: int, field: str) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        return str(raw)
    raise MalformedWebhook(f"expected a string, got {type(raw).__name__}", index=index,
                           field=field)


def _event(item: Any, index: int) -> WebhookEvent:
    if not isinstance(item, dict):
        raise MalformedWebhook(f"expected an object, got {type(item).__name__}", index=index)
    subscription_type = item.get("subscriptionType", item.get("eventType"))
    if not isinstance(subscription_type, str) or not subscription_type:
        raise MalformedWebhook("missing or not a string", index=index, field="subscriptionType")
    merged_raw = item.get("mergedObjectIds") or []
    if not isinstance(merged_raw, list):
        raise MalformedWebhook("expected a list", index=index, field="mergedObjectIds")
    merged = tuple(_int(m, index, "mergedObjectIds") for m in merged_raw)
    # associationChange events name their records `fromObjectId`/`toObjectId` instead.
    object_id = item.get("objectId", item.get("primaryObjectId", item.get("fromObjectId")))
    return WebhookEvent(
        event_id=_int(item.get("eventId"), index, "eventId"),
        subscription_id=_int(item.get("subscriptionId"), index, "subscriptionId"),
        portal_id=_int(item.get("portalId"), index, "portalId"),
        app_id=_opt_int(item.get("appId"), index, "appId"),
        occurred_at_ms=_int(item.get("occurredAt"), index, "occurredAt"),
        subscription_type=subscription_type,
        attempt_number=_opt_int(item.get("attemptNumber"), index, "attemptNumber") or 0,
        object_id=_int(object_id, index, "objectId"),
        property_name=_str(item.get("propertyName"), index, "propertyName"),
        property_value=_str(item.get("propertyValue"), index, "propertyValue"),
        change_source=_str(item.get("changeSource"), index, "changeSource"),
        source_id=_str(item.get("sourceId"), index, "sourceId"),
        merged_object_ids=merged,
        new_object_id=_opt_int(item.get("newObjectId"), index, "newObjectId"),
    )


def parse_webhook_body(body: bytes | str, *, max_events: int = MAX_EVENTS) -> list[WebhookEvent]:
    """Parse a webhook POST body (a JSON array of ≤100 events); raise `MalformedWebhook`."""
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedWebhook(f"body is not JSON ({exc})") from None
    if not isinstance(parsed, list):
        raise MalformedWebhook(f"body must be a JSON array, got {type(parsed).__name__}")
    if len(parsed) > max_events:
        raise MalformedWebhook(f"{len(parsed)} events in one body; HubSpot sends at most "
                               f"{max_events}")
    return [_event(item, index) for index, item in enumerate(parsed)]
