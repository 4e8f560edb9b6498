"""Scores rendered as CRM property values."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from connector.crm import format_number, score_updates
from connector.scoring.properties import property_names


@pytest.mark.parametrize(("value", "text"), [(73.46, "73.5"), (100.0, "100"), (0, "0"),
                                             (None, ""), (float("nan"), "")])
def test_format_number(value: object, text: str) -> None:
    assert format_number(value) == text


def test_score_updates_render_strings_for_model_properties() -> None:
    scores = pd.DataFrame(
        {"score": [81.04, None], "fit": [60, 10], "engagement": [90, 0], "likelihood": [33.3, 1],
         "tier": ["hot", None], "reasons": ["+30 Requested a demo; -15 Student email", None],
         "segment": [None, "smb"], "lifecyclestage": ["marketingqualifiedlead", None]},
        index=pd.Index(["1", "2"]),
    )
    names = property_names("emea")
    updates = score_updates(scores, names, scored_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
                            version="cfg1:m2")
    first, second = updates
    assert first.id == "1"
    assert first.properties["leadscore_emea_score"] == "81"
    assert first.properties["leadscore_emea_likelihood"] == "33.3"
    assert first.properties["leadscore_emea_tier"] == "hot"
    assert first.properties["leadscore_emea_segment"] == ""
    assert first.properties["leadscore_emea_scored_at"] == "2026-11-22T09:30:00.000Z"
    assert first.properties["leadscore_emea_version"] == "cfg1:m2"
    assert first.properties["lifecyclestage"] == "marketingqualifiedlead"
    assert second.properties["leadscore_emea_score"] == ""
    assert "lifecyclestage" not in second.properties


def test_naive_scored_at_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        score_updates(pd.DataFrame({"score": [1]}, index=["1"]), property_names("default"),
                      scored_at=datetime(2026, 1, 1), version="v")
