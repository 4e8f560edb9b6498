"""Associations v4: batch read (per-input paging), labels, batch create / associate default /
archive, and the per-record routes (`/crm/v4/objects/{from}/{id}/associations/...`).

Every pair of object types with HubSpot-defined association types is served (contacts ↔
companies, contacts ↔ deals, companies ↔ deals, contacts ↔ engagements); object types may be
named in any form HubSpot accepts (`contacts`, `contact`, `0-1`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from connector.sandbox.access import authorized_portal, read_objects, write_objects
from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.object_types import (
    COMPANIES,
    AssociationTypeDef,
    ObjectTypeDef,
    association_type,
    association_types,
    default_association,
    resolve_object_type,
    reverse_of,
)
from connector.sandbox.portal import PortalState
from connector.sandbox.wire import (
    batch_body,
    json_response,
    parse_id,
    query_int,
    read_inputs,
    read_json,
)

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox

MAX_INPUTS = 1000
PAGE_SIZE = 500  # associations returned per input before `paging.next.after` appears
MAX_LIST_LIMIT = 500
CATEGORY = "HUBSPOT_DEFINED"


def spec_json(t: AssociationTypeDef) -> dict[str, Any]:
    """An association type as v4 reads show it (`AssociationSpecWithLabel`)."""
    return {"category": CATEGORY, "typeId": t.type_id, "label": t.label}


def _created_json(t: AssociationTypeDef, from_id: int, to_id: int) -> dict[str, Any]:
    """One created direction as "associate default" reports it (`PublicDefaultAssociation`)."""
    return {
        "from": {"id": str(from_id)},
        "to": {"id": str(to_id)},
        "associationSpec": {"associationCategory": CATEGORY, "associationTypeId": t.type_id},
    }


def _pair(from_type: str, to_type: str) -> tuple[ObjectTypeDef, ObjectTypeDef]:
    source, target = resolve_object_type(from_type), resolve_object_type(to_type)
    if not association_types(source.name, target.name):
        raise HubSpotError.validation(
            f"No associations are defined between {source.name} and {target.name}."
        )
    return source, target


def _to_entries(
    portal: PortalState, source: str, from_id: int, target: str, ids: list[int]
) -> list[dict[str, Any]]:
    linked = portal.links.targets(source, from_id, target)
    entries = []
    for to_id in ids:
        defs = [d for d in association_types(source, target) if d.type_id in linked[to_id]]
        entries.append({"toObjectId": to_id, "associationTypes": [spec_json(d) for d in defs]})
    return entries


def _parse_types(raw: Any, source: str, target: str) -> list[AssociationTypeDef]:
    """Association specs from a request (`[{associationCategory, associationTypeId}]`)."""
    if not isinstance(raw, list) or not raw:
        raise HubSpotError.validation("Expected a non-empty list of association types.")
    found: list[AssociationTypeDef] = []
    for spec in raw:
        category = spec.get("associationCategory") if isinstance(spec, dict) else None
        type_id = spec.get("associationTypeId") if isinstance(spec, dict) else None
        if category != CATEGORY:
            raise HubSpotError.validation(
                f"associationCategory {category!r} is not supported; use {CATEGORY}."
            )
        t = association_type(int(type_id)) if isinstance(type_id, int) else None
        if t is None or (t.from_type, t.to_type) != (source, target):
            raise HubSpotError.validation(
                f"associationTypeId {type_id} is not a type from {source} to {target}."
            )
        found.append(t)
    # A primary link is always also the plain one, as in HubSpot.
    if any(t.primary for t in found):
        found.insert(0, default_association(source, target))
    return list(dict.fromkeys(found))


def default_types(
    portal: PortalState, source: str, from_id: int, target: str
) -> list[AssociationTypeDef]:
    """What "associate default" creates: the unlabelled type, plus the primary one when the
    record has no primary company yet (HubSpot makes the first company primary)."""
    plain = default_association(source, target)
    primary = next((t for t in association_types(source, target) if t.primary), None)
    if primary is None or target != COMPANIES:
        return [plain]
    current = portal.links.targets(source, from_id, target)
    has_primary = any(primary.type_id in types for types in current.values())
    return [plain] if has_primary else [plain, primary]


def _labels_json(
    source: ObjectTypeDef,
    from_id: int,
    target: ObjectTypeDef,
    to_id: int,
    types: list[AssociationTypeDef],
) -> dict[str, Any]:
    return {
        "fromObjectTypeId": source.type_id,
        "fromObjectId": from_id,
        "toObjectTypeId": target.type_id,
        "toObjectId": to_id,
        "labels": [t.label for t in types if t.label],
    }


def _portal(
    sandbox: Sandbox, request: Request, source: ObjectTypeDef, target: ObjectTypeDef, write: bool
) -> PortalState:
    """The request's portal, if its token may read (or `write`) both object types."""
    scopes = write_objects if write else read_objects
    authorized_portal(sandbox, request, scopes(target.name))
    return authorized_portal(sandbox, request, scopes(source.name))


