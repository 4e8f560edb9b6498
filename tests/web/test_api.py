"""The scoring API over real HTTP: keys, validation, single and batch scoring, stored scores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connector.scoring.properties import property_names
from tests.web.conftest import WebEnv, wait_for

SCORE = property_names("default").score
HOT = {"jobtitle": "VP of Marketing", "numemployees": "1000+", "industry": "COMPUTER_SOFTWARE",
       "num_conversion_events": 4, "recent_conversion_event_name": "Demo request",
       "hs_analytics_num_page_views": 40, "hs_email_click": 6}
COLD = {"email": "someone@gmail.com", "jobtitle": "Student"}


@pytest.fixture
def api_env(web_env_factory: Callable[..., WebEnv]) -> WebEnv:
    return web_env_factory(connect=False, drain=False, deliver=False)


def _key(env: WebEnv, name: str = "tests") -> str:
    plain, _record = env.store.api_keys.create(name)
    return plain


def _score(env: WebEnv, body: dict[str, Any], key: str | None = None,
           **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {key or _key(env)}"}
    return env.http.post("/api/v1/score", json=body, headers=headers, params=params)


def test_requests_without_a_valid_key_get_401(api_env: WebEnv) -> None:
    body = {"lead": {"properties": HOT}}
    missing = api_env.http.post("/api/v1/score", json=body)
    assert missing.status_code == 401
    assert missing.json()["error"] == "missing_api_key"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = _score(api_env, body, key="lsk_notarealkeyatall0000000000000")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_api_key"
    plain, record = api_env.store.api_keys.create("revoked")
    api_env.store.api_keys.revoke(record.id)
    assert _score(api_env, body, key=plain).status_code == 401


def test_key_works_as_bearer_or_x_api_key(api_env: WebEnv) -> None:
    key = _key(api_env)
    body = {"lead": {"properties": HOT}}
    assert _score(api_env, body, key=key).status_code == 200
    by_header = api_env.http.post("/api/v1/score", json=body, headers={"X-API-Key": key})
    assert by_header.status_code == 200
    [record] = api_env.store.api_keys.all()
    assert record.last_used_at is not None


def test_one_lead_gets_every_value(api_env: WebEnv) -> None:
    response = _score(api_env, {"lead": {"id": "lead-1", "properties": HOT}})
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "default"
    [result] = body["results"]
    assert result["id"] == "lead-1"
    for name in ("score", "fit", "engagement"):
        assert 0 <= result[name] <= 100
    assert result["likelihood"] is None  # no trained model offline
    assert result["tier"] in {"hot", "warm", "cold", "disqualified"}
    assert result["reasons"] and result["reasons"][0][0] in "+-"
    assert result["version"] == body["version"]


def test_batch_keeps_order_and_ranks_leads(api_env: WebEnv) -> None:
    leads = [{"properties": COLD}, {"properties": HOT}] * 500
    response = _score(api_env, {"leads": leads})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [str(i) for i in range(1000)]
    assert results[1]["score"] > results[0]["score"]
    assert results[0]["score"] == results[998]["score"]


def test_engagements_count(api_env: WebEnv) -> None:
    recent = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    with_meeting = {"id": "m", "properties": COLD,
                    "engagements": [{"kind": "meeting", "timestamp": recent,
                                     "outcome": "COMPLETED"}]}
    response = _score(api_env, {"leads": [{"id": "none", "properties": COLD}, with_meeting]})
    assert response.status_code == 200
    none, met = response.json()["results"]
    assert met["engagement"] > none["engagement"]
    assert any("Meeting held" in r for r in met["reasons"])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"leads": [{"properties": {}}] * 1001}, "leads: List should have at most 1000 items"),
        ({"leads": []}, "leads: List should have at least 1 item"),
        ({}, "give either 'lead' (one lead) or 'leads'"),
        ({"lead": {"properties": {}}, "leads": [{"properties": {}}]}, "give either 'lead'"),
        ({"lead": {"properties": {"a": {"nested": 1}}}},
         "lead.properties.a: Value error, expected a string, number, boolean or null, got dict"),
        ({"lead": {"properties": {}, "engagements": [{"kind": "fax", "timestamp": 1}]}},
         "lead.engagements.0.kind"),
        ({"lead": {"properties": {}, "colour": "red"}}, "lead.colour: Extra inputs"),
        ({"leads": [{"id": "a", "properties": {}}, {"id": "a", "properties": {}}]},
         "lead ids must be unique"),
    ],
)
def test_invalid_requests_get_422_with_details(api_env: WebEnv, body: dict[str, Any],
                                                expected: str) -> None:
    response = _score(api_env, body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "invalid_request"
    assert expected in payload["message"]
    assert payload["detail"]


def test_unknown_model_or_portal_is_404(api_env: WebEnv) -> None:
    response = _score(api_env, {"model": "nope", "lead": {"properties": HOT}})
    assert response.status_code == 404
    assert "configured: " in response.json()["message"]
    unknown_portal = _score(api_env, {"lead": {"properties": HOT}}, portal=123)
    assert unknown_portal.status_code == 404


def test_stored_score_of_a_synced_contact(web_env: WebEnv) -> None:
    key = _key(web_env)
    contact_id = web_env.add_leads([{"email": "vp@acme.com", "jobtitle": "VP Sales"}])[0]
    written = wait_for(lambda: web_env.contact(contact_id).get(SCORE), what="a written score")
    headers = {"X-API-Key": key}

    def stored() -> dict[str, object] | None:
        # HubSpot shows the values a moment before the drain records the write as confirmed.
        response = web_env.http.get(f"/api/v1/contacts/{contact_id}/score",
                                    params={"portal": web_env.hub_id}, headers=headers)
        assert response.status_code == 200
        body: dict[str, object] = response.json()
        return body if body["written_to_hubspot"] else None

    body = wait_for(stored, what="the score recorded as written")
    assert body["score"] == float(written)
    assert body["tier"] == web_env.contact(contact_id)[property_names("default").tier]
    missing = web_env.http.get("/api/v1/contacts/999999/score",
                               params={"portal": web_env.hub_id}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "unknown_contact"
    no_portal = web_env.http.get(f"/api/v1/contacts/{contact_id}/score", headers=headers)
    assert no_portal.status_code == 422


def test_openapi_documents_the_api_and_its_auth(api_env: WebEnv) -> None:
    spec = api_env.http.get("/openapi.json").json()
    assert "/api/v1/score" in spec["paths"]
    assert "/api/v1/contacts/{contact_id}/score" in spec["paths"]
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert api_env.http.get("/docs").status_code == 200
