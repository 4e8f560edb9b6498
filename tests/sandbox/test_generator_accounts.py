"""The generator's companies and deals: who works where, firmographics on the company,
deals only for conversions, lifecycle stages that follow the deals, rollups that add up,
and a hidden truth that depends on the account and not only on the contact."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from connector.sandbox import vocabulary as vocab
from connector.sandbox.generator import GeneratedPortal, generate_leads, generate_portal
from connector.sandbox.generator_accounts import COMPANY_PROPERTIES, DEAL_PROPERTIES
from connector.sandbox.pipelines import OPEN_STAGES
from tests.sandbox.test_generator import DECIMAL, ISO_MS, NOW_MS, honest_features, to_ms

N = 20_000


@pytest.fixture(scope="module")
def portal() -> GeneratedPortal:
    return generate_portal(N, seed=11, now_ms=NOW_MS)


def _frames(p: GeneratedPortal) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    contacts = pd.DataFrame(p.contacts).assign(company_id=p.contact_company)
    return contacts, pd.DataFrame(p.companies), pd.DataFrame(p.deals)


def test_companies_per_contact_several_colleagues_and_a_few_big_accounts(
    portal: GeneratedPortal,
) -> None:
    contacts, companies, _ = _frames(portal)
    assert len(companies) == round(0.3 * N)
    assert companies.hs_object_id.is_unique
    assert set(contacts.company_id.dropna()) <= set(companies.hs_object_id)
    assert 0.5 < contacts.company_id.notna().mean() < 0.75  # most contacts have one company
    sizes = contacts.company_id.value_counts()
    assert (sizes >= 2).mean() > 0.2
    assert (sizes >= 100).sum() >= 3 and sizes.max() > 500
    assert companies.domain.is_unique


def test_work_addresses_belong_to_their_domains_company_free_mail_to_none(
    portal: GeneratedPortal,
) -> None:
    contacts, companies, _ = _frames(portal)
    domain = contacts.email.str.split("@").str[1]
    free = domain.isin(vocab.FREEMAIL_DOMAINS) | domain.isin(vocab.INVALID_EMAIL_DOMAINS)
    assert free.any() and contacts.company_id[free].isna().all()
    members = contacts[contacts.company_id.notna()]
    by_id = companies.set_index("hs_object_id")
    assert (members.email.str.split("@").str[1] == members.company_id.map(by_id.domain)).all()
    # The company name is usually typed on the contact too.
    assert (members.company == members.company_id.map(by_id.name)).mean() > 0.85


def test_firmographics_live_on_the_company_not_the_contact(portal: GeneratedPortal) -> None:
    contacts, companies, _ = _frames(portal)
    members = contacts[contacts.company_id.notna()]
    assert members.industry.isna().mean() > 0.6
    assert members.numemployees.isna().mean() > 0.55
    assert members.annualrevenue.isna().mean() > 0.7
    assert companies.industry.notna().mean() > 0.85
    assert companies.numberofemployees.notna().mean() > 0.8
    assert companies.country.notna().mean() > 0.9
    assert set(companies.industry.dropna()) <= set(vocab.INDUSTRY_OPTIONS)
    assert "COMPUTER_SOFTWARE" in set(companies.industry)


def test_company_and_deal_values_follow_their_property_types(portal: GeneratedPortal) -> None:
    for specs, table in ((COMPANY_PROPERTIES, portal.companies), (DEAL_PROPERTIES, portal.deals)):
        assert [s.name for s in specs] == [
            n for n in table if n not in ("contact_id", "company_id")
        ]
        for spec in specs:
            values = [v for v in table[spec.name].tolist() if v is not None]
            assert all(isinstance(v, str) for v in values), spec.name
            if spec.options:
                assert set(values) <= set(spec.options), spec.name
            if spec.type == "datetime":
                assert all(ISO_MS.match(v) for v in values), spec.name
            if spec.type == "number" and spec.name != "hs_deal_stage_probability":
                assert all(DECIMAL.match(v) for v in values), spec.name


def test_deals_exist_exactly_for_past_conversions(portal: GeneratedPortal) -> None:
    contacts, _, deals = _frames(portal)
    converted_at = portal.truth["converted_at_ms"]
    past = (converted_at >= 0) & (converted_at <= NOW_MS)
    # Label noise: a few converters have no deal, a few leads that never convert have one.
    dealt = set(deals.contact_id)
    converters = set(contacts.hs_object_id[past])
    assert 0.9 < len(dealt & converters) / len(converters) < 1.0
    strays = dealt - converters
    never = set(contacts.hs_object_id[converted_at < 0])
    assert strays and strays <= never and len(strays) < 0.05 * len(never)
    assert deals.contact_id.is_unique
    assert 1_500 < len(deals) < 2_800  # about 2,000 deals in a 20,000-contact portal
    by_contact = dict(zip(contacts.hs_object_id, converted_at, strict=True))
    real = deals.contact_id.isin(converters)
    created = to_ms(deals.createdate.to_numpy())
    assert (created[real] == deals.contact_id[real].map(by_contact)).all()
    assert set(deals.dealstage[~real]) <= {"closedlost", *OPEN_STAGES}
    company_of = dict(zip(contacts.hs_object_id, contacts.company_id, strict=True))
    assert deals.company_id.equals(deals.contact_id.map(company_of).rename("company_id"))
    stages = Counter(deals.dealstage)
    assert stages["closedwon"] > 0 and stages["closedlost"] > 0
    assert sum(v for k, v in stages.items() if k not in ("closedwon", "closedlost")) > 0
    closed = deals.dealstage.isin(["closedwon", "closedlost"])
    assert (deals.hs_is_closed == np.where(closed, "true", "false")).all()
    assert deals.closedate[closed].notna().all()
    closed_ms = to_ms(deals.closedate[closed].to_numpy())
    assert (closed_ms >= to_ms(deals.createdate[closed].to_numpy())).all()
    assert (closed_ms <= NOW_MS).all()


def test_lifecycle_stage_follows_the_deals(portal: GeneratedPortal) -> None:
    contacts, _, deals = _frames(portal)
    stage = contacts.set_index("hs_object_id").lifecyclestage
    won = deals.dealstage == "closedwon"
    assert (deals.contact_id[won].map(stage) == "customer").all()
    converted_at = pd.Series(portal.truth["converted_at_ms"], index=portal.truth["contact_id"])
    real = deals.contact_id.map(converted_at) >= 0
    assert (deals.contact_id[~won & real].map(stage) == "opportunity").all()
    # A deal opened by mistake does not move the stage; a converter without a deal moved.
    assert not deals.contact_id[~real].map(stage).isin(["opportunity", "customer"]).any()
    converted = contacts.hs_object_id.map(converted_at).between(0, NOW_MS)
    assert (contacts.lifecyclestage[converted].isin(["opportunity", "customer"])).all()
    customer_at = portal.truth["customer_at_ms"]
    won_at = to_ms(deals.closedate[won].to_numpy())
    by_contact = dict(zip(contacts.hs_object_id, customer_at, strict=True))
    assert (won_at == deals.contact_id[won].map(by_contact)).all()


def test_company_rollups_add_up(portal: GeneratedPortal) -> None:
    contacts, companies, deals = _frames(portal)
    counted = contacts.company_id.value_counts()
    companies = companies.set_index("hs_object_id")
    counted = counted.reindex(companies.index, fill_value=0)
    assert (companies.num_associated_contacts.astype(int) == counted).all()
    per_company = deals.company_id.value_counts().reindex(companies.index, fill_value=0)
    assert (companies.num_associated_deals.astype(int) == per_company).all()
    open_deals = deals[deals.hs_is_closed == "false"].company_id.value_counts()
    open_deals = open_deals.reindex(companies.index, fill_value=0)
    assert (companies.hs_num_open_deals.astype(int) == open_deals).all()
    customers = set(deals.company_id[deals.dealstage == "closedwon"].dropna())
    assert (companies.lifecyclestage[list(customers)] == "customer").all()
    first = contacts.groupby("company_id").createdate.min()
    assert (companies.createdate[first.index] == first).all()


def _company_features(p: GeneratedPortal) -> np.ndarray:
    """What an account-aware scorer could read from each contact's company."""
    contacts, companies, _ = _frames(p)
    by_id = companies.set_index("hs_object_id")
    industry = contacts.company_id.map(by_id.industry)
    employees = pd.to_numeric(contacts.company_id.map(by_id.numberofemployees)).fillna(-1)
    target = industry.isin(vocab.TARGET_INDUSTRIES).to_numpy()
    mid = ((employees >= 25) & (employees < 1000)).to_numpy()
    # Colleagues who asked for a demo (visible on their contact records).
    demo = contacts.recent_conversion_event_name.isin(vocab.CONVERSION_EVENTS_HIGH_INTENT)
    per_company = demo.groupby(contacts.company_id).sum()
    colleagues = (contacts.company_id.map(per_company).fillna(0) - demo).clip(lower=0)
    return np.column_stack([target, mid, target & mid, np.sqrt(colleagues.to_numpy())]).astype(
        np.float64
    )


