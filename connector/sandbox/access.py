"""Which portal a CRM request acts on, and whether its token carries the needed scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.gate import TOKEN_SCOPE_KEY
from connector.sandbox.tokens import TokenError, TokenInfo

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox
    from connector.sandbox.portal import PortalState

READ_OBJECTS = ("crm.objects.contacts.read",)
WRITE_OBJECTS = ("crm.objects.contacts.write",)
# Reading property definitions works with either the schema or the object read scope.
READ_SCHEMAS = ("crm.schemas.contacts.read", "crm.objects.contacts.read")
WRITE_SCHEMAS = ("crm.schemas.contacts.write",)
# Account details need no particular scope: any valid token of the portal may read them.
ANY_SCOPE: tuple[str, ...] = ()


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
