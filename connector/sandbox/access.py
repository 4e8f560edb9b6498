"""Which portal a CRM request acts on, and whether its token carries the needed scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.gate import TOKEN_SCOPE_KEY
from connector.sandbox.history import WriteSource, integration
from connector.sandbox.object_types import lookup_object_type
from connector.sandbox.tokens import TokenError, TokenInfo

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox
    from connector.sandbox.portal import PortalState

# Account details need no particular scope: any valid token of the portal may read them.
ANY_SCOPE: tuple[str, ...] = ()


def _family(object_type: str) -> str:
    # An unknown type gets the contacts scopes here; the route then answers its 404.
    found = lookup_object_type(object_type)
    return found.scope if found is not None else "contacts"


def read_objects(object_type: str) -> tuple[str, ...]:
    """Scopes that allow reading records of a type (`crm.objects.companies.read`)."""
    return (f"crm.objects.{_family(object_type)}.read",)


def write_objects(object_type: str) -> tuple[str, ...]:
    """Scopes that allow writing records of a type."""
    return (f"crm.objects.{_family(object_type)}.write",)


def read_schemas(object_type: str) -> tuple[str, ...]:
    """Reading property definitions works with either the schema or the object read scope."""
    family = _family(object_type)
    return (f"crm.schemas.{family}.read", f"crm.objects.{family}.read")


def write_schemas(object_type: str) -> tuple[str, ...]:
    """Scopes that allow creating and changing property definitions of a type."""
    return (f"crm.schemas.{_family(object_type)}.write",)


def authorized_portal(sandbox: Sandbox, request: Request, any_of: tuple[str, ...]) -> PortalState:
    """The portal of the request's token, if the token holds one of `any_of` (else 403);
    an empty `any_of` (`ANY_SCOPE`) accepts every valid token."""
    info: TokenInfo | None = request.scope.get(TOKEN_SCOPE_KEY)
    if info is None:
        # Only reachable when a route is called without the gate (a wiring bug).
        raise TokenError.invalid()
    if any_of and not any(s in info.scopes for s in any_of):
        raise HubSpotError.missing_scopes(any_of)
    portal = sandbox.portals.get(info.hub_id)
    if portal is None:
        raise TokenError.invalid()
    return portal


PRIVATE_APP_ID_BASE = 9_000_000
"""A static token is a portal's private app: its app id is this plus the hub id."""


def api_writer(sandbox: Sandbox, request: Request) -> WriteSource:
    """Who writes through the API with the request's token: an app (`INTEGRATION`, the
    app id as `sourceId`, as HubSpot reports writes made with an app's token) — the OAuth
    app for its access tokens, the portal's private app for a static token."""
    info: TokenInfo | None = request.scope.get(TOKEN_SCOPE_KEY)
    if info is not None and info.kind == "static":
        return integration(PRIVATE_APP_ID_BASE + info.hub_id, "Private app")
    return integration(sandbox.config.app_id)
