"""`/healthz` (is the service working, and what needs attention) and `/metrics` (Prometheus)."""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from connector.store.records import InboxStatus
from connector.web.deps import ServicesDep
from connector.web.metrics import CONTENT_TYPE
from connector.web.services import WebServices

router = APIRouter(tags=["operations"])

# Events of portals not connected here are looked up among this many recent skipped ones.
_RECENT_SKIPPED = 500
# A drain that has not finished a round for this long is reported as stalled.
_DRAIN_STALL_S = 120.0
_BACKLOG: tuple[InboxStatus, ...] = ("pending", "processing")


class PortalHealth(BaseModel):
    """One portal: connection status (with the reason when it needs attention) and backlog."""

    hub_id: int
    kind: str
    status: str
    reason: str | None
    inbox_backlog: int
    """Webhook events waiting (pending or in processing); they are kept while reconnecting."""
    inbox_failed: int


class DrainHealth(BaseModel):
    """The webhook drain of this process."""

    alive: bool
    seconds_since_last_round: float | None
    last_error: str | None


class Health(BaseModel):
    """The service's health."""

    status: Literal["ok", "degraded", "down"]
    database: bool
    portals: list[PortalHealth]
    scheduler_alive: bool | None
    """None when this process runs no scheduler."""
    drain: DrainHealth | None
    """None when this process runs no webhook drain."""
    inbox: dict[str, int]
    """Webhook inbox events by status."""
    inbox_backlog: int
    unconnected_portal_events: dict[int, int]
    """Recent events skipped because their portal is not connected here, by portal."""


def _drain_health(services: WebServices) -> DrainHealth | None:
    drain = services.drain
    if drain is None:
        return None
    last = drain.stats.last_round_at
    return DrainHealth(
        alive=drain.alive,
        seconds_since_last_round=None if last is None else round(time.time() - last, 3),
        last_error=drain.stats.last_error,
    )


def health(services: WebServices) -> Health:
    """Collect the health report (the database is asked first; nothing else without it)."""
    store = services.store
    scheduler_alive = services.scheduler_alive()
    drain = _drain_health(services)
    if not store.ping():
        return Health(status="down", database=False, portals=[], scheduler_alive=scheduler_alive,
                      drain=drain, inbox={}, inbox_backlog=0, unconnected_portal_events={})
    portals = []
    known: set[int] = set()
    for portal in store.portals.all():
        known.add(portal.hub_id)
        counts = store.inbox.counts(portal.hub_id)
        portals.append(PortalHealth(
            hub_id=portal.hub_id,
            kind=portal.kind,
            status=portal.status,
            reason=portal.status_reason,
            inbox_backlog=sum(counts.get(s, 0) for s in _BACKLOG),
            inbox_failed=counts.get("failed", 0),
        ))
    inbox = store.inbox.counts()
    unconnected: dict[int, int] = {}
    for event in store.inbox.recent(_RECENT_SKIPPED, status="skipped"):
        if event.portal_id not in known:
            unconnected[event.portal_id] = unconnected.get(event.portal_id, 0) + 1
    stalled = drain is not None and (
        not drain.alive
        or (drain.seconds_since_last_round or 0.0) > _DRAIN_STALL_S
    )
    attention = (
        any(p.status != "connected" for p in portals)
        or scheduler_alive is False
        or stalled
        or inbox.get("failed", 0) > 0
    )
    return Health(
        status="degraded" if attention else "ok",
        database=True,
        portals=portals,
        scheduler_alive=scheduler_alive,
        drain=drain,
        inbox=inbox,
        inbox_backlog=sum(inbox.get(s, 0) for s in _BACKLOG),
        unconnected_portal_events=unconnected,
    )


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database does not answer"}},
    summary="Service health",
)
def healthz(services: ServicesDep) -> JSONResponse:
    """200 while the service works (`degraded` names what needs attention); 503 when the
    database is down."""
    report = health(services)
    return JSONResponse(report.model_dump(mode="json"),
                        status_code=503 if report.status == "down" else 200)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(services: ServicesDep) -> Response:
    """Request counters plus inbox, portal, drain and scheduler state, in Prometheus text."""
    return Response(services.metrics.render(), media_type=CONTENT_TYPE)
