"""The HTML report leads with the forward grade when it is given one; without, it is the
all-contacts evidence as before."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from connector.reports import render_report
from tests.dashboard.forward_fixtures import OUTCOME, all_contacts_evidence, forward_backtest

NOW = datetime(2026, 5, 30, 12, tzinfo=UTC)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_report_leads_with_the_forward_grade_and_its_outcome() -> None:
    html = render_report(all_contacts_evidence(), NOW, forward=forward_backtest())
    text = _text(html)
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[0] == "Forward-looking: as of 2026-03-01 (T − 90 days)"
    assert headings[1] == (
        "All contacts, includes leads already converted (secondary, flattering)"
    )
    assert (
        "The score ranked the 861 leads open on 2026-03-01 at AUC 0.743 [0.677–0.801] "
        "against the 39 conversions of the next 90 days." in text
    )
    assert f"Outcome: {OUTCOME}" in text
    # Both trainings: what each claims in its own cross-validation, and what it reached.
    assert "model trained point in time 1,051 190 0.781 0.764 0.701 – 0.822 3.10" in text
    assert (
        "same model on the values as they stood then 1,051 190 0.968 0.612 0.540 – 0.689 1.40"
        in text
    )
    assert "budget_confirmed" in text
    assert "first set at or after the conversion for 171 of 180 converted leads" in text
    assert "account.engaged_contacts" in text
    assert 'aria-label="claimed-vs-forward"' in html
    # The forward section comes before every all-contacts figure.
    assert html.index('id="forward"') < html.index("Conversion by score decile")


def test_without_a_forward_grade_the_report_is_the_evidence_alone() -> None:
    html = render_report(all_contacts_evidence(), NOW)
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[0] == "Headline"
    assert 'id="forward"' not in html and "claimed-vs-forward" not in html
    assert "Conversion by score decile" in headings
