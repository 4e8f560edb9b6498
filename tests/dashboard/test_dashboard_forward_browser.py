"""The portal page in headless Chromium leads with the forward grade, as of T − 90 days
(computed in the background: the page says so until it is there).

A 1,000-contact sandbox portal is synced and trained by the real SyncService (training
reads the property histories the forward grade uses), the product's app is served on a
loopback port, and Playwright drives Debian's Chromium to the portal page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page

from connector.reports.portal_history import portal_outcome
from connector.scoring.outcomes import utc_moments
from connector.scoring.point_in_time import CREATED
from connector.scoring.stored_inputs import lead_frame_from_states
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER
from connector.scoring_files import load_config
from tests.browser_support import ServedPortal, chromium, served_portal

REPO = Path(__file__).resolve().parents[2]
TOKEN = "dashboard-forward-token-41c2"
CONTACTS = 1000
PAGE_TIMEOUT_MS = 120_000
"""The first visit computes the all-contacts analysis (segments, plots); on a shared
two-core machine that can take longer than a browser's default 30 s."""
FORWARD_WAIT_S = 600
"""The forward grade trains two models on a background thread: how long the test reloads."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedPortal]:
    # Trained too: training reads the property histories the forward grade uses.
    with served_portal(tmp_path_factory.mktemp("dashboard-forward"), contacts=CONTACTS,
                       seed=11, token=TOKEN, worker_id="dashboard-forward-test",
                       train=True) as portal:
        yield portal


@pytest.fixture
def page() -> Iterator[Page]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        yield context.new_page()


def _open_then(served: ServedPortal, as_of: datetime) -> tuple[int, int]:
    """From the store: the leads open at `as_of`, and how many converted in the next 90 days."""
    states = [s for batch in served.store.contacts.iter_batches(served.hub_id) for s in batch]
    leads = lead_frame_from_states(states)
    config = load_config(served.settings.scoring_config)
    found = portal_outcome(served.store, served.hub_id, leads, DEFAULT_LIFECYCLE_ORDER,
                           config.outcome)
    index = pd.Index(leads.contacts.index.astype(str))
    created = utc_moments(leads.contacts[CREATED]).set_axis(index)
    at = pd.to_datetime(found.converted_at.reindex(index), utc=True)
    moment = pd.Timestamp(as_of)
    open_then = (created <= moment) & ~(at <= moment)
    later = open_then & (at > moment) & (at <= moment + timedelta(days=90))
    return int(open_then.sum()), int(later.sum())


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def _wait_for_forward(page: Page, url: str) -> None:
    """Reload the portal page until the forward grade computed in the background is shown;
    until then the page says it is being computed."""
    deadline = time.monotonic() + FORWARD_WAIT_S
    page.goto(url)
    while page.locator("#forward-open").count() == 0:
        assert "being computed" in page.locator("#forward-note").inner_text()
        assert time.monotonic() < deadline, "the forward grade never appeared"
        time.sleep(5)
        page.reload()


def test_the_portal_page_leads_with_the_forward_grade(served: ServedPortal, page: Page) -> None:
    page.goto(f"{served.url}/dashboard?token={TOKEN}")
    _wait_for_forward(page, f"{served.url}/dashboard/portals/{served.hub_id}")
    headings = page.locator("main h2").all_inner_texts()
    match = re.fullmatch(r"Forward: as of (\d{4}-\d{2}-\d{2}) \(T − 90 days\)", headings[0])
    assert match, headings
    as_of = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - as_of).days - 90) <= 1
    assert "a deal created for the contact or its company" in page.locator(
        "#forward-outcome").inner_text()
    # The figures are the leads open then, against their conversions of the next 90 days.
    open_then, converted_later = _open_then(served, as_of)
    assert _number(page.locator("#forward-open").inner_text()) == open_then
    assert _number(page.locator("#forward-conversions").inner_text()) == converted_later
    assert 0.0 <= float(page.locator("#forward-auc").inner_text()) <= 1.0
    for method in ("point_in_time", "current_values"):
        row = page.locator(f"#forward-trainings tr[data-method='{method}']")
        assert 0.5 < float(row.locator("td.claimed").inner_text()) <= 1.0
        assert 0.0 <= float(row.locator("td.forward").inner_text()) <= 1.0
    assert page.locator("svg[aria-label='claimed-vs-forward']").count() == 1
    # The all-contacts figures come after it, labelled secondary.
    secondary = [h for h in headings if "all contacts" in h]
    assert secondary == [
        "Conversion by band: all contacts, includes leads already converted "
        "(secondary, flattering)"
    ]
    forward_box = page.locator("#forward").bounding_box()
    all_box = page.locator("#all-contacts").bounding_box()
    assert forward_box is not None and all_box is not None
    assert forward_box["y"] + forward_box["height"] <= all_box["y"]
