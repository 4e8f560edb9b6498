"""HubSpot's OAuth surface for the sandbox: install page, token endpoints, metadata, revocation.

Paths and JSON shapes follow HubSpot's docs: the v1 endpoints (sunsetting 2027-02-16), their
v3 replacements and the same v3 endpoints under the date path `/oauth/2026-03/`. v1 token
responses carry only the classic OAuth fields; v3 and dated ones add `hub_id` and `scopes`,
so a client that relies on those must use the newer endpoints (or ask for metadata).
"""

from __future__ import annotations

import hmac
import html
import uuid
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from connector.sandbox.tokens import (
    ALL_SCOPES,
    Grant,
    GrantError,
    IssuedTokens,
    TokenError,
    TokenRegistry,
)

_TOKEN_PATHS = ("/oauth/v1/token", "/oauth/v3/token", "/oauth/2026-03/token")
_DATED_PREFIXES = ("/oauth/v3", "/oauth/2026-03")


class OAuthAppConfig(Protocol):
    """The sandbox's OAuth app registration, as the config holds it."""

    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> str: ...
    @property
    def app_id(self) -> int: ...
    @property
    def redirect_uris(self) -> list[str]: ...
    @property
    def oauth_required_scopes(self) -> list[str]: ...


class PortalView(Protocol):
    """What the install page and metadata endpoints show of a portal."""

    @property
    def name(self) -> str: ...
    @property
    def domain(self) -> str: ...


class OAuthHost(Protocol):
    """The parts of the `Sandbox` the OAuth routes use."""

    @property
    def config(self) -> OAuthAppConfig: ...
    @property
    def tokens(self) -> TokenRegistry: ...
    @property
    def portals(self) -> Mapping[int, PortalView]: ...


class AuthorizeError(Exception):
    """An install request HubSpot would refuse with an error page instead of a redirect."""


def installer_of(hub_id: int, portal: PortalView) -> tuple[str, int]:
    """The (email, user id) of the portal's admin who approves installs in the sandbox."""
    return f"admin@{portal.domain}", hub_id * 100 + 1


def split_scopes(raw: str) -> tuple[str, ...]:
    """Scopes as HubSpot takes them: space-separated ('+' arrives decoded as a space)."""
    return tuple(dict.fromkeys(raw.split()))


