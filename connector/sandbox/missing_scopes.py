"""What HubSpot answers on an endpoint the sandbox does not model: 403 MISSING_SCOPES.

An app that lacks an endpoint's scope gets this answer from HubSpot, and well-known HubSpot
clients skip such endpoints at start-up (a 404 they treat as a failure). So a path the
sandbox has no route for answers as it would for an app installed without that scope,
with HubSpot's body, naming the scope the endpoint needs where the sandbox knows it.
"""

from __future__ import annotations

from typing import Any

from connector.sandbox.api_errors import correlation_id
from connector.sandbox.paths import GATED_PREFIXES

SCOPES_URL = "https://developers.hubspot.com/scopes"
MESSAGE = (
    "This app hasn't been granted all required scopes to make this call. "
    f"Read more about required scopes here: {SCOPES_URL}."
)
# Path prefix → the scope HubSpot names for it (first match wins; the most specific first).
_REQUIRED: tuple[tuple[str, str], ...] = (
    ("/crm/v3/owners", "crm.objects.owners.read"),
    ("/crm/v3/schemas", "crm.schemas.custom.read"),
    ("/crm-object-schemas/", "crm.schemas.custom.read"),
    ("/crm/v3/lists", "crm.lists.read"),
    ("/automation/", "automation"),
    ("/marketing/", "content"),
    ("/cms/", "content"),
    ("/files/", "files"),
    ("/conversations/", "conversations.read"),
    ("/events/", "analytics.behavioral_events.send"),
    ("/communication-preferences/", "communication_preferences.read"),
    ("/settings/", "settings.users.read"),
)


def is_hubspot_api_path(path: str) -> bool:
    """True for a path under one of HubSpot's API roots (not the sandbox's own pages)."""
    return path.startswith(GATED_PREFIXES)


def required_scopes(path: str) -> list[str]:
    """The scope the endpoint at `path` needs, as HubSpot names it (empty when unknown)."""
    for prefix, scope in _REQUIRED:
        if path.startswith(prefix):
            return [scope]
    return []


def missing_scopes_body(path: str) -> dict[str, Any]:
    """HubSpot's 403 MISSING_SCOPES body for `path`."""
    context = {"requiredScopes": required_scopes(path)} if required_scopes(path) else {}
    error: dict[str, Any] = {"message": "One or more of the following scopes are required."}
    if context:
        error["context"] = context
    return {
        "status": "error",
        "message": MESSAGE,
        "correlationId": correlation_id(),
        "errors": [error],
        "links": {"scopes": SCOPES_URL},
        "category": "MISSING_SCOPES",
    }
