"""Account-aware contact criteria: company./account. columns, contact fallbacks, what to read."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.scoring.columns import BatchColumns
from connector.scoring.conditions import PropertyCondition
from connector.scoring.config import DEFAULT_CONFIG_PATH
from connector.scoring.engine import Scorer
from connector.scoring.leads import LeadFrame
from connector.scoring.needs import properties_needed
from connector.scoring_files import load_config
from tests.scoring.rules_fixtures import NOW, config, criterion, days_ago, leads, model

SIZE = {
    "property": "company.numberofemployees",
    "fallback": "numemployees",
    "range": {"gte": 50, "lt": 500},
}


def _condition(**fields: object) -> PropertyCondition:
    return PropertyCondition.model_validate(fields)


def test_fallback_takes_the_contact_value_only_where_the_company_has_none() -> None:
    batch = leads(
        [
            {"company.numberofemployees": "120", "numemployees": "1-5"},  # company wins
            {"company.numberofemployees": "7", "numemployees": "100-500"},  # company wins
            {"company.numberofemployees": None, "numemployees": "100-500"},  # no company
            {"company.numberofemployees": "  ", "numemployees": "50-100"},  # blank value
            {"company.numberofemployees": None, "numemployees": None},
        ]
    )
    hits = _condition(**SIZE).evaluate(BatchColumns(batch, NOW))
    assert hits.tolist() == [True, False, True, True, False]


def test_fallback_works_with_text_operators_and_a_missing_company_column() -> None:
    batch = leads([{"industry": "COMPUTER_SOFTWARE"}, {"industry": "RETAIL"}])
    condition = _condition(
        property="company.industry", fallback="industry", **{"in": ["computer_software"]}
    )
    assert condition.evaluate(BatchColumns(batch, NOW)).tolist() == [True, False]


def test_head_count_bands_read_as_their_lower_bound() -> None:
    batch = leads([{"n": "25-50"}, {"n": "1000+"}, {"n": " 5 - 25 "}, {"n": "-3"}, {"n": "x-y"}])
    numbers = BatchColumns(batch, NOW).number("n")
    np.testing.assert_array_equal(numbers, [25, 1000, 5, -3, np.nan])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.just(""), st.integers(0, 5000).map(str)),
            st.one_of(st.none(), st.integers(0, 5000).map(str)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_fallback_column_wise_equals_the_row_by_row_rule(rows: list[tuple]) -> None:
    batch = leads([{"company.numberofemployees": c, "numemployees": f} for c, f in rows])
    hits = _condition(**SIZE).evaluate(BatchColumns(batch, NOW))

    def expected(company: str | None, fallback: str | None) -> bool:
        value = company if company not in (None, "") else fallback
        return value is not None and 50 <= float(value) < 500

    assert hits.tolist() == [expected(c, f) for c, f in rows]


def test_account_signals_score_like_any_column() -> None:
    cfg = config(
        {
            "default": model(
                [
                    criterion(
                        "colleagues",
                        "engagement",
                        10,
                        when={"property": "account.engaged_contacts", "range": {"gte": 2}},
                    ),
                    criterion(
                        "open_deal",
                        "engagement",
                        10,
                        when={"property": "account.has_open_deal", "equals": True},
                    ),
                    criterion(
                        "recent",
                        "engagement",
                        10,
                        when={"property": "account.last_activity_at", "days_since": {"lte": 30}},
                    ),
                ]
            )
        }
    )
    batch = leads(
        [
            {
                "account.engaged_contacts": "3",
                "account.has_open_deal": "true",
                "account.last_activity_at": days_ago(5),
            },
            {
                "account.engaged_contacts": "1",
                "account.has_open_deal": "false",
                "account.last_activity_at": str(int((NOW.timestamp() - 40 * 86400) * 1000)),
            },
            {},  # a lead without a company: every account column empty
        ]
    )
    fired = Scorer(cfg).score(batch, NOW)["default"].ledger.fired_frame()
    assert fired.loc["1"].tolist() == [True, True, True]
    assert fired.loc["2"].tolist() == [False, False, False]
    assert fired.loc["3"].tolist() == [False, False, False]


def test_properties_needed_splits_contact_company_and_account() -> None:
    cfg = config(
        {
            "default": model(
                [
                    criterion("size", when=SIZE),
                    criterion(
                        "deal",
                        "engagement",
                        5,
                        date="account.last_activity_at",
                        when={"property": "account.open_deals", "range": {"gte": 1}},
                    ),
                    criterion("title", when={"property": "jobtitle", "exists": True}),
                ]
            )
        }
    )
    needed = properties_needed(cfg)
    assert needed.contact == ("jobtitle", "numemployees")
    assert needed.company == ("numberofemployees",)
    assert needed.account == ("account.last_activity_at", "account.open_deals")
    assert "company.numberofemployees" in cfg.properties_used()  # the LeadFrame column


def test_the_default_config_reads_company_properties_with_contact_fallbacks() -> None:
    needed = properties_needed(load_config(DEFAULT_CONFIG_PATH))
    assert {"numberofemployees", "industry", "annualrevenue", "country", "type", "domain"} <= set(
        needed.company
    )
    assert {"numemployees", "industry", "country", "annualrevenue"} <= set(needed.contact)
    assert not any(name.startswith(("company.", "account.")) for name in needed.contact)
    assert {"account.engaged_contacts", "account.has_open_deal"} <= set(needed.account)
    assert needed.deals  # the default outcome is deal_created


def test_default_config_scores_company_size_from_either_source() -> None:
    cfg = load_config(DEFAULT_CONFIG_PATH)
    table = pd.DataFrame(
        {"company.numberofemployees": ["200", None], "numemployees": [None, "100-500"]},
        index=["with_company", "without"],
        dtype=object,
    )
    fired = Scorer(cfg).score(LeadFrame.from_table(table), NOW)["default"].ledger.fired_frame()
    assert fired["company_mid"].tolist() == [True, True]
    assert fired["company_large"].tolist() == [False, False]


def _conditions(condition: object) -> list[PropertyCondition]:
    """Every property condition inside a (nested) condition."""
    if isinstance(condition, PropertyCondition):
        return [condition]
    parts = getattr(condition, "all", None) or getattr(condition, "any", None) or []
    inner = getattr(condition, "not_", None)
    return [c for part in [*parts, *([inner] if inner else [])] for c in _conditions(part)]


def test_the_default_config_uses_hubspots_real_option_values() -> None:
    """Enumeration values and size bands match HubSpot's (the sandbox's property catalog)."""
    from connector.sandbox.vocabulary import INDUSTRY_OPTIONS, NUMEMPLOYEES_OPTIONS

    company_types = {"PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER"}
    band_floors = {float(band.rstrip("+").split("-")[0]) for band in NUMEMPLOYEES_OPTIONS}
    cfg = load_config(DEFAULT_CONFIG_PATH)
    criteria = [c for m in cfg.models.values() for c in m.criteria]
    assert cfg.companies is not None
    criteria += cfg.companies.criteria
    checked = 0
    for crit in criteria:
        for cond in _conditions(crit.when):
            values = [str(v) for v in (cond.in_ or ([cond.equals] if cond.equals else []))]
            name = cond.property.removeprefix("company.")
            if name == "industry":
                assert set(values) <= set(INDUSTRY_OPTIONS), crit.id
                checked += 1
            elif name == "type":
                assert set(values) <= company_types, crit.id
                checked += 1
            elif name in ("numberofemployees", "numemployees") and cond.range is not None:
                bounds = {cond.range.gte, cond.range.lt} - {None}
                assert bounds <= band_floors, crit.id  # ranges split HubSpot's bands cleanly
                checked += 1
    assert checked >= 10
