"""`create_app`: the connector's ASGI app, one router per area.

- `/connect`, `/oauth/callback` — one-click installation (routes_connect)
- `/webhooks/hubspot` — signed webhook deliveries into the durable inbox (routes_webhooks)
- `/api/v1/...` — the scoring API, API-key protected (routes_api)
- `/workflow/actions/...` — HubSpot workflow custom action (routes_workflow)
- `/healthz`, `/metrics` — operations (routes_health)
- `/dashboard` — the operator's pages (connector.web.dashboard)
- `/docs`, `/openapi.json` — the API's documentation (FastAPI)
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

import connector
from connector.web import (
    routes_api,
    routes_connect,
    routes_health,
    routes_webhooks,
    routes_workflow,
)
from connector.web.dashboard import DashboardAccess, DashboardState
from connector.web.dashboard import routes as dashboard_routes
from connector.web.errors import ApiError, error_response
from connector.web.services import WebServices

log = logging.getLogger(__name__)

DESCRIPTION = """\
Keeps HubSpot contacts' lead scores current, and scores lead payloads on request.

The scoring API needs a key (`leadscore apikey create NAME`), sent as
`Authorization: Bearer <key>` or `X-API-Key: <key>`.
"""


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's 422 with a one-line summary on top: `detail` keeps every problem's location.
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    summary = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
        for e in errors[:5]
    )
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return JSONResponse(
        {"error": "invalid_request", "message": summary + more,
         "detail": [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
                    for e in errors]},
        status_code=422,
    )


def create_app(services: WebServices) -> FastAPI:
    """The app over `services`; it starts no background work (see `WebServices`).

    The routes read `app.state.services` and `app.state.dashboard` (see `connector.web.deps`).
    When no dashboard token is configured one is generated, and the URL that logs in is
    logged once at WARNING so the operator finds it in the service's output.
    """
    app = FastAPI(
        title="Lead scoring for HubSpot",
        version=connector.__version__,
        description=DESCRIPTION,
    )
    app.state.services = services
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(routes_connect.router)
    app.include_router(routes_webhooks.router)
    app.include_router(routes_api.router)
    app.include_router(routes_workflow.router)
    app.include_router(routes_health.router)
    # The operator's dashboard; its login link is `app.state.dashboard.access.url(public_url)`.
    access = DashboardAccess.from_settings(services.settings)
    app.state.dashboard = DashboardState(services.store, services.settings, access)
    app.include_router(dashboard_routes.router)
    if access.generated:
        log.warning(
            "no LEADSCORE_DASHBOARD_TOKEN set; generated one for this run. Dashboard: %s",
            access.url(services.settings.public_url),
        )
    return app
