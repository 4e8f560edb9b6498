"""One-click connection through the app: /connect → the sandbox's authorize page → callback."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from connector.hubspot.oauth import REQUIRED_SCOPES
from connector.scoring.properties import property_names
from tests.web.conftest import WebEnv


def _install_link(env: WebEnv) -> str:
    response = env.http.get("/connect")
    assert response.status_code == 302
    return response.headers["location"]


def test_connect_redirects_to_authorize_with_scopes_and_signed_state(
    web_env_factory: Callable[..., WebEnv],
) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    link = urlsplit(_install_link(env))
    query = parse_qs(link.query)
    assert f"{link.scheme}://{link.netloc}" == env.sandbox.url
    assert link.path == "/oauth/authorize"
    assert query["client_id"] == [env.settings.client_id]
    assert query["redirect_uri"] == [f"{env.url}/oauth/callback"]
    assert set(query["scope"][0].split()) == set(REQUIRED_SCOPES)
    assert query["state"][0].count(".") == 2


def test_one_click_connection_shows_the_connected_portal(
    web_env_factory: Callable[..., WebEnv],
) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    # The sandbox's scripted approval stands in for the user's click on "Connect app".
    approve = f"{_install_link(env)}&{urlencode({'auto_approve': env.hub_id})}"
    page = httpx.get(approve, follow_redirects=True, timeout=60)
    assert page.status_code == 200
    assert page.url.path == "/oauth/callback"
    assert 'data-outcome="connected"' in page.text
    assert f"Portal {env.hub_id} connected" in page.text
    assert property_names("default").score in page.text  # listed as created
    assert "queued" in page.text
    portal = env.store.portals.require(env.hub_id)
    assert portal.kind == "oauth" and portal.status == "connected"
    assert env.store.portals.get_tokens(env.hub_id) is not None


def test_callback_with_forged_state_connects_nothing(
    web_env_factory: Callable[..., WebEnv],
) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    page = env.http.get("/oauth/callback", params={"code": "abc", "state": "x.1.forged"})
    assert page.status_code == 400
    assert 'data-outcome="bad_state"' in page.text
    assert "start the connection again" in page.text
    assert env.store.portals.all() == []


def test_callback_reports_denied_access(web_env_factory: Callable[..., WebEnv]) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    page = env.http.get("/oauth/callback", params={
        "error": "access_denied", "error_description": "The user denied access"})
    assert page.status_code == 400
    assert 'data-outcome="denied"' in page.text
    assert "The user denied access" in page.text
    assert env.store.portals.all() == []


def test_callback_reports_a_refused_code(web_env_factory: Callable[..., WebEnv]) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    state = parse_qs(urlsplit(_install_link(env)).query)["state"][0]
    page = env.http.get("/oauth/callback", params={"code": "not-a-real-code", "state": state})
    assert page.status_code == 502
    assert 'data-outcome="exchange_failed"' in page.text
    assert "not-a-real-code" not in page.text  # the code is a secret: never echoed
    assert env.store.portals.all() == []
