"""`/_sandbox/*` control endpoints (no auth): seed data (leads, engagements, companies, deals,
associations), move time, inject faults, and read what happened (counters, ground truth,
exports). Tests and the demo drive the sandbox here."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, model_validator

from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.object_types import (
    COMPANIES,
    CONTACTS,
    DEALS,
    association_types,
    resolve_object_type,
)
from connector.sandbox.paths import CONTROL_PREFIX
from connector.sandbox.portal import PortalState
from connector.sandbox.seeding import add_generated_leads
from connector.sandbox.wire import json_response

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox

MAX_GENERATED_LEADS = 100_000


class LeadsRequest(BaseModel):
    """Either explicit contacts (property dicts) or a count of generated realistic leads."""

    leads: list[dict[str, Any]] | None = None
    count: int | None = Field(default=None, ge=1, le=MAX_GENERATED_LEADS)
    seed: int | None = None

    @model_validator(mode="after")
    def _one_of(self) -> LeadsRequest:
        if (self.leads is None) == (self.count is None):
            raise ValueError("give either 'leads' (a list of property dicts) or 'count'")
        return self


class EngagementRequest(BaseModel):
    """One engagement to log on a contact."""

    type: str = Field(description="calls, emails, meetings, notes or tasks")
    contact_id: int
    properties: dict[str, Any] = Field(default_factory=dict)
    timestamp_ms: int | None = None


class CompaniesRequest(BaseModel):
    """Companies to create, as property dicts (values trusted like generated data)."""

    companies: list[dict[str, Any]] = Field(min_length=1)


class DealRequest(BaseModel):
    """One deal to create, linked to contacts and (the first as primary) companies."""

    properties: dict[str, Any]
    contact_ids: list[int] = Field(default_factory=list)
    company_ids: list[int] = Field(default_factory=list)


class AssociationRequest(BaseModel):
    """One association to create: the unlabelled type, plus the primary one if asked."""

    from_type: str = Field(description="contacts, companies, deals (or 0-1, company...)")
    from_id: int
    to_type: str
    to_id: int
    primary: bool = False


class SubscriptionsRequest(BaseModel):
    """Webhook subscriptions beyond the contact defaults (see `webhook_subscriptions`)."""

    subscriptions: list[str]


class AdvanceRequest(BaseModel):
    """How far to move the sandbox clock."""

    seconds: float = Field(ge=0)


class FaultSettings(BaseModel):
    """Runtime fault settings; omitted fields keep their value."""

    error_rate: float | None = Field(default=None, ge=0, le=1)
    slow_rate: float | None = Field(default=None, ge=0, le=1)
    slow_s: float | None = Field(default=None, ge=0)
    drop_rate: float | None = Field(default=None, ge=0, le=1)
    search_consistency_delay_s: float | None = Field(default=None, ge=0)


class RateLimitSettings(BaseModel):
    """Switch rate limiting on or off."""

    enabled: bool


class WebhookTarget(BaseModel):
    """Where webhooks go (None stops delivery)."""

    url: str | None


def control_router(sandbox: Sandbox) -> APIRouter:
    """The control routes, mounted at `/_sandbox`."""
    router = APIRouter(prefix=CONTROL_PREFIX)

    def portal_of(hub_id: int) -> PortalState:
        portal = sandbox.portals.get(hub_id)
        if portal is None:
            raise HubSpotError.not_found(f"No portal with hub id {hub_id} in this sandbox.")
        return portal

    def describe(portal: PortalState) -> dict[str, Any]:
        return {
            "hub_id": portal.hub_id,
            "name": portal.name,
            "domain": portal.domain,
            "static_token": sandbox.static_tokens.get(portal.hub_id),
            "contacts": len(portal.contacts.store),
            "companies": len(portal.companies.store),
            "deals": len(portal.deals.store),
            "rate_limit_profile": portal.limiter.profile,
        }

    @router.get("/portals")
    async def portals() -> Response:
        return json_response({"results": [describe(p) for p in sandbox.portals.values()]})

    @router.post("/portals/{hub_id}/leads")
    async def add_leads(hub_id: int, request: LeadsRequest) -> Response:
        portal = portal_of(hub_id)
        if request.count is not None:
            seed = request.seed if request.seed is not None else sandbox.config.seed + portal.hub_id
            records = add_generated_leads(portal, request.count, seed, sandbox.clock.now_ms())
        else:
            records = portal.batch_create(
                CONTACTS, list(request.leads or []), trusted=True, source="CRM_UI"
            )
        return json_response({"ids": [str(r.id) for r in records]}, 201)

    @router.post("/portals/{hub_id}/engagements")
    async def add_engagements(
        hub_id: int, request: EngagementRequest | list[EngagementRequest]
    ) -> Response:
        portal = portal_of(hub_id)
        items = request if isinstance(request, list) else [request]
        ids = [
            str(portal.add_engagement(e.type, e.contact_id, e.properties, e.timestamp_ms).id)
            for e in items
        ]
        return json_response({"ids": ids}, 201)

    @router.post("/portals/{hub_id}/companies")
    async def add_companies(hub_id: int, request: CompaniesRequest) -> Response:
        """Companies created in HubSpot's UI (`company.creation`, source CRM_UI)."""
        records = portal_of(hub_id).batch_create(
            COMPANIES, list(request.companies), trusted=True, source="CRM_UI"
        )
        return json_response({"ids": [str(r.id) for r in records]}, 201)

    @router.post("/portals/{hub_id}/deals")
    async def add_deals(hub_id: int, request: DealRequest | list[DealRequest]) -> Response:
        """Deals created in HubSpot's UI and associated with their contacts and companies."""
        portal = portal_of(hub_id)
        ids = []
        with portal.lock:
            for deal in request if isinstance(request, list) else [request]:
                record = portal.create(DEALS, deal.properties, trusted=True, source="CRM_UI")
                for contact_id in deal.contact_ids:
                    portal.associate(
                        DEALS,
                        record.id,
                        CONTACTS,
                        contact_id,
                        association_types(DEALS, CONTACTS),
                        "CRM_UI",
                    )
                for i, company_id in enumerate(deal.company_ids):
                    types = [
                        t for t in association_types(DEALS, COMPANIES) if i == 0 or not t.primary
                    ]
                    portal.associate(DEALS, record.id, COMPANIES, company_id, types, "CRM_UI")
                ids.append(str(record.id))
        return json_response({"ids": ids}, 201)

    @router.post("/portals/{hub_id}/associations")
    async def add_associations(
        hub_id: int, request: AssociationRequest | list[AssociationRequest]
    ) -> Response:
        """Associations made in HubSpot's UI (both directions, `associationChange`)."""
        portal = portal_of(hub_id)
        created = 0
        with portal.lock:
            for item in request if isinstance(request, list) else [request]:
                source = resolve_object_type(item.from_type).name
                target = resolve_object_type(item.to_type).name
                types = [
                    t for t in association_types(source, target) if item.primary or not t.primary
                ]
                if not types:
                    raise HubSpotError.validation(
                        f"No associations are defined between {source} and {target}."
                    )
                if item.primary and not any(t.primary for t in types):
                    raise HubSpotError.validation(
                        f"There is no primary association from {source} to {target}."
                    )
                portal.associate(source, item.from_id, target, item.to_id, types, "CRM_UI")
                created += 1
        return json_response({"created": created}, 201)

    @router.patch("/portals/{hub_id}/{object_type}/{record_id}")
    async def edit_record(
        hub_id: int, object_type: str, record_id: int, properties: dict[str, Any]
    ) -> Response:
        """A user editing a record in HubSpot's UI (raises webhooks with source CRM_UI)."""
        record = portal_of(hub_id).update(object_type, record_id, properties, source="CRM_UI")
        return json_response({"id": str(record.id), "properties": record.properties})

    @router.post("/portals/{hub_id}/reset")
    async def reset_portal(hub_id: int) -> Response:
        portal_of(hub_id).reset()
        return json_response({"reset": [hub_id]})

    @router.post("/reset")
    async def reset_all() -> Response:
        for portal in sandbox.portals.values():
            portal.reset()
        sandbox.unauthenticated.reset()
        return json_response({"reset": list(sandbox.portals)})

    @router.post("/portals/{hub_id}/uninstall")
    async def uninstall(hub_id: int) -> Response:
        """The portal uninstalls the OAuth app: its OAuth tokens stop working."""
        portal_of(hub_id)
        sandbox.tokens.revoke_portal(hub_id)
        return json_response({"uninstalled": hub_id})

    @router.get("/time")
    async def time_now() -> Response:
        return json_response(
            {"now_ms": sandbox.clock.now_ms(), "offset_ms": sandbox.clock.offset_ms}
        )

    @router.post("/time/advance")
    async def advance(request: AdvanceRequest) -> Response:
        now = sandbox.clock.advance(request.seconds)
        return json_response({"now_ms": now, "offset_ms": sandbox.clock.offset_ms})

    @router.get("/faults")
    async def get_faults() -> Response:
        return json_response(_faults_json(sandbox))

    @router.put("/faults")
    async def set_faults(settings: FaultSettings) -> Response:
        rates = sandbox.faults.rates
        if settings.error_rate is not None:
            rates.error_rate = settings.error_rate
        if settings.slow_rate is not None:
            rates.slow_rate = settings.slow_rate
        if settings.slow_s is not None:
            rates.slow_s = settings.slow_s
        if settings.drop_rate is not None:
            rates.drop_rate = settings.drop_rate
        if settings.search_consistency_delay_s is not None:
            sandbox.set_search_delay(settings.search_consistency_delay_s)
        return json_response(_faults_json(sandbox))

    @router.put("/rate-limits")
    async def set_rate_limits(settings: RateLimitSettings) -> Response:
        sandbox.set_rate_limits(settings.enabled)
        return json_response({"enabled": settings.enabled})

    @router.get("/counters")
    async def all_counters() -> Response:
        return json_response(
            {
                "portals": {str(h): p.counters.to_json() for h, p in sandbox.portals.items()},
                "unauthenticated": sandbox.unauthenticated.to_json(),
            }
        )

    @router.get("/portals/{hub_id}/counters")
    async def portal_counters(hub_id: int) -> Response:
        return json_response(portal_of(hub_id).counters.to_json())

    @router.get("/portals/{hub_id}/truth")
    async def truth(hub_id: int) -> Response:
        """The generator's hidden outcome per contact (never exposed through the CRM API)."""
        portal = portal_of(hub_id)
        with portal.lock:
            rows = [{"contact_id": str(c), **t} for c, t in sorted(portal.ground_truth.items())]
        return json_response({"results": rows})

    @router.get("/portals/{hub_id}/export")
    async def export(
        hub_id: int,
        fmt: str = Query("json", alias="format"),
        object_type: str = Query(CONTACTS, alias="object"),
    ) -> Response:
        """Every live record of a type (contacts unless `object=companies|deals|...`) with
        every stored property, as JSON or CSV."""
        portal = portal_of(hub_id)
        with portal.lock:
            t = portal.object_type(object_type)
            records = list(t.store.records.values())
            names = sorted(t.registry.names())
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=["id", *names], extrasaction="ignore")
            writer.writeheader()
            for r in records:
                writer.writerow({"id": r.id, **r.properties})
            return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
        if fmt != "json":
            raise HubSpotError.validation("format must be json or csv.")
        return json_response(
            {"results": [{"id": str(r.id), "properties": r.properties} for r in records]}
        )

    @router.get("/webhooks")
    async def webhook_stats() -> Response:
        return json_response(sandbox.webhooks.stats())

    @router.put("/webhooks/subscriptions")
    async def webhook_subscriptions(request: SubscriptionsRequest) -> Response:
        sandbox.webhooks.set_subscriptions(request.subscriptions)
        sandbox.config.webhook_subscriptions = request.subscriptions
        return json_response({"subscriptions": request.subscriptions})

    @router.put("/webhooks/target")
    async def webhook_target(target: WebhookTarget) -> Response:
        sandbox.webhooks.set_target(target.url, sandbox.config.client_secret)
        sandbox.config.webhook_target_url = target.url
        return json_response({"url": target.url})

    return router


def _faults_json(sandbox: Sandbox) -> dict[str, Any]:
    rates = sandbox.faults.rates
    return {
        "error_rate": rates.error_rate,
        "slow_rate": rates.slow_rate,
        "slow_s": rates.slow_s,
        "drop_rate": rates.drop_rate,
        "search_consistency_delay_s": sandbox.config.search_consistency_delay_s,
    }
