"""Request/response plumbing shared by the CRM routes: JSON in and out, HubSpot-style."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response

from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.values import iso_from_ms

JSON_MEDIA_TYPE = "application/json;charset=utf-8"


def json_response(body: Any, status: int = 200) -> Response:
    """A compact JSON response (no pydantic round trip: the sandbox must stay fast)."""
    return Response(
        content=json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type=JSON_MEDIA_TYPE,
    )


def error_response(error: HubSpotError) -> Response:
    """HubSpot's error JSON for a refused request."""
    return json_response(error.body(), error.status)


async def read_json(request: Request) -> Any:
    """The request's JSON body, or HubSpot's 400 for a body that is not JSON."""
    raw = await request.body()
    if not raw:
        raise HubSpotError.validation("Invalid input JSON: the request body is empty.")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise HubSpotError.validation(f"Invalid input JSON on line 1: {exc}") from exc


async def read_inputs(request: Request, limit: int) -> tuple[dict[str, Any], list[Any]]:
    """A batch body and its `inputs` list (400 if missing or longer than `limit`)."""
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise HubSpotError.validation(
            "Invalid input JSON: expected an object with an 'inputs' list."
        )
    inputs = body["inputs"]
    if len(inputs) > limit:
        raise HubSpotError.validation(
            f"Too many inputs: {len(inputs)}. The maximum is {limit} per batch request."
        )
    return body, inputs


def query_list(request: Request, name: str) -> tuple[str, ...] | None:
    """A list query parameter given as `a,b`, repeated, or both (None when absent)."""
    raw = request.query_params.getlist(name)
    if not raw:
        return None
    names = tuple(part.strip() for item in raw for part in item.split(",") if part.strip())
    return names or None


def query_int(request: Request, name: str, default: int) -> int:
    """An integer query parameter (400 when it is not one)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise HubSpotError.validation(f"Query parameter {name}={raw!r} is not an integer.") from exc


def query_bool(request: Request, name: str) -> bool:
    """A boolean query parameter (`true` / `false`)."""
    return request.query_params.get(name, "false").lower() == "true"


def parse_id(raw: Any, what: str = "id") -> int:
    """An object id from a path or body (400 when it is not numeric)."""
    try:
        return int(str(raw))
    except ValueError as exc:
        raise HubSpotError.validation(f"Invalid {what} '{raw}': object ids are numeric.") from exc


def batch_body(
    results: list[dict[str, Any]], errors: list[HubSpotError], started_ms: int, completed_ms: int
) -> tuple[dict[str, Any], int]:
    """HubSpot's BatchResponse JSON and status: 200/201, or 207 with `errors` and `numErrors`."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso_from_ms(started_ms),
        "completedAt": iso_from_ms(completed_ms),
        "links": {},
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = [batch_error_json(e) for e in errors]
        return body, 207
    return body, 200


def batch_error_json(error: HubSpotError) -> dict[str, Any]:
    """One entry of a batch response's `errors` (every field the SDK model requires)."""
    body: dict[str, Any] = {
        "status": "error",
        "category": error.category,
        "message": error.message,
        "context": error.context,
        "links": {},
        "errors": [e.to_json() for e in error.errors],
    }
    if error.sub_category is not None:
        body["subCategory"] = error.sub_category
    return body
