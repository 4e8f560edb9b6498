"""The company score: fit of the company, engagement rolled up from its contacts with caps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.scoring.companies import company_scores
from connector.scoring.config import DEFAULT_CONFIG_PATH, ScoringConfig
from connector.scoring.score_columns import COMPANY_FRAME_COLUMNS, CompanyScoreColumn
from connector.scoring_files import load_config
from tests.scoring.rules_fixtures import NOW, config, criterion, model

COL = CompanyScoreColumn


def _config(**engagement: Any) -> ScoringConfig:
    return config(
        {"default": model([criterion("x", when={"property": "jobtitle", "exists": True})])},
        companies={
            "weights": {"fit": 1, "engagement": 1},
            "tiers": {"hot": {"min_score": 70}, "warm": {"min_score": 40}},
            "criteria": [
                criterion(
                    "software", points=20, when={"property": "industry", "equals": "SOFTWARE"}
                ),
                criterion(
                    "big", points=20, when={"property": "numberofemployees", "range": {"gte": 100}}
                ),
            ],
            "exclusions": [
                {
                    "id": "rival",
                    "label": "Rival",
                    "when": {"property": "domain", "equals": "rival.com"},
                }
            ],
            "engagement": {"top_contacts": 2, "cap": 100, "engaged_at": 20, **engagement},
        },
    )


def _contacts(rows: dict[str, tuple[str | None, float, bool]]) -> tuple[pd.DataFrame, pd.Series]:
    """contact id → (company id, engagement, excluded)."""
    scores = pd.DataFrame(
        {
            "engagement": [v[1] for v in rows.values()],
            "excluded": [v[2] for v in rows.values()],
        },
        index=list(rows),
    )
    return scores, pd.Series({k: v[0] for k, v in rows.items()}, dtype=object)


COMPANIES = pd.DataFrame(
    {
        "industry": ["SOFTWARE", "RETAIL", "SOFTWARE", "SOFTWARE"],
        "numberofemployees": ["250", "10", None, "500"],
        "domain": ["a.com", "b.com", "c.com", "rival.com"],
    },
    index=["c1", "c2", "c3", "c4"],
)


def test_rollup_sums_the_top_contacts_caps_and_counts_engaged() -> None:
    scores, links = _contacts(
        {
            "1": ("c1", 80, False),
            "2": ("c1", 70, False),
            "3": ("c1", 60, False),  # third: beyond top_contacts=2
            "4": ("c1", 10, False),  # not engaged (below 20)
            "5": ("c2", 30, False),
            "6": ("c2", 90, True),  # excluded contacts never count
            "7": (None, 100, False),  # no company
            "8": ("elsewhere", 100, False),  # a company not in the table
        }
    )
    result = company_scores(_config(), COMPANIES, scores, links, NOW).frame
    assert tuple(result.columns) == COMPANY_FRAME_COLUMNS
    assert result.index.tolist() == ["c1", "c2", "c3", "c4"]
    # c1: 80 + 70 = 150, capped at 100 → engagement 100; engaged: 80, 70, 60.
    assert result.loc["c1", COL.ENGAGEMENT] == 100.0
    assert result.loc["c1", COL.ENGAGED_CONTACTS] == 3
    # c2: only the 30 counts → 30 % of the cap.
    assert result.loc["c2", COL.ENGAGEMENT] == 30.0
    assert result.loc["c2", COL.ENGAGED_CONTACTS] == 1
    assert result.loc["c3", COL.ENGAGEMENT] == 0.0 and result.loc["c3", COL.ENGAGED_CONTACTS] == 0


def test_fit_score_tiers_exclusions_and_reasons() -> None:
    scores, links = _contacts({"1": ("c1", 80, False), "2": ("c1", 70, False)})
    result = company_scores(_config(), COMPANIES, scores, links, NOW).frame
    # c1: fit 40/40 → 100, engagement 100 → score 100, hot.
    assert result.loc["c1", [COL.FIT, COL.SCORE, COL.TIER]].tolist() == [100.0, 100.0, "hot"]
    assert result.loc["c1", COL.REASONS] == (
        "+20 Software; +20 Big; 2 engaged contacts (engagement 100)"
    )
    # c2: nothing → cold, no reasons.
    assert result.loc["c2", [COL.SCORE, COL.TIER, COL.REASONS]].tolist() == [0.0, "cold", ""]
    # c3: software only → fit 50, score 25 → cold.
    assert result.loc["c3", [COL.FIT, COL.SCORE]].tolist() == [50.0, 25.0]
    # c4: a rival is disqualified whatever its fit.
    assert result.loc["c4", [COL.SCORE, COL.TIER, COL.EXCLUDED]].tolist() == [
        0.0,
        "disqualified",
        True,
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=0, max_size=12),
    st.integers(1, 5),
    st.floats(10, 400),
)
def test_rollup_is_bounded_and_monotone(engagements: list[float], top: int, cap: float) -> None:
    rows = {str(i): ("c1", e, False) for i, e in enumerate(engagements)}
    scores, links = _contacts(rows)
    cfg = _config(top_contacts=top, cap=cap)
    result = company_scores(cfg, COMPANIES, scores, links, NOW).frame
    got = float(result.loc["c1", COL.ENGAGEMENT])
    expected = min(sum(sorted(engagements, reverse=True)[:top]), cap) * 100 / cap
    assert 0.0 <= got <= 100.0
    assert got == pytest.approx(round(expected, 1), abs=0.051)
    # One more engaged contact never lowers the company's engagement.
    more = {**rows, "extra": ("c1", 100.0, False)}
    scores_more, links_more = _contacts(more)
    after = company_scores(cfg, COMPANIES, scores_more, links_more, NOW).frame
    assert after.loc["c1", COL.ENGAGEMENT] >= got


def test_the_default_config_scores_companies() -> None:
    cfg = load_config(DEFAULT_CONFIG_PATH)
    companies = pd.DataFrame(
        {
            "numberofemployees": ["250"],
            "industry": ["COMPUTER_SOFTWARE"],
            "country": ["Germany"],
            "annualrevenue": ["20000000"],
            "type": ["PROSPECT"],
            "domain": ["acme.io"],
        },
        index=["42"],
    )
    scores, links = _contacts({"1": ("42", 90, False), "2": ("42", 75, False)})
    result = company_scores(cfg, companies, scores, links, NOW)
    row = result.frame.loc["42"]
    assert row[COL.TIER] == "hot" and row[COL.ENGAGED_CONTACTS] == 2
    assert np.isclose(row[COL.ENGAGEMENT], 100 * 150 / 150)
    assert result.version and result.ledger.points.shape[0] == 1


def test_without_a_companies_section_it_is_an_error() -> None:
    cfg = config({"default": model([criterion("x", when={"property": "a", "exists": True})])})
    scores, links = _contacts({})
    with pytest.raises(ValueError, match="no companies section"):
        company_scores(cfg, COMPANIES, scores, links, NOW)
