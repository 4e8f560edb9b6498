"""The sandbox's ASGI application: CRM routers behind the gate, OAuth, control routes."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from connector.sandbox.account_info import account_info_router
from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.control import control_router
from connector.sandbox.core import Sandbox
from connector.sandbox.crm_associations import associations_router, record_associations_router
from connector.sandbox.crm_objects import objects_router
from connector.sandbox.crm_pipelines import pipelines_router
from connector.sandbox.crm_properties import properties_router
from connector.sandbox.gate import CrmGate
from connector.sandbox.missing_scopes import is_hubspot_api_path, missing_scopes_body
from connector.sandbox.oauth import oauth_router
from connector.sandbox.paths import (
    ACCOUNT_INFO_PREFIXES,
    ASSOCIATIONS_PREFIXES,
    OBJECTS_PREFIXES,
    PIPELINES_PREFIXES,
    PROPERTIES_PREFIXES,
    RECORD_ASSOCIATIONS_PREFIXES,
)
from connector.sandbox.tokens import TokenError
from connector.sandbox.wire import error_response, json_response


def create_app(sandbox: Sandbox) -> FastAPI:
    """Build the FastAPI app serving `sandbox` (CRM objects, properties, associations and
    pipelines on v3/v4 and dated paths, account info, OAuth, control)."""
    app = FastAPI(
        title="HubSpot sandbox",
        description="A local HubSpot for the lead-scoring connector.",
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        redoc_url=None,
    )
    for prefix in PROPERTIES_PREFIXES:
        app.include_router(properties_router(sandbox), prefix=prefix)
    for prefix in ASSOCIATIONS_PREFIXES:
        app.include_router(associations_router(sandbox), prefix=prefix)
    for prefix in RECORD_ASSOCIATIONS_PREFIXES:
        app.include_router(record_associations_router(sandbox), prefix=prefix)
    for prefix in OBJECTS_PREFIXES:
        app.include_router(objects_router(sandbox), prefix=prefix)
    for prefix in PIPELINES_PREFIXES:
        app.include_router(pipelines_router(sandbox), prefix=prefix)
    for prefix in ACCOUNT_INFO_PREFIXES:
        app.include_router(account_info_router(sandbox), prefix=prefix)
    app.include_router(oauth_router(sandbox))
    app.include_router(control_router(sandbox))

    @app.exception_handler(HubSpotError)
    async def _hubspot_error(_: Request, exc: HubSpotError) -> Response:
        return error_response(exc)

    @app.exception_handler(TokenError)
    async def _token_error(_: Request, exc: TokenError) -> Response:
        return json_response(exc.body, exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and is_hubspot_api_path(request.url.path):
            # An endpoint not modelled answers as for an app without its scope.
            return json_response(missing_scopes_body(request.url.path), 403)
        # Unknown paths and methods answer in HubSpot's error shape too.
        category = "OBJECT_NOT_FOUND" if exc.status_code == 404 else "VALIDATION_ERROR"
        return error_response(HubSpotError(exc.status_code, category, str(exc.detail)))

    app.add_middleware(CrmGate, sandbox=sandbox)
    return app
