"""Properties API: definitions and groups per object type, with HubSpot's validation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from connector.sandbox.access import authorized_portal, read_schemas, write_schemas
from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.wire import batch_body, json_response, query_bool, read_inputs, read_json

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox

MAX_PROPERTY_BATCH = 100


def properties_router(sandbox: Sandbox) -> APIRouter:
    """Routes under a properties prefix (`/crm/v3/properties`)."""
    router = APIRouter()

    @router.get("/{object_type}/groups")
    async def list_groups(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_schemas(object_type))
        with portal.lock:
            groups = portal.object_type(object_type).registry.groups()
            return json_response({"results": [g.to_json() for g in groups]})

    @router.post("/{object_type}/groups")
    async def create_group(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_schemas(object_type))
        body = await read_json(request)
        with portal.lock:
            group = portal.object_type(object_type).registry.create_group(body)
        return json_response(group.to_json(), 201)

    @router.get("/{object_type}/groups/{group_name}")
    async def get_group(object_type: str, group_name: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_schemas(object_type))
        with portal.lock:
            group = portal.object_type(object_type).registry.group(group_name)
        if group is None:
            raise HubSpotError.not_found(f"Unable to find property group {group_name}.")
        return json_response(group.to_json())

    @router.post("/{object_type}/batch/create")
    async def batch_create(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_schemas(object_type))
        started = sandbox.clock.now_ms()
        _, inputs = await read_inputs(request, MAX_PROPERTY_BATCH)
        results: list[dict[str, Any]] = []
        errors: list[HubSpotError] = []
        with portal.lock:
            registry = portal.object_type(object_type).registry
            for item in inputs:
                try:
                    results.append(registry.create(item, sandbox.clock.now_ms()).to_json())
                except HubSpotError as exc:
                    name = str(item.get("name")) if isinstance(item, dict) else "?"
                    exc.context.setdefault("propertyName", [name])
                    errors.append(exc)
        payload, status = batch_body(results, errors, started, sandbox.clock.now_ms())
        return json_response(payload, 201 if status == 200 else status)

    @router.post("/{object_type}/batch/read")
    async def batch_read(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_schemas(object_type))
        started = sandbox.clock.now_ms()
        body, inputs = await read_inputs(request, MAX_PROPERTY_BATCH)
        archived = bool(body.get("archived", False))
        results, missing = [], []
        with portal.lock:
            registry = portal.object_type(object_type).registry
            for item in inputs:
                name = str(item.get("name")) if isinstance(item, dict) else ""
                prop = registry.get_any(name)
                if prop is None or prop.archived != archived:
                    missing.append(name)
                else:
                    results.append(prop.to_json())
        errors = (
            [
                HubSpotError(
                    404,
                    "OBJECT_NOT_FOUND",
                    "Some properties could not be found.",
                    context={"properties": missing},
                )
            ]
            if missing
            else []
        )
        payload, status = batch_body(results, errors, started, sandbox.clock.now_ms())
        return json_response(payload, status)

    @router.get("/{object_type}")
    async def list_properties(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_schemas(object_type))
        with portal.lock:
            registry = portal.object_type(object_type).registry
            props = registry.all(archived=query_bool(request, "archived"))
            return json_response({"results": [p.to_json() for p in props]})

    @router.post("/{object_type}")
    async def create_property(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_schemas(object_type))
        body = await read_json(request)
        with portal.lock:
            prop = portal.object_type(object_type).registry.create(body, sandbox.clock.now_ms())
        return json_response(prop.to_json(), 201)

    @router.get("/{object_type}/{property_name}")
    async def get_property(object_type: str, property_name: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_schemas(object_type))
        with portal.lock:
            prop = portal.object_type(object_type).registry.get_any(property_name)
        if prop is None or prop.archived != query_bool(request, "archived"):
            raise HubSpotError.not_found(f"Unable to find property {property_name}.")
        return json_response(prop.to_json())

    @router.patch("/{object_type}/{property_name}")
    async def update_property(object_type: str, property_name: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_schemas(object_type))
        body = await read_json(request)
        with portal.lock:
            registry = portal.object_type(object_type).registry
            prop = registry.update(property_name, body, sandbox.clock.now_ms())
        return json_response(prop.to_json())

    @router.delete("/{object_type}/{property_name}")
    async def delete_property(object_type: str, property_name: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_schemas(object_type))
        with portal.lock:
            portal.object_type(object_type).registry.archive(property_name)
        return Response(status_code=204)

    return router
