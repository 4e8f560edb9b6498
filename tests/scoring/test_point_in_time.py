"""Point-in-time rows: leads as they were at their cutoffs, and post-outcome found by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from connector.scoring.histories import ContactHistory, HistoryError, ValueChange
from connector.scoring.leads import LeadFrame
from connector.scoring.point_in_time import (
    conversions_with_a_past,
    open_rows,
    point_in_time_rows,
    snapshot_rows,
)
from connector.scoring.time_leaks import timed_exclusions, timed_verdicts

AS_OF = datetime(2026, 4, 1, tzinfo=UTC)


def _ms(text: str) -> int:
    return int(pd.Timestamp(text, tz="UTC").value // 1_000_000)


def _leads() -> tuple[LeadFrame, pd.Series, dict[str, ContactHistory]]:
    contacts = pd.DataFrame(
        {
            "createdate": ["2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z",
                           "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"],
            "jobtitle": ["CEO", "VP Sales", "Intern", "CTO"],
            "hs_buying_role": ["DECISION_MAKER", None, None, "BUDGET_HOLDER"],
            "lastmodifieddate": ["2026-03-30T00:00:00Z"] * 4,
        },
        index=["1", "2", "3", "4"],
    )
    activities = pd.DataFrame({
        "contact_id": ["1", "1", "2", "4"],
        "kind": ["meeting", "meeting", "call", "meeting"],
        "timestamp": pd.to_datetime(["2026-01-05", "2026-03-01", "2026-02-01", "2026-03-25"],
                                    utc=True),
        "outcome": [None] * 4,
        "direction": [None] * 4,
    })
    converted_at = pd.Series(
        pd.to_datetime(pd.Series(["2026-02-01", None, None, "2026-03-20"]), utc=True).to_numpy(),
        index=contacts.index,
    )
    histories = {
        "1": ContactHistory.from_versions({
            "jobtitle": [ValueChange(_ms("2026-03-10"), "CEO", "CRM_UI"),
                         ValueChange(_ms("2026-01-01"), "Founder", "FORM")],
            "hs_buying_role": [ValueChange(_ms("2026-02-02"), "DECISION_MAKER", "CRM_UI")],
        }),
        "2": ContactHistory.from_versions({
            "jobtitle": [ValueChange(_ms("2026-01-10"), "VP Sales", "FORM")],
            "hs_buying_role": [],
        }),
        "3": ContactHistory.from_versions({
            "jobtitle": [ValueChange(_ms("2026-02-01"), "Intern", "FORM")],
            "hs_buying_role": [],
        }),
        "4": ContactHistory.from_versions({
            "jobtitle": [ValueChange(_ms("2026-03-01"), "CTO", "FORM")],
            "hs_buying_role": [ValueChange(_ms("2026-03-21"), "BUDGET_HOLDER", "CRM_UI")],
        }),
    }
    return LeadFrame(contacts, activities), converted_at, histories


def test_converted_leads_are_looked_at_just_before_they_converted() -> None:
    leads, converted_at, histories = _leads()
    rows = point_in_time_rows(leads, converted_at, histories, AS_OF)
    assert rows.target.to_dict() == {"1": True, "2": False, "3": False, "4": True}
    assert rows.cutoffs["1"] == pd.Timestamp("2026-02-01", tz="UTC") - pd.Timedelta("1ms")
    contacts = rows.leads.contacts
    # Before converting, lead 1 was a "Founder" with no buying role (sales set it after).
    assert contacts.loc["1", "jobtitle"] == "Founder"
    assert contacts.loc["1", "hs_buying_role"] is None
    assert contacts.loc["4", "hs_buying_role"] is None
    # Only activities before each lead's cutoff remain: lead 1's March meeting and lead 4's
    # meeting after its conversion are gone.
    kept = rows.leads.activities
    assert sorted(kept["contact_id"].tolist()) == ["1", "2"]


def test_a_column_whose_past_is_unknown_is_left_out_and_named() -> None:
    leads, converted_at, histories = _leads()
    rows = point_in_time_rows(leads, converted_at, histories, AS_OF)
    assert rows.unknown_past == ("lastmodifieddate",)
    assert "lastmodifieddate" not in rows.leads.contacts.columns
    assert "createdate" in rows.leads.contacts.columns


def test_other_leads_get_cutoffs_at_the_ages_converted_leads_had() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    created = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 300, n), unit="D")
    converted = rng.random(n) < 0.3
    lag = pd.to_timedelta(rng.integers(5, 60, n), unit="D")
    index = pd.Index([str(i) for i in range(n)])
    at = pd.Series(created + lag, index=index).where(converted)
    contacts = pd.DataFrame({"createdate": created.strftime("%Y-%m-%dT%H:%M:%SZ")}, index=index)
    rows = point_in_time_rows(LeadFrame.from_table(contacts), at, {},
                              datetime(2026, 1, 1, tzinfo=UTC), matched_ages=True)
    born = pd.to_datetime(contacts["createdate"], utc=True).loc[rows.cutoffs.index]
    age_days = (rows.cutoffs - born).dt.total_seconds() / 86400
    positive = rows.target.to_numpy()
    # Same age distribution in both classes (medians within two days), not "older = won".
    assert abs(np.median(age_days[positive]) - np.median(age_days[~positive])) < 2.0
    assert (rows.cutoffs <= pd.Timestamp("2026-01-01", tz="UTC")).all()


def test_leads_without_a_read_history_and_untimed_conversions_are_counted_out() -> None:
    leads, converted_at, histories = _leads()
    del histories["3"]
    converted = pd.Series([True, True, False, True], index=leads.contacts.index)
    rows = point_in_time_rows(leads, converted_at, histories, AS_OF, converted=converted)
    assert rows.without_history == 1
    assert rows.unknown_conversion_time == 1  # lead 2: converted, but when is not known
    assert list(rows.target.index) == ["1", "4"]


def test_a_snapshot_labels_by_what_had_happened_then_and_shows_later_edits() -> None:
    leads, converted_at, histories = _leads()
    rows = snapshot_rows(leads, converted_at, histories, datetime(2026, 3, 15, tzinfo=UTC))
    assert rows.target.to_dict() == {"1": True, "2": False, "3": False, "4": False}
    # The naive row of lead 1 carries the buying role sales set after its conversion.
    assert rows.leads.contacts.loc["1", "hs_buying_role"] == "DECISION_MAKER"


def test_open_rows_are_the_leads_still_open_with_their_next_conversions() -> None:
    leads, converted_at, histories = _leads()
    rows = open_rows(leads, converted_at, histories, datetime(2026, 2, 15, tzinfo=UTC),
                     datetime(2026, 4, 1, tzinfo=UTC))
    assert rows.target.to_dict() == {"2": False, "3": False}
    rows = open_rows(leads, converted_at, histories, datetime(2026, 1, 20, tzinfo=UTC),
                     datetime(2026, 3, 1, tzinfo=UTC))
    assert rows.target.to_dict() == {"1": True, "2": False}


def _converted_with_role(n: int, after: int) -> tuple[dict[str, ContactHistory], pd.Series]:
    histories, times = {}, {}
    for i in range(n):
        conversion = _ms("2026-02-01") + i * 60_000
        set_at = conversion + 3_600_000 if i < after else conversion - 86_400_000
        histories[str(i)] = ContactHistory.from_versions({
            "hs_buying_role": [ValueChange(set_at, "DECISION_MAKER", "CRM_UI")],
            "jobtitle": [ValueChange(conversion - 30 * 86_400_000, "CEO", "FORM")],
        })
        times[str(i)] = pd.Timestamp(conversion, unit="ms", tz="UTC")
    return histories, pd.Series(times)


def test_a_property_set_after_the_conversion_for_most_converted_leads_is_post_outcome() -> None:
    histories, converted_at = _converted_with_role(40, after=32)
    verdicts = {v.column: v for v in timed_verdicts(histories, converted_at)}
    role = verdicts["hs_buying_role"]
    assert (role.converted_with_value, role.set_after, role.post_outcome) == (40, 32, True)
    judged = timed_exclusions(list(verdicts.values()))
    assert judged["hs_buying_role"] == role.evidence()
    assert "32 of 40" in role.evidence()
    # Known well before the conversion: judged clean by time.
    assert judged["jobtitle"] is None


def test_thin_or_minority_evidence_is_not_post_outcome() -> None:
    histories, converted_at = _converted_with_role(40, after=15)
    assert timed_exclusions(timed_verdicts(histories, converted_at))["hs_buying_role"] is None
    histories, converted_at = _converted_with_role(10, after=10)
    assert "hs_buying_role" not in timed_exclusions(timed_verdicts(histories, converted_at))


def test_history_documents_round_trip_and_bad_ones_are_named() -> None:
    _, _, histories = _leads()
    text = histories["1"].to_json()
    assert ContactHistory.from_json(text) == histories["1"]
    with pytest.raises(HistoryError, match="version"):
        ContactHistory.from_json('{"v": 9, "p": {}}')
    with pytest.raises(HistoryError, match="jobtitle"):
        ContactHistory.from_json('{"v": 1, "p": {"jobtitle": [[1, 2, 3]]}}')


def test_with_a_lead_time_converted_leads_are_looked_at_within_it_before_converting() -> None:
    leads, converted_at, histories = _leads()
    rows = point_in_time_rows(leads, converted_at, histories, AS_OF,
                              lead_time=timedelta(days=20), seed=4)
    for cid in ("1", "4"):
        ahead = converted_at[cid] - rows.cutoffs[cid]
        assert pd.Timedelta(0) < ahead <= pd.Timedelta(days=20)
        born = pd.Timestamp(str(leads.contacts.loc[cid, "createdate"]))
        assert rows.cutoffs[cid] >= born


def test_a_lead_converted_before_it_was_created_has_no_past_and_is_left_out() -> None:
    leads, converted_at, histories = _leads()
    # Lead 3 joined an account whose deal had been created a week before it existed.
    converted_at["3"] = pd.Timestamp("2026-01-25", tz="UTC")
    rows = point_in_time_rows(leads, converted_at, histories, AS_OF)
    assert "3" not in rows.target.index and rows.converted_on_creation == 1
    with_past = conversions_with_a_past(leads, converted_at)
    assert pd.isna(with_past["3"]) and with_past["1"] == converted_at["1"]


def test_by_default_other_leads_are_looked_at_any_time_in_their_life() -> None:
    leads, converted_at, histories = _leads()
    rows = point_in_time_rows(leads, converted_at, histories, AS_OF, seed=9)
    born = pd.to_datetime(leads.contacts["createdate"], utc=True)
    for cid in ("2", "3"):
        assert born[cid] <= rows.cutoffs[cid] <= pd.Timestamp(AS_OF)
    many = [point_in_time_rows(leads, converted_at, histories, AS_OF, seed=s).cutoffs["2"]
            for s in range(20)]
    assert len(set(many)) > 10  # drawn, not one fixed age
