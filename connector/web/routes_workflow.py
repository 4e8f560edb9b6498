"""HubSpot workflow custom action "Score this contact now" (`POST /workflow/actions/score`).

HubSpot calls the action's URL with a signed request (v2 — `X-HubSpot-Signature`, hex
SHA-256 of secret + method + URL + body — or v3 headers); the contact is read, scored and
written back at once, and the answer's `outputFields` carry the score and tier so the
workflow can branch on them. `GET /workflow/actions/definition` returns the JSON to
register the action with HubSpot's automation API.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from connector.errors import LeadscoreError
from connector.hubspot.signatures import InvalidSignature, verify_request
from connector.scoring.properties import DEFAULT_MODEL, TIERS, property_names
from connector.settings import Settings
from connector.web.deps import ServicesDep
from connector.web.errors import ErrorBody, error_response
from connector.web.routes_webhooks import signed_uri
from connector.web.services import WebServices

log = logging.getLogger(__name__)

ACTION_PATH = "/workflow/actions/score"

router = APIRouter(tags=["workflows"])

ExecutionState = Literal["SUCCESS", "FAIL_CONTINUE"]


class _Lenient(BaseModel):
    # HubSpot adds fields over time; only the ones used are declared.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ActionOrigin(_Lenient):
    """Where the call comes from."""

    portal_id: int = Field(alias="portalId")


class ActionObject(_Lenient):
    """The record the workflow runs on."""

    object_id: int = Field(alias="objectId")
    object_type: str = Field("CONTACT", alias="objectType")


class ActionRequest(_Lenient):
    """The body HubSpot sends to a custom workflow action."""

    callback_id: str | None = Field(None, alias="callbackId")
    origin: ActionOrigin
    object: ActionObject
    input_fields: dict[str, Any] = Field(default_factory=dict, alias="inputFields")


class ActionResult(BaseModel):
    """What the workflow receives: output fields it can branch on."""

    outputFields: dict[str, Any]


@dataclass(frozen=True)
class _Outcome:
    """The answer to send and its label for the metrics."""

    label: str
    response: JSONResponse


def _result(state: ExecutionState, **fields: Any) -> _Outcome:
    return _Outcome(state, JSONResponse({"outputFields": {**fields, "hs_execution_state": state}}))


def _failed(message: str) -> _Outcome:
    # FAIL_CONTINUE lets the workflow go on (and shows the message in its history) rather
    # than retrying something a retry cannot fix.
    return _result("FAIL_CONTINUE", leadscore_error=message)


def _number(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@router.post(
    ACTION_PATH,
    response_model=ActionResult,
    responses={400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    summary="Workflow action: score this contact now",
)
async def score_contact_action(request: Request, services: ServicesDep) -> JSONResponse:
    """Score the workflow's contact now and return `leadscore_score` and `leadscore_tier`.

    401 for a bad signature; 503 for a temporary HubSpot failure (HubSpot retries the
    action); `FAIL_CONTINUE` with `leadscore_error` when the portal or contact cannot be
    scored at all.
    """
    settings = services.settings
    secret = settings.client_secret.get_secret_value()
    if not secret:
        return error_response(503, "not_configured", "action signing secret is not configured")
    body = await request.body()
    try:
        verify_request(secret, method=request.method,
                       uri=signed_uri(settings.public_url.rstrip("/") + ACTION_PATH, request),
                       body=body, headers=request.headers)
    except InvalidSignature as exc:
        log.warning("workflow action refused: %s", exc)
        services.metrics.workflow_actions.labels("unauthorized").inc()
        return error_response(401, "invalid_signature", str(exc))
    try:
        action = ActionRequest.model_validate_json(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return error_response(400, "malformed_action", f"not a workflow action call: {problems}")
    outcome = await run_in_threadpool(_score_now, services, action)
    services.metrics.workflow_actions.labels(outcome.label).inc()
    return outcome.response


def _score_now(services: WebServices, action: ActionRequest) -> _Outcome:
    portal_id = action.origin.portal_id
    contact_id = action.object.object_id
    model = str(action.input_fields.get("model") or DEFAULT_MODEL)
    if action.object.object_type.upper() != "CONTACT":
        return _failed(f"only contacts are scored, not {action.object.object_type}")
    if model not in services.sync.config.models:
        return _failed(f"no scoring model {model!r} in the configuration")
    portal = services.store.portals.get(portal_id)
    if portal is None or portal.status != "connected":
        why = "is not connected" if portal is None else f"needs reconnection ({portal.status})"
        return _failed(f"portal {portal_id} {why}")
    try:
        report = services.sync.process_contacts(portal_id, [str(contact_id)])
    except LeadscoreError as exc:
        return _failed(str(exc))
    if not report.completed:
        message = "; ".join(report.errors) or "scoring did not complete"
        after = services.store.portals.get(portal_id)
        if after is None or after.status != "connected":
            return _failed(message)
        log.warning("workflow action for contact %d failed, HubSpot will retry: %s",
                    contact_id, message)
        return _Outcome("retry", error_response(503, "temporarily_unavailable", message))
    stored = services.sync.score_stored(portal_id, contact_id)
    if stored is None:
        return _failed(f"contact {contact_id} was not found in portal {portal_id}")
    values = stored.pending if stored.pending is not None else stored.values
    names = property_names(model)
    return _result("SUCCESS", leadscore_score=_number(values.get(names.score)),
                   leadscore_tier=values.get(names.tier) or None)


def action_definition(settings: Settings) -> dict[str, Any]:
    """The custom action's definition for HubSpot's automation API (v4 actions)."""
    return {
        "actionUrl": settings.public_url.rstrip("/") + ACTION_PATH,
        "published": True,
        "objectTypes": ["CONTACT"],
        "inputFields": [
            {
                "typeDefinition": {"name": "model", "type": "string", "fieldType": "text"},
                "supportedValueTypes": ["STATIC_VALUE"],
                "isRequired": False,
            }
        ],
        "outputFields": [
            {"typeDefinition": {"name": "leadscore_score", "type": "number",
                                "fieldType": "number"}},
            {"typeDefinition": {"name": "leadscore_tier", "type": "enumeration",
                                "fieldType": "select",
                                "options": [{"label": t.capitalize(), "value": t}
                                            for t in TIERS]}},
        ],
        "labels": {
            "en": {
                "actionName": "Score this contact now",
                "actionDescription": "Reads the contact and its activity, scores it with "
                                     "your lead-scoring rules and writes the scores back.",
                "actionCardContent": "Score the contact now",
                "inputFieldLabels": {"model": "Scoring model (default: default)"},
                "outputFieldLabels": {"leadscore_score": "Lead score",
                                      "leadscore_tier": "Lead tier"},
            }
        },
    }


@router.get("/workflow/actions/definition", summary="The custom action's registration JSON")
def get_action_definition(services: ServicesDep) -> dict[str, Any]:
    """The JSON to POST to `/automation/v4/actions/{appId}` to register the action."""
    return action_definition(services.settings)
