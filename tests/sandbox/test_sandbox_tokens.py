"""Unit tests of the sandbox's token registry (pure logic, driven by a hand-moved clock)."""

from __future__ import annotations

import pytest

from connector.sandbox.tokens import ALL_SCOPES, Grant, GrantError, TokenError, TokenRegistry

CLIENT = "client-1"
REDIRECT = "http://127.0.0.1:9/callback"


class ManualClock:
    """A clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.ms = 1_790_000_000_000

    def now_ms(self) -> int:
        return self.ms

    def advance(self, seconds: float) -> None:
        self.ms += int(seconds * 1000)


def grant(hub_id: int = 1000001, client_id: str = CLIENT) -> Grant:
    return Grant(hub_id, client_id, ("oauth", "crm.objects.contacts.read"), "a@x.test", 7)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def test_static_token_resolves_to_its_portal_and_never_expires(clock: ManualClock) -> None:
    registry = TokenRegistry(clock)
    token = registry.add_static_token(1000002)
    clock.advance(10 * 86400)
    assert registry.resolve(token).hub_id == 1000002
    assert registry.resolve(token).kind == "static"
    assert registry.resolve(token).scopes == ALL_SCOPES


def test_unknown_token_is_invalid_authentication(clock: ManualClock) -> None:
    with pytest.raises(TokenError) as caught:
        TokenRegistry(clock).resolve("nope")
    assert caught.value.status == 401
    assert caught.value.body["category"] == "INVALID_AUTHENTICATION"


def test_code_exchange_issues_long_access_token_valid_until_lifetime(clock: ManualClock) -> None:
    registry = TokenRegistry(clock, access_token_lifetime_s=1800)
    code = registry.issue_code(grant(), REDIRECT)
    issued = registry.exchange_code(code, CLIENT, REDIRECT)
    assert len(issued.access_token) >= 200
    assert issued.expires_in == 1800
    assert registry.resolve(issued.access_token).kind == "oauth"
    clock.advance(1799)
    assert registry.resolve(issued.access_token).hub_id == 1000001
    clock.advance(1 + 2 * 3600)  # now exactly two hours past expiry
    with pytest.raises(TokenError) as caught:
        registry.resolve(issued.access_token)
    assert caught.value.body["category"] == "EXPIRED_AUTHENTICATION"
    assert "expired 2 hour(s) ago" in caught.value.body["message"]


def test_code_is_single_use(clock: ManualClock) -> None:
    registry = TokenRegistry(clock)
    code = registry.issue_code(grant(), REDIRECT)
    registry.exchange_code(code, CLIENT, REDIRECT)
    with pytest.raises(GrantError) as caught:
        registry.exchange_code(code, CLIENT, REDIRECT)
    assert (caught.value.error, caught.value.status) == ("invalid_grant", "BAD_AUTH_CODE")


def test_code_expires(clock: ManualClock) -> None:
    registry = TokenRegistry(clock, code_lifetime_s=60)
    code = registry.issue_code(grant(), REDIRECT)
    clock.advance(61)
    with pytest.raises(GrantError) as caught:
        registry.exchange_code(code, CLIENT, REDIRECT)
    assert caught.value.status == "BAD_AUTH_CODE"


def test_code_bound_to_redirect_uri_and_client(clock: ManualClock) -> None:
    registry = TokenRegistry(clock)
    code = registry.issue_code(grant(), REDIRECT)
    with pytest.raises(GrantError) as wrong_uri:
        registry.exchange_code(code, CLIENT, "http://127.0.0.1:9/other")
    assert wrong_uri.value.status == "BAD_REDIRECT_URI"
    with pytest.raises(GrantError) as wrong_client:
        registry.exchange_code(code, "someone-else", REDIRECT)
    assert wrong_client.value.status == "BAD_AUTH_CODE"
    # A refused attempt does not burn the code for the rightful client.
    assert registry.exchange_code(code, CLIENT, REDIRECT).grant == grant()


def test_refresh_without_rotation_keeps_refresh_token(clock: ManualClock) -> None:
    registry = TokenRegistry(clock)
    first = registry.install(grant())
    second = registry.refresh(first.refresh_token, CLIENT)
    assert second.refresh_token == first.refresh_token
    assert second.access_token != first.access_token
    assert registry.refresh(first.refresh_token, CLIENT).grant == grant()


def test_refresh_with_rotation_retires_old_refresh_token(clock: ManualClock) -> None:
    registry = TokenRegistry(clock, rotate_refresh_tokens=True)
    first = registry.install(grant())
    second = registry.refresh(first.refresh_token, CLIENT)
    assert second.refresh_token != first.refresh_token
    with pytest.raises(GrantError) as caught:
        registry.refresh(first.refresh_token, CLIENT)
    assert (caught.value.error, caught.value.status) == ("invalid_grant", "BAD_REFRESH_TOKEN")
    assert registry.refresh(second.refresh_token, CLIENT).grant == grant()


def test_refresh_token_of_another_client_is_bad(clock: ManualClock) -> None:
    registry = TokenRegistry(clock)
    issued = registry.install(grant())
    with pytest.raises(GrantError) as caught:
        registry.refresh(issued.refresh_token, "someone-else")
    assert caught.value.status == "BAD_REFRESH_TOKEN"


def test_revoke_portal_kills_oauth_tokens_but_not_static_or_other_portals(
    clock: ManualClock,
) -> None:
    registry = TokenRegistry(clock)
    mine = registry.install(grant(1000001))
    other = registry.install(grant(1000002))
    static = registry.add_static_token(1000001)
    registry.revoke_portal(1000001)
    with pytest.raises(TokenError):
        registry.resolve(mine.access_token)
    with pytest.raises(GrantError):
        registry.refresh(mine.refresh_token, CLIENT)
    assert registry.resolve(other.access_token).hub_id == 1000002
    assert registry.resolve(static).hub_id == 1000001


def test_revoked_refresh_token_keeps_minted_access_tokens(clock: ManualClock) -> None:
    registry = TokenRegistry(clock)
    issued = registry.install(grant())
    assert registry.revoke_refresh_token(issued.refresh_token)
    assert not registry.revoke_refresh_token(issued.refresh_token)
    assert registry.resolve(issued.access_token).hub_id == 1000001
    with pytest.raises(GrantError):
        registry.refresh(issued.refresh_token, CLIENT)


def test_describe_access_token_counts_down_and_ignores_static(clock: ManualClock) -> None:
    registry = TokenRegistry(clock, access_token_lifetime_s=1800)
    issued = registry.install(grant())
    clock.advance(300)
    assert registry.describe_access_token(issued.access_token).expires_in == 1500
    with pytest.raises(TokenError):
        registry.describe_access_token(registry.add_static_token(1000001))