def test_truth_depends_on_company_traits_beyond_the_contact(portal: GeneratedPortal) -> None:
    y = portal.truth["converted"]
    contact_only = honest_features(portal)
    with_company = np.column_stack([contact_only, _company_features(portal)])
    half = len(y) // 2
    aucs = []
    for x in (contact_only, with_company):
        model = LogisticRegression(max_iter=1_000).fit(x[:half], y[:half])
        aucs.append(roc_auc_score(y[half:], model.predict_proba(x[half:])[:, 1]))
    assert aucs[1] - aucs[0] > 0.015, aucs
    features = _company_features(portal)
    members = portal.contact_company != None  # noqa: E711
    icp = features[:, 2] > 0
    assert y[members & icp].mean() > 1.5 * y[members & ~icp].mean()
    # Colleagues' interest lifts a contact that itself never asked for a demo.
    own_demo = (
        pd.Series(portal.contacts["recent_conversion_event_name"])
        .isin(vocab.CONVERSION_EVENTS_HIGH_INTENT)
        .to_numpy()
    )
    quiet = members & ~own_demo
    backed = features[:, 3] > 0
    assert y[quiet & backed].mean() > 1.3 * y[quiet & ~backed].mean()


def test_new_leads_come_with_their_companies_and_no_deals() -> None:
    leads = generate_leads(200, seed=4, now_ms=NOW_MS, id_offset=50_000)
    assert len(leads.companies["hs_object_id"]) == 60
    assert len(leads.deals["hs_object_id"]) == 0
    assert set(leads.contact_company.tolist()) - {None} <= set(leads.companies["hs_object_id"])


@pytest.mark.parametrize("ratio", [0.0, 1.5])
def test_companies_per_contact_must_be_a_fraction(ratio: float) -> None:
    with pytest.raises(ValueError, match="companies_per_contact"):
        generate_portal(100, seed=1, now_ms=NOW_MS, companies_per_contact=ratio)


def test_companies_per_contact_sets_the_company_count() -> None:
    p = generate_portal(1_000, seed=2, now_ms=NOW_MS, companies_per_contact=0.1)
    assert len(p.companies["hs_object_id"]) == 100
