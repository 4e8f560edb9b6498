"""`GET /account-info/v3/details`: the token's portal, bearer-authenticated and rate-limited."""

from __future__ import annotations

import httpx

from connector.sandbox.server import SandboxServer
from tests.sandbox.conftest import HUB, http_client, start_sandbox


def test_details_name_the_tokens_portal_in_hubspots_shape(small: SandboxServer) -> None:
    with http_client(small) as http:
        for path in ("/account-info/v3/details", "/account-info/2026-03/details"):
            response = http.get(path)
            assert response.status_code == 200
            assert response.json() == {
                "portalId": HUB,
                "accountType": "STANDARD",
                "timeZone": "US/Eastern",
                "companyCurrency": "USD",
                "additionalCurrencies": [],
                "utcOffset": "-05:00",
                "utcOffsetMilliseconds": -18000000,
                "uiDomain": "app.hubspot.com",
                "dataHostingLocation": "na1",
            }
    requests = small.sandbox.portals[HUB].counters.to_json()["requests"]
    assert requests["GET /account-info/v3/details"] == {"200": 1}
    assert requests["GET /account-info/2026-03/details"] == {"200": 1}


def test_details_need_a_valid_bearer_token(small: SandboxServer) -> None:
    response = httpx.get(small.url + "/account-info/v3/details")
    assert response.status_code == 401
    bad = httpx.get(
        small.url + "/account-info/v3/details",
        headers={"Authorization": "Bearer pat-na1-not-a-token"},
    )
    assert bad.status_code == 401


def test_details_count_against_the_general_limit() -> None:
    server = start_sandbox(
        contacts_per_portal=5, rate_limits_enabled=True, rate_limit_profile="starter"
    )
    try:
        with http_client(server) as http:
            statuses = [http.get("/account-info/v3/details").status_code for _ in range(101)]
            assert statuses[:100] == [200] * 100 and statuses[100] == 429
            # The same allowance serves CRM calls: it is spent now.
            assert http.get("/crm/v3/objects/contacts", params={"limit": 1}).status_code == 429
    finally:
        server.stop()
