"""The demo's clients of the sandbox and its scripted OAuth click, against real servers:
what they read, and the one-line errors they give when a hop goes wrong."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from connector.demo.hubspot_view import PortalViewer
from connector.demo.oauth_flow import connect_portal
from connector.demo.sandbox_control import SandboxControl
from connector.errors import LeadscoreError
from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.web.serving import serve_in_thread


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts_per_portal=60, rate_limits_enabled=False)) as server:
        yield server


def test_control_reads_portals_truth_and_counts(sandbox: SandboxServer) -> None:
    with SandboxControl(sandbox.url) as control:
        [portal] = control.portals()
        assert portal.contacts == 60
        truth = control.ground_truth(portal.hub_id)
        assert len(truth.converted) == 60
        assert truth.converted.dtype == bool
        ids = control.add_leads(portal.hub_id, 3, seed=7)
        assert len(ids) == 3
        assert set(map(str, ids)) <= set(control.ground_truth(portal.hub_id).converted.index)
        assert control.request_counts(portal.hub_id).rate_limited_total == 0


def test_control_error_names_the_call_and_status(sandbox: SandboxServer) -> None:
    with SandboxControl(sandbox.url) as control, pytest.raises(LeadscoreError) as caught:
        control.add_leads(999, 1, seed=1)
    assert "POST /_sandbox/portals/999/leads answered 404" in str(caught.value)


def test_viewer_reads_contacts_with_the_private_app_token(sandbox: SandboxServer) -> None:
    with SandboxControl(sandbox.url) as control:
        portal = control.portals()[0]
        before = control.request_counts(portal.hub_id).total
        ids = control.add_leads(portal.hub_id, 2, seed=8)
    viewer = PortalViewer(sandbox.url, portal.static_token)
    seen = viewer.read_contacts(ids, ["email", "leadscore_score"])
    assert sorted(c.contact_id for c in seen) == sorted(ids)
    assert all(c.properties["email"] for c in seen)
    # Our property is not provisioned in this bare portal: no value, no error.
    assert all(c.properties["leadscore_score"] is None for c in seen)
    assert any(p.name == "email" for p in viewer.properties())
    assert viewer.requests == 2
    with SandboxControl(sandbox.url) as control:
        assert control.request_counts(portal.hub_id).total == before + 2


def test_viewer_with_a_bad_token_fails_in_one_line(sandbox: SandboxServer) -> None:
    viewer = PortalViewer(sandbox.url, "pat-na1-not-a-token")
    with pytest.raises(LeadscoreError) as caught:
        viewer.properties()
    assert "401" in str(caught.value) and "\n" not in str(caught.value)
    assert "not-a-token" not in str(caught.value)


def _app(connect_target: str | None) -> FastAPI:
    app = FastAPI()

    @app.get("/connect", response_model=None)
    def connect() -> RedirectResponse | dict[str, str]:
        if connect_target is None:
            return {"not": "a redirect"}
        return RedirectResponse(connect_target, status_code=302)

    return app


def test_connect_refuses_a_connect_page_that_does_not_redirect() -> None:
    with serve_in_thread(_app(None)) as served, pytest.raises(
        LeadscoreError, match="/connect answered 200 instead of a redirect"
    ):
        connect_portal(served.url, 1000001)


def test_connect_refuses_a_redirect_away_from_the_authorize_page() -> None:
    with serve_in_thread(_app("https://example.invalid/elsewhere")) as served, pytest.raises(
        LeadscoreError, match=re.escape("sent the browser to https://example.invalid/elsewhere")
    ):
        connect_portal(served.url, 1000001)


def test_connect_reports_an_authorize_page_refusal(sandbox: SandboxServer) -> None:
    # A client id the sandbox's app does not have: HubSpot's authorize page shows an error.
    target = f"{sandbox.url}/oauth/authorize?client_id=unknown&redirect_uri=http://x/cb&scope=oauth"
    with serve_in_thread(_app(target)) as served, pytest.raises(
        LeadscoreError, match="the authorize page answered 400"
    ):
        connect_portal(served.url, 1000001)
