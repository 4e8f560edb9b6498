"""The sandbox's OAuth endpoints over real HTTP, driven the way the connector drives HubSpot's."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer

CLIENT_ID = "test-client"
CLIENT_SECRET = "test-secret"
REDIRECT = "http://127.0.0.1:8765/oauth/callback?tenant=t1"
SCOPES = "oauth crm.objects.contacts.read crm.objects.contacts.write crm.schemas.contacts.write"
HUB_A, HUB_B = 1000001, 1000002
CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
TOKEN_PATHS = ["/oauth/v1/token", "/oauth/v3/token", "/oauth/2026-03/token"]


@contextlib.contextmanager
def serve(**overrides: Any) -> Iterator[SandboxServer]:
    """A two-portal sandbox with a few contacts, served on a free loopback port."""
    config = SandboxConfig(
        portals=2,
        contacts_per_portal=3,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        **overrides,
    )
    with SandboxServer(config) as server:
        yield server


@pytest.fixture
def start_server() -> Iterator[Callable[..., SandboxServer]]:
    """Start a server with config overrides; all are stopped at teardown."""
    with contextlib.ExitStack() as stack:
        yield lambda **overrides: stack.enter_context(serve(**overrides))


@pytest.fixture(scope="module")
def running() -> Iterator[SandboxServer]:
    """One default server for the module: every test connects fresh tokens of its own."""
    with serve() as server:
        yield server


@pytest.fixture
def client(running: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running.url) as http:
        yield http


def authorize_params(**extra: str) -> dict[str, str]:
    return {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "scope": SCOPES, **extra}


def callback_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith("http://127.0.0.1:8765/oauth/callback?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def auto_approved_code(http: httpx.Client, hub_id: int = HUB_A) -> str:
    params = authorize_params(state="s-1", auto_approve=str(hub_id))
    return callback_query(http.get("/oauth/authorize", params=params))["code"]


def exchange(
    http: httpx.Client, code: str, path: str = "/oauth/v3/token", **extra: str
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT,
        "code": code,
        **extra,
    }
    return http.post(path, data=form)


def refresh(
    http: httpx.Client, refresh_token: str, path: str = "/oauth/v3/token"
) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": refresh_token,
    }
    return http.post(path, data=form)


def connect(http: httpx.Client, hub_id: int = HUB_A) -> dict[str, Any]:
    response = exchange(http, auto_approved_code(http, hub_id))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def advance_clock(http: httpx.Client, seconds: float) -> None:
    assert http.post("/_sandbox/time/advance", json={"seconds": seconds}).status_code == 200


def list_contacts(http: httpx.Client, access_token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {access_token}"}
    return http.get("/crm/v3/objects/contacts", params={"limit": 1}, headers=headers)


def test_install_page_lists_portals_and_its_form_redirects_with_code_and_state(
    running: SandboxServer, client: httpx.Client
) -> None:
    page = client.get("/oauth/authorize", params=authorize_params(state="xyz"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    names = [html.escape(p.name) for p in running.sandbox.portals.values()]
    for text in (*names, str(HUB_A), str(HUB_B), "crm.objects.contacts.write"):
        assert text in page.text

    form = authorize_params(state="xyz", decision="approve", hub_id=str(HUB_B))
    query = callback_query(client.post("/oauth/authorize/decision", data=form))
    assert query["state"] == "xyz"
    assert query["tenant"] == "t1"  # the redirect URI's own query survives
    tokens = exchange(client, query["code"]).json()
    assert tokens["hub_id"] == HUB_B


def test_declining_on_the_install_page_redirects_with_access_denied(
    client: httpx.Client,
) -> None:
    form = authorize_params(state="xyz", decision="deny", hub_id=str(HUB_A))
    query = callback_query(client.post("/oauth/authorize/decision", data=form))
    assert (query["error"], query["state"]) == ("access_denied", "xyz")
    assert "code" not in query


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"client_id": "unknown-client"}, "client_id"),
        ({"redirect_uri": "http://elsewhere.test/cb"}, "redirect_uri"),
        ({"scope": "oauth crm.objects.contacts.read"}, "crm.schemas.contacts.write"),
        ({"scope": SCOPES + " crm.objects.teleport"}, "crm.objects.teleport"),
        ({"auto_approve": "999"}, "999"),
    ],
)
def test_authorize_refuses_bad_requests_with_an_error_page(
    start_server: Callable[..., SandboxServer], change: dict[str, str], reason: str
) -> None:
    running = start_server(redirect_uris=[REDIRECT])
    params = {**authorize_params(state="s", auto_approve="1"), **change}
    response = httpx.get(f"{running.url}/oauth/authorize", params=params)
    assert response.status_code == 400
    assert reason in response.text


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_code_exchange_and_refresh_on_every_token_endpoint(
    running: SandboxServer, client: httpx.Client, path: str
) -> None:
    response = exchange(client, auto_approved_code(client), path)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert len(body["access_token"]) >= 200
    dated = path != "/oauth/v1/token"
    assert ("hub_id" in body, "scopes" in body) == (dated, dated)
    if dated:
        assert body["hub_id"] == HUB_A
        assert body["scopes"] == SCOPES.split()

    refreshed = refresh(client, body["refresh_token"], path)
    assert refreshed.status_code == 200
    new_access = refreshed.json()["access_token"]
    assert new_access != body["access_token"]
    assert running.sandbox.tokens.resolve(new_access).hub_id == HUB_A


def test_codes_are_single_use_and_short_lived(running: SandboxServer, client: httpx.Client) -> None:
    code = auto_approved_code(client)
    assert exchange(client, code).status_code == 200
    again = exchange(client, code)
    assert again.status_code == 400
    assert (again.json()["error"], again.json()["status"]) == ("invalid_grant", "BAD_AUTH_CODE")

    stale = auto_approved_code(client)
    advance_clock(client, 3600)
    assert exchange(client, stale).json()["status"] == "BAD_AUTH_CODE"


@pytest.mark.parametrize(
    ("extra", "http_status", "error", "status"),
    [
        ({"redirect_uri": "http://127.0.0.1:8765/other"}, 400, "invalid_grant", "BAD_REDIRECT_URI"),
        ({"client_secret": "guess"}, 400, "invalid_client", "BAD_CLIENT_SECRET"),
        ({"client_id": "someone-else"}, 400, "invalid_client", "BAD_CLIENT_ID"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", "BAD_GRANT_TYPE"),
    ],
)
def test_token_endpoint_refusals(
    client: httpx.Client, extra: dict[str, str], http_status: int, error: str, status: str
) -> None:
    response = exchange(client, auto_approved_code(client), **extra)
    assert response.status_code == http_status
    body = response.json()
    assert (body["error"], body["status"]) == (error, status)
    assert CLIENT_SECRET not in response.text


def test_access_token_expires_on_the_sandbox_clock(client: httpx.Client) -> None:
    tokens = connect(client)
    assert list_contacts(client, tokens["access_token"]).status_code == 200
    advance_clock(client, 1801)

    crm = list_contacts(client, tokens["access_token"])
    assert crm.status_code == 401
    assert crm.json()["category"] == "EXPIRED_AUTHENTICATION"

    expired = client.get(f"/oauth/v1/access-tokens/{tokens['access_token']}")
    assert expired.status_code == 401
    assert expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    introspected = client.post(
        "/oauth/v3/token/introspect",
        data={**CREDENTIALS, "token": tokens["access_token"]},
    )
    assert introspected.json() == {"active": False}

    renewed = refresh(client, tokens["refresh_token"]).json()
    assert list_contacts(client, renewed["access_token"]).status_code == 200


def test_access_token_metadata_has_hubspots_fields(
    running: SandboxServer, client: httpx.Client
) -> None:
    tokens = connect(client, HUB_B)
    info = client.get(f"/oauth/v1/access-tokens/{tokens['access_token']}").json()
    assert set(info) == {
        "token", "user", "hub_domain", "scopes", "hub_id", "app_id", "expires_in", "user_id",
        "token_type",
    }  # fmt: skip
    assert info["token"] == tokens["access_token"]
    assert (info["hub_id"], info["hub_domain"]) == (HUB_B, running.sandbox.portals[HUB_B].domain)
    assert info["scopes"] == SCOPES.split()
    assert 0 < info["expires_in"] <= 1800
    assert info["token_type"] == "access"

    refresh_info = client.get(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}").json()
    assert (refresh_info["hub_id"], refresh_info["client_id"]) == (HUB_B, CLIENT_ID)
    assert refresh_info["token_type"] == "refresh"


@pytest.mark.parametrize("prefix", ["/oauth/v3", "/oauth/2026-03"])
def test_introspect_reports_access_and_refresh_tokens(client: httpx.Client, prefix: str) -> None:
    tokens = connect(client)
    access = client.post(
        f"{prefix}/token/introspect", data={**CREDENTIALS, "token": tokens["access_token"]}
    ).json()
    assert access["active"] is True
    for key in ("hub_id", "app_id", "scopes", "expires_in", "hub_domain", "client_id", "user_id"):
        assert key in access
    assert (access["hub_id"], access["client_id"], access["token_type"]) == (
        HUB_A,
        CLIENT_ID,
        "access",
    )
    refresh_meta = client.post(
        f"{prefix}/token/introspect", data={**CREDENTIALS, "token": tokens["refresh_token"]}
    ).json()
    assert (refresh_meta["active"], refresh_meta["token_type"]) == (True, "refresh")
    unknown = client.post(f"{prefix}/token/introspect", data={**CREDENTIALS, "token": "nope"})
    assert unknown.json() == {"active": False}
    foreign = client.post(
        f"{prefix}/token/introspect",
        data={**CREDENTIALS, "client_secret": "guess", "token": tokens["access_token"]},
    )
    assert foreign.status_code == 400


def test_deleted_refresh_token_gives_invalid_grant(client: httpx.Client) -> None:
    tokens = connect(client)
    assert client.delete(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}").status_code == 204
    refused = refresh(client, tokens["refresh_token"])
    assert refused.status_code == 400
    assert (refused.json()["error"], refused.json()["status"]) == (
        "invalid_grant",
        "BAD_REFRESH_TOKEN",
    )
    assert client.get(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}").status_code == 404
    assert client.delete(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}").status_code == 404


def test_v3_revoke_of_refresh_token_gives_invalid_grant(client: httpx.Client) -> None:
    tokens = connect(client)
    revoked = client.post(
        "/oauth/v3/token/revoke",
        data={**CREDENTIALS, "token": tokens["refresh_token"]},
    )
    assert revoked.status_code == 200
    assert refresh(client, tokens["refresh_token"]).json()["status"] == "BAD_REFRESH_TOKEN"


def test_uninstalled_portal_must_reconnect(client: httpx.Client) -> None:
    tokens = connect(client)
    other = connect(client, HUB_B)
    assert client.post(f"/_sandbox/portals/{HUB_A}/uninstall").status_code == 200
    assert refresh(client, tokens["refresh_token"]).json()["status"] == "BAD_REFRESH_TOKEN"
    gone = list_contacts(client, tokens["access_token"])
    assert (gone.status_code, gone.json()["category"]) == (401, "INVALID_AUTHENTICATION")
    assert refresh(client, other["refresh_token"]).status_code == 200
    assert list_contacts(client, other["access_token"]).status_code == 200


@pytest.mark.parametrize("rotate", [False, True])
def test_refresh_token_rotation_follows_the_config_flag(
    start_server: Callable[..., SandboxServer], rotate: bool
) -> None:
    running = start_server(refresh_token_rotation=rotate)
    with httpx.Client(base_url=running.url) as http:
        first = connect(http)
        second = refresh(http, first["refresh_token"]).json()
        assert (second["refresh_token"] != first["refresh_token"]) is rotate
        reuse_old = refresh(http, first["refresh_token"])
        assert reuse_old.status_code == (400 if rotate else 200)
        assert refresh(http, second["refresh_token"]).status_code == 200
