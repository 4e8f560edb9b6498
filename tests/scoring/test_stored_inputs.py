"""The typed stored inputs: JSON round trip, legacy documents, clear errors, and the frame
they are written from and rebuilt into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.scoring.leads import LeadFrame
from connector.scoring.stored_inputs import (
    STORED_INPUTS_VERSION,
    StoredActivity,
    StoredInputs,
    StoredInputsError,
    lead_frame_from_states,
    stored_inputs,
)

LEGACY: dict[str, Any] = {
    "properties": {"jobtitle": "CTO", "company.industry": "SOFTWARE", "account.open_deals": None},
    "activities": [
        {"kind": "call", "timestamp": "2026-11-20T09:30:00+00:00", "outcome": "completed",
         "direction": "OUTBOUND"},
        {"kind": "email", "timestamp": "2026-11-21T10:00:00.123000+00:00", "outcome": None,
         "direction": "INCOMING_EMAIL"},
    ],
}


@dataclass(frozen=True)
class Stored:
    contact_id: int
    inputs: StoredInputs


def test_a_legacy_document_reads_as_version_1() -> None:
    inputs = StoredInputs.from_json(LEGACY)
    assert inputs.version == 1 == STORED_INPUTS_VERSION
    assert inputs.properties == LEGACY["properties"]
    assert inputs.activities == (
        StoredActivity("call", "2026-11-20T09:30:00+00:00", "completed", "OUTBOUND"),
        StoredActivity("email", "2026-11-21T10:00:00.123000+00:00", None, "INCOMING_EMAIL"),
    )
    assert inputs.to_json() == {"version": 1, **LEGACY}
    assert StoredInputs.from_json_batch([LEGACY, {"properties": {}}]) == [
        inputs, StoredInputs({}),
    ]


text = st.text(max_size=8)
maybe_text = st.none() | text
stamps = st.datetimes(timezones=st.just(UTC)).map(lambda t: t.isoformat())
activities = st.builds(StoredActivity, text, stamps, maybe_text, maybe_text)
records = st.builds(
    StoredInputs,
    st.dictionaries(text, maybe_text, max_size=6),
    st.lists(activities, max_size=4).map(tuple),
)


@given(st.lists(records, max_size=5))
def test_json_round_trip(many: list[StoredInputs]) -> None:
    documents = [r.to_json() for r in many]
    assert [StoredInputs.from_json(d) for d in documents] == many
    assert StoredInputs.from_json_batch(documents) == many


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (["not", "an", "object"], "must be an object, not list"),
        ({"version": 2, "properties": {}}, "version 2, newer than this code reads"),
        ({"version": "1", "properties": {}}, "'version' must be 1, not '1'"),
        ({"version": True, "properties": {}}, "'version' must be 1, not True"),
        ({"properties": {}, "extra": 1}, r"unknown field\(s\) \['extra'\]"),
        ({"activities": []}, "'properties' must be an object, not NoneType"),
        ({"properties": {"jobtitle": 3}}, "property 'jobtitle' must be text or null, not 3"),
        ({"properties": {}, "activities": {}}, "'activities' must be a list, not dict"),
        ({"properties": {}, "activities": [{"kind": "call"}]}, "activity 0 must be an object"),
        ({"properties": {}, "activities": [{**LEGACY["activities"][0], "kind": None}]},
         "activity 0 needs text 'kind'"),
        ({"properties": {}, "activities": [LEGACY["activities"][0],
                                           {**LEGACY["activities"][0], "timestamp": "soon"}]},
         "activity 1 has timestamp 'soon', not ISO 8601"),
    ],
)
def test_malformed_documents_are_clear_errors(document: Any, message: str) -> None:
    with pytest.raises(StoredInputsError, match=message):
        StoredInputs.from_json(document)
    with pytest.raises(StoredInputsError, match=message):
        StoredInputs.from_json_batch([LEGACY, document])


def _frame() -> LeadFrame:
    index = pd.Index(["7", "8", "9"], dtype="object", name="id")
    contacts = pd.DataFrame(
        {
            "jobtitle": pd.Series(["CTO", None, np.nan], index=index, dtype="object"),
            "company.numberofemployees": pd.Series([250, None, "12"], index=index,
                                                   dtype="object"),
            "account.has_open_deal": pd.Series(["true", "false", None], index=index,
                                               dtype="object"),
        },
        index=index,
    )
    stamps = pd.to_datetime(
        pd.Series(["2026-11-20T09:30:00Z", "2026-11-21T10:00:00.123456789Z", None,
                   "2026-11-22T08:00:00Z"], dtype="object"),
        utc=True, format="ISO8601",
    )
    activities = pd.DataFrame(
        {
            "contact_id": pd.Series(["7", "9", "9", "7"], dtype="object"),
            "kind": pd.Series(["call", "email", "note", "meeting"], dtype="object"),
            "timestamp": pd.Series(stamps),
            "outcome": pd.Series(["completed", None, None, np.nan], dtype="object"),
            "direction": pd.Series(["OUTBOUND", "INCOMING_EMAIL", None, None], dtype="object"),
        }
    )
    return LeadFrame(contacts=contacts, activities=activities)


def test_frame_to_records_and_back() -> None:
    frame = _frame()
    columns = ["jobtitle", "company.numberofemployees", "account.has_open_deal"]
    records = stored_inputs(frame, columns)
    assert records["7"] == StoredInputs(
        {"jobtitle": "CTO", "company.numberofemployees": "250", "account.has_open_deal": "true"},
        (
            StoredActivity("call", "2026-11-20T09:30:00.000000000+00:00", "completed",
                           "OUTBOUND"),
            StoredActivity("meeting", "2026-11-22T08:00:00.000000000+00:00", None, None),
        ),
    )
    # The activity without a timestamp is left out; nanoseconds survive.
    assert [a.kind for a in records["9"].activities] == ["email"]
    assert records["8"].properties["jobtitle"] is None and records["8"].activities == ()
    assert StoredInputs.from_json_batch([r.to_json() for r in records.values()]) == list(
        records.values()
    )

    rebuilt = lead_frame_from_states([Stored(int(k), v) for k, v in records.items()])
    assert list(rebuilt.contacts.columns) == sorted(columns)
    assert rebuilt.contacts.loc["9", "company.numberofemployees"] == "12"
    assert rebuilt.contacts.loc["9", "jobtitle"] is None
    expected = frame.activities[frame.activities["timestamp"].notna()]
    assert sorted(rebuilt.activities["timestamp"]) == sorted(expected["timestamp"])
    assert list(rebuilt.activities["contact_id"]) == ["7", "7", "9"]
    assert list(rebuilt.activities["outcome"]) == ["completed", None, None]


def test_whole_second_stamps_are_written_without_fractions() -> None:
    frame = _frame()
    whole = frame.activities[frame.activities["kind"] != "email"]
    records = stored_inputs(LeadFrame(frame.contacts, whole), ["jobtitle"])
    assert records["7"].activities[0].timestamp == "2026-11-20T09:30:00+00:00"


def test_states_with_different_columns_fill_the_gaps_with_none() -> None:
    states = [
        Stored(1, StoredInputs({"jobtitle": "CTO"})),
        Stored(2, StoredInputs({"company.industry": "SOFTWARE"})),
    ]
    frame = lead_frame_from_states(states)
    assert frame.contacts.to_dict("index") == {
        "1": {"company.industry": None, "jobtitle": "CTO"},
        "2": {"company.industry": "SOFTWARE", "jobtitle": None},
    }
    assert frame.activities.empty and list(frame.activities.columns) == [
        "contact_id", "kind", "timestamp", "outcome", "direction",
    ]
