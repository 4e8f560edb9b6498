"""The dashboard in headless Chromium over a sandbox portal synced by the real SyncService.

A 1,500-contact sandbox portal is synced (rate limits off), the web app is served on a free
loopback port by the product's `create_app`, and Playwright drives Debian's Chromium:
unauthenticated visits are refused, the login form lets the token in, and the figures on the
pages are the store's. Screenshots go to `artifacts/dashboard/` at the repository root
(git-ignored); the path is printed.
"""

from __future__ import annotations

import collections
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.browser_support import ServedPortal, chromium, served_portal

REPO = Path(__file__).resolve().parents[2]
TOKEN = "dashboard-test-token-7f3a"
CONTACTS = 1500
SHOTS = REPO / "artifacts" / "dashboard" / f"worker-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedPortal]:
    with served_portal(tmp_path_factory.mktemp("dashboard"), contacts=CONTACTS, seed=7,
                       token=TOKEN, worker_id="dashboard-test") as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def _login(page: Page, dashboard: ServedPortal) -> None:
    page.goto(f"{dashboard.url}/dashboard")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{dashboard.url}/dashboard")


def _store_figures(dashboard: ServedPortal) -> tuple[int, collections.Counter[str]]:
    states = [
        s
        for batch in dashboard.store.contacts.iter_batches(dashboard.hub_id)
        for s in batch
    ]
    tiers = collections.Counter(
        {**s.written_values, **(s.pending_values or {})}.get("leadscore_tier", "")
        for s in states
    )
    return len(states), tiers


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def _assert_legible(path: Path, min_height: int) -> None:
    """A real, readable page: full width, tall enough, and mostly not blank."""
    with Image.open(path) as image:
        width, height = image.size
        assert width == 1280 and height >= min_height, (width, height)
        grey = image.convert("L").resize((320, max(1, height // 4)))
        pixels = list(grey.tobytes())
    dark = sum(1 for p in pixels if p < 100) / len(pixels)
    # Text and tables put dark pixels on the page; a blank or unstyled failure has ~none.
    assert dark > 0.005, f"{path} looks blank ({dark:.3%} dark pixels)"
    assert len(set(pixels)) > 40, f"{path} has almost no shades: nothing rendered"


def test_unauthenticated_visits_are_refused(dashboard: ServedPortal, page: Page) -> None:
    for path in ("/dashboard", f"/dashboard/portals/{dashboard.hub_id}", "/dashboard/events"):
        response = httpx.get(f"{dashboard.url}{path}", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/dashboard/login?next=")
    wrong = httpx.get(f"{dashboard.url}/dashboard?token=not-it", follow_redirects=False)
    assert wrong.status_code == 401 and "Contacts tracked" not in wrong.text
    page.goto(f"{dashboard.url}/dashboard/portals/{dashboard.hub_id}")
    assert page.locator("h1").inner_text() == "Dashboard login"
    assert page.locator("#contacts").count() == 0
    page.fill("#token", "a wrong token")
    page.click("button[type=submit]")
    assert "not the dashboard token" in page.locator("[role=alert]").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "login.png"), full_page=True)
    _assert_legible(SHOTS / "login.png", 400)


def test_token_link_logs_in_and_leaves_the_address_bar(dashboard: ServedPortal, page: Page) -> None:
    page.goto(f"{dashboard.url}/dashboard?token={TOKEN}")
    assert page.url == f"{dashboard.url}/dashboard"
    assert page.locator("h1").inner_text() == "Overview"


def test_overview_shows_the_synced_portal(dashboard: ServedPortal, page: Page) -> None:
    _login(page, dashboard)
    contacts, _ = _store_figures(dashboard)
    assert contacts == CONTACTS
    assert _number(page.locator("#contacts-total").inner_text()) == contacts
    row = page.locator(f"#portals tr[data-hub='{dashboard.hub_id}']")
    assert _number(row.locator("td.contacts").inner_text()) == contacts
    assert "connected" in row.inner_text()
    calls_today = dashboard.store.budget.used(dashboard.hub_id)
    assert calls_today > 0
    assert _number(page.locator("#calls-today").inner_text()) == calls_today
    runs = page.locator("#runs tbody tr")
    assert runs.count() >= 1 and "full" in runs.first.inner_text()
    assert "succeeded" in runs.first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
    _assert_legible(SHOTS / "overview.png", 800)
    print(f"\ndashboard screenshots: {SHOTS}")


def test_portal_page_shows_the_stores_figures(dashboard: ServedPortal, page: Page) -> None:
    _login(page, dashboard)
    page.click(f"nav >> text=Portal {dashboard.hub_id}")
    page.wait_for_url(f"{dashboard.url}/dashboard/portals/{dashboard.hub_id}")
    contacts, tiers = _store_figures(dashboard)
    assert _number(page.locator("#contacts").inner_text()) == contacts
    assert _number(page.locator("#scored").inner_text()) == contacts - tiers.get("", 0)
    for tier in ("hot", "warm", "cold", "disqualified"):
        shown = page.locator(f"#tiers tr[data-tier='{tier}'] td.count").inner_text()
        assert _number(shown) == tiers.get(tier, 0), tier
    assert sum(tiers[t] for t in ("hot", "warm", "cold", "disqualified")) == contacts
    # Conversion by band and segments come from insights on the portal's history.
    assert page.locator("#deciles tbody tr").count() == 10
    auc = float(page.locator("#auc").inner_text())
    assert 0.5 < auc <= 1.0
    assert page.locator("#segments tbody tr").count() >= 2
    assert page.locator("svg[aria-label='band-rates']").count() == 1
    assert page.locator("svg[aria-label='segment-map']").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portal.png"), full_page=True)
    _assert_legible(SHOTS / "portal.png", 2000)


def test_events_page_and_logout(dashboard: ServedPortal, page: Page) -> None:
    _login(page, dashboard)
    page.click("nav >> text=Webhook events")
    page.wait_for_url(f"{dashboard.url}/dashboard/events")
    assert page.locator("h1").inner_text() == "Webhook events"
    assert page.locator("#failed-events").inner_text() == "No failed events."
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "events.png"), full_page=True)
    _assert_legible(SHOTS / "events.png", 400)
    page.click("text=Log out")
    page.wait_for_url(re.compile(r".*/dashboard/login$"))
    page.goto(f"{dashboard.url}/dashboard")
    assert page.locator("h1").inner_text() == "Dashboard login"
