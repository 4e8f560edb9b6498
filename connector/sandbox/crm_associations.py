"""Associations v4 batch read: contact → engagement objects, with per-input paging."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from connector.sandbox.access import READ_OBJECTS, authorized_portal
from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.property_catalog import ASSOCIATION_TYPE_IDS
from connector.sandbox.wire import batch_body, json_response, parse_id, read_inputs

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox

MAX_INPUTS = 1000
PAGE_SIZE = 500  # associations returned per input before `paging.next.after` appears

# Names HubSpot accepts for each object type: plural, singular and object type id.
_OBJECT_ALIASES: dict[str, str] = {
    "contacts": "contacts",
    "contact": "contacts",
    "0-1": "contacts",
    "calls": "calls",
    "call": "calls",
    "0-48": "calls",
    "emails": "emails",
    "email": "emails",
    "0-49": "emails",
    "meetings": "meetings",
    "meeting": "meetings",
    "0-47": "meetings",
    "notes": "notes",
    "note": "notes",
    "0-46": "notes",
    "tasks": "tasks",
    "task": "tasks",
    "0-27": "tasks",
}


def associations_router(sandbox: Sandbox) -> APIRouter:
    """Routes under an associations prefix (`/crm/v4/associations`)."""
    router = APIRouter()

    @router.post("/{from_type}/{to_type}/batch/read")
    async def batch_read(from_type: str, to_type: str, request: Request) -> Response:
        portal = authorized_portal(sandbox, request, READ_OBJECTS)
        started = sandbox.clock.now_ms()
        source = _OBJECT_ALIASES.get(from_type.lower())
        target = _OBJECT_ALIASES.get(to_type.lower())
        if source is None or target is None:
            raise HubSpotError.validation(f"Unknown object type in {from_type}/{to_type}.")
        if source != "contacts" or target not in ASSOCIATION_TYPE_IDS:
            raise HubSpotError.validation(
                "The sandbox serves contact → calls/emails/meetings/notes/tasks associations."
            )
        _, inputs = await read_inputs(request, MAX_INPUTS)
        type_id = ASSOCIATION_TYPE_IDS[target]
        results: list[dict[str, Any]] = []
        errors: list[HubSpotError] = []
        for item in inputs:
            if not isinstance(item, dict) or "id" not in item:
                raise HubSpotError.validation("Each input needs an 'id'.")
            contact_id = parse_id(item["id"])
            after = int(item.get("after") or 0)
            linked = portal.associated(target, contact_id)
            if not linked:
                # HubSpot reports inputs with nothing associated as errors (hence a 207).
                errors.append(
                    HubSpotError(
                        404,
                        "OBJECT_NOT_FOUND",
                        f"No {target} is associated with contact {contact_id}.",
                        context={"fromObjectId": [str(contact_id)]},
                        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
                    )
                )
                continue
            window = [i for i in linked if i > after] if after else linked
            page = window[:PAGE_SIZE]
            entry: dict[str, Any] = {
                "from": {"id": str(contact_id)},
                "to": [
                    {
                        "toObjectId": to_id,
                        "associationTypes": [
                            {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}
                        ],
                    }
                    for to_id in page
                ],
            }
            if len(window) > PAGE_SIZE:
                entry["paging"] = {"next": {"after": str(page[-1])}}
            results.append(entry)
        payload, status = batch_body(results, errors, started, sandbox.clock.now_ms())
        return json_response(payload, status)

    return router
