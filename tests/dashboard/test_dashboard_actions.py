"""Problems that need a person show on the dashboard (served over real HTTP on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr

from connector.settings import Settings
from connector.store import ContactState, NewInboxEvent, Store, Tokens, open_store
from connector.sync.inputs import StoredInputs
from connector.web.dashboard import DashboardAccess, DashboardState, routes
from connector.web.serving import serve_in_thread

TOKEN = "actions-token"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    settings = Settings(
        data_dir=tmp_path,
        scoring_config=tmp_path / "missing.yaml",
        token_encryption_key=SecretStr(Fernet.generate_key().decode()),
        dashboard_token=SecretStr(TOKEN),
    )
    with open_store(settings=settings) as store:
        app = FastAPI()
        access = DashboardAccess.from_settings(settings)
        app.state.dashboard = DashboardState(store, settings, access)
        app.include_router(routes.router)
        with serve_in_thread(app) as server:
            yield server.url, store


@contextmanager
def _client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, follow_redirects=True) as client:
        assert client.get(f"/dashboard?token={TOKEN}").status_code == 200
        yield client


def test_reconnect_failed_writes_and_failed_events_need_action(served: tuple[str, Store]) -> None:
    url, store = served
    store.portals.connect(7, kind="oauth", tokens=Tokens(access_token="a", refresh_token="r"))
    store.portals.set_status(7, "needs_reconnect", "BAD_REFRESH_TOKEN: the app was uninstalled")
    store.contacts.upsert(
        [
            ContactState(7, 501, "h", StoredInputs({}), pending_values={"leadscore_score": "50"}),
        ]
    )
    store.contacts.mark_failed(7, {501: "PROPERTY_DOESNT_EXIST: leadscore_tier"})
    store.inbox.add(
        [
            NewInboxEvent(7, 1, 99, "contact.propertyChange", 501,
                          datetime(2026, 11, 22, tzinfo=UTC), raw={}),
        ]
    )
    claim = store.inbox.claim("w")
    store.inbox.mark_failed(claim.token, [e.id for e in claim.events], "boom", retry_in=None)
    with _client(url) as client:
        overview = client.get("/dashboard").text
        events = client.get("/dashboard/events").text
        portal = client.get("/dashboard/portals/7")
    assert "Portal 7 needs to be reconnected" in overview
    assert "BAD_REFRESH_TOKEN: the app was uninstalled" in overview
    assert "reconnect needed" in overview
    assert "1 score writes failed on portal 7" in overview
    assert "contact 501: PROPERTY_DOESNT_EXIST: leadscore_tier" in overview
    assert "1 webhook events failed" in overview
    assert "boom" in events and "contact.propertyChange" in events
    # Stored inputs without a lifecycle stage: the page says why instead of failing.
    assert portal.status_code == 200 and "Reconnect needed" in portal.text
    assert "so outcomes are unknown" in portal.text


def test_unknown_portal_is_a_404_page(served: tuple[str, Store]) -> None:
    url, _ = served
    with _client(url) as client:
        response = client.get("/dashboard/portals/12345")
    assert response.status_code == 404 and "Portal 12345 is not connected" in response.text


def test_login_form_sets_a_session_and_logout_ends_it(served: tuple[str, Store]) -> None:
    url, _ = served
    with httpx.Client(base_url=url) as client:
        refused = client.post("/dashboard/login", data={"token": "nope", "next": "/dashboard"})
        assert refused.status_code == 401
        ok = client.post(
            "/dashboard/login", data={"token": TOKEN, "next": "/dashboard/events"},
            follow_redirects=False,
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/dashboard/events"
        assert "httponly" in ok.headers["set-cookie"].lower()
        assert client.get("/dashboard/events").status_code == 200
        client.post("/dashboard/logout")
        assert client.get("/dashboard", follow_redirects=False).status_code == 303
