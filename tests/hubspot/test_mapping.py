"""Engagement objects → activity rows, and records → LeadFrame."""

from __future__ import annotations

import pandas as pd

from connector.crm import CrmRecord
from connector.crm.frames import lead_frame
from connector.hubspot.mapping import activities_frame
from connector.hubspot.records import ActivityLinks, EngagementRecord


def contacts() -> list[CrmRecord]:
    return [
        CrmRecord("1", {"email": "a@x.com", "jobtitle": "CTO", "lastmodifieddate": "1"}),
        CrmRecord("2", {"email": "b@x.com", "jobtitle": None}),
        CrmRecord("3", {"email": "c@x.com"}),
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
    frame = lead_frame(contacts(), ["email", "jobtitle"], activities_frame(ENGAGEMENTS, LINKS))
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
