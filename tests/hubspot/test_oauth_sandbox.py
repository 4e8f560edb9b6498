"""OAuth against the sandbox's v3 endpoints: install, exchange, introspect, refresh, revoke."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connector.hubspot.auth import OAuthTokenProvider
from connector.hubspot.counters import CallCounter, CallKind
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.oauth import (
    REQUIRED_SCOPES,
    OAuthClient,
    ReconnectRequired,
    StateSigner,
    TokenSet,
    authorize_url,
)
from connector.hubspot.pacing import Pacer
from connector.hubspot.paths import CRM_2026_03
from tests.hubspot.conftest import FAST_RETRY, UNPACED, Sandbox

REDIRECT = "http://127.0.0.1:9/oauth/callback"


def install(box: Sandbox, signer: StateSigner) -> tuple[str, str]:
    """Run the one-click install with the sandbox's auto-approval; return (code, state)."""
    config = box.server.config
    url = authorize_url(box.url, client_id=config.client_id, redirect_uri=REDIRECT,
                        state=signer.issue())
    response = box.http.get(url + f"&auto_approve={box.hub_id}", follow_redirects=False)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    return query["code"][0], query["state"][0]


def client(box: Sandbox, **kw: object) -> OAuthClient:
    config = box.server.config
    return OAuthClient(box.url, client_id=config.client_id, client_secret=config.client_secret,
                       redirect_uri=REDIRECT, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("rotation", [False, True])
def test_install_exchange_introspect_refresh(sandbox_factory: Callable[..., Sandbox],
                                             rotation: bool) -> None:
    box = sandbox_factory(refresh_token_rotation=rotation)
    signer = StateSigner.from_secret(box.server.config.client_secret)
    code, state = install(box, signer)
    signer.verify(state)
    with client(box) as oauth:
        tokens = oauth.exchange_code(code)
        assert tokens.hub_id == box.hub_id
        assert set(REQUIRED_SCOPES) <= set(tokens.scopes)
        assert tokens.expires_at > datetime.now(UTC) + timedelta(minutes=20)
        info = oauth.introspect(tokens.access_token)
        assert info.active and info.hub_id == box.hub_id and info.hub_domain
        refreshed = oauth.refresh(tokens.refresh_token)
        assert refreshed.access_token != tokens.access_token
        assert refreshed.hub_id == box.hub_id
        assert (refreshed.refresh_token != tokens.refresh_token) == rotation
        # The new refresh token (rotated or not) keeps working.
        assert oauth.refresh(refreshed.refresh_token).hub_id == box.hub_id
        with pytest.raises(ReconnectRequired):
            oauth.exchange_code(code)  # codes are single-use


def test_date_versioned_oauth_paths(sandbox: Sandbox) -> None:
    signer = StateSigner.from_secret("k")
    code, _ = install(sandbox, signer)
    with client(sandbox, paths=CRM_2026_03) as oauth:
        tokens = oauth.exchange_code(code)
        assert oauth.introspect(tokens.access_token).hub_id == sandbox.hub_id


def test_uninstall_means_reconnect_required(sandbox: Sandbox) -> None:
    code, _ = install(sandbox, StateSigner.from_secret("k"))
    with client(sandbox) as oauth:
        tokens = oauth.exchange_code(code)
        sandbox.control("POST", f"/portals/{sandbox.hub_id}/uninstall")
        with pytest.raises(ReconnectRequired) as caught:
            oauth.refresh(tokens.refresh_token)
        assert tokens.refresh_token not in str(caught.value)
        assert "reconnect" in str(caught.value)


def test_revoke_kills_the_refresh_token(sandbox: Sandbox) -> None:
    code, _ = install(sandbox, StateSigner.from_secret("k"))
    with client(sandbox) as oauth:
        tokens = oauth.exchange_code(code)
        oauth.revoke(tokens.refresh_token)
        oauth.revoke(tokens.refresh_token)  # revoking twice is fine
        with pytest.raises(ReconnectRequired):
            oauth.refresh(tokens.refresh_token)


def test_wrong_client_secret_is_a_clear_error(sandbox: Sandbox) -> None:
    oauth = OAuthClient(sandbox.url, client_id=sandbox.server.config.client_id,
                        client_secret="wrong-secret-value", redirect_uri=REDIRECT)
    with oauth, pytest.raises(Exception) as caught:
        oauth.refresh("whatever")
    assert "wrong-secret-value" not in str(caught.value)
    assert "client" in str(caught.value).lower()


def test_gateway_refreshes_by_expiry_and_after_a_401(sandbox_factory: Callable[..., Sandbox]
                                                     ) -> None:
    box = sandbox_factory(access_token_lifetime_s=600)
    code, _ = install(box, StateSigner.from_secret("k"))
    stored: list[TokenSet] = []
    counter = CallCounter()
    with client(box, counter=counter) as oauth:
        tokens = oauth.exchange_code(code)
        provider = OAuthTokenProvider(oauth, tokens, on_refresh=stored.append,
                                      refresh_margin_s=60)
        gateway = HubSpotGateway(box.url, provider, limits=UNPACED, pacer=Pacer(UNPACED),
                                 retry_policy=FAST_RETRY, counter=counter)
        assert gateway.get_property("email").name == "email"
        assert stored == []
        # The sandbox's clock jumps past expiry while ours does not: the 401 triggers one
        # refresh and the call succeeds on the retry.
        box.control("POST", "/time/advance", json={"seconds": 700})
        assert gateway.get_property("email").name == "email"
        assert len(stored) == 1
        assert stored[0].hub_id == box.hub_id
        # By expiry time: a provider whose token is about to expire refreshes first.
        soon = OAuthTokenProvider(oauth, stored[0], on_refresh=stored.append,
                                  refresh_margin_s=601)
        soon.access_token()
        assert len(stored) == 2
        calls = counter.snapshot().calls
        assert calls[CallKind.PROPERTIES] == 3  # first call, the refused one, its retry
        assert calls[CallKind.OAUTH] == 3  # exchange, refresh after the 401, refresh by expiry


def test_authorize_page_refuses_missing_required_scope(sandbox: Sandbox) -> None:
    url = authorize_url(sandbox.url, client_id=sandbox.server.config.client_id,
                        redirect_uri=REDIRECT, state="s", scopes=["oauth"])
    response = httpx.get(url + f"&auto_approve={sandbox.hub_id}", follow_redirects=False)
    assert response.status_code == 400
