"""Property-based invariants of the rule engine, on the shipped default configuration."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from connector.scoring.config import DEFAULT_CONFIG_PATH
from connector.scoring.engine import Scorer
from connector.scoring_files import load_config
from tests.scoring.rules_fixtures import NOW, days_ago, leads

CONFIG = load_config(DEFAULT_CONFIG_PATH)
SCORER = Scorer(CONFIG)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TITLES = [
    "CEO",
    "Marketing Manager",
    "Student",
    "Engineer",
    "VP Sales",
    "Looking for opportunities",
    None,
]
FORMS = ["Demo request", "Free trial signup", "Ebook download", None]
DOMAINS = ["acme.com", "gmail.com", "mit.edu", "salesforce.com", "mailinator.com"]

lead_rows = st.fixed_dictionaries(
    {
        "jobtitle": st.sampled_from(TITLES),
        "numemployees": st.sampled_from(["1-5", "25-50", "100-500", "1000+", None]),
        "industry": st.sampled_from(["COMPUTER_SOFTWARE", "RETAIL", None]),
        "country": st.sampled_from(["United States", "France", None]),
        "email": st.sampled_from(DOMAINS).map(lambda d: f"someone@{d}"),
        "hs_analytics_num_page_views": st.integers(0, 200).map(str),
        "hs_analytics_num_visits": st.integers(0, 30).map(str),
        "hs_analytics_last_visit_timestamp": st.integers(0, 400).map(days_ago),
        "hs_email_open": st.integers(0, 20).map(str),
        "hs_email_bounce": st.sampled_from(["0", "1", None]),
        "recent_conversion_event_name": st.sampled_from(FORMS),
        "recent_conversion_date": st.integers(0, 400).map(days_ago),
    }
)


def score_of(*rows: dict[str, Any]) -> list[float]:
    return SCORER.score(leads(list(rows)), NOW)["default"].frame["score"].tolist()


@SETTINGS
@given(lead_rows)
def test_same_input_same_score(row: dict[str, Any]) -> None:
    first = SCORER.score(leads([row]), NOW)["default"].frame
    second = SCORER.score(leads([row]), NOW)["default"].frame
    assert first.equals(second)


@SETTINGS
@given(lead_rows, st.sampled_from(["demo", "ceo", "mid_size", "visits"]))
def test_a_positive_criterion_never_lowers_a_score(row: dict[str, Any], signal: str) -> None:
    # Only pure additions: filling an empty value (a replaced value could switch off a
    # penalty or another criterion, which is a different question).
    field, value = {
        "demo": ("recent_conversion_event_name", "Demo request"),
        "ceo": ("jobtitle", "CEO"),
        "mid_size": ("numemployees", "100-500"),
        "visits": ("hs_analytics_num_visits", None),
    }[signal]
    better = dict(row)
    if value is None:
        better[field] = str(int(row[field]) + 5)
    else:
        assume(row[field] is None)
        better[field] = value
    base, improved = score_of(row, better)
    assert improved >= base


@SETTINGS
@given(lead_rows, st.integers(1, 300))
def test_decay_never_raises_a_score(row: dict[str, Any], extra_days: int) -> None:
    older = dict(row)
    for name in ("hs_analytics_last_visit_timestamp", "recent_conversion_date"):
        age = (NOW - pd.Timestamp(row[name])).total_seconds() / 86400
        older[name] = days_ago(age + extra_days)
    fresh, aged = score_of(row, older)
    assert aged <= fresh


@SETTINGS
@given(st.lists(lead_rows, min_size=1, max_size=8))
def test_caps_and_ranges_hold(rows: list[dict[str, Any]]) -> None:
    for name, result in SCORER.score(leads(rows), NOW).items():
        frame = result.frame
        for column in ("score", "fit", "engagement"):
            assert frame[column].between(0, 100).all()
        model = CONFIG.models[name]
        ids = result.ledger.entry_ids()
        for group_name, group in model.groups.items():
            members = [ids.index(c.id) for c in model.criteria if c.group == group_name]
            positive = np.clip(result.ledger.points[:, members], 0, None).sum(axis=1)
            assert (positive <= group.max_points + 1e-3).all()
        for criterion in model.criteria:
            if criterion.max_points is not None:
                assert (
                    np.abs(result.ledger.points[:, ids.index(criterion.id)])
                    <= criterion.max_points + 1e-3
                ).all()
        for kind in ("fit", "engagement"):
            cap = getattr(model.max_points, kind)
            members = [i for i, e in enumerate(result.ledger.entries) if e.kind == kind]
            if cap is not None:
                assert (
                    np.clip(result.ledger.points[:, members], 0, None).sum(axis=1) <= cap + 1e-3
                ).all()


@SETTINGS
@given(lead_rows, st.sampled_from(["salesforce.com", "mailinator.com"]))
def test_excluded_leads_are_disqualified_whatever_their_points(
    row: dict[str, Any], domain: str
) -> None:
    row = {
        **row,
        "email": f"buyer@{domain}",
        "jobtitle": "CEO",
        "recent_conversion_event_name": "Demo request",
    }
    frame = SCORER.score(leads([row]), NOW)["default"].frame
    assert frame["tier"].iloc[0] == "disqualified"
    assert frame["excluded"].iloc[0]
    assert frame["lifecycle_target"].iloc[0] is None
