"""HubSpot's rate limits (429 bodies and headers, search bucket) and injected faults."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hubspot import HubSpot
from hubspot.crm.contacts.exceptions import ApiException

from connector.sandbox.tokens import ALL_SCOPES, Grant
from tests.sandbox.conftest import HUB, http_client, sdk_client, start_sandbox


def _burst(
    http: httpx.Client, n: int, path: str = "/crm/v3/objects/contacts"
) -> list[httpx.Response]:
    """`n` requests sent concurrently, so they land inside one rate-limit window."""

    def one(_: int) -> httpx.Response:
        if path.endswith("/search"):
            return http.post(path, json={"limit": 1})
        return http.get(path, params={"limit": 1})

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, range(n)))


def test_static_token_gets_a_hubspot_shaped_429_with_headers_past_its_10s_limit() -> None:
    server = start_sandbox(
        contacts_per_portal=5, rate_limits_enabled=True, rate_limit_profile="starter"
    )
    try:
        with http_client(server) as http:
            responses = _burst(http, 100)
        assert {r.status_code for r in responses} == {200}
        ok = min(responses, key=lambda r: int(r.headers["X-HubSpot-RateLimit-Remaining"]))
        assert ok.headers["X-HubSpot-RateLimit-Max"] == "100"
        assert ok.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        assert ok.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert ok.headers["X-HubSpot-RateLimit-Daily"] == "250000"
        assert ok.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "249900"
        with pytest.raises(ApiException) as caught:
            sdk_client(server).crm.contacts.basic_api.get_page(limit=1)
        counters = server.sandbox.portals[HUB].counters.to_json()
    finally:
        server.stop()
    error = caught.value
    assert error.status == 429
    assert error.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    body = httpx.Response(429, content=error.body).json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["status"] == "error" and body["correlationId"]
    assert counters["rate_limited"] == {"TEN_SECONDLY_ROLLING": 1}


def test_oauth_tokens_get_110_per_10s_and_no_daily_headers() -> None:
    server = start_sandbox(contacts_per_portal=5, rate_limits_enabled=True)
    try:
        issued = server.sandbox.tokens.install(
            Grant(HUB, server.config.client_id, ALL_SCOPES, "admin@example.org", 1)
        )
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {issued.access_token}"}
        ) as http:
            responses = _burst(http, 111)
    finally:
        server.stop()
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 110 and statuses.count(429) == 1
    ok = next(r for r in responses if r.status_code == 200)
    assert ok.headers["X-HubSpot-RateLimit-Max"] == "110"
    assert "X-HubSpot-RateLimit-Daily" not in ok.headers


def test_search_has_its_own_5_per_second_bucket_without_headers() -> None:
    server = start_sandbox(contacts_per_portal=5, rate_limits_enabled=True)
    try:
        with http_client(server) as http:
            searches = _burst(http, 12, "/crm/v3/objects/contacts/search")
            listing = http.get("/crm/v3/objects/contacts", params={"limit": 1})
    finally:
        server.stop()
    statuses = [r.status_code for r in searches]
    # Five fit in any one second; the rest of a concurrent burst is refused.
    assert statuses.count(200) >= 5 and statuses.count(429) >= 1
    refused = next(r for r in searches if r.status_code == 429)
    assert refused.json()["policyName"] == "SECONDLY"
    assert refused.json()["message"] == "You have reached your secondly limit."
    assert not any(h.lower().startswith("x-hubspot-ratelimit") for r in searches for h in r.headers)
    assert listing.status_code == 200  # the general bucket is untouched by searches


def test_rate_limits_switch_off_at_runtime() -> None:
    server = start_sandbox(
        contacts_per_portal=5, rate_limits_enabled=True, rate_limit_profile="starter"
    )
    try:
        with http_client(server) as http:
            http.put("/_sandbox/rate-limits", json={"enabled": False})
            responses = _burst(http, 120)
    finally:
        server.stop()
    assert {r.status_code for r in responses} == {200}


def test_error_faults_answer_5xx_but_never_touch_control_or_oauth() -> None:
    server = start_sandbox(contacts_per_portal=5, fault_error_rate=1.0)
    try:
        with http_client(server) as http:
            crm = http.get("/crm/v3/objects/contacts")
            control = http.get("/_sandbox/portals")
            oauth = http.post("/oauth/v1/token", data={"grant_type": "refresh_token"})
            counters = http.get(f"/_sandbox/portals/{HUB}/counters").json()
    finally:
        server.stop()
    assert crm.status_code in (502, 503, 504)
    assert crm.json()["status"] == "error" and crm.json()["correlationId"]
    assert control.status_code == 200
    assert oauth.status_code not in (502, 503, 504)
    assert counters["faults"] == {"error": 1}


def test_drop_faults_close_the_connection_without_an_answer() -> None:
    server = start_sandbox(contacts_per_portal=5, fault_drop_rate=1.0)
    try:
        with http_client(server) as http, pytest.raises(httpx.RemoteProtocolError):
            http.get("/crm/v3/objects/contacts")
        api: HubSpot = sdk_client(server)
        with pytest.raises(Exception) as sdk_error:
            api.crm.contacts.basic_api.get_page(limit=1)
    finally:
        server.stop()
    assert "ApiException" not in type(sdk_error.value).__name__  # a transport error, not HTTP


def test_slow_faults_still_answer_and_are_counted() -> None:
    server = start_sandbox(contacts_per_portal=5)
    try:
        with http_client(server) as http:
            http.put("/_sandbox/faults", json={"slow_rate": 1.0, "slow_s": 0.05})
            response = http.get("/crm/v3/objects/contacts", params={"limit": 1})
            counters = http.get(f"/_sandbox/portals/{HUB}/counters").json()
    finally:
        server.stop()
    assert response.status_code == 200
    assert counters["faults"] == {"slow": 1}


def test_unknown_token_is_a_401_with_hubspot_body(small_server_url: str) -> None:
    with httpx.Client(base_url=small_server_url, headers={"Authorization": "Bearer nope"}) as http:
        response = http.get("/crm/v3/objects/contacts")
    assert response.status_code == 401
    assert response.json()["category"] == "INVALID_AUTHENTICATION"


@pytest.fixture()
def small_server_url() -> Iterator[str]:
    server = start_sandbox(contacts_per_portal=1)
    yield server.url
    server.stop()
