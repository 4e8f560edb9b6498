"""CRM objects API (contacts, companies, deals and engagement objects): list, read, create,
update, archive, batch read/create/update/archive, search and merge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from connector.sandbox.access import api_writer, authorized_portal, read_objects, write_objects
from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.object_types import CONTACTS, association_types, lookup_object_type
from connector.sandbox.portal import ObjectType, PortalState
from connector.sandbox.records import Record
from connector.sandbox.search import parse_search_request, run_search
from connector.sandbox.wire import (
    batch_body,
    json_response,
    parse_id,
    query_bool,
    query_int,
    query_list,
    read_inputs,
    read_json,
)

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox

MAX_LIST_LIMIT = 100
MAX_HISTORY_LIMIT = 50  # HubSpot's page cap when propertiesWithHistory is requested
MAX_BATCH = 100


def serialize(
    t: ObjectType,
    record: Record,
    names: tuple[str, ...] | None,
    history: tuple[str, ...] | None = None,
    portal: PortalState | None = None,
) -> dict[str, Any]:
    """A record as HubSpot's SimplePublicObject(+WithAssociations) JSON; with `history`
    (and the `portal` whose engagements derive the activity summaries), its
    `propertiesWithHistory` too."""
    body = record.to_json(names or t.definition.default_read, t.registry.names())
    if history and portal is not None:
        body["propertiesWithHistory"] = portal.history_json(t, record, history)
    return body


def _associations_json(
    portal: PortalState, t: ObjectType, record_id: int, to_types: tuple[str, ...]
) -> dict[str, Any]:
    """The v3 `associations` block of a read: per requested type, `{id, type}` pairs with
    HubSpot's legacy type names (a primary company appears twice, once per type)."""
    out: dict[str, Any] = {}
    for raw in to_types:
        target = lookup_object_type(raw)
        if target is None:
            continue
        names = {d.type_id: d.v3_name for d in association_types(t.name, target.name)}
        linked = portal.links.targets(t.name, record_id, target.name)
        results = [
            {"id": str(to_id), "type": names[type_id]}
            for to_id in sorted(linked)
            for type_id in sorted(linked[to_id])
            if type_id in names
        ]
        if results:
            out[target.name] = {"results": results}
    return out


