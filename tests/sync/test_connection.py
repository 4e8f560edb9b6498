"""One-click OAuth through the sandbox's authorize page, static tokens, refresh, reconnect."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from connector.errors import LeadscoreError
from connector.hubspot.oauth import InvalidState
from connector.store import Store
from connector.sync.connection import ConnectionService
from connector.sync.portal_session import PortalUnavailable
from connector.sync.report import PassReport
from connector.sync.service import SyncService
from tests.sync.conftest import Box, make_service, scored

REDIRECT = "http://127.0.0.1:9/oauth/callback"


def one_click(box: Box, connection: ConnectionService) -> tuple[str, str]:
    """Follow the install link as a browser would, approving at once; (code, state)."""
    url = connection.authorize_url()
    assert url.startswith(box.url + "/oauth/authorize?")
    response = box.http.get(url + f"&auto_approve={box.hub_id}", follow_redirects=False)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    return query["code"][0], query["state"][0]


def connected(box: Box, store: Store, tmp_path: Path, **settings: object
              ) -> tuple[SyncService, ConnectionService]:
    service = make_service(box, store, tmp_path, **settings)  # type: ignore[arg-type]
    connection = ConnectionService(service.settings, store, service)
    result = connection.complete(*one_click(box, connection))
    assert result.hub_id == box.hub_id
    return service, connection


def test_one_click_connects_provisions_and_queues_the_first_sync(box: Box, store: Store,
                                                                 tmp_path: Path) -> None:
    service = make_service(box, store, tmp_path)
    connection = ConnectionService(service.settings, store, service)
    result = connection.complete(*one_click(box, connection))

    assert result.kind == "oauth" and not result.reconnected
    assert result.hub_domain == f"portal-{box.hub_id}.sandbox.hubspot.test"
    assert {"crm.objects.contacts.write", "crm.schemas.contacts.write"} <= set(result.scopes)
    assert result.first_sync_queued
    assert "lifecyclestage" not in result.stages and "customer" in result.stages
    assert result.provisioning is not None and "leadscore_score" in result.provisioning.created
    portal = store.portals.require(box.hub_id)
    assert portal.status == "connected" and portal.has_tokens
    tokens = store.portals.get_tokens(box.hub_id)
    assert tokens is not None and tokens.refresh_token
    names = {p["name"] for p in box.http.get(
        "/crm/v3/properties/contacts",
        headers={"Authorization": f"Bearer {tokens.access_token}"}).json()["results"]}
    assert {"leadscore_score", "leadscore_tier", "leadscore_analytics_score"} <= names

    # Provisioning twice (a reconnect) changes nothing and keeps the portal's history.
    service.run_pass(box.hub_id)
    again = connection.complete(*one_click(box, connection))
    assert again.reconnected and not again.first_sync_queued
    assert again.provisioning is not None and not again.provisioning.changed


def test_state_is_checked(box: Box, store: Store, tmp_path: Path) -> None:
    service = make_service(box, store, tmp_path)
    connection = ConnectionService(service.settings, store, service)
    code, state = one_click(box, connection)
    with pytest.raises(InvalidState):
        connection.complete(code, state[:-2] + "xx")
    with pytest.raises(InvalidState):
        connection.complete(code, None)
    assert store.portals.get(box.hub_id) is None


def test_token_expiry_mid_sync_is_refreshed_transparently(box_factory, store: Store,
                                                          tmp_path: Path) -> None:
    box = box_factory(contacts_per_portal=300, access_token_lifetime_s=1800)
    service, _ = connected(box, store, tmp_path)
    first_token = store.portals.get_tokens(box.hub_id)
    assert first_token is not None
    advanced: list[int] = []

    def expire_tokens(report: PassReport) -> None:
        if not advanced:
            advanced.append(box.control("POST", "/time/advance", json={"seconds": 2000})["now_ms"])

    report = service.run_pass(box.hub_id, on_chunk=expire_tokens)
    assert advanced and report.completed and not report.errors
    assert report.contacts_written == 300 and report.chunks == 3
    assert report.api_calls.get("oauth", 0) >= 1
    refreshed = store.portals.get_tokens(box.hub_id)
    assert refreshed is not None and refreshed.access_token != first_token.access_token
    assert all(p.get("leadscore_score") for p in box.contacts().values())


def test_uninstall_marks_the_portal_for_reconnection(box: Box, store: Store,
                                                     tmp_path: Path) -> None:
    service, connection = connected(box, store, tmp_path)
    box.control("POST", f"/portals/{box.hub_id}/uninstall")
    box.control("POST", "/time/advance", json={"seconds": 3600})

    report = service.run_pass(box.hub_id)
    assert not report.completed and "reconnect" in report.errors[0]
    portal = store.portals.require(box.hub_id)
    assert portal.status == "needs_reconnect"
    assert "refused the grant" in (portal.status_reason or "")
    with pytest.raises(PortalUnavailable, match="needs reconnect"):
        service.run_pass(box.hub_id)
    # Reconnecting brings it back.
    connection.complete(*one_click(box, connection))
    assert store.portals.require(box.hub_id).status == "connected"
    assert service.run_pass(box.hub_id).completed


def test_static_token_connection_and_disconnect(box: Box, store: Store, tmp_path: Path) -> None:
    service = make_service(box, store, tmp_path)
    connection = ConnectionService(service.settings, store, service)
    with pytest.raises(LeadscoreError, match="tier"):
        connection.connect_static_token(box.static_token(), portal_id=box.hub_id, tier="gold")
    with pytest.raises(LeadscoreError, match="401"):
        connection.connect_static_token("pat-na1-00000000-0000-0000-0000-000000000000",
                                        portal_id=box.hub_id)
    assert store.portals.get(box.hub_id) is None

    # No portal id given: HubSpot's account details say which portal the token is for.
    result = connection.connect_static_token(box.static_token(), tier="pro")
    assert result.hub_id == box.hub_id
    assert result.kind == "static" and result.tier == "pro" and result.first_sync_queued
    report = service.run_pass(box.hub_id)
    assert report.completed and report.contacts_written == len(box.contacts())
    assert all(v for values in scored(box.contacts()).values() for v in [values["leadscore_score"]])

    assert connection.disconnect(box.hub_id)
    portal = store.portals.require(box.hub_id)
    assert portal.status == "disconnected" and not portal.has_tokens
    with pytest.raises(PortalUnavailable):
        service.run_pass(box.hub_id)


def test_static_token_of_another_portal_is_refused_before_anything_is_stored(
        box_factory, store: Store, tmp_path: Path) -> None:
    box = box_factory(portals=2, contacts_per_portal=5)
    other_hub = box.server.config.portal_hub_ids()[1]
    other_token = box.server.sandbox.static_tokens[other_hub]
    service = make_service(box, store, tmp_path)
    connection = ConnectionService(service.settings, store, service)

    with pytest.raises(LeadscoreError, match=f"belongs to portal {other_hub}, not {box.hub_id}"):
        connection.connect_static_token(other_token, portal_id=box.hub_id)
    assert store.portals.get(box.hub_id) is None and store.portals.get(other_hub) is None

    # The matching id is accepted as a check; the lookup costs one account-info call.
    result = connection.connect_static_token(other_token, portal_id=other_hub)
    assert result.hub_id == other_hub
    calls = box.server.sandbox.portals[other_hub].counters.to_json()["requests"]
    assert calls["GET /account-info/v3/details"] == {"200": 2}
