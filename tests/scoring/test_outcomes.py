"""Conversion by the configured outcome: deal created, deal stage, deal won, lifecycle stage."""

from __future__ import annotations

import pandas as pd
import pytest

from connector.scoring.config import Outcome
from connector.scoring.outcomes import conversions, outcome_inputs
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER

CONTACTS = pd.DataFrame(
    {
        "lifecyclestage": ["lead", "opportunity", "customer", None, "other"],
        "hs_lifecyclestage_opportunity_date": [
            None, "2026-01-05T00:00:00Z", "2026-02-01", None, None
        ],
        "hs_lifecyclestage_customer_date": [None, None, "1767225600000", None, None],
    },
    index=["1", "2", "3", "4", "5"],
)
DEALS = pd.DataFrame(
    {
        "deal_id": ["d1", "d2", "d3"],
        "contact_ids": [["1"], [], ["9", "5"]],
        "company_id": [None, "acme", "beta"],
        "stage": ["appointmentscheduled", "closedwon", "contractsent"],
        "pipeline": ["default", "default", "partners"],
        "createdate": ["2026-03-01T00:00:00Z", "1767225600000", "2026-04-01"],
        "is_closed_won": ["false", "true", False],
        "closedate": [None, "2026-05-01T00:00:00Z", None],
        "entered_at.contractsent": [None, "2026-04-20T00:00:00Z", "2026-04-02"],
    }
)
COMPANY = pd.Series({"2": "acme", "3": "acme", "4": None, "5": "beta"}, dtype=object)
UTC = "UTC"


def _run(outcome: Outcome) -> pd.DataFrame:
    return conversions(outcome, CONTACTS, DEALS, COMPANY)


def _at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def test_deal_created_counts_own_and_company_deals_at_the_first_creation() -> None:
    result = _run(Outcome())
    assert result["converted"].tolist() == [True, True, True, False, True]
    assert result.loc["1", "converted_at"] == _at("2026-03-01")
    assert result.loc["2", "converted_at"] == _at("2026-01-01")  # the company's deal, epoch ms
    # Contact 5 is on d3 directly and through its company: counted once.
    assert result.loc["5", "converted_at"] == _at("2026-04-01")
    assert pd.isna(result.loc["4", "converted_at"])


def test_deal_won_uses_closed_won_deals_and_their_close_date() -> None:
    result = _run(Outcome(kind="deal_won"))
    assert result["converted"].tolist() == [False, True, True, False, False]
    assert result.loc["3", "converted_at"] == _at("2026-05-01")


def test_deal_stage_counts_current_and_entered_stages() -> None:
    result = _run(Outcome(kind="deal_stage", stage=["contractsent", "closedwon"]))
    assert result["converted"].tolist() == [False, True, True, False, True]
    assert result.loc["2", "converted_at"] == _at("2026-04-20")
    assert result.loc["5", "converted_at"] == _at("2026-04-02")


def test_pipeline_limits_the_deals() -> None:
    result = _run(Outcome(kind="deal_created", pipeline="partners"))
    assert result["converted"].tolist() == [False, False, False, False, True]


def test_lifecycle_stage_keeps_the_old_outcome_and_adds_the_time() -> None:
    result = conversions(Outcome(kind="lifecycle_stage", stage="opportunity"), CONTACTS)
    assert result["converted"].tolist() == [False, True, True, False, False]
    assert result.loc["2", "converted_at"] == _at("2026-01-05")
    # Earliest of the stage and later ones: the customer date (2026-01-01) is earlier.
    assert result.loc["3", "converted_at"] == _at("2026-01-01")
    assert result["converted_at"].isna().tolist() == [True, False, False, True, True]


def test_without_deals_nobody_converted_by_a_deal_kind() -> None:
    result = conversions(Outcome(), CONTACTS)
    assert not result["converted"].any() and result["converted_at"].isna().all()


@pytest.mark.parametrize(
    ("outcome", "properties", "deals"),
    [
        (Outcome(), (), True),
        (
            Outcome(kind="lifecycle_stage", stage="customer"),
            ("lifecyclestage", "hs_lifecyclestage_customer_date",
             "hs_lifecyclestage_evangelist_date"),
            False,
        ),
    ],
)
def test_outcome_inputs(outcome: Outcome, properties: tuple[str, ...], deals: bool) -> None:
    needed = outcome_inputs(outcome, DEFAULT_LIFECYCLE_ORDER)
    assert needed.contact_properties == properties and needed.needs_deals is deals
