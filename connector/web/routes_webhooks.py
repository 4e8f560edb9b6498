"""`POST /webhooks/hubspot`: verify, parse, store in the durable inbox, answer at once.

HubSpot retries any delivery not answered 2xx within 5 seconds, so this handler does only
what must happen before the answer: check the signature against the configured public URL
(not the Host header, which a proxy rewrites), parse the body, and insert its events in one
transaction. The drain acts on them afterwards. Nothing unverified is stored.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from connector.hubspot.events import MalformedWebhook, WebhookEvent, parse_webhook_body
from connector.hubspot.signatures import InvalidSignature, verify_request
from connector.store import NewInboxEvent
from connector.web.deps import ServicesDep
from connector.web.errors import ErrorBody, error_response

log = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])


class WebhookAccepted(BaseModel):
    """The answer to an accepted delivery."""

    received: int
    """Events in the delivery."""
    new: int
    """Events not seen before (the rest were duplicates or retries)."""


def _inbox_event(event: WebhookEvent, raw: dict[str, Any]) -> NewInboxEvent:
    return NewInboxEvent(
        portal_id=event.portal_id,
        subscription_id=event.subscription_id,
        event_id=event.event_id,
        subscription_type=event.subscription_type,
        object_id=event.object_id,
        occurred_at=datetime.fromtimestamp(event.occurred_at_ms / 1000, tz=UTC),
        raw=raw,
        attempt_number=event.attempt_number,
        property_name=event.property_name,
        property_value=event.property_value,
        change_source=event.change_source,
    )


def signed_uri(public_endpoint: str, request: Request) -> str:
    """The URI HubSpot signed: the configured public endpoint plus the request's query."""
    query = request.url.query
    return f"{public_endpoint}?{query}" if query else public_endpoint


@router.post(
    "/webhooks/hubspot",
    response_model=WebhookAccepted,
    responses={400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    summary="Receive HubSpot webhook events",
)
async def receive_webhook(request: Request, services: ServicesDep) -> JSONResponse:
    """Verify the signature (v3, or v1/v2), store the events durably, answer 200.

    401 for a missing, wrong or expired signature; 400 with the reason for a body that is
    not a HubSpot event array. Duplicates are accepted and stored once.
    """
    started = time.perf_counter()
    metrics = services.metrics
    secret = services.settings.client_secret.get_secret_value()
    if not secret:
        log.error("webhook refused: LEADSCORE_CLIENT_SECRET is not set, nothing can be verified")
        return error_response(503, "not_configured", "webhook signing secret is not configured")
    body = await request.body()
    try:
        verify_request(
            secret,
            method=request.method,
            uri=signed_uri(services.settings.webhook_url, request),
            body=body,
            headers=request.headers,
        )
    except InvalidSignature as exc:
        metrics.webhook_requests.labels("unauthorized").inc()
        log.warning("webhook refused: %s", exc)
        return error_response(401, "invalid_signature", str(exc))
    try:
        events = parse_webhook_body(body)
        # The raw objects are kept with each event (e.g. a merge's mergedObjectIds).
        raw_items: list[dict[str, Any]] = json.loads(body)
    except MalformedWebhook as exc:
        metrics.webhook_requests.labels("malformed").inc()
        log.warning("webhook refused: %s", exc)
        return error_response(400, "malformed_webhook", str(exc))
    inbox_events = [_inbox_event(e, raw) for e, raw in zip(events, raw_items, strict=True)]
    new = await run_in_threadpool(services.store.inbox.add, inbox_events)
    if new:
        services.wake_drain()
    metrics.webhook_requests.labels("accepted").inc()
    metrics.webhook_events.labels("new").inc(new)
    metrics.webhook_events.labels("duplicate").inc(len(events) - new)
    metrics.webhook_seconds.observe(time.perf_counter() - started)
    return JSONResponse(WebhookAccepted(received=len(events), new=new).model_dump())
