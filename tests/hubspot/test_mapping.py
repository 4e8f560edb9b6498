"""Records → LeadFrame, input hashes, scores → property values."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from hubspot.crm.contacts import SimplePublicObject

from connector.hubspot.mapping import (
    format_number,
    input_hashes,
    lead_frame,
    score_updates,
)
from connector.hubspot.records import ActivityLinks, ContactRecord, EngagementRecord
from connector.scoring.properties import property_names


def contacts() -> list[object]:
    return [
        ContactRecord("1", {"email": "a@x.com", "jobtitle": "CTO", "lastmodifieddate": "1"}),
        {"id": "2", "properties": {"email": "b@x.com", "jobtitle": None}},
        SimplePublicObject(id="3", properties={"email": "c@x.com"}),
    ]


ENGAGEMENTS = [
    EngagementRecord("90", "call", {"hs_timestamp": "2026-11-01T10:00:00Z",
                                    "hs_call_status": "COMPLETED",
                                    "hs_call_direction": "OUTBOUND"}),
    EngagementRecord("91", "email", {"hs_timestamp": "1761991200000",
                                     "hs_email_direction": "INCOMING_EMAIL"}),
    EngagementRecord("92", "note", {"hs_timestamp": None}),
]
LINKS = [
    ActivityLinks("call", {"1": ["90"], "2": ["90"]}),
    ActivityLinks("email", {"1": ["91"]}),
    ActivityLinks("note", {"3": ["92"]}),
]


def test_lead_frame_from_mixed_records() -> None:
    frame = lead_frame(contacts(), ["email", "jobtitle"], ENGAGEMENTS, LINKS)
    assert list(frame.contacts.index) == ["1", "2", "3"]
    assert frame.contacts.loc["3", "jobtitle"] is None
    acts = frame.activities
    assert list(acts.columns) == ["contact_id", "kind", "timestamp", "outcome", "direction"]
    assert str(acts["timestamp"].dtype) == "datetime64[ns, UTC]"
    # the call belongs to two contacts; the note without a timestamp is dropped
    assert sorted(zip(acts["contact_id"], acts["kind"], strict=True)) == [
        ("1", "call"), ("1", "email"), ("2", "call")]
    call = acts[(acts.contact_id == "1") & (acts.kind == "call")].iloc[0]
    assert call.outcome == "completed"
    assert call.direction == "OUTBOUND"
    email = acts[acts.kind == "email"].iloc[0]
    assert email.timestamp == pd.Timestamp("2025-11-01T10:00:00Z")


def test_empty_activities_keep_their_columns() -> None:
    frame = lead_frame(contacts(), ["email"])
    assert frame.activities.empty
    assert list(frame.activities.columns) == ["contact_id", "kind", "timestamp", "outcome",
                                              "direction"]


def test_input_hash_ignores_volatile_and_own_properties() -> None:
    base = lead_frame([ContactRecord("1", {"email": "a@x.com", "lastmodifieddate": "1",
                                           "leadscore_score": "10"})])
    echo = lead_frame([ContactRecord("1", {"email": "a@x.com", "lastmodifieddate": "2",
                                           "leadscore_score": "80"})])
    changed = lead_frame([ContactRecord("1", {"email": "b@x.com", "lastmodifieddate": "2",
                                              "leadscore_score": "80"})])
    assert input_hashes(base)["1"] == input_hashes(echo)["1"]
    assert input_hashes(base)["1"] != input_hashes(changed)["1"]


def test_input_hash_sees_activities_and_is_order_independent() -> None:
    plain = lead_frame(contacts(), ["email", "jobtitle"])
    with_acts = lead_frame(contacts(), ["email", "jobtitle"], ENGAGEMENTS, LINKS)
    reordered = lead_frame(list(reversed(contacts())), ["jobtitle", "email"], ENGAGEMENTS,
                           list(reversed(LINKS)))
    assert input_hashes(plain)["1"] != input_hashes(with_acts)["1"]
    assert input_hashes(plain)["3"] == input_hashes(with_acts)["3"]
    assert input_hashes(with_acts).sort_index().tolist() == \
        input_hashes(reordered).sort_index().tolist()


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
