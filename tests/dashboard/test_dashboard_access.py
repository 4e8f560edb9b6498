"""The dashboard token and its session cookie (pure logic, no server)."""

from __future__ import annotations

from pydantic import SecretStr

from connector.settings import Settings
from connector.web.dashboard.access import SESSION_SECONDS, DashboardAccess
from connector.web.dashboard.sessions import safe_next

T0 = 1_800_000_000


def test_configured_token_is_used_and_never_repr_printed() -> None:
    access = DashboardAccess.from_settings(Settings(dashboard_token=SecretStr("s3cret-tok")))
    assert access.token == "s3cret-tok" and not access.generated
    assert "s3cret-tok" not in repr(access)


def test_empty_setting_generates_a_random_token_each_start() -> None:
    first = DashboardAccess.from_settings(Settings(dashboard_token=SecretStr("")))
    second = DashboardAccess.from_settings(Settings(dashboard_token=SecretStr("")))
    assert first.generated and len(first.token) >= 24
    assert first.token != second.token


def test_url_carries_the_token_for_the_operator() -> None:
    access = DashboardAccess("a b&c")
    assert access.url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/dashboard?token=a+b%26c"


def test_accepts_only_the_exact_token() -> None:
    access = DashboardAccess("right")
    assert access.accepts("right") and access.accepts(" right\n")
    assert not access.accepts("wrong") and not access.accepts("") and not access.accepts("righ")


def test_session_cookie_is_valid_until_it_expires() -> None:
    access = DashboardAccess("tok")
    cookie = access.session_cookie(T0)
    assert access.valid_session(cookie, T0 + 10)
    assert access.valid_session(cookie, T0 + SESSION_SECONDS)
    assert not access.valid_session(cookie, T0 + SESSION_SECONDS + 1)
    assert not access.valid_session(cookie, T0 - 1)


def test_forged_or_foreign_cookies_are_refused() -> None:
    access = DashboardAccess("tok")
    cookie = access.session_cookie(T0)
    issued, signature = cookie.split(".")
    assert not access.valid_session(f"{int(issued) + 1}.{signature}", T0 + 5)
    assert not access.valid_session(DashboardAccess("other").session_cookie(T0), T0 + 5)
    for junk in (None, "", "nodot", "x.y", f"{T0}."):
        assert not access.valid_session(junk, T0)


def test_login_redirects_stay_inside_the_dashboard() -> None:
    assert safe_next("/dashboard/portals/1?model=a") == "/dashboard/portals/1?model=a"
    for target in (None, "", "https://evil.example/dashboard", "//evil.example/x", "/admin"):
        assert safe_next(target) == "/dashboard"
