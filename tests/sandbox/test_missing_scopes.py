"""Endpoints the sandbox does not model answer as HubSpot does for an app without their
scope (403 MISSING_SCOPES with HubSpot's body), never with a bare 404."""

from __future__ import annotations

import json

import pytest
from hubspot.crm.owners import ApiException as OwnersApiException
from hubspot.crm.schemas import ApiException as SchemasApiException

from connector.sandbox.server import SandboxServer
from tests.sandbox.conftest import http_client, sdk_client


def test_the_official_sdk_gets_missing_scopes_for_owners_and_schemas(
    small: SandboxServer,
) -> None:
    client = sdk_client(small)
    with pytest.raises(OwnersApiException) as owners:
        client.crm.owners.owners_api.get_page()
    with pytest.raises(SchemasApiException) as schemas:
        client.crm.schemas.core_api.get_all()
    for raised, scope in ((owners, "crm.objects.owners.read"),
                          (schemas, "crm.schemas.custom.read")):
        assert raised.value.status == 403
        body = json.loads(raised.value.body)
        assert body["category"] == "MISSING_SCOPES"
        assert body["message"].startswith("This app hasn't been granted all required scopes")
        assert body["errors"][0]["context"]["requiredScopes"] == [scope]
        assert body["links"] == {"scopes": "https://developers.hubspot.com/scopes"}
        assert body["correlationId"]


def test_an_unmodelled_path_is_403_and_a_missing_record_stays_404(small: SandboxServer) -> None:
    with http_client(small) as http:
        flows = http.get("/automation/v4/flows")
        assert flows.status_code == 403 and flows.json()["category"] == "MISSING_SCOPES"
        assert flows.json()["errors"][0]["context"]["requiredScopes"] == ["automation"]
        unknown = http.get("/crm/v3/not-a-product")
        assert unknown.status_code == 403
        assert "context" not in unknown.json()["errors"][0]  # no scope is known for it
        # A record that does not exist is still HubSpot's 404, not a scope problem.
        gone = http.get("/crm/v3/objects/contacts/99999999")
        assert gone.status_code == 404 and gone.json()["category"] == "OBJECT_NOT_FOUND"
    # Without a token the gate answers first, as HubSpot does: 401.
    with http_client(small) as http:
        http.headers.pop("Authorization")
        assert http.get("/automation/v4/flows").status_code == 401