def associations_router(sandbox: Sandbox) -> APIRouter:
    """Routes under an associations prefix (`/crm/v4/associations`)."""
    router = APIRouter()

    @router.get("/{from_type}/{to_type}/labels")
    async def labels(from_type: str, to_type: str, request: Request) -> Response:
        source, target = _pair(from_type, to_type)
        _portal(sandbox, request, source, target, write=False)
        defs = association_types(source.name, target.name)
        return json_response({"results": [spec_json(d) for d in sorted(defs, key=_by_id)]})

    @router.post("/{from_type}/{to_type}/batch/read")
    async def batch_read(from_type: str, to_type: str, request: Request) -> Response:
        source, target = _pair(from_type, to_type)
        portal = _portal(sandbox, request, source, target, write=False)
        started = sandbox.clock.now_ms()
        _, inputs = await read_inputs(request, MAX_INPUTS)
        results: list[dict[str, Any]] = []
        errors: list[HubSpotError] = []
        with portal.lock:
            for item in inputs:
                if not isinstance(item, dict) or "id" not in item:
                    raise HubSpotError.validation("Each input needs an 'id'.")
                from_id = parse_id(item["id"])
                after = int(item.get("after") or 0)
                linked = portal.associated(source.name, from_id, target.name)
                if not linked:
                    # HubSpot reports inputs with nothing associated as errors (hence a 207).
                    errors.append(
                        HubSpotError(
                            404,
                            "OBJECT_NOT_FOUND",
                            f"No {target.name} is associated with {source.singular} {from_id}.",
                            context={"fromObjectId": [str(from_id)]},
                            sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
                        )
                    )
                    continue
                window = sorted(i for i in linked if i > after)
                page = window[:PAGE_SIZE]
                entry: dict[str, Any] = {
                    "from": {"id": str(from_id)},
                    "to": _to_entries(portal, source.name, from_id, target.name, page),
                }
                if len(window) > PAGE_SIZE:
                    entry["paging"] = {"next": {"after": str(page[-1])}}
                results.append(entry)
        payload, status = batch_body(results, errors, started, sandbox.clock.now_ms())
        return json_response(payload, status)

    @router.post("/{from_type}/{to_type}/batch/create")
    async def batch_create(from_type: str, to_type: str, request: Request) -> Response:
        source, target = _pair(from_type, to_type)
        portal = _portal(sandbox, request, source, target, write=True)
        started = sandbox.clock.now_ms()
        _, inputs = await read_inputs(request, MAX_INPUTS)
        results: list[dict[str, Any]] = []
        errors: list[HubSpotError] = []
        with portal.lock:
            for item in inputs:
                from_id, to_id = _ends(item)
                types = _parse_types(item.get("types"), source.name, target.name)
                try:
                    portal.associate(source.name, from_id, target.name, to_id, types)
                except HubSpotError as exc:
                    errors.append(exc)
                    continue
                results.append(_labels_json(source, from_id, target, to_id, types))
        payload, status = batch_body(results, errors, started, sandbox.clock.now_ms())
        return json_response(payload, 201 if status == 200 else status)

    @router.post("/{from_type}/{to_type}/batch/associate/default")
    async def batch_default(from_type: str, to_type: str, request: Request) -> Response:
        source, target = _pair(from_type, to_type)
        portal = _portal(sandbox, request, source, target, write=True)
        started = sandbox.clock.now_ms()
        _, inputs = await read_inputs(request, MAX_INPUTS)
        results: list[dict[str, Any]] = []
        errors: list[HubSpotError] = []
        with portal.lock:
            for item in inputs:
                from_id, to_id = _ends(item)
                try:
                    results.extend(_associate_default(portal, source, from_id, target, to_id))
                except HubSpotError as exc:
                    errors.append(exc)
        payload, status = batch_body(results, errors, started, sandbox.clock.now_ms())
        return json_response(payload, status)

    @router.post("/{from_type}/{to_type}/batch/archive")
    async def batch_archive(from_type: str, to_type: str, request: Request) -> Response:
        source, target = _pair(from_type, to_type)
        portal = _portal(sandbox, request, source, target, write=True)
        _, inputs = await read_inputs(request, MAX_INPUTS)
        with portal.lock:
            for item in inputs:
                if not isinstance(item, dict) or not isinstance(item.get("to"), list):
                    raise HubSpotError.validation("Each input needs 'from' and a 'to' list.")
                from_id = parse_id((item.get("from") or {}).get("id"))
                for to in item["to"]:
                    to_id = parse_id(to.get("id") if isinstance(to, dict) else None)
                    portal.dissociate(source.name, from_id, target.name, to_id)
        return Response(status_code=204)

    return router


