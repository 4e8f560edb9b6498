"""Verdicts from property history beat the name rules of the post-outcome guard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from connector.errors import LeadscoreError
from connector.scoring.guards import ExclusionReason, screen_columns
from connector.scoring.model import train_model
from tests.scoring.model_fixtures import NOW, synthetic_leads


def _table(n: int = 400) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(3)
    y = (rng.random(n) < 0.3).astype(np.int8)
    table = pd.DataFrame(
        {
            # Named like a post-outcome field, but history says it is filled at sign-up.
            "deal_source": rng.choice(["ads", "events", "partner"], n),
            # An innocent name that history shows is written after the conversion.
            "segment_note": rng.choice(["a", "b", "c"], n),
            "industry": rng.choice(["software", "retail"], n),
            "hs_lead_status": rng.choice(["NEW", "OPEN"], n),
        }
    )
    return table, y


def _reasons(screening) -> dict[str, tuple[ExclusionReason, str]]:
    return {e.column: (e.reason, e.detail) for e in screening.excluded}


def test_a_post_outcome_verdict_excludes_with_the_history_evidence() -> None:
    table, y = _table()
    evidence = "set after the conversion for 97% of converted contacts (history)"
    screening = screen_columns(table, y, timed={"segment_note": evidence})
    assert _reasons(screening)["segment_note"] == (ExclusionReason.POST_OUTCOME, evidence)
    assert "segment_note" not in screening.kept


def test_a_known_before_verdict_lifts_the_name_rule_only() -> None:
    table, y = _table()
    without = screen_columns(table, y)
    assert _reasons(without)["deal_source"][0] is ExclusionReason.POST_OUTCOME
    screening = screen_columns(table, y, timed={"deal_source": None})
    assert "deal_source" in screening.kept
    # Columns without a verdict still meet the name rule.
    assert _reasons(screening)["hs_lead_status"][0] is ExclusionReason.POST_OUTCOME


def test_a_known_before_verdict_still_meets_the_identifier_and_leak_guards() -> None:
    table, y = _table()
    table["deal_ref"] = [f"D-{i:05d}" for i in range(len(table))]
    table["deal_copy"] = np.where(y == 1, "won", "other")
    screening = screen_columns(table, y, timed={"deal_ref": None, "deal_copy": None})
    reasons = _reasons(screening)
    assert reasons["deal_ref"][0] is ExclusionReason.IDENTIFIER
    assert reasons["deal_copy"][0] is ExclusionReason.SUSPECTED_LEAK


def test_verdicts_for_columns_the_table_lacks_are_ignored() -> None:
    table, y = _table()
    screening = screen_columns(table, y, timed={"not_in_table": "after", "industry": None})
    assert "industry" in screening.kept
    assert "not_in_table" not in {e.column for e in screening.excluded}


def test_a_post_outcome_verdict_needs_its_evidence() -> None:
    table, y = _table()
    with pytest.raises(LeadscoreError, match=r"without evidence for column\(s\): industry"):
        screen_columns(table, y, timed={"industry": "  "})


def test_train_model_passes_the_verdicts_to_the_guards() -> None:
    table, outcome = synthetic_leads(n=600)
    model = train_model(
        table, outcome, now=NOW, timed={"industry": "entered after the deal (history)"}
    )
    excluded = {e.column: e for e in model.metadata.excluded}
    assert excluded["industry"].reason is ExclusionReason.POST_OUTCOME
    assert excluded["industry"].detail == "entered after the deal (history)"
    assert "industry" not in model.plan.source_columns
