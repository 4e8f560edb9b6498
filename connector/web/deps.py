"""FastAPI dependencies: what the routes need, read from `app.state`, and API-key checks.

`create_app` stores the app's `WebServices` on `app.state.services` and the dashboard's
`DashboardState` on `app.state.dashboard`; routes receive them as `ServicesDep` and
`DashboardDep` parameters.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from connector.store import ApiKey
from connector.web.dashboard.state import DashboardState
from connector.web.errors import ApiError
from connector.web.services import WebServices

_bearer = HTTPBearer(
    auto_error=False, description="A scoring-API key from `leadscore apikey create`."
)
_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The same key, as a header of its own."
)


def get_services(request: Request) -> WebServices:
    """The services the app was created with."""
    return cast(WebServices, request.app.state.services)


ServicesDep = Annotated[WebServices, Depends(get_services)]


def get_dashboard(request: Request) -> DashboardState:
    """The dashboard's state (store, settings, access, analysis cache)."""
    return cast(DashboardState, request.app.state.dashboard)


DashboardDep = Annotated[DashboardState, Depends(get_dashboard)]


def require_api_key(
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header_key: Annotated[str | None, Security(_api_key_header)],
) -> ApiKey:
    """The caller's API key record; 401 when it is missing, unknown or revoked.

    Declared sync on purpose: FastAPI runs it in the thread pool, off the event loop, since
    checking a key is a database read and write.
    """
    plain = bearer.credentials if bearer is not None else header_key
    challenge = {"WWW-Authenticate": "Bearer"}
    if not plain:
        raise ApiError(
            401,
            "missing_api_key",
            "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>' "
            "(create one with `leadscore apikey create`)",
            headers=challenge,
        )
    key = services.store.api_keys.verify(plain.strip())
    if key is None:
        raise ApiError(401, "invalid_api_key", "the API key is unknown or revoked",
                       headers=challenge)
    return key