def with_query(url: str, params: Mapping[str, str]) -> str:
    """`url` with `params` appended to whatever query it already has."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def oauth_router(sandbox: OAuthHost) -> APIRouter:
    """Routes for the install flow and token management of the sandbox's one OAuth app."""
    router = APIRouter(tags=["oauth"])
    config = sandbox.config
    tokens = sandbox.tokens

    def check_install(params: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
        """Validate an install request like HubSpot; returns (redirect_uri, granted scopes)."""
        if params.get("client_id") != config.client_id:
            raise AuthorizeError("The client_id is not the id of an app in this sandbox.")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            raise AuthorizeError("redirect_uri must be an absolute http(s) URL.")
        if config.redirect_uris and redirect_uri not in config.redirect_uris:
            raise AuthorizeError("redirect_uri does not match the app's redirect URLs.")
        requested = split_scopes(params.get("scope", ""))
        optional = split_scopes(params.get("optional_scope", ""))
        unknown = sorted(set(requested + optional) - set(ALL_SCOPES))
        if unknown:
            raise AuthorizeError(f"Unknown scopes: {', '.join(unknown)}.")
        missing = [s for s in config.oauth_required_scopes if s not in requested]
        if missing:
            raise AuthorizeError(
                "The scope parameter lacks scopes the app requires: " + ", ".join(missing) + "."
            )
        # Optional scopes are granted when the account has them; every sandbox portal does.
        return redirect_uri, tuple(dict.fromkeys(requested + optional))

    def approve(params: Mapping[str, str], hub_id: int) -> RedirectResponse:
        redirect_uri, scopes = check_install(params)
        portal = sandbox.portals.get(hub_id)
        if portal is None:
            raise AuthorizeError(f"There is no portal with hub id {hub_id} in this sandbox.")
        user, user_id = installer_of(hub_id, portal)
        grant = Grant(hub_id, config.client_id, scopes, user, user_id)
        code = tokens.issue_code(grant, redirect_uri)
        result = {"code": code}
        if "state" in params:
            result["state"] = params["state"]
        return RedirectResponse(with_query(redirect_uri, result), status_code=302)

    @router.get("/oauth/authorize", response_model=None)
    def authorize(request: Request) -> Response:
        """The install page: pick a portal to connect (or `auto_approve=<hub id|1>`)."""
        params = dict(request.query_params)
        try:
            auto = params.get("auto_approve")
            if auto is None:
                check_install(params)
                return HTMLResponse(_install_page(params, sandbox.portals))
            # "1" means "whichever portal": the first one, for scripted single-portal runs.
            hub_id = min(sandbox.portals) if auto == "1" else _parse_hub_id(auto)
            return approve(params, hub_id)
        except AuthorizeError as err:
            return HTMLResponse(_error_page(str(err)), status_code=400)

    @router.post("/oauth/authorize/decision", response_model=None)
    async def decide(request: Request) -> Response:
        """The install page's form: connect the chosen portal, or decline."""
        params = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            if params.get("decision") != "approve":
                redirect_uri, _ = check_install(params)
                denial = {"error": "access_denied", "error_description": "The user declined."}
                if "state" in params:
                    denial["state"] = params["state"]
                return RedirectResponse(with_query(redirect_uri, denial), status_code=302)
            return approve(params, _parse_hub_id(params.get("hub_id", "")))
        except AuthorizeError as err:
            return HTMLResponse(_error_page(str(err)), status_code=400)

    async def token(request: Request) -> JSONResponse:
        """Exchange an authorization code, or refresh an access token."""
        form = await _form(request)
        dated = request.url.path.startswith(_DATED_PREFIXES)
        try:
            _check_client(config, form)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                issued = tokens.exchange_code(
                    form.get("code", ""), form["client_id"], form.get("redirect_uri", "")
                )
            elif grant_type == "refresh_token":
                issued = tokens.refresh(form.get("refresh_token", ""), form["client_id"])
            else:
                raise GrantError(
                    "unsupported_grant_type",
                    "BAD_GRANT_TYPE",
                    "grant_type must be authorization_code or refresh_token",
                )
        except GrantError as err:
            return JSONResponse(err.body(), status_code=err.http_status)
        return JSONResponse(_token_body(issued, dated))

    for path in _TOKEN_PATHS:
        router.add_api_route(path, token, methods=["POST"], response_model=None)

    async def introspect(request: Request) -> JSONResponse:
        """RFC 7662-style introspection of an access or refresh token."""
        form = await _form(request)
        try:
            _check_client(config, form)
        except GrantError as err:
            return JSONResponse(err.body(), status_code=err.http_status)
        value = form.get("token", "")
        refresh_grant = tokens.describe_refresh_token(value)
        if refresh_grant is not None and refresh_grant.client_id == config.client_id:
            return JSONResponse(
                {"active": True, **_grant_fields(refresh_grant), "token_type": "refresh"}
            )
        try:
            details = tokens.describe_access_token(value)
        except TokenError:
            return JSONResponse({"active": False})
        if details.grant.client_id != config.client_id:
            return JSONResponse({"active": False})
        return JSONResponse(
            {
                "active": True,
                **_grant_fields(details.grant),
                "token_type": "access",
                "expires_in": details.expires_in,
            }
        )

    async def revoke(request: Request) -> Response:
        """RFC 7009-style revocation: 200 whether or not the token was live."""
        form = await _form(request)
        try:
            _check_client(config, form)
        except GrantError as err:
            return JSONResponse(err.body(), status_code=err.http_status)
        value = form.get("token", "")
        if not tokens.revoke_refresh_token(value):
            tokens.revoke_access_token(value)
        return Response(status_code=200)

    for prefix in _DATED_PREFIXES:
        router.add_api_route(f"{prefix}/token/introspect", introspect, methods=["POST"])
        router.add_api_route(f"{prefix}/token/revoke", revoke, methods=["POST"])

    def _grant_fields(grant: Grant) -> dict[str, Any]:
        portal = sandbox.portals.get(grant.hub_id)
        return {
            "hub_id": grant.hub_id,
            "hub_domain": portal.domain if portal is not None else "",
            "app_id": config.app_id,
            "client_id": grant.client_id,
            "scopes": list(grant.scopes),
            "user": grant.user,
            "user_id": grant.user_id,
        }

    @router.get("/oauth/v1/access-tokens/{token}")
    def access_token_info(token: str) -> JSONResponse:
        """Metadata of a live access token (v1)."""
        try:
            details = tokens.describe_access_token(token)
        except TokenError as err:
            return JSONResponse(err.body, status_code=err.status)
        fields = _grant_fields(details.grant)
        del fields["client_id"]  # v1 access-token metadata has no client_id
        return JSONResponse(
            {"token": token, **fields, "expires_in": details.expires_in, "token_type": "access"}
        )

    @router.get("/oauth/v1/refresh-tokens/{token}")
    def refresh_token_info(token: str) -> JSONResponse:
        """Metadata of a live refresh token (v1)."""
        grant = tokens.describe_refresh_token(token)
        if grant is None:
            return _refresh_token_not_found()
        fields = _grant_fields(grant)
        del fields["app_id"]  # v1 refresh-token metadata names the client, not the app
        return JSONResponse({"token": token, **fields, "token_type": "refresh"})

    @router.delete("/oauth/v1/refresh-tokens/{token}", response_model=None)
    def delete_refresh_token(token: str) -> Response:
        """Delete a refresh token (v1): 204, or 404 if it was unknown."""
        if not tokens.revoke_refresh_token(token):
            return _refresh_token_not_found()
        return Response(status_code=204)

    return router


async def _form(request: Request) -> dict[str, str]:
    """The form body's string fields (HubSpot's token endpoints are form-encoded)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def _check_client(config: OAuthAppConfig, form: Mapping[str, str]) -> None:
    """Refuse a wrong client id or secret with HubSpot's `invalid_client` errors."""
    if form.get("client_id") != config.client_id:
        raise GrantError("invalid_client", "BAD_CLIENT_ID", "missing or invalid client_id")
    # Constant-time compare: the secret is what an attacker would probe for.
    given = form.get("client_secret", "").encode()
    if not hmac.compare_digest(given, config.client_secret.encode()):
        raise GrantError("invalid_client", "BAD_CLIENT_SECRET", "missing or invalid client_secret")


def _token_body(issued: IssuedTokens, dated: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "token_type": "bearer",
        "refresh_token": issued.refresh_token,
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
    }
    if dated:
        body["hub_id"] = issued.grant.hub_id
        body["scopes"] = list(issued.grant.scopes)
    return body


def _parse_hub_id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise AuthorizeError(f"Not a hub id: {raw!r}.") from None


def _refresh_token_not_found() -> JSONResponse:
    return JSONResponse(
        {
            "status": "error",
            "message": "refresh token not found",
            "correlationId": str(uuid.uuid4()),
            "category": "OBJECT_NOT_FOUND",
        },
        status_code=404,
    )


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:36rem;margin:3rem auto}}
label{{display:block;margin:.4rem 0}}button{{margin-right:.5rem}}</style></head>
<body>{body}</body></html>"""


def _install_page(params: Mapping[str, str], portals: Mapping[int, PortalView]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
        if k in ("client_id", "redirect_uri", "scope", "optional_scope", "state")
    )
    choices = "".join(
        f'<label><input type="radio" name="hub_id" value="{hub_id}"{" checked" if i == 0 else ""}>'
        f" {html.escape(portal.name)} ({html.escape(portal.domain)}, hub {hub_id})</label>"
        for i, (hub_id, portal) in enumerate(sorted(portals.items()))
    )
    scopes = "".join(
        f"<li>{html.escape(s)}</li>"
        for s in split_scopes(params.get("scope", "") + " " + params.get("optional_scope", ""))
    )
    body = (
        "<h1>Connect an app to HubSpot (sandbox)</h1>"
        f"<p>The app asks for:</p><ul>{scopes}</ul>"
        '<form method="post" action="/oauth/authorize/decision">'
        f"<fieldset><legend>Choose an account</legend>{choices}</fieldset>{hidden}"
        '<p><button type="submit" name="decision" value="approve">Connect app</button>'
        '<button type="submit" name="decision" value="deny">Cancel</button></p></form>'
    )
    return _PAGE.format(title="Connect app", body=body)


def _error_page(message: str) -> str:
    body = f"<h1>This app can't be installed</h1><p>{html.escape(message)}</p>"
    return _PAGE.format(title="Install error", body=body)
