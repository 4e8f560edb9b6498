"""The workflow custom action "Score this contact now", called like HubSpot calls it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from connector.scoring.properties import property_names
from tests.web.conftest import WebEnv, sign_v2, sign_v3

NAMES = property_names("default")


@pytest.fixture
def flow_env(web_env_factory: Callable[..., WebEnv]) -> WebEnv:
    # No webhook delivery: the action alone must score the contact.
    return web_env_factory(drain=False, deliver=False)


def _call(portal_id: int, contact_id: int) -> dict[str, Any]:
    return {
        "callbackId": "ap-1-2-3",
        "origin": {"portalId": portal_id, "actionDefinitionId": 99, "actionDefinitionVersion": 1},
        "context": {"source": "WORKFLOWS", "workflowId": 1234},
        "object": {"objectId": contact_id, "objectType": "CONTACT"},
        "inputFields": {},
    }


def _post(env: WebEnv, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return env.http.post("/workflow/actions/score", content=body, headers=headers)


def _action_url(env: WebEnv) -> str:
    return env.settings.public_url + "/workflow/actions/score"


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_action_scores_the_contact_and_returns_output_fields(flow_env: WebEnv,
                                                             version: str) -> None:
    contact_id = flow_env.add_leads([{"email": "cto@acme.com", "jobtitle": "CTO"}])[0]
    assert NAMES.score not in flow_env.contact(contact_id)
    body = json.dumps(_call(flow_env.hub_id, contact_id)).encode()
    sign = sign_v2 if version == "v2" else sign_v3
    response = _post(flow_env, body, sign(flow_env.secret, _action_url(flow_env), body))
    assert response.status_code == 200
    fields = response.json()["outputFields"]
    assert fields["hs_execution_state"] == "SUCCESS"
    written = flow_env.contact(contact_id)
    assert fields["leadscore_score"] == float(written[NAMES.score])
    assert fields["leadscore_tier"] == written[NAMES.tier]


def test_action_with_a_bad_signature_is_refused(flow_env: WebEnv) -> None:
    body = json.dumps(_call(flow_env.hub_id, 1)).encode()
    response = _post(flow_env, body, sign_v2("wrong-secret", _action_url(flow_env), body))
    assert response.status_code == 401
    unsigned = _post(flow_env, body, {"Content-Type": "application/json"})
    assert unsigned.status_code == 401


def test_action_for_an_unconnected_portal_fails_and_continues(flow_env: WebEnv) -> None:
    body = json.dumps(_call(4_040_404, 1)).encode()
    response = _post(flow_env, body, sign_v2(flow_env.secret, _action_url(flow_env), body))
    assert response.status_code == 200
    fields = response.json()["outputFields"]
    assert fields["hs_execution_state"] == "FAIL_CONTINUE"
    assert fields["leadscore_error"] == "portal 4040404 is not connected"


def test_action_for_a_missing_contact_fails_and_continues(flow_env: WebEnv) -> None:
    body = json.dumps(_call(flow_env.hub_id, 987_654_321)).encode()
    response = _post(flow_env, body, sign_v2(flow_env.secret, _action_url(flow_env), body))
    fields = response.json()["outputFields"]
    assert fields["hs_execution_state"] == "FAIL_CONTINUE"
    assert "987654321 was not found" in fields["leadscore_error"]


def test_malformed_action_call_gets_400(flow_env: WebEnv) -> None:
    body = json.dumps({"origin": {}, "object": {"objectId": "x"}}).encode()
    response = _post(flow_env, body, sign_v2(flow_env.secret, _action_url(flow_env), body))
    assert response.status_code == 400
    message = response.json()["message"]
    assert "origin.portalId: Field required" in message
    assert "object.objectId" in message


def test_action_definition_points_at_the_public_url(flow_env: WebEnv) -> None:
    definition = flow_env.http.get("/workflow/actions/definition").json()
    assert definition["actionUrl"] == _action_url(flow_env)
    outputs = {f["typeDefinition"]["name"] for f in definition["outputFields"]}
    assert outputs == {"leadscore_score", "leadscore_tier"}
    assert definition["labels"]["en"]["actionName"] == "Score this contact now"
