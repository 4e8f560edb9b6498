"""Identifiers by name and by value, repeated `_id` categories, and keeping flagged columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from connector.errors import LeadscoreError
from connector.scoring.guards import ExclusionReason, KeptColumn, screen_columns
from connector.scoring.identifiers import identifier_rule, is_repeated_category
from connector.scoring.model import metadata_from_bytes, train_model
from tests.scoring.leads_fixtures import leads_dataset
from tests.scoring.model_fixtures import NOW, synthetic_leads

ROWS = 6000


def _categories(prefix: str, distinct: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series([f"{prefix}{v}" for v in rng.integers(0, distinct, ROWS)])


def test_a_repeated_id_category_is_a_feature() -> None:
    # Hundreds of campaigns, each on about 20 leads: a segment, not a lead's identity.
    campaigns = _categories("", 300, seed=1)
    assert is_repeated_category(campaigns)
    assert identifier_rule("campaign_id", campaigns) is None
    assert identifier_rule("Country ID", _categories("C", 120, seed=2)) is None


def test_a_repeated_id_category_is_kept_by_the_guards() -> None:
    rng = np.random.default_rng(3)
    table = pd.DataFrame(
        {
            "campaign_id": _categories("", 300, seed=1),
            "hs_object_id": [str(500_000 + i) for i in range(ROWS)],
            "industry": rng.choice(["software", "retail"], ROWS),
        }
    )
    y = (rng.random(ROWS) < 0.3).astype(np.int8)
    screening = screen_columns(table, y)
    assert "campaign_id" in screening.kept
    excluded = {e.column: e.reason for e in screening.excluded}
    assert excluded == {"hs_object_id": ExclusionReason.IDENTIFIER}


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("lead_id", [f"L{i}" for i in range(ROWS)]),
        ("Record ID", [str(i) for i in range(ROWS)]),
        ("uuid", [f"{i:032x}" for i in range(ROWS)]),
    ],
)
def test_nearly_unique_keys_are_identifiers(column: str, values: list[str]) -> None:
    assert identifier_rule(column, pd.Series(values)) is not None


def test_a_key_name_whose_values_neither_repeat_nor_are_unique_stays_an_identifier() -> None:
    # One value per two rows: too many distinct values for a category.
    values = pd.Series([f"S{i // 2}" for i in range(ROWS)])
    rule = identifier_rule("session_id", values)
    assert rule is not None and "do not repeat" in rule
    assert identifier_rule("session_id", values.head(10)) is not None


def test_unique_values_are_identifiers_whatever_the_name() -> None:
    rule = identifier_rule("reference", pd.Series([f"R-{i:05d}" for i in range(ROWS)]))
    assert rule == "nearly unique values (100% distinct)"
    leads, _ = leads_dataset(n=500)
    assert identifier_rule("Prospect ID", leads["Prospect ID"]) is not None
    assert identifier_rule("Lead Number", leads["Lead Number"]) is not None


def test_personal_data_is_excluded_by_name_even_when_repeated() -> None:
    names = _categories("Name", 40, seed=4)
    assert is_repeated_category(names)
    assert identifier_rule("First Name", names) is not None
    assert identifier_rule("firstname", names) is not None
    # An engagement flag whose name ends in "address" is no address.
    flags = pd.Series(["true", "false"] * (ROWS // 2))
    assert identifier_rule("hs_email_bad_address", flags) is None


@pytest.mark.parametrize("column", ["company.domain", "company", "Company Name", "domain"])
def test_an_accounts_name_or_domain_is_an_identifier_though_colleagues_share_it(
    column: str,
) -> None:
    domains = _categories("acme", 40, seed=5)  # colleagues share their account's domain
    assert is_repeated_category(domains)
    assert identifier_rule(column, domains) is not None
    # The account's traits stay features.
    assert identifier_rule("company.industry", _categories("industry", 12, seed=5)) is None


def _table_with_flagged_columns() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(6)
    y = (rng.random(800) < 0.3).astype(np.int8)
    table = pd.DataFrame(
        {
            "partner_ref": [f"P-{i:04d}" for i in range(800)],
            "deal_source": rng.choice(["ads", "events"], 800),
            "outcome_copy": np.where(y == 1, "A", "B"),
            "industry": rng.choice(["software", "retail"], 800),
        }
    )
    return table, y


def test_keep_keeps_an_identifier_and_records_the_override() -> None:
    table, y = _table_with_flagged_columns()
    assert "partner_ref" not in screen_columns(table, y).kept
    screening = screen_columns(table, y, keep=["partner_ref"])
    assert "partner_ref" in screening.kept
    assert screening.kept_on_request == [
        KeptColumn(
            "partner_ref", ExclusionReason.IDENTIFIER, "nearly unique values (100% distinct)"
        )
    ]


def test_keep_keeps_a_suspected_leak_and_a_post_outcome_name() -> None:
    table, y = _table_with_flagged_columns()
    screening = screen_columns(table, y, keep=["outcome_copy", "deal_source"])
    assert {"outcome_copy", "deal_source"} <= set(screening.kept)
    reasons = {(k.column, k.reason) for k in screening.kept_on_request}
    assert reasons == {
        ("outcome_copy", ExclusionReason.SUSPECTED_LEAK),
        ("deal_source", ExclusionReason.POST_OUTCOME),
    }
    leak = next(leak for leak in screening.leaks if leak.column == "outcome_copy")
    assert leak.kept and leak.purity == 1.0


def test_keep_cannot_override_history_evidence() -> None:
    table, y = _table_with_flagged_columns()
    with pytest.raises(LeadscoreError, match="cannot keep industry: its history shows"):
        screen_columns(table, y, keep=["industry"], timed={"industry": "set after the deal"})


def test_keep_of_an_unknown_column_is_a_clear_error() -> None:
    table, y = _table_with_flagged_columns()
    with pytest.raises(LeadscoreError, match=r"unknown column\(s\) to keep: nope"):
        screen_columns(table, y, keep=["nope"])


def test_a_kept_identifier_is_in_the_model_metadata() -> None:
    table, outcome = synthetic_leads(n=600)
    model = train_model(table, outcome, now=NOW, keep_leaks=["hs_object_id"])
    assert "hs_object_id" in model.plan.source_columns
    kept = {k.column: k.reason for k in model.metadata.kept_on_request}
    assert kept == {"hs_object_id": ExclusionReason.IDENTIFIER}
    again = metadata_from_bytes(model.to_bytes())
    assert [k.column for k in again.kept_on_request] == ["hs_object_id"]