def record_associations_router(sandbox: Sandbox) -> APIRouter:
    """Per-record association routes under an objects prefix (`/crm/v4/objects`)."""
    router = APIRouter()

    @router.get("/{from_type}/{object_id}/associations/{to_type}")
    async def list_associations(
        from_type: str, object_id: str, to_type: str, request: Request
    ) -> Response:
        source, target = _pair(from_type, to_type)
        portal = _portal(sandbox, request, source, target, write=False)
        from_id = parse_id(object_id)
        limit = query_int(request, "limit", MAX_LIST_LIMIT)
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise HubSpotError.validation(f"limit must be between 1 and {MAX_LIST_LIMIT}.")
        after = query_int(request, "after", 0)
        with portal.lock:
            linked = portal.associated(source.name, from_id, target.name) or {}
            window = sorted(i for i in linked if i > after)
            page = window[:limit]
            body: dict[str, Any] = {
                "results": _to_entries(portal, source.name, from_id, target.name, page)
            }
        if len(window) > limit:
            link = str(request.url.include_query_params(after=str(page[-1])))
            body["paging"] = {"next": {"after": str(page[-1]), "link": link}}
        return json_response(body)

    @router.put("/{from_type}/{object_id}/associations/default/{to_type}/{to_object_id}")
    async def create_default(
        from_type: str, object_id: str, to_type: str, to_object_id: str, request: Request
    ) -> Response:
        source, target = _pair(from_type, to_type)
        portal = _portal(sandbox, request, source, target, write=True)
        started = sandbox.clock.now_ms()
        from_id, to_id = parse_id(object_id), parse_id(to_object_id)
        with portal.lock:
            results = _associate_default(portal, source, from_id, target, to_id)
        payload, _ = batch_body(results, [], started, sandbox.clock.now_ms())
        return json_response(payload)

    @router.put("/{from_type}/{object_id}/associations/{to_type}/{to_object_id}")
    async def create_labelled(
        from_type: str, object_id: str, to_type: str, to_object_id: str, request: Request
    ) -> Response:
        source, target = _pair(from_type, to_type)
        portal = _portal(sandbox, request, source, target, write=True)
        from_id, to_id = parse_id(object_id), parse_id(to_object_id)
        types = _parse_types(await read_json(request), source.name, target.name)
        with portal.lock:
            portal.associate(source.name, from_id, target.name, to_id, types)
        return json_response(_labels_json(source, from_id, target, to_id, types), 201)

    @router.delete("/{from_type}/{object_id}/associations/{to_type}/{to_object_id}")
    async def remove(
        from_type: str, object_id: str, to_type: str, to_object_id: str, request: Request
    ) -> Response:
        source, target = _pair(from_type, to_type)
        portal = _portal(sandbox, request, source, target, write=True)
        portal.dissociate(source.name, parse_id(object_id), target.name, parse_id(to_object_id))
        return Response(status_code=204)

    return router


def _associate_default(
    portal: PortalState, source: ObjectTypeDef, from_id: int, target: ObjectTypeDef, to_id: int
) -> list[dict[str, Any]]:
    """Create the default association and describe both directions of what was created."""
    types = default_types(portal, source.name, from_id, target.name)
    portal.associate(source.name, from_id, target.name, to_id, types)
    out = []
    for t in types:
        out.append(_created_json(t, from_id, to_id))
        out.append(_created_json(reverse_of(t), to_id, from_id))
    return out


def _ends(item: Any) -> tuple[int, int]:
    if not isinstance(item, dict):
        raise HubSpotError.validation("Each input needs 'from' and 'to' objects with an 'id'.")
    start, end = item.get("from"), item.get("to")
    if not isinstance(start, dict) or not isinstance(end, dict):
        raise HubSpotError.validation("Each input needs 'from' and 'to' objects with an 'id'.")
    return parse_id(start.get("id")), parse_id(end.get("id"))


def _by_id(t: AssociationTypeDef) -> int:
    return t.type_id
