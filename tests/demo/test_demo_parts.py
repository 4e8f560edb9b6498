"""The demo's clients of the sandbox and its scripted OAuth click, against real servers:
what they read, and the one-line errors they give when a hop goes wrong."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from connector.crm import ObjectType, RecordUpdate
from connector.demo.accounts import company_scores
from connector.demo.hubspot_view import PortalViewer
from connector.demo.oauth_flow import connect_portal
from connector.demo.sandbox_control import SandboxControl
from connector.errors import LeadscoreError
from connector.hubspot.auth import StaticTokenProvider
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.pacing import limits_for
from connector.hubspot.properties import PropertyDefinition, PropertyGroup, PropertyOption
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


def test_viewer_lists_companies_and_reports_no_company_score_when_none_exists(
    sandbox: SandboxServer,
) -> None:
    with SandboxControl(sandbox.url) as control:
        portal = control.portals()[0]
    viewer = PortalViewer(sandbox.url, portal.static_token)
    companies = viewer.list_companies(["name", "leadscore_score"])
    assert companies and all(c.properties["name"] for c in companies)
    assert len({c.company_id for c in companies}) == len(companies)
    assert all(c.properties["leadscore_score"] is None for c in companies)
    before = viewer.requests
    found = company_scores(viewer, "leadscore")
    # Nothing provisioned on companies: said so, and no company is read for nothing.
    assert found.status == "not_provisioned"
    assert (found.companies, found.scored, found.tiers, found.top) == (0, 0, {}, [])
    assert "no company score" in found.note
    assert viewer.requests == before + 1


def test_company_scores_written_to_companies_are_summed_up() -> None:
    config = SandboxConfig(contacts_per_portal=60, rate_limits_enabled=False)
    with SandboxServer(config) as server, SandboxControl(server.url) as control:
        portal = control.portals()[0]
        admin = HubSpotGateway(server.url, StaticTokenProvider(portal.static_token),
                               limits=limits_for("pro"))
        admin.create_group(PropertyGroup("leadscore", "Lead scoring"), ObjectType.COMPANIES)
        for name, type_, field, options in (
            ("leadscore_score", "number", "number", ()),
            ("leadscore_tier", "enumeration", "select",
             tuple(PropertyOption(t, t) for t in ("hot", "warm", "cold", "disqualified"))),
        ):
            admin.create_property(
                PropertyDefinition(name, name, type_, field, "leadscore", "", options),
                ObjectType.COMPANIES,
            )
        viewer = PortalViewer(server.url, portal.static_token)
        empty = company_scores(viewer, "leadscore")
        assert empty.status == "not_written"
        assert empty.companies == len(viewer.list_companies(["name"])) > 3
        assert empty.scored == 0 and empty.top == []
        ids = [c.company_id for c in viewer.list_companies(["name"])][:3]
        admin.update(ObjectType.COMPANIES, [
            RecordUpdate(ids[0], {"leadscore_score": "42.5", "leadscore_tier": "warm"}),
            RecordUpdate(ids[1], {"leadscore_score": "91", "leadscore_tier": "hot"}),
            RecordUpdate(ids[2], {"leadscore_score": "12", "leadscore_tier": "cold"}),
        ])
        found = company_scores(viewer, "leadscore", top=2)
    assert found.status == "written"
    assert found.scored == 3 and found.companies == empty.companies
    assert found.tiers == {"hot": 1, "warm": 1, "cold": 1}
    assert [(a.company_id, a.score, a.tier) for a in found.top] == [
        (ids[1], 91.0, "hot"), (ids[0], 42.5, "warm")
    ]
    # Properties the portal does not define are not asked for and stay empty.
    assert found.top[0].fit is None and found.top[0].engaged_contacts is None
    assert found.top[0].name


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