def objects_router(sandbox: Sandbox) -> APIRouter:
    """Routes under an objects prefix (`/crm/v3/objects`), for every served object type."""
    router = APIRouter()

    @router.post("/{object_type}/search")
    async def search(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_objects(object_type))
        parsed = parse_search_request(await read_json(request))
        with portal.lock:
            t = portal.object_type(object_type)
            page = run_search(
                parsed,
                t.index.visible(),
                t.registry,
                t.search_blind,
                t.definition.query_properties,
            )
            results = [serialize(t, r, parsed.properties) for r in page.records]
        body: dict[str, Any] = {"total": page.total, "results": results}
        if page.next_after is not None:
            body["paging"] = {"next": {"after": str(page.next_after)}}
        return json_response(body)

    @router.post("/{object_type}/batch/read")
    async def batch_read(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_objects(object_type))
        started = sandbox.clock.now_ms()
        body, inputs = await read_inputs(request, MAX_BATCH)
        names = tuple(body.get("properties") or ()) or None
        history = tuple(body.get("propertiesWithHistory") or ()) or None
        id_property = body.get("idProperty")
        with portal.lock:
            t = portal.object_type(object_type)
            results, missing = [], []
            for item in inputs:
                raw_id = item.get("id") if isinstance(item, dict) else None
                if raw_id is None:
                    raise HubSpotError.validation("Each batch read input needs an 'id'.")
                record = _lookup(portal, t, str(raw_id), id_property)
                if record is None:
                    missing.append(raw_id)
                else:
                    results.append(serialize(t, record, names, history, portal))
        errors = [portal.not_found_error(t.name, missing)] if missing else []
        payload, status = batch_body(results, errors, started, sandbox.clock.now_ms())
        return json_response(payload, status)

    @router.post("/{object_type}/batch/create")
    async def batch_create(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_objects(object_type))
        started = sandbox.clock.now_ms()
        _, inputs = await read_inputs(request, MAX_BATCH)
        props = [i.get("properties") if isinstance(i, dict) else None for i in inputs]
        created = portal.batch_create(object_type, props, source=api_writer(sandbox, request))
        t = portal.object_type(object_type)
        payload, _ = batch_body(
            [serialize(t, r, tuple(r.properties)) for r in created],
            [],
            started,
            sandbox.clock.now_ms(),
        )
        return json_response(payload, 201)

    @router.post("/{object_type}/batch/update")
    async def batch_update(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_objects(object_type))
        started = sandbox.clock.now_ms()
        _, inputs = await read_inputs(request, MAX_BATCH)
        pairs = []
        for item in inputs:
            if not isinstance(item, dict) or "id" not in item:
                raise HubSpotError.validation(
                    "Each batch update input needs an 'id' and 'properties'."
                )
            pairs.append((parse_id(item["id"]), item.get("properties")))
        outcome = portal.batch_update(object_type, pairs, source=api_writer(sandbox, request))
        t = portal.object_type(object_type)
        results = [serialize(t, r, tuple(r.properties)) for r in outcome.results]
        payload, status = batch_body(results, outcome.errors, started, sandbox.clock.now_ms())
        return json_response(payload, status)

    @router.post("/{object_type}/batch/archive")
    async def batch_archive(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_objects(object_type))
        _, inputs = await read_inputs(request, MAX_BATCH)
        ids = [parse_id(i.get("id") if isinstance(i, dict) else None) for i in inputs]
        for record_id in ids:
            portal.archive(object_type, record_id)
        return Response(status_code=204)

    @router.post("/{object_type}/merge")
    async def merge(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_objects(object_type))
        body = await read_json(request)
        if not isinstance(body, dict):
            raise HubSpotError.validation("Expected primaryObjectId and objectIdToMerge.")
        primary = parse_id(body.get("primaryObjectId"), "primaryObjectId")
        merged = parse_id(body.get("objectIdToMerge"), "objectIdToMerge")
        record = portal.merge(object_type, primary, merged, api_writer(sandbox, request))
        t = portal.object_type(object_type)
        return json_response(serialize(t, record, tuple(record.properties)))

    @router.get("/{object_type}")
    async def list_objects(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_objects(object_type))
        history = query_list(request, "propertiesWithHistory")
        cap = MAX_HISTORY_LIMIT if history else MAX_LIST_LIMIT
        limit = query_int(request, "limit", 10)
        if not 1 <= limit <= cap:
            raise HubSpotError.validation(
                f"limit must be between 1 and {cap}"
                + (" when propertiesWithHistory is requested." if history else ".")
            )
        after = query_int(request, "after", 0)
        names = query_list(request, "properties")
        associations = query_list(request, "associations") or ()
        with portal.lock:
            t = portal.object_type(object_type)
            pager = t.store.archived_page if query_bool(request, "archived") else t.store.page
            records, next_after = pager(after, limit)
            results = []
            for record in records:
                item = serialize(t, record, names, history, portal)
                if associations:
                    linked = _associations_json(portal, t, record.id, associations)
                    if linked:
                        item["associations"] = linked
                results.append(item)
        body: dict[str, Any] = {"results": results}
        if next_after is not None:
            link = str(request.url.include_query_params(after=str(next_after)))
            body["paging"] = {"next": {"after": str(next_after), "link": link}}
        return json_response(body)

    @router.post("/{object_type}")
    async def create(object_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_objects(object_type))
        body = await read_json(request)
        props = body.get("properties") if isinstance(body, dict) else None
        record = portal.create(object_type, props, source=api_writer(sandbox, request))
        t = portal.object_type(object_type)
        return json_response(serialize(t, record, tuple(record.properties)), 201)

    @router.get("/{object_type}/{object_id}")
    async def get_object(object_type: str, object_id: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, read_objects(object_type))
        names = query_list(request, "properties")
        history = query_list(request, "propertiesWithHistory")
        associations = query_list(request, "associations") or ()
        with portal.lock:
            t = portal.object_type(object_type)
            record = _lookup(portal, t, object_id, request.query_params.get("idProperty"))
            if record is None and query_bool(request, "archived"):
                record = t.store.archived.get(parse_id(object_id))
            if record is None:
                raise HubSpotError.not_found("resource not found")
            item = serialize(t, record, names, history, portal)
            if associations:
                linked = _associations_json(portal, t, record.id, associations)
                if linked:
                    item["associations"] = linked
        return json_response(item)

    @router.patch("/{object_type}/{object_id}")
    async def update(object_type: str, object_id: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_objects(object_type))
        body = await read_json(request)
        props = body.get("properties") if isinstance(body, dict) else None
        record = portal.update(
            object_type, parse_id(object_id), props, api_writer(sandbox, request)
        )
        t = portal.object_type(object_type)
        return json_response(serialize(t, record, tuple(record.properties)))

    @router.delete("/{object_type}/{object_id}")
    async def archive(object_type: str, object_id: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, write_objects(object_type))
        portal.archive(object_type, parse_id(object_id))
        return Response(status_code=204)

    return router


def _lookup(
    portal: PortalState, t: ObjectType, raw_id: str, id_property: str | None
) -> Record | None:
    """A live record by id, or by a unique property (contacts: `idProperty=email`)."""
    if id_property and id_property != "hs_object_id":
        if t.name != CONTACTS or id_property != "email":
            raise HubSpotError.validation(f"idProperty '{id_property}' is not a unique property.")
        contact_id = portal.contact_id_by_email(raw_id)
        return t.store.get(contact_id) if contact_id is not None else None
    try:
        return t.store.get(int(raw_id))
    except ValueError:
        return None
