"""Companies and deals of a generated portal (the account side of `generator.py`).

The contact generator decides who works where and who converts; this module turns that into
HubSpot's company records (firmographics live here, as in real portals) and the deals: one
for most contacts whose conversion already happened (created on the conversion date, walked
through the default pipeline, won on the customer date, lost for some, still open for the
rest) and, as label noise, one lost soon after for a few leads that never convert.
Company rollups (`num_associated_contacts`, open deals, last activity...) are computed from
the contacts and deals, as HubSpot would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from connector.sandbox import vocabulary as vocab
from connector.sandbox.generator_columns import (
    DAY_MS,
    FloatArray,
    IntArray,
    ObjArray,
    PropertySpec,
    draw,
    int_str,
    iso,
    obj,
    only,
    spec,
)
from connector.sandbox.pipelines import DEAL_PIPELINES, DEFAULT_PIPELINE, OPEN_STAGES

COMPANY_ID_BASE = 20_000_000_000
"""Company ids are `COMPANY_ID_BASE + id_offset + rank` (rank 1..companies)."""
DEAL_ID_BASE = 30_000_000_000
"""Deal ids are `DEAL_ID_BASE + contact number` (at most one generated deal per contact)."""

COMPANY_TYPES = ("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER")
_COMPANY_TYPE_WEIGHTS = (86, 5, 2, 3, 4)
_STAGES = {s.id: s for s in DEAL_PIPELINES[0].stages}
_STAGE_IDS = tuple(_STAGES)
# Median deal size by company size band (`vocab.NUMEMPLOYEES_OPTIONS` order), in dollars.
_DEAL_SIZE_BY_BAND = np.array([1_500, 4_000, 9_000, 15_000, 30_000, 55_000, 90_000], dtype=float)
_LOST_SHARE = 0.55  # of the converted who never become customers, how many are lost by now
_OPEN_STAGE_DAYS = 25.0  # typical days a deal spends in each open stage

COMPANY_PROPERTIES: tuple[PropertySpec, ...] = (
    spec("hs_object_id", "Record ID", "number"),
    spec("name", "Company name", "string"),
    spec("domain", "Company Domain Name", "string"),
    spec("website", "Website URL", "string"),
    spec("industry", "Industry", "enumeration", vocab.INDUSTRY_OPTIONS),
    spec("numberofemployees", "Number of Employees", "number"),
    spec("annualrevenue", "Annual Revenue", "number"),
    spec("country", "Country/Region", "string"),
    spec("city", "City", "string"),
    spec("type", "Type", "enumeration", COMPANY_TYPES),
    spec("lifecyclestage", "Lifecycle Stage", "enumeration", vocab.LIFECYCLE_STAGES, True),
    spec("createdate", "Create Date", "datetime"),
    spec("hs_lastmodifieddate", "Last Modified Date", "datetime"),
    spec("first_contact_createdate", "First Contact Create Date", "datetime"),
    spec("num_associated_contacts", "Number of Associated Contacts", "number"),
    spec("num_associated_deals", "Number of Associated Deals", "number", post_outcome=True),
    spec("hs_num_open_deals", "Number of open deals", "number", post_outcome=True),
    spec("total_revenue", "Total Revenue", "number", post_outcome=True),
    spec("recent_deal_amount", "Recent Deal Amount", "number", post_outcome=True),
    spec("recent_deal_close_date", "Recent Deal Close Date", "datetime", post_outcome=True),
    spec("first_deal_created_date", "First Deal Created Date", "datetime", post_outcome=True),
    spec("notes_last_updated", "Last Activity Date", "datetime"),
    spec("notes_last_contacted", "Last Contacted", "datetime"),
    spec("num_contacted_notes", "Number of times contacted", "number"),
    spec("hs_last_sales_activity_timestamp", "Last Engagement Date", "datetime"),
)
"""Every company column the generator fills, in output order."""

DEAL_PROPERTIES: tuple[PropertySpec, ...] = (
    spec("hs_object_id", "Record ID", "number"),
    spec("dealname", "Deal Name", "string"),
    spec("amount", "Amount", "number"),
    spec("pipeline", "Pipeline", "enumeration", tuple(p.id for p in DEAL_PIPELINES)),
    spec("dealstage", "Deal Stage", "enumeration", _STAGE_IDS),
    spec("dealtype", "Deal Type", "enumeration", ("newbusiness", "existingbusiness")),
    spec("createdate", "Create Date", "datetime"),
    spec("closedate", "Close Date", "datetime"),
    spec("hs_lastmodifieddate", "Last Modified Date", "datetime"),
    spec("hs_is_closed", "Is Deal Closed?", "bool", ("true", "false")),
    spec("hs_is_closed_won", "Is Closed Won", "bool", ("true", "false")),
    spec("hs_is_closed_lost", "Is Closed Lost", "bool", ("true", "false")),
    spec("hs_deal_stage_probability", "Deal probability", "number"),
    spec("num_associated_contacts", "Number of Associated Contacts", "number"),
)
"""Every deal column besides `contact_id` and `company_id` (its associations)."""


@dataclass(frozen=True)
class PortalCompanies:
    """The companies of one portal (arrays of length `companies`), as drawn from the world."""

    numbers: IntArray  # record ids
    names: ObjArray
    domains: ObjArray
    websites: ObjArray
    size_band: IntArray  # index into `vocab.NUMEMPLOYEES_OPTIONS`
    headcount: IntArray
    industry: IntArray  # index into `vocab.INDUSTRY_OPTIONS`
    country: IntArray  # index into `vocab.COUNTRIES`
    city: ObjArray
    revenue: IntArray

    def __len__(self) -> int:
        return len(self.numbers)


@dataclass(frozen=True)
class ContactActivity:
    """Per-contact facts the company rollups summarise (ms arrays use -1 for none)."""

    created_ms: IntArray
    last_activity_ms: IntArray
    last_contacted_ms: IntArray
    last_sales_activity_ms: IntArray
    times_contacted: IntArray
    lifecycle_index: IntArray  # index into `vocab.LIFECYCLE_STAGES`


@dataclass(frozen=True)
class GeneratedDeals:
    """Deal columns and the numbers company rollups need (one row per deal)."""

    columns: dict[str, ObjArray]
    company_rank: IntArray  # -1 when the contact has no company
    created_ms: IntArray
    changed_ms: IntArray
    closed_ms: IntArray  # -1 while open
    won: FloatArray  # 1.0 for won deals
    open: FloatArray  # 1.0 for open deals
    amount: FloatArray


def generate_deals(
    rng: np.random.Generator,
    numbers: IntArray,
    contact_ids: ObjArray,
    contact_names: ObjArray,
    company_rank: IntArray,
    companies: PortalCompanies,
    deal_at: IntArray,
    converted_at: IntArray,
    customer_at: IntArray,
    now_ms: int,
) -> GeneratedDeals:
    """One deal per contact with a `deal_at` (-1: none): created then, named after the
    contact's company or, without one, after the contact. A deal of a contact that never
    converts (`converted_at` -1) is a mistake, lost within weeks."""
    rows = np.flatnonzero(deal_at >= 0)
    m = len(rows)
    created = deal_at[rows]
    won_at = customer_at[rows]
    won = (won_at >= 0) & (won_at <= now_ms)
    stray = converted_at[rows] < 0
    days = np.where(stray, 12.0, 45.0)
    lose_at = created + (rng.lognormal(np.log(days), 0.5, m) * DAY_MS).astype(np.int64)
    lost = (
        ~won & (won_at < 0) & (lose_at <= now_ms) & ((rng.random(m) < _LOST_SHARE) | stray)
    )
    # Open deals sit in a stage reached by time and luck; future winners are further on.
    elapsed = (now_ms - created) / (_OPEN_STAGE_DAYS * DAY_MS) + (won_at > now_ms) * 1.0
    open_stage = np.minimum(
        (elapsed * rng.uniform(0.5, 1.2, m)).astype(np.int64), len(OPEN_STAGES) - 1
    )
    stage_index = np.where(
        won,
        _STAGE_IDS.index("closedwon"),
        np.where(lost, _STAGE_IDS.index("closedlost"), open_stage),
    )
    closed_ms = np.where(won, won_at, np.where(lost, lose_at, -1))
    # Open deals usually carry the rep's expected close date; closed ones the real one.
    expected = created + (rng.lognormal(np.log(60.0), 0.4, m) * DAY_MS).astype(np.int64)
    closedate = np.where(closed_ms >= 0, closed_ms, np.where(rng.random(m) < 0.7, expected, -1))
    changed = np.where(
        closed_ms >= 0,
        closed_ms,
        created + (rng.random(m) * (now_ms - created)).astype(np.int64),
    )
    rank = company_rank[rows]
    has_company = rank >= 0
    band = np.where(has_company, companies.size_band[np.maximum(rank, 0)], 1)
    amount = np.round(rng.lognormal(np.log(_DEAL_SIZE_BY_BAND[band]), 0.6), -2)
    names = contact_names[rows].copy()
    names[has_company] = companies.names[rank[has_company]]
    stage_ids = obj(_STAGE_IDS)[stage_index]
    probability = obj([str(_STAGES[s].probability) for s in _STAGE_IDS])[stage_index]
    booleans = obj(["false", "true"])
    closed = closed_ms >= 0
    columns: dict[str, ObjArray] = {
        "hs_object_id": int_str(DEAL_ID_BASE + numbers[rows]),
        "contact_id": contact_ids[rows],
        "company_id": only(has_company, int_str(companies.numbers[np.maximum(rank, 0)])),
        "dealname": names + " - New Business",
        "amount": int_str(amount.astype(np.int64)),
        "pipeline": obj([DEFAULT_PIPELINE])[np.zeros(m, dtype=np.int64)],
        "dealstage": stage_ids,
        "dealtype": obj(["newbusiness"])[np.zeros(m, dtype=np.int64)],
        "createdate": iso(created),
        "closedate": iso(closedate),
        "hs_lastmodifieddate": iso(np.minimum(changed, now_ms)),
        "hs_is_closed": booleans[closed.astype(np.int64)],
        "hs_is_closed_won": booleans[won.astype(np.int64)],
        "hs_is_closed_lost": booleans[lost.astype(np.int64)],
        "hs_deal_stage_probability": probability,
        "num_associated_contacts": int_str(np.ones(m, dtype=np.int64)),
    }
    ordered = {
        "hs_object_id": columns["hs_object_id"],
        "contact_id": columns["contact_id"],
        "company_id": columns["company_id"],
    }
    ordered.update({p.name: columns[p.name] for p in DEAL_PROPERTIES if p.name != "hs_object_id"})
    return GeneratedDeals(
        columns=ordered,
        company_rank=rank,
        created_ms=created,
        changed_ms=np.minimum(changed, now_ms),
        closed_ms=closed_ms,
        won=won.astype(np.float64),
        open=(~closed).astype(np.float64),
        amount=amount,
    )


def company_columns(
    rng: np.random.Generator,
    companies: PortalCompanies,
    company_rank: IntArray,
    activity: ContactActivity,
    deals: GeneratedDeals,
    now_ms: int,
    history_start_ms: int,
) -> dict[str, ObjArray]:
    """The companies' records: firmographics (sometimes missing, as enrichment leaves
    them) and rollups of their contacts and deals."""
    k = len(companies)
    member = company_rank >= 0
    rank = company_rank[member]
    contacts = np.bincount(rank, minlength=k)
    first_contact = _group_min(rank, activity.created_ms[member], k)
    # A company is created with its first contact; contact-less ones were imported earlier.
    imported = history_start_ms + (rng.random(k) * (now_ms - history_start_ms)).astype(np.int64)
    created = np.where(first_contact >= 0, first_contact, imported)
    last_activity = _group_max(rank, activity.last_activity_ms[member], k)
    last_contacted = _group_max(rank, activity.last_contacted_ms[member], k)
    last_sales = _group_max(rank, activity.last_sales_activity_ms[member], k)
    touched = np.bincount(rank, weights=activity.times_contacted[member], minlength=k)

    with_company = deals.company_rank >= 0
    deal_rank = deals.company_rank[with_company]
    n_deals = np.bincount(deal_rank, minlength=k)
    open_deals = np.bincount(deal_rank, weights=deals.open[with_company], minlength=k)
    won = deals.won[with_company] > 0
    revenue = np.bincount(deal_rank[won], weights=deals.amount[with_company][won], minlength=k)
    recent_close = _group_max(deal_rank[won], deals.closed_ms[with_company][won], k)
    # The most recent won deal's amount: the largest close time wins the scatter.
    recent_amount = np.full(k, -1, dtype=np.int64)
    order = np.argsort(deals.closed_ms[with_company][won], kind="stable")
    recent_amount[deal_rank[won][order]] = deals.amount[with_company][won][order].astype(np.int64)
    first_deal = _group_min(deal_rank, deals.created_ms[with_company], k)
    deal_changed = _group_max(deal_rank, deals.changed_ms[with_company], k)

    # HubSpot syncs the company's stage from its contacts: the furthest one ("other" aside).
    stages = np.where(
        activity.lifecycle_index == vocab.LIFECYCLE_STAGES.index("other"),
        -1,
        activity.lifecycle_index,
    )
    stage = _group_max(rank, stages[member], k)
    stage_col = np.full(k, None, dtype=object)
    stage_col[stage >= 0] = obj(vocab.LIFECYCLE_STAGES)[stage[stage >= 0]]

    industry = obj(vocab.INDUSTRY_OPTIONS)[companies.industry]
    industry[rng.random(k) < 0.1] = None
    country = obj([name for name, _, _ in vocab.COUNTRIES])[companies.country]
    country[rng.random(k) < 0.05] = None
    city = companies.city.copy()
    city[rng.random(k) < 0.15] = None
    company_type = obj(COMPANY_TYPES)[draw(rng, _COMPANY_TYPE_WEIGHTS, k)]
    company_type[rng.random(k) < 0.3] = None
    modified = np.minimum(
        np.maximum.reduce([created, last_activity, deal_changed]) + rng.integers(0, 60_000, k),
        now_ms,
    )
    return {
        "hs_object_id": int_str(companies.numbers),
        "name": companies.names,
        "domain": companies.domains,
        "website": companies.websites,
        "industry": industry,
        "numberofemployees": int_str(companies.headcount, rng.random(k) < 0.15),
        "annualrevenue": int_str(companies.revenue, rng.random(k) < 0.3),
        "country": country,
        "city": city,
        "type": company_type,
        "lifecyclestage": stage_col,
        "createdate": iso(created),
        "hs_lastmodifieddate": iso(modified),
        "first_contact_createdate": iso(first_contact),
        "num_associated_contacts": int_str(contacts),
        "num_associated_deals": int_str(n_deals),
        "hs_num_open_deals": int_str(open_deals.astype(np.int64)),
        "total_revenue": int_str(revenue.astype(np.int64), revenue <= 0),
        "recent_deal_amount": int_str(recent_amount, recent_amount < 0),
        "recent_deal_close_date": iso(recent_close),
        "first_deal_created_date": iso(first_deal),
        "notes_last_updated": iso(last_activity),
        "notes_last_contacted": iso(last_contacted),
        "num_contacted_notes": int_str(touched.astype(np.int64)),
        "hs_last_sales_activity_timestamp": iso(last_sales),
    }


def _group_max(groups: IntArray, values: IntArray, k: int) -> IntArray:
    out = np.full(k, -1, dtype=np.int64)
    np.maximum.at(out, groups, values)
    return out


def _group_min(groups: IntArray, values: IntArray, k: int) -> IntArray:
    """Smallest non-negative value per group (-1 for groups without one)."""
    big = np.iinfo(np.int64).max
    out = np.full(k, big, dtype=np.int64)
    present = values >= 0
    np.minimum.at(out, groups[present], values[present])
    return np.where(out == big, -1, out)
