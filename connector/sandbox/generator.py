"""Generator of realistic B2B HubSpot portals with a hidden ground truth of who converts.

A portal is built column by column with numpy (no Python loop per contact), so a million
contacts take seconds. Everything is drawn from one seeded generator in a fixed order:
the same `(n, seed, now_ms, ...)` always gives the same portal.

How the data hangs together (the "story" the scorer has to discover):
- Every contact has a latent *fit* (seniority, department, company size, industry, email
  kind, market) and a latent *intent* (partly driven by fit). Properties are noisy, partly
  missing views of them: job titles, firmographics, page views, marketing email activity,
  form submissions (high-intent forms such as demo requests are likelier with high intent).
- Sales works the promising leads: calls, emails, meetings, notes and tasks (engagement
  objects, each associated to its contact), and HubSpot's summary properties on the contact
  (`notes_last_contacted`, `num_contacted_notes`, ...) are computed from those objects.
- Conversion (becoming an opportunity, later perhaps a customer) is drawn from a logistic
  model of fit, intent, demo/trial requests, completed meetings and recency, plus noise
  that no property shows. Conversions already in the past show up the way HubSpot shows
  them (lifecycle stage, stage dates, lead status, deals: `POST_OUTCOME_PROPERTIES`);
  conversions still in the future exist only in `GeneratedPortal.truth`.

Values follow HubSpot's wire format: every property is a string or `None`; datetimes are
ISO 8601 UTC with milliseconds (`2026-01-05T10:00:00.000Z`), numbers are decimal strings,
booleans `"true"`/`"false"`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from connector.sandbox import vocabulary as vocab
from connector.sandbox.generator_accounts import (
    COMPANY_ID_BASE,
    ContactActivity,
    PortalCompanies,
    company_columns,
    generate_deals,
)
from connector.sandbox.generator_columns import (
    DAY_MS,
    BoolArray,
    FloatArray,
    IntArray,
    ObjArray,
    PropertySpec,
)
from connector.sandbox.generator_columns import draw as _draw
from connector.sandbox.generator_columns import int_str as _int_str
from connector.sandbox.generator_columns import iso as _iso
from connector.sandbox.generator_columns import obj as _obj
from connector.sandbox.generator_columns import only as _only
from connector.sandbox.generator_columns import pick as _pick
from connector.sandbox.generator_columns import sigmoid as _sigmoid
from connector.sandbox.generator_columns import spec as _spec
from connector.sandbox.generator_history import (
    BUYING_ROLES,
    ContactHistories,
    contact_histories,
    stage_date_columns,
)
from connector.sandbox.object_types import ENGAGEMENT_TYPES

ENGAGEMENT_KINDS: tuple[str, ...] = ENGAGEMENT_TYPES
"""The engagement object types the generator fills (the sandbox's table of types)."""

FUTURE_HORIZON_DAYS = 14
"""Meetings and tasks may be scheduled up to this many days after `now_ms`."""

ENGAGEMENT_ID_BASE = 10_000_000_000
"""Engagement ids are `ENGAGEMENT_ID_BASE + contact_number * 1000 + k`: unique across
portals and lead batches without coordination, and above 2^31 like HubSpot's."""
MAX_ENGAGEMENTS_PER_KIND = 150  # 5 kinds * 150 < 1000 keeps the id scheme collision-free
# Post-conversion engagements take ids 750..999 of a contact's block (at most 240 of them).
_POST_ID_START = len(ENGAGEMENT_KINDS) * MAX_ENGAGEMENTS_PER_KIND

DEFAULT_COMPANIES_PER_CONTACT = 0.3
"""Companies per contact of a generated portal (20,000 contacts → 6,000 companies)."""

RECENT_LEAD_WINDOW_MS = 15 * 60_000
"""`generate_leads` creates contacts within this window before `now_ms`."""


_BOOL = ("true", "false")
CONTACT_PROPERTIES: tuple[PropertySpec, ...] = (
    _spec("hs_object_id", "Record ID", "number"),
    _spec("email", "Email", "string"),
    _spec("firstname", "First Name", "string"),
    _spec("lastname", "Last Name", "string"),
    _spec("jobtitle", "Job Title", "string"),
    _spec("company", "Company Name", "string"),
    _spec("website", "Website URL", "string"),
    _spec("phone", "Phone Number", "phone"),
    _spec("country", "Country/Region", "string"),
    _spec("city", "City", "string"),
    _spec("industry", "Industry", "string"),
    _spec("numemployees", "Number of Employees", "enumeration", vocab.NUMEMPLOYEES_OPTIONS),
    _spec("annualrevenue", "Annual Revenue", "number"),
    _spec("hs_analytics_source", "Original Source", "enumeration", vocab.ANALYTICS_SOURCES),
    _spec("createdate", "Create Date", "datetime"),
    _spec("lastmodifieddate", "Last Modified Date", "datetime"),
    _spec("num_conversion_events", "Number of Form Submissions", "number"),
    _spec("recent_conversion_event_name", "Recent Conversion", "string"),
    _spec("recent_conversion_date", "Recent Conversion Date", "datetime"),
    _spec("first_conversion_event_name", "First Conversion", "string"),
    _spec("first_conversion_date", "First Conversion Date", "datetime"),
    _spec("hs_analytics_num_page_views", "Number of Pageviews", "number"),
    _spec("hs_analytics_num_visits", "Number of Sessions", "number"),
    _spec("hs_analytics_first_timestamp", "Time First Seen", "datetime"),
    _spec("hs_analytics_last_visit_timestamp", "Time of Last Session", "datetime"),
    _spec("hs_email_open", "Marketing emails opened", "number"),
    _spec("hs_email_click", "Marketing emails clicked", "number"),
    _spec("hs_email_bounce", "Marketing emails bounced", "number"),
    _spec("hs_email_replied", "Marketing emails replied", "number"),
    _spec("hs_email_optout", "Unsubscribed from all email", "bool", _BOOL),
    _spec("hs_email_bad_address", "Invalid email address", "bool", _BOOL),
    _spec("hs_email_last_open_date", "Last marketing email open date", "datetime"),
    _spec("hs_email_last_click_date", "Last marketing email click date", "datetime"),
    _spec("hs_sales_email_last_replied", "Recent Sales Email Replied Date", "datetime"),
    _spec("hs_last_sales_activity_timestamp", "Last Engagement Date", "datetime"),
    _spec("notes_last_contacted", "Last Contacted", "datetime"),
    _spec("notes_last_updated", "Last Activity Date", "datetime"),
    _spec("num_contacted_notes", "Number of times contacted", "number"),
    _spec("engagements_last_meeting_booked", "Date of last meeting booked", "datetime"),
    _spec("lifecyclestage", "Lifecycle Stage", "enumeration", vocab.LIFECYCLE_STAGES, True),
    _spec("hs_lead_status", "Lead Status", "enumeration", vocab.LEAD_STATUSES, True),
    _spec(
        "hs_lifecyclestage_subscriber_date",
        "Became a Subscriber Date",
        "datetime",
        post_outcome=True,
    ),
    _spec("hs_lifecyclestage_lead_date", "Became a Lead Date", "datetime", post_outcome=True),
    _spec(
        "hs_lifecyclestage_marketingqualifiedlead_date",
        "Became a Marketing Qualified Lead Date",
        "datetime",
        post_outcome=True,
    ),
    _spec(
        "hs_lifecyclestage_salesqualifiedlead_date",
        "Became a Sales Qualified Lead Date",
        "datetime",
        post_outcome=True,
    ),
    _spec(
        "hs_lifecyclestage_opportunity_date",
        "Became an Opportunity Date",
        "datetime",
        post_outcome=True,
    ),
    _spec(
        "hs_lifecyclestage_customer_date", "Became a Customer Date", "datetime", post_outcome=True
    ),
    _spec("num_associated_deals", "Number of Associated Deals", "number", post_outcome=True),
    *(
        _spec(
            f"hs_v2_date_{way}_{stage}",
            f'Date {way} "{label} (Lifecycle Stage Pipeline)"',
            "datetime",
            post_outcome=True,
        )
        for stage, label in (
            ("subscriber", "Subscriber"),
            ("lead", "Lead"),
            ("marketingqualifiedlead", "Marketing Qualified Lead"),
            ("salesqualifiedlead", "Sales Qualified Lead"),
            ("opportunity", "Opportunity"),
            ("customer", "Customer"),
        )
        for way in ("entered", "exited")
    ),
    # Set by sales after a conversion: planted, not flagged (a leak guard must find them).
    _spec("hs_buying_role", "Buying Role", "enumeration", BUYING_ROLES),
    _spec("budget_confirmed", "Budget confirmed", "bool", _BOOL),
)
"""Every contact column the generator fills, in output order."""

POST_OUTCOME_PROPERTIES: tuple[str, ...] = tuple(
    p.name for p in CONTACT_PROPERTIES if p.post_outcome
)
"""Columns set because of the outcome (or by sales after it): a model must not learn from them."""

ENGAGEMENT_PROPERTIES: dict[str, tuple[PropertySpec, ...]] = {
    "calls": (
        _spec("hs_call_status", "Call status", "enumeration", vocab.CALL_STATUSES),
        _spec("hs_call_duration", "Call duration (ms)", "number"),
        _spec("hs_call_direction", "Call direction", "enumeration", vocab.CALL_DIRECTIONS),
    ),
    "emails": (
        _spec("hs_email_direction", "Email direction", "enumeration", vocab.EMAIL_DIRECTIONS),
        _spec("hs_email_status", "Email send status", "enumeration", vocab.EMAIL_STATUSES),
        _spec("hs_email_subject", "Email subject", "string"),
    ),
    "meetings": (
        _spec("hs_meeting_title", "Meeting name", "string"),
        _spec("hs_meeting_outcome", "Meeting outcome", "enumeration", vocab.MEETING_OUTCOMES),
        _spec("hs_meeting_start_time", "Start time", "datetime"),
        _spec("hs_meeting_end_time", "End time", "datetime"),
        _spec("hs_createdate", "Create date (when it was booked)", "datetime"),
    ),
    "notes": (_spec("hs_note_body", "Note body", "string"),),
    "tasks": (
        _spec("hs_task_subject", "Task title", "string"),
        _spec("hs_task_status", "Task status", "enumeration", vocab.TASK_STATUSES),
        _spec("hs_task_type", "Task type", "enumeration", vocab.TASK_TYPES),
        _spec("hs_task_priority", "Priority", "enumeration", vocab.TASK_PRIORITIES),
    ),
}
"""Kind-specific engagement columns; every kind also has `hs_object_id`, `contact_id` and
`hs_timestamp`."""


@dataclass(frozen=True)
class GeneratedPortal:
    """A generated portal in columnar form.

    - `contacts`: property name → object array of `str | None`, all of one length, in
      `CONTACT_PROPERTIES` order; `hs_object_id` holds the record ids.
    - `engagements`: kind (`ENGAGEMENT_KINDS`) → column → object array; columns are
      `hs_object_id`, `contact_id` (the associated contact's id), `hs_timestamp` and the
      kind's `ENGAGEMENT_PROPERTIES`.
    - `truth`: `contact_id` (object str), `converted` (bool: becomes an opportunity, now or
      later), `converted_at_ms` (int64, -1 if never), `customer_at_ms` (int64, -1 if
      never), `conversion_probability` (float64, the model's probability before the draw).
    - `now_ms`: the generation instant; truth dates after it are the hidden future.
    - `companies`: property name → object array, in `COMPANY_PROPERTIES` order (one row per
      company of the portal; some have no contacts, as imported target accounts do).
    - `deals`: `hs_object_id`, `contact_id`, `company_id` (None without a company) and the
      `DEAL_PROPERTIES`; one deal per contact converted by `now_ms`.
    - `contact_company`: per contact (in contact order) the id of its company, None for
      contacts without one (free-mail, students, invalid addresses, competitors).
    - `contact_history`: the contacts' property versions, column-wise (`ContactHistories`:
      values at creation, later edits, stage moves, the planted post-outcome properties).
    """

    contacts: dict[str, ObjArray]
    engagements: dict[str, dict[str, ObjArray]]
    truth: dict[str, NDArray[Any]]
    now_ms: int
    companies: dict[str, ObjArray]
    deals: dict[str, ObjArray]
    contact_company: ObjArray
    contact_history: ContactHistories

    def __len__(self) -> int:
        return len(self.contacts["hs_object_id"])

    def contact_records(self, chunk_size: int = 10_000) -> Iterator[dict[str, str | None]]:
        """One `{property: value}` dict per contact, in id order (built chunk by chunk)."""
        yield from _records(self.contacts, chunk_size)

    def engagement_records(
        self, kind: str, chunk_size: int = 10_000
    ) -> Iterator[dict[str, str | None]]:
        """One dict per engagement object of `kind`, including its `contact_id`."""
        yield from _records(self.engagements[kind], chunk_size)

    def company_records(self, chunk_size: int = 10_000) -> Iterator[dict[str, str | None]]:
        """One `{property: value}` dict per company, in id order."""
        yield from _records(self.companies, chunk_size)

    def deal_records(self, chunk_size: int = 10_000) -> Iterator[dict[str, str | None]]:
        """One dict per deal, including its `contact_id` and `company_id`."""
        yield from _records(self.deals, chunk_size)


def _records(columns: dict[str, ObjArray], chunk_size: int) -> Iterator[dict[str, str | None]]:
    names = list(columns)
    total = len(next(iter(columns.values()))) if columns else 0
    for start in range(0, total, chunk_size):
        chunk = [columns[name][start : start + chunk_size].tolist() for name in names]
        for row in zip(*chunk, strict=True):
            yield dict(zip(names, row, strict=True))


def generate_portal(
    n_contacts: int,
    seed: int,
    now_ms: int,
    history_days: int = 365,
    id_offset: int = 0,
    bulk_import_size: int = 0,
    companies_per_contact: float = DEFAULT_COMPANIES_PER_CONTACT,
) -> GeneratedPortal:
    """Generate a portal whose contacts were created over the last `history_days`.

    Contact ids are `id_offset + 1 ... id_offset + n_contacts`; the portal has
    `round(companies_per_contact * n_contacts)` companies. `bulk_import_size` contacts
    (those not touched since) get one identical `lastmodifieddate` two days ago, as a bulk
    import leaves behind: use more than 10,000 to reproduce the search-paging trap.
    Raises `ValueError` on a negative size/offset or a non-positive history.
    """
    _check_sizes(n_contacts, id_offset)
    if not 0 < companies_per_contact <= 1:
        raise ValueError(f"companies_per_contact must be in (0, 1], got {companies_per_contact}")
    if history_days < 1:
        raise ValueError(f"history_days must be at least 1, got {history_days}")
    if bulk_import_size < 0:
        raise ValueError(f"bulk_import_size must be >= 0, got {bulk_import_size}")
    rng = np.random.default_rng([seed, 0])
    span = history_days * DAY_MS
    # Inbound volume grows over time: more contacts were created recently.
    created = now_ms - (span * (1.0 - rng.random(n_contacts) ** 0.8)).astype(np.int64)
    return _build(rng, created, now_ms, id_offset, bulk_import_size, companies_per_contact)


def generate_leads(
    n: int,
    seed: int,
    now_ms: int,
    id_offset: int,
    companies_per_contact: float = DEFAULT_COMPANIES_PER_CONTACT,
) -> GeneratedPortal:
    """Generate brand-new leads created in the last minutes before `now_ms`.

    They carry only the few engagements such fresh leads have (a form, a visit, maybe a
    task); every one that converts does so after `now_ms`, so the outcome is only in
    `truth`. Use a distinct `id_offset` per batch so ids never collide.
    """
    _check_sizes(n, id_offset)
    rng = np.random.default_rng([seed, 1])
    created = now_ms - rng.integers(0, RECENT_LEAD_WINDOW_MS, n, dtype=np.int64)
    return _build(rng, created, now_ms, id_offset, 0, companies_per_contact)


def _check_sizes(n: int, id_offset: int) -> None:
    if n < 0:
        raise ValueError(f"number of contacts must be >= 0, got {n}")
    if id_offset < 0:
        raise ValueError(f"id_offset must be >= 0, got {id_offset}")


# --------------------------------------------------------------------------------------
# Latent model weights (log-odds). Tuned so that the base conversion rate is ~11 % and
# no single observable property separates converters on its own.
# --------------------------------------------------------------------------------------
_EMAIL_KINDS = ("business", "freemail", "student", "competitor", "invalid")
_EMAIL_KIND_WEIGHTS = (0.58, 0.27, 0.06, 0.015, 0.075)
_W_EMAIL = np.array([0.35, -0.35, -1.0, -3.5, -1.2])
_W_SENIORITY = np.array([-1.2, -1.6, -0.5, -0.1, 0.4, 0.6, 0.9, 1.0, 0.8, 0.6, -1.8])
# Seniority mix per email kind, in `vocab.SENIORITIES` order.
_SENIORITY_BY_EMAIL = np.array(
    [
        [3, 1, 12, 22, 22, 9, 12, 6, 4, 5, 4],  # business
        [4, 5, 10, 18, 15, 5, 7, 3, 4, 14, 15],  # freemail
        [30, 65, 1, 2, 0, 0, 0, 0, 0, 0, 2],  # student
        [3, 0, 10, 30, 25, 10, 12, 6, 2, 0, 2],  # competitor
        [6, 8, 12, 18, 15, 5, 8, 4, 5, 9, 10],  # invalid
    ],
    dtype=np.float64,
)
_DEPARTMENT_WEIGHTS = (18, 14, 6, 5, 6, 7, 8, 9, 9, 6, 5, 7)
_W_DEPARTMENT = np.array([0.35, 0.3, 0.45, 0.35, 0.25, 0.0, -0.1, 0.05, -0.2, -0.15, -0.3, 0.0])
_SIZE_WEIGHTS = (12, 20, 14, 14, 20, 8, 12)
_W_SIZE = np.array([-0.9, -0.3, 0.15, 0.35, 0.55, 0.4, 0.1])
_W_TARGET_INDUSTRY = 0.45
_W_LOW_FIT_INDUSTRY = -0.4
_LOW_FIT_INDUSTRIES = (
    "HIGHER_EDUCATION",
    "E_LEARNING",
    "NON_PROFIT_ORGANIZATION_MANAGEMENT",
    "GOVERNMENT_ADMINISTRATION",
)
_W_CORE_MARKET = 0.25
_FIT_CENTER = 0.55  # about the mean fit, so intent and the intercept stay interpretable

_B0 = -3.8
_W_FIT = 0.9
_W_INTENT = 0.75
_W_DEMO = 0.6
_W_MEETINGS = 0.45
_W_REPLIED = 0.4
_NOISE_SD = 0.9
_ACCOUNT_INTENT_SD = 0.6
_ICP_BANDS = (2, 5)  # 25 to 1000 employees (`vocab.NUMEMPLOYEES_OPTIONS` indices)
_W_ICP = 0.7
_W_COLLEAGUES = 0.6
_LINK_POWER = 1.4


# --------------------------------------------------------------------------------------
# The company "world": fixed across seeds, so a company keeps its size and industry in
# every portal and lead batch that mentions it.
# --------------------------------------------------------------------------------------
_TLDS = (".com", ".io", ".co", ".net", ".de", ".co.uk", ".fr", ".nl")
_TLD_WEIGHTS = np.array([12.0, 3, 2, 2, 2, 2, 1, 1])
_WORLD_SEED = 20_261_122


@dataclass(frozen=True)
class _CompanyWorld:
    root: IntArray
    second: IntArray
    tld: IntArray
    suffix: IntArray
    size: IntArray
    industry: IntArray
    country: IntArray
    city: IntArray  # index into the country's city list
    revenue: IntArray
    website_style: IntArray
    headcount: IntArray  # exact employees, within the size band

    def __len__(self) -> int:
        return len(self.root)


@functools.cache
def _company_world() -> _CompanyWorld:
    rng = np.random.default_rng(_WORLD_SEED)
    n_pairs = len(vocab.COMPANY_ROOTS) * len(vocab.COMPANY_SECONDS)
    capacity = n_pairs * len(_TLDS)
    ids = np.arange(capacity, dtype=np.int64)
    pair, tld = ids % n_pairs, ids // n_pairs
    industry_weights = np.ones(len(vocab.INDUSTRY_OPTIONS))
    industry_weights[: len(vocab.TARGET_INDUSTRIES)] = 2.5
    size = _draw(rng, _SIZE_WEIGHTS, capacity)
    country = _draw(rng, vocab.COUNTRY_WEIGHTS, capacity)
    n_cities = np.array([len(c[2]) for c in vocab.COUNTRIES])
    city = (rng.random(capacity) * n_cities[country]).astype(np.int64)
    heads = np.array(vocab.NUMEMPLOYEES_MIDPOINTS, dtype=np.float64)[size]
    per_head = rng.lognormal(np.log(150_000), 0.5, capacity)
    revenue = (np.round(heads * per_head, -4)).astype(np.int64)
    return _CompanyWorld(
        root=pair // len(vocab.COMPANY_SECONDS),
        second=pair % len(vocab.COMPANY_SECONDS),
        tld=tld,
        suffix=rng.integers(0, len(vocab.COMPANY_SUFFIXES), capacity),
        size=size,
        industry=_draw(rng, industry_weights, capacity),
        country=country,
        city=city,
        revenue=revenue,
        website_style=rng.integers(0, 3, capacity),
        # Drawn last so that the arrays above stay what they were before headcounts existed.
        headcount=_headcounts(rng, size),
    )


# Employee counts per size band: [low, high) of `vocab.NUMEMPLOYEES_OPTIONS`.
_BAND_LOW = np.array([1, 5, 25, 50, 100, 500, 1000], dtype=np.float64)
_BAND_HIGH = np.array([5, 25, 50, 100, 500, 1000, 20_000], dtype=np.float64)


def _headcounts(rng: np.random.Generator, size: IntArray) -> IntArray:
    low, high = np.log(_BAND_LOW[size]), np.log(_BAND_HIGH[size])
    return np.exp(low + rng.random(len(size)) * (high - low)).astype(np.int64)


@functools.cache
def _city_table() -> tuple[ObjArray, IntArray]:
    """All cities flattened, and each country's first index into that array."""
    cities = [city for _, _, cs in vocab.COUNTRIES for city in cs]
    starts = np.cumsum([0] + [len(cs) for _, _, cs in vocab.COUNTRIES[:-1]])
    return _obj(cities), starts.astype(np.int64)


@functools.cache
def _title_table() -> tuple[ObjArray, IntArray]:
    """Job titles flattened, and the lookup [seniority, department, slot] → title index."""
    titles: list[str] = []
    slots = max(len(t) for t in vocab.SENIORITY_TEMPLATES.values())
    lookup = np.zeros((len(vocab.SENIORITIES), len(vocab.DEPARTMENTS), slots), dtype=np.int64)
    index: dict[str, int] = {}
    for s, seniority in enumerate(vocab.SENIORITIES):
        templates = vocab.SENIORITY_TEMPLATES[seniority]
        for d, department in enumerate(vocab.DEPARTMENTS):
            for slot in range(slots):
                template = templates[slot % len(templates)]
                title = template.replace("{d}", department)
                if title not in index:
                    index[title] = len(titles)
                    titles.append(title)
                lookup[s, d, slot] = index[title]
    return _obj(titles), lookup


def _lower_names(names: tuple[str, ...]) -> ObjArray:
    return _obj([n.lower().replace(" ", "").replace("'", "") for n in names])


# --------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Profile:
    """What later stages need of each contact's profile (arrays of length n)."""

    email_kind: IntArray
    seniority: IntArray
    fit: FloatArray  # latent log-odds of fit, from the true (possibly unshown) profile
    size: IntArray  # latent company size band of the contact's employer
    industry: IntArray  # latent industry of the contact's employer
    company_rank: IntArray  # the portal company a contact is associated with, -1 for none
    companies: PortalCompanies


def _build(
    rng: np.random.Generator,
    created: IntArray,
    now_ms: int,
    id_offset: int,
    bulk_import_size: int,
    companies_per_contact: float,
) -> GeneratedPortal:
    n = len(created)
    numbers = np.arange(id_offset + 1, id_offset + 1 + n, dtype=np.int64)
    ids = _int_str(numbers)
    contacts: dict[str, ObjArray] = {"hs_object_id": ids}
    profile = _profile_columns(rng, n, contacts, companies_per_contact, id_offset)
    age_days = (now_ms - created) / DAY_MS
    member = profile.company_rank >= 0

    # Several properties equal createdate: share its strings instead of formatting them again.
    created_iso = _iso(created)
    # Accounts are in market or not: colleagues share part of their intent.
    account_intent = rng.normal(0.0, _ACCOUNT_INTENT_SD, len(profile.companies))
    shared = np.where(member, account_intent[np.maximum(profile.company_rank, 0)], 0.0)
    intent = rng.normal(0.0, 1.0, n) + 0.3 * (profile.fit - _FIT_CENTER) + shared
    marketing = _marketing_columns(
        rng, created, created_iso, now_ms, age_days, intent, profile, contacts
    )
    # When a lead would convert is drawn first, so that the truth depends only on what
    # happened before that moment (the meetings and replies before it), as in real life.
    lag_days = np.maximum(rng.lognormal(np.log(30.0), 0.8, n), 1.0)
    would_convert_at = created + (lag_days * DAY_MS).astype(np.int64)
    cutoff = np.minimum(would_convert_at, now_ms)
    engagements, sales = _engagements(
        rng, numbers, ids, created, now_ms, age_days, intent, profile, marketing.demo_like, cutoff
    )

    logit = (
        _B0
        + _W_FIT * (profile.fit - _FIT_CENTER)
        + _W_INTENT * intent
        + _W_DEMO * marketing.demo_like
        # Saturating: a fourth meeting before converting adds nothing.
        + _W_MEETINGS * np.minimum(sales.meetings_before, 3)
        # A threshold: having replied to sales at all.
        + _W_REPLIED * sales.replied_before
        + _account_effects(profile, marketing, sales)
        + rng.normal(0.0, _NOISE_SD, n)
    )
    # Not the logistic form a model fits: a power of it (steeper at the top).
    probability = _sigmoid(logit) ** _LINK_POWER
    converted = rng.random(n) < probability
    converted_at = np.where(converted, would_convert_at, -1)
    after, after_sales = _post_conversion_engagements(
        rng, numbers, ids, converted_at, now_ms, intent, profile
    )
    engagements, sales = _joined(engagements, after), sales.plus(after_sales)
    customer = converted & (rng.random(n) < 0.55)
    close_days = rng.lognormal(np.log(40.0), 0.6, n)
    customer_at = np.where(customer, converted_at + (close_days * DAY_MS).astype(np.int64), -1)

    deal_at = _deal_times(rng, created, now_ms, converted_at)
    stage_ms = _lifecycle_columns(
        rng,
        created,
        created_iso,
        now_ms,
        converted_at,
        customer_at,
        intent,
        profile,
        marketing,
        sales,
        contacts,
        deal_at >= 0,
    )
    _sales_summary_columns(sales, contacts)
    stage_date_columns(stage_ms, contacts)
    imported = contacts["hs_analytics_source"] == "OFFLINE"
    histories = contact_histories(
        rng, numbers, created, now_ms, converted_at, imported, stage_ms, contacts
    )

    lastmodified = np.maximum.reduce(
        [
            created,
            marketing.last_touch_ms,
            sales.last_activity_ms,
            np.maximum.reduce(list(stage_ms.values())),
            histories.latest_ms(numbers),
        ]
    ) + rng.integers(0, 60_000, n)  # HubSpot's own recalculations land a little later
    lastmodified = np.minimum(lastmodified, now_ms)
    if bulk_import_size:
        import_ms = now_ms - 2 * DAY_MS
        untouched = np.flatnonzero(lastmodified <= import_ms)
        chosen = rng.choice(untouched, size=min(bulk_import_size, len(untouched)), replace=False)
        lastmodified[chosen] = import_ms
    contacts["createdate"] = created_iso
    contacts["lastmodifieddate"] = _iso(lastmodified)

    deals = generate_deals(
        rng,
        numbers,
        ids,
        contacts["email"],
        profile.company_rank,
        profile.companies,
        deal_at,
        converted_at,
        customer_at,
        now_ms,
    )
    stage_names = np.array(vocab.LIFECYCLE_STAGES)
    by_name = np.argsort(stage_names)
    stages = contacts["lifecyclestage"].astype(str)
    activity = ContactActivity(
        created_ms=created,
        last_activity_ms=sales.last_activity_ms,
        last_contacted_ms=sales.last_contacted_ms,
        last_sales_activity_ms=sales.last_sales_activity_ms,
        times_contacted=sales.times_contacted,
        lifecycle_index=by_name[np.searchsorted(stage_names[by_name], stages)].astype(np.int64),
    )
    history_start = int(created.min()) if n else now_ms
    companies = company_columns(
        rng, profile.companies, profile.company_rank, activity, deals, now_ms, history_start
    )
    contact_company: ObjArray = np.full(n, None, dtype=object)
    contact_company[member] = companies["hs_object_id"][profile.company_rank[member]]

    truth: dict[str, NDArray[Any]] = {
        "contact_id": ids,
        "converted": converted,
        "converted_at_ms": converted_at.astype(np.int64),
        "customer_at_ms": customer_at.astype(np.int64),
        "conversion_probability": probability,
    }
    ordered = {spec.name: contacts[spec.name] for spec in CONTACT_PROPERTIES}
    return GeneratedPortal(
        contacts=ordered,
        engagements=engagements,
        truth=truth,
        now_ms=now_ms,
        companies=companies,
        deals=deals.columns,
        contact_company=contact_company,
        contact_history=histories,
    )


_NO_DEAL_SHARE = 0.04  # converted leads whose rep never logged a deal (label noise)
_STRAY_DEAL_SHARE = 0.02  # leads that never convert but got a deal, soon lost


def _deal_times(
    rng: np.random.Generator, created: IntArray, now_ms: int, converted_at: IntArray
) -> IntArray:
    """When each contact's deal was created (-1: none): at the conversion for most leads
    converted by now; never for a few of them; and for a few leads that never convert, a
    deal opened by mistake (lost soon after). The outcome a connector sees is noisy."""
    n = len(created)
    past = (converted_at >= 0) & (converted_at <= now_ms)
    # Only leads around for a while (never a lead created minutes ago).
    settled = now_ms - created > 14 * DAY_MS
    stray = (converted_at < 0) & settled & (rng.random(n) < _STRAY_DEAL_SHARE)
    opened = created + (rng.random(n) * (now_ms - created)).astype(np.int64)
    dealt = past & (rng.random(n) >= _NO_DEAL_SHARE)
    return np.where(dealt, converted_at, np.where(stray, opened, -1))


def _account_effects(profile: _Profile, marketing: _Marketing, sales: _Sales) -> FloatArray:
    """What the account adds to a contact's odds: an ideal-customer-profile company (size ×
    industry, not either alone) and colleagues who engage (a buying committee forming)."""
    member = profile.company_rank >= 0
    industry_names = np.array(vocab.INDUSTRY_OPTIONS)[profile.industry]
    mid_sized = (profile.size >= _ICP_BANDS[0]) & (profile.size <= _ICP_BANDS[1])
    icp = mid_sized & np.isin(industry_names, vocab.TARGET_INDUSTRIES)
    # Colleagues engaged before their own conversion (or now): a buying committee forming.
    engaged = ((marketing.demo_like > 0) | (sales.meetings_before > 0)).astype(np.float64)
    ranks = profile.company_rank[member]
    per_company = np.bincount(ranks, weights=engaged[member], minlength=len(profile.companies))
    colleagues = np.zeros(len(member))
    colleagues[member] = per_company[ranks] - engaged[member]
    # Saturating: the second and third engaged colleague matter less than the first.
    return _W_ICP * icp + _W_COLLEAGUES * np.sqrt(np.minimum(colleagues, 4.0))


def _profile_columns(
    rng: np.random.Generator,
    n: int,
    contacts: dict[str, ObjArray],
    companies_per_contact: float,
    id_offset: int,
) -> _Profile:
    """Names, email, title, company and firmographics; returns the latent profile."""
    kind = _draw(rng, _EMAIL_KIND_WEIGHTS, n)
    seniority = np.empty(n, dtype=np.int64)
    for k in range(len(_EMAIL_KINDS)):
        rows = np.flatnonzero(kind == k)
        seniority[rows] = _draw(rng, _SENIORITY_BY_EMAIL[k], len(rows))
    department = _draw(rng, _DEPARTMENT_WEIGHTS, n)

    # Companies: business addresses work at a world company; free-mail and invalid
    # addresses often typed one into the form; students and competitors have their own.
    world = _company_world()
    n_companies = max(1, min(len(world), round(companies_per_contact * n)))
    # Weighted sampling without replacement (Efraimidis–Spirakis): .com domains dominate.
    keys = rng.random(len(world)) ** (1.0 / _TLD_WEIGHTS[world.tld])
    portal_companies = np.argpartition(-keys, n_companies - 1)[:n_companies]
    # Work addresses belong to a portal company: every company gets one contact first, the
    # rest follow a Zipf law, so a few big accounts gather hundreds of contacts. Free-mail
    # and invalid addresses only type a company name into forms (no association).
    rank = np.full(n, -1, dtype=np.int64)
    business = rng.permutation(np.flatnonzero(kind == 0))
    seeded = min(len(business), n_companies)
    rank[business[:seeded]] = np.arange(seeded)
    rest = business[seeded:]
    rank[rest] = _draw(rng, 1.0 / np.arange(1, n_companies + 1), len(rest))
    typed = _draw(rng, 1.0 / np.sqrt(np.arange(1, n_companies + 1)), n)
    company = portal_companies[np.where(rank >= 0, rank, typed)]
    has_company = (
        (kind == 0) | ((kind == 1) & (rng.random(n) < 0.6)) | ((kind == 4) & (rng.random(n) < 0.5))
    )

    size = np.where(has_company, world.size[company], _draw(rng, (30, 30, 12, 10, 10, 4, 4), n))
    industry = np.where(
        has_company, world.industry[company], _draw(rng, np.ones(len(vocab.INDUSTRY_OPTIONS)), n)
    )
    country = np.where(has_company, world.country[company], _draw(rng, vocab.COUNTRY_WEIGHTS, n))
    city_names, city_starts = _city_table()
    n_cities = np.array([len(c[2]) for c in vocab.COUNTRIES], dtype=np.int64)
    city = np.where(
        has_company, world.city[company], (rng.random(n) * n_cities[country]).astype(np.int64)
    )
    revenue = world.revenue[company]

    students = kind == 2
    competitors = kind == 3
    school = rng.integers(0, len(vocab.STUDENT_SCHOOLS), n)
    rival = rng.integers(0, len(vocab.COMPETITORS), n)
    higher_ed = vocab.INDUSTRY_OPTIONS.index("HIGHER_EDUCATION")
    software = vocab.INDUSTRY_OPTIONS.index("COMPUTER_SOFTWARE")
    industry = np.where(students, higher_ed, np.where(competitors, software, industry))
    size = np.where(students | competitors, len(vocab.NUMEMPLOYEES_OPTIONS) - 1, size)

    # Fit, from the latent truth (observed or not).
    industry_names = np.array(vocab.INDUSTRY_OPTIONS)[industry]
    fit = (
        _W_EMAIL[kind]
        + _W_SENIORITY[seniority]
        + _W_DEPARTMENT[department]
        + _W_SIZE[size]
        + _W_TARGET_INDUSTRY * np.isin(industry_names, vocab.TARGET_INDUSTRIES)
        + _W_LOW_FIT_INDUSTRY * np.isin(industry_names, _LOW_FIT_INDUSTRIES)
        + _W_CORE_MARKET * (country < vocab.CORE_MARKET_COUNT)
    )

    # Names and email addresses.
    first_i = rng.integers(0, len(vocab.FIRST_NAMES), n)
    last_i = rng.integers(0, len(vocab.LAST_NAMES), n)
    domain = _email_domains(rng, kind, company, school, rival, world)
    local = _email_locals(rng, kind, first_i, last_i)
    email = local + "@" + domain
    email = _deduplicate_emails(email, local, domain, contacts["hs_object_id"])
    contacts["email"] = email
    contacts["firstname"] = _obj(vocab.FIRST_NAMES)[first_i]
    contacts["firstname"][rng.random(n) < 0.03] = None
    contacts["lastname"] = _obj(vocab.LAST_NAMES)[last_i]
    contacts["lastname"][rng.random(n) < 0.06] = None

    titles, lookup = _title_table()
    slot = rng.integers(0, lookup.shape[2], n)
    jobtitle = titles[lookup[seniority, department, slot]]
    jobtitle[rng.random(n) < 0.08] = None
    contacts["jobtitle"] = jobtitle

    company_names = _company_names(world, company)
    company_col = _only(has_company, company_names)
    company_col[students] = _obj([s for s, _ in vocab.STUDENT_SCHOOLS])[school[students]]
    company_col[competitors] = _obj([c for c, _ in vocab.COMPETITORS])[rival[competitors]]
    company_col[rng.random(n) < 0.07] = None
    contacts["company"] = company_col

    website = np.full(n, None, dtype=object)
    show_site = has_company & (rng.random(n) < np.where(kind == 0, 0.7, 0.3))
    rows = np.flatnonzero(show_site)
    bare = _company_domains(world, company[rows])
    prefixes = _obj(["https://www.", "http://", ""])[world.website_style[company[rows]]]
    website[rows] = prefixes + bare
    contacts["website"] = website

    codes = _obj([code for _, code, _ in vocab.COUNTRIES])
    numbers = rng.integers(2_000_000_000, 9_999_999_999, n, dtype=np.int64)
    # Everyone's number; `contact_histories` decides who gave it and when.
    contacts["phone"] = codes[country] + " " + _int_str(numbers)

    country_col = _obj([name for name, _, _ in vocab.COUNTRIES])[country]
    country_col[rng.random(n) < 0.08] = None
    contacts["country"] = country_col
    city_col = city_names[city_starts[country] + city]
    city_col[rng.random(n) < 0.15] = None
    contacts["city"] = city_col

    # Firmographics live on the company; a contact shows them only when a form asked.
    industry_col = _obj(vocab.INDUSTRY_OPTIONS)[industry]
    industry_col[(~has_company & ~students & ~competitors) | (rng.random(n) < 0.75)] = None
    contacts["industry"] = industry_col
    size_col = _obj(vocab.NUMEMPLOYEES_OPTIONS)[size]
    size_col[(~has_company & (rng.random(n) < 0.6)) | (rng.random(n) < 0.7)] = None
    contacts["numemployees"] = size_col
    contacts["annualrevenue"] = _int_str(revenue, ~has_company | (rng.random(n) < 0.85))
    companies = _portal_companies(world, portal_companies, id_offset)
    return _Profile(kind, seniority, fit, size, industry, rank, companies)


def _portal_companies(world: _CompanyWorld, chosen: IntArray, id_offset: int) -> PortalCompanies:
    """The chosen world companies as portal records (ids follow the contact id offset)."""
    city_names, city_starts = _city_table()
    domains = _company_domains(world, chosen)
    prefixes = _obj(["https://www.", "http://", ""])[world.website_style[chosen]]
    return PortalCompanies(
        numbers=COMPANY_ID_BASE + id_offset + np.arange(1, len(chosen) + 1, dtype=np.int64),
        names=_company_names(world, chosen),
        domains=domains,
        websites=prefixes + domains,
        size_band=world.size[chosen],
        headcount=world.headcount[chosen],
        industry=world.industry[chosen],
        country=world.country[chosen],
        city=city_names[city_starts[world.country[chosen]] + world.city[chosen]],
        revenue=world.revenue[chosen],
    )


def _company_names(world: _CompanyWorld, company: IntArray) -> ObjArray:
    unique, inverse = np.unique(company, return_inverse=True)
    names = (
        _obj(vocab.COMPANY_ROOTS)[world.root[unique]]
        + _obj(vocab.COMPANY_SECONDS)[world.second[unique]]
        + _obj(vocab.COMPANY_SUFFIXES)[world.suffix[unique]]
    )
    out: ObjArray = names[inverse.reshape(-1)]
    return out


def _company_domains(world: _CompanyWorld, company: IntArray) -> ObjArray:
    unique, inverse = np.unique(company, return_inverse=True)
    roots = _lower_names(vocab.COMPANY_ROOTS)
    domains = (
        roots[world.root[unique]]
        + _obj(vocab.COMPANY_SECONDS)[world.second[unique]]
        + _obj(_TLDS)[world.tld[unique]]
    )
    out: ObjArray = domains[inverse.reshape(-1)]
    return out


def _email_domains(
    rng: np.random.Generator,
    kind: IntArray,
    company: IntArray,
    school: IntArray,
    rival: IntArray,
    world: _CompanyWorld,
) -> ObjArray:
    n = len(kind)
    domain = np.empty(n, dtype=object)
    business = np.flatnonzero(kind == 0)
    domain[business] = _company_domains(world, company[business])
    for k, choices in (
        (1, _obj(vocab.FREEMAIL_DOMAINS)),
        (4, _obj(vocab.INVALID_EMAIL_DOMAINS)),
    ):
        rows = np.flatnonzero(kind == k)
        domain[rows] = _pick(rng, choices, len(rows))
    rows = np.flatnonzero(kind == 2)
    domain[rows] = _obj([d for _, d in vocab.STUDENT_SCHOOLS])[school[rows]]
    rows = np.flatnonzero(kind == 3)
    domain[rows] = _obj([d for _, d in vocab.COMPETITORS])[rival[rows]]
    return domain


def _email_locals(
    rng: np.random.Generator, kind: IntArray, first_i: IntArray, last_i: IntArray
) -> ObjArray:
    """Local parts: corporate patterns for work addresses, digits for personal ones."""
    n = len(kind)
    first_names = _lower_names(vocab.FIRST_NAMES)
    last_names = _lower_names(vocab.LAST_NAMES)
    first, last = first_names[first_i], last_names[last_i]
    first_initial = _obj([name[0] for name in first_names])[first_i]
    last_initial = _obj([name[0] for name in last_names])[last_i]
    personal = (kind == 1) | (kind == 2) | (kind == 4)
    pattern = np.where(
        personal, _draw(rng, (25, 30, 25, 20), n) + 5, _draw(rng, (45, 20, 10, 10, 15), n)
    )
    two_digits = _int_str(rng.integers(10, 100, n))
    year = _int_str(rng.integers(1965, 2006, n))
    builders = {
        0: lambda r: first[r] + "." + last[r],
        1: lambda r: first_initial[r] + last[r],
        2: lambda r: first[r],
        3: lambda r: first[r] + "_" + last[r],
        4: lambda r: first[r] + last_initial[r],
        5: lambda r: first[r] + "." + last[r] + two_digits[r],
        6: lambda r: first[r] + last[r] + year[r],
        7: lambda r: first_initial[r] + last[r] + two_digits[r],
        8: lambda r: first[r] + "_" + year[r],
    }
    local = np.empty(n, dtype=object)
    for code, build in builders.items():
        rows = np.flatnonzero(pattern == code)
        if len(rows):
            local[rows] = build(rows)
    return local


def _deduplicate_emails(
    email: ObjArray, local: ObjArray, domain: ObjArray, ids: ObjArray
) -> ObjArray:
    """HubSpot keeps emails unique: repeats get `.<contact id>` in the local part (a form
    no natural pattern produces, so the result is unique within the portal)."""
    if not len(email):
        return email
    _, first_seen = np.unique(email.astype(str), return_index=True)
    repeat = np.ones(len(email), dtype=bool)
    repeat[first_seen] = False
    rows = np.flatnonzero(repeat)
    email[rows] = local[rows] + "." + ids[rows] + "@" + domain[rows]
    return email


@dataclass(frozen=True)
class _Marketing:
    demo_like: FloatArray  # 1.0 when a high-intent form was submitted
    last_touch_ms: IntArray  # latest visit, open, click or form (≥ createdate)


def _marketing_columns(
    rng: np.random.Generator,
    created: IntArray,
    created_iso: ObjArray,
    now_ms: int,
    age_days: FloatArray,
    intent: FloatArray,
    profile: _Profile,
    contacts: dict[str, ObjArray],
) -> _Marketing:
    """Web analytics, forms and marketing email summaries, all driven by intent."""
    n = len(created)
    fit_c = profile.fit - _FIT_CENTER
    age_factor = (0.3 + np.minimum(age_days, 365.0) / 60.0) ** 0.6

    source = _draw(rng, vocab.ANALYTICS_SOURCE_WEIGHTS, n)
    offline = source == vocab.ANALYTICS_SOURCES.index("OFFLINE")
    has_form = ~offline & (rng.random(n) < 0.9)
    extra_forms = rng.poisson(np.exp(-1.2 + 0.5 * intent) * age_factor)
    n_forms = np.where(has_form, 1 + extra_forms, 0)
    high_q = _sigmoid(-1.7 + 0.8 * intent + 0.3 * fit_c)
    recent_high = has_form & (rng.random(n) < high_q)
    first_high = np.where(n_forms > 1, has_form & (rng.random(n) < 0.5 * high_q), recent_high)
    demo_like = (recent_high | first_high).astype(np.float64)

    high_names = _obj(vocab.CONVERSION_EVENTS_HIGH_INTENT)
    low_names = _obj(vocab.CONVERSION_EVENTS_LOW_INTENT)
    recent_name = np.where(recent_high, _pick(rng, high_names, n), _pick(rng, low_names, n))
    first_name = np.where(
        n_forms > 1,
        np.where(first_high, _pick(rng, high_names, n), _pick(rng, low_names, n)),
        recent_name,
    )
    # A form submission creates the contact, so the first one is at createdate.
    first_ms = created
    recent_ms = np.where(
        n_forms > 1,
        created + (rng.random(n) ** 0.5 * (now_ms - created)).astype(np.int64),
        first_ms,
    )
    recent_ms = np.minimum(np.maximum(recent_ms, first_ms), now_ms)
    contacts["num_conversion_events"] = _int_str(n_forms)
    contacts["recent_conversion_event_name"] = _only(has_form, recent_name)
    recent_iso = _only(has_form, created_iso)
    repeat = n_forms > 1
    recent_iso[repeat] = _iso(recent_ms[repeat])
    contacts["recent_conversion_date"] = recent_iso
    contacts["first_conversion_event_name"] = _only(has_form, first_name)
    contacts["first_conversion_date"] = _only(has_form, created_iso)

    visits = rng.poisson(np.exp(0.2 + 0.6 * intent) * age_factor)
    visits = np.maximum(visits, has_form.astype(np.int64))
    views = visits + rng.poisson(visits * np.exp(0.4 + 0.25 * intent))
    back = rng.exponential(30.0 * DAY_MS * np.exp(-0.5 * intent))
    last_visit = np.maximum(now_ms - back.astype(np.int64), created)
    last_visit = np.where(visits > 0, np.maximum(last_visit, np.where(has_form, recent_ms, 0)), -1)
    contacts["hs_analytics_num_visits"] = _int_str(visits)
    contacts["hs_analytics_num_page_views"] = _int_str(views)
    contacts["hs_analytics_first_timestamp"] = _only(visits > 0, created_iso)
    contacts["hs_analytics_last_visit_timestamp"] = _iso(last_visit)
    contacts["hs_analytics_source"] = _obj(vocab.ANALYTICS_SOURCES)[source]

    # Marketing email: a weekly newsletter to everyone with a deliverable address.
    invalid = profile.email_kind == 4
    sends = rng.poisson(age_days / 7.0 * 0.8)
    opens = np.where(invalid, 0, rng.binomial(sends, _sigmoid(-1.0 + 0.6 * intent)))
    clicks = rng.binomial(opens, _sigmoid(-1.8 + 0.5 * intent))
    replied = rng.binomial(opens, 0.01)
    bounces = np.where(
        invalid, np.minimum(sends, 1 + rng.poisson(0.5, n)), (rng.random(n) < 0.01) & (sends > 0)
    )
    optout = (sends > 0) & (rng.random(n) < _sigmoid(-2.8 - 0.6 * intent))
    bad = np.where(invalid, (rng.random(n) < 0.9), (rng.random(n) < 0.003))
    last_open = np.where(
        opens > 0,
        np.maximum(
            now_ms - rng.exponential(20.0 * DAY_MS * np.exp(-0.4 * intent)).astype(np.int64),
            created,
        ),
        -1,
    )
    last_click = np.where(
        clicks > 0,
        np.maximum(last_open - rng.exponential(5.0 * DAY_MS, n).astype(np.int64), created),
        -1,
    )
    contacts["hs_email_open"] = _int_str(opens)
    contacts["hs_email_click"] = _int_str(clicks)
    contacts["hs_email_bounce"] = _int_str(bounces.astype(np.int64))
    contacts["hs_email_replied"] = _int_str(replied)
    booleans = _obj(["false", "true"])
    contacts["hs_email_optout"] = booleans[optout.astype(np.int64)]
    contacts["hs_email_bad_address"] = booleans[bad.astype(np.int64)]
    contacts["hs_email_last_open_date"] = _iso(last_open)
    contacts["hs_email_last_click_date"] = _iso(last_click)

    last_touch = np.maximum.reduce(
        [created, last_visit, last_open, last_click, np.where(has_form, recent_ms, -1)]
    )
    return _Marketing(demo_like=demo_like, last_touch_ms=last_touch)


@dataclass(frozen=True)
class _Sales:
    """Per-contact aggregates of the sales engagement objects."""

    completed_meetings: IntArray
    meetings_before: IntArray  # completed before the conversion (or now, if none yet)
    replied_before: BoolArray  # replied to a sales email before the conversion
    connected_calls: IntArray
    last_activity_ms: IntArray  # any engagement at or before now, else -1
    last_sales_activity_ms: IntArray  # calls, emails, meetings
    last_contacted_ms: IntArray  # calls, outgoing emails, meetings
    times_contacted: IntArray
    last_reply_ms: IntArray
    last_meeting_booked_ms: IntArray

    def plus(self, other: _Sales) -> _Sales:
        """The aggregates over both batches of engagements."""
        return _Sales(
            completed_meetings=self.completed_meetings + other.completed_meetings,
            meetings_before=self.meetings_before + other.meetings_before,
            replied_before=self.replied_before | other.replied_before,
            connected_calls=self.connected_calls + other.connected_calls,
            last_activity_ms=np.maximum(self.last_activity_ms, other.last_activity_ms),
            last_sales_activity_ms=np.maximum(
                self.last_sales_activity_ms, other.last_sales_activity_ms
            ),
            last_contacted_ms=np.maximum(self.last_contacted_ms, other.last_contacted_ms),
            times_contacted=self.times_contacted + other.times_contacted,
            last_reply_ms=np.maximum(self.last_reply_ms, other.last_reply_ms),
            last_meeting_booked_ms=np.maximum(
                self.last_meeting_booked_ms, other.last_meeting_booked_ms
            ),
        )


def _joined(
    a: dict[str, dict[str, ObjArray]], b: dict[str, dict[str, ObjArray]]
) -> dict[str, dict[str, ObjArray]]:
    """Two batches of engagement columns as one (same kinds, same columns)."""
    return {
        kind: {name: np.concatenate([col, b[kind][name]]) for name, col in columns.items()}
        for kind, columns in a.items()
    }


def _engagements(
    rng: np.random.Generator,
    numbers: IntArray,
    ids: ObjArray,
    created: IntArray,
    now_ms: int,
    age_days: FloatArray,
    intent: FloatArray,
    profile: _Profile,
    demo_like: FloatArray,
    cutoff: IntArray,
) -> tuple[dict[str, dict[str, ObjArray]], _Sales]:
    """Calls, emails, meetings, notes and tasks for the leads sales chose to work; what
    happened before `cutoff` (the conversion, or now) is counted apart."""
    n = len(created)
    fit_c = profile.fit - _FIT_CENTER
    worked = rng.random(n) < _sigmoid(-0.8 + 0.7 * fit_c + 1.5 * demo_like + 0.3 * intent)
    # Sales works a lead while it is being evaluated: from its creation to the moment it
    # would convert (or now). A lead created minutes ago has at most a first touch.
    active_days = (cutoff - created) / DAY_MS
    pace = np.clip(active_days / 14.0, 0.02, 1.0) * (1.0 + np.minimum(active_days, 180.0) / 90.0)
    w = worked.astype(np.float64)
    out_emails = rng.poisson(w * 2.0 * pace)
    counts = {
        "calls": rng.poisson(w * 1.3 * pace),
        "emails": out_emails,
        "meetings": rng.poisson(
            w * pace * np.exp(-1.4 + 0.6 * intent + 0.8 * demo_like + 0.25 * fit_c)
        ),
        "notes": rng.poisson(w * 0.6 * pace + 0.03),
        "tasks": rng.poisson(w * 0.8 * pace) + ((age_days < 1.0) & (demo_like > 0)),
    }
    incoming = rng.binomial(out_emails, _sigmoid(-1.3 + 0.7 * intent))
    forwarded = rng.binomial(out_emails, 0.03)
    counts["emails"] = out_emails + incoming + forwarded
    counts = {
        k: np.minimum(v, MAX_ENGAGEMENTS_PER_KIND).astype(np.int64) for k, v in counts.items()
    }
    out_emails = np.minimum(out_emails, counts["emails"])
    incoming = np.minimum(incoming, counts["emails"] - out_emails)
    horizon = now_ms + FUTURE_HORIZON_DAYS * DAY_MS
    # Meetings and tasks may be scheduled ahead only while the evaluation goes on.
    scheduled = np.where(cutoff >= now_ms, horizon, cutoff)
    window = _Window(created, cutoff, scheduled, now_ms, cutoff, 0)
    return _engagement_objects(
        rng, numbers, ids, counts, out_emails, incoming, window, intent, profile
    )


def _post_conversion_engagements(
    rng: np.random.Generator,
    numbers: IntArray,
    ids: ObjArray,
    converted_at: IntArray,
    now_ms: int,
    intent: FloatArray,
    profile: _Profile,
) -> tuple[dict[str, dict[str, ObjArray]], _Sales]:
    """The account team's work on a converted lead: meetings, emails and notes after the
    conversion (none before it), more the longer ago it converted. So "meetings now" is
    inflated for converters while "meetings before converting" stays an honest signal."""
    n = len(numbers)
    past = (converted_at >= 0) & (converted_at <= now_ms)
    weeks = np.where(past, (now_ms - converted_at) / (7.0 * DAY_MS), 0.0)
    busy = np.minimum(weeks, 6.0) * past
    out_emails = np.minimum(rng.poisson(0.6 * busy), 80)
    incoming = np.minimum(rng.binomial(out_emails, 0.5), 40)
    counts = {
        "calls": np.zeros(n, dtype=np.int64),
        "emails": (out_emails + incoming).astype(np.int64),
        "meetings": np.minimum(rng.poisson(0.35 * busy), 60).astype(np.int64),
        "notes": np.minimum(rng.poisson(0.3 * busy), 60).astype(np.int64),
        "tasks": np.zeros(n, dtype=np.int64),
    }
    # Ids above the organic engagements' (5 kinds x MAX_ENGAGEMENTS_PER_KIND).
    until = np.full(n, now_ms, dtype=np.int64)
    window = _Window(converted_at + 1, until, until, now_ms, converted_at, _POST_ID_START)
    return _engagement_objects(
        rng, numbers, ids, counts, out_emails, incoming, window, intent, profile
    )


@dataclass(frozen=True)
class _Window:
    """Where a batch of engagements lies, per contact: from `lo_ms` to `hi_ms`, scheduled
    meetings and tasks up to `scheduled_ms` (past `now_ms`: not happened yet); `cutoff_ms`
    bounds what counts as "before the conversion"; ids start at `id_start` within the
    contact's block."""

    lo_ms: IntArray
    hi_ms: IntArray
    scheduled_ms: IntArray
    now_ms: int
    cutoff_ms: IntArray
    id_start: int


def _engagement_objects(
    rng: np.random.Generator,
    numbers: IntArray,
    ids: ObjArray,
    counts: dict[str, IntArray],
    out_emails: IntArray,
    incoming: IntArray,
    window: _Window,
    intent: FloatArray,
    profile: _Profile,
) -> tuple[dict[str, dict[str, ObjArray]], _Sales]:
    """The engagement objects of `counts` per kind and contact, and their aggregates."""
    n = len(numbers)
    now_ms = window.now_ms
    engagements: dict[str, dict[str, ObjArray]] = {}
    kind_base = np.full(n, window.id_start, dtype=np.int64)
    last_activity = np.full(n, -1, dtype=np.int64)
    last_sales = np.full(n, -1, dtype=np.int64)
    last_contacted = np.full(n, -1, dtype=np.int64)
    times_contacted = np.zeros(n, dtype=np.int64)
    last_reply = np.full(n, -1, dtype=np.int64)
    last_booked = np.full(n, -1, dtype=np.int64)
    completed_meetings = np.zeros(n, dtype=np.int64)
    meetings_before = np.zeros(n, dtype=np.int64)
    replied_before = np.zeros(n, dtype=bool)
    connected_calls = np.zeros(n, dtype=np.int64)

    for kind in ENGAGEMENT_KINDS:
        c = counts[kind]
        owner = np.repeat(np.arange(n, dtype=np.int64), c)
        starts = np.cumsum(c) - c
        rank = np.arange(len(owner), dtype=np.int64) - starts[owner]
        engagement_id = ENGAGEMENT_ID_BASE + numbers[owner] * 1000 + kind_base[owner] + rank
        kind_base += c
        lo = window.lo_ms[owner]
        hi = (window.scheduled_ms if kind in ("meetings", "tasks") else window.hi_ms)[owner]
        ts = lo + (rng.random(len(owner)) * (hi - lo)).astype(np.int64)
        past = ts <= now_ms
        before = ts < window.cutoff_ms[owner]
        columns: dict[str, ObjArray] = {
            "hs_object_id": _int_str(engagement_id),
            "contact_id": ids[owner],
            "hs_timestamp": _iso(ts),
        }
        z = intent[owner]
        m = len(owner)
        if kind == "calls":
            answered = rng.random(m) < _sigmoid(-0.3 + 0.6 * z)
            status = np.where(answered, 0, _draw(rng, (0, 60, 20, 10, 10), m))
            duration = np.where(
                answered, rng.lognormal(np.log(360_000), 0.7, m), rng.integers(0, 30_000, m)
            ).astype(np.int64)
            columns["hs_call_status"] = _obj(vocab.CALL_STATUSES)[status]
            columns["hs_call_duration"] = _int_str(duration)
            columns["hs_call_direction"] = _obj(vocab.CALL_DIRECTIONS)[
                (rng.random(m) < 0.12).astype(np.int64)
            ]
            np.add.at(connected_calls, owner, answered.astype(np.int64))
            contacted = past
        elif kind == "emails":
            direction = (rank >= out_emails[owner]).astype(np.int64) + (
                rank >= (out_emails + incoming)[owner]
            )
            invalid = profile.email_kind[owner] == 4
            status = np.where(invalid & (direction == 0), 1, 0)
            status_col = _obj(vocab.EMAIL_STATUSES)[status]
            status_col[direction == 1] = None
            subject = np.where(
                direction == 1,
                _pick(rng, _obj(vocab.INCOMING_EMAIL_SUBJECTS), m),
                _pick(rng, _obj(vocab.OUTGOING_EMAIL_SUBJECTS), m),
            )
            columns["hs_email_direction"] = _obj(vocab.EMAIL_DIRECTIONS)[direction]
            columns["hs_email_status"] = status_col
            columns["hs_email_subject"] = subject
            reply = past & (direction == 1)
            np.maximum.at(last_reply, owner[reply], ts[reply])
            replied_before[owner[reply & before]] = True
            contacted = past & (direction == 0)
        elif kind == "meetings":
            held = rng.random(m) < _sigmoid(0.8 + 0.5 * z)
            missed = _draw(rng, (0, 0, 30, 40, 30), m)
            # Past meetings mostly carry an outcome; a few were never updated by the rep.
            stale = rng.random(m) < 0.05
            outcome = np.where(~past | stale, 0, np.where(held, 1, missed))
            columns["hs_meeting_title"] = _pick(rng, _obj(vocab.MEETING_TITLES), m)
            columns["hs_meeting_outcome"] = _obj(vocab.MEETING_OUTCOMES)[outcome]
            columns["hs_meeting_start_time"] = columns["hs_timestamp"]
            length = rng.choice(np.array([15, 30, 45, 60], dtype=np.int64), m) * 60_000
            columns["hs_meeting_end_time"] = _iso(ts + length)
            np.add.at(completed_meetings, owner, (outcome == 1).astype(np.int64))
            np.add.at(meetings_before, owner, ((outcome == 1) & before).astype(np.int64))
            booked = np.maximum(
                np.minimum(ts, now_ms) - rng.integers(0, 7 * DAY_MS, m, dtype=np.int64), lo
            )
            # A meeting object is created when it is booked.
            columns["hs_createdate"] = _iso(booked)
            np.maximum.at(last_booked, owner, booked)
            contacted = past
        elif kind == "notes":
            columns["hs_note_body"] = _pick(rng, _obj(vocab.NOTE_BODIES), m)
            contacted = np.zeros(m, dtype=bool)
        else:
            done = rng.random(m) < 0.8
            status = np.where(
                past,
                np.where(done, 3, _draw(rng, (40, 10, 10, 0, 40), m)),
                _draw(rng, (70, 20, 10, 0, 0), m),
            )
            columns["hs_task_subject"] = _pick(rng, _obj(vocab.TASK_SUBJECTS), m)
            columns["hs_task_status"] = _obj(vocab.TASK_STATUSES)[status]
            columns["hs_task_type"] = _obj(vocab.TASK_TYPES)[_draw(rng, (40, 35, 25), m)]
            columns["hs_task_priority"] = _obj(vocab.TASK_PRIORITIES)[
                _draw(rng, (20, 20, 40, 20), m)
            ]
            contacted = np.zeros(m, dtype=bool)
        engagements[kind] = columns

        np.maximum.at(last_activity, owner[past], ts[past])
        if kind in ("calls", "emails", "meetings"):
            np.maximum.at(last_sales, owner[past], ts[past])
        np.maximum.at(last_contacted, owner[contacted], ts[contacted])
        np.add.at(times_contacted, owner[contacted], 1)

    sales = _Sales(
        completed_meetings=completed_meetings,
        meetings_before=meetings_before,
        replied_before=replied_before,
        connected_calls=connected_calls,
        last_activity_ms=last_activity,
        last_sales_activity_ms=last_sales,
        last_contacted_ms=last_contacted,
        times_contacted=times_contacted,
        last_reply_ms=last_reply,
        last_meeting_booked_ms=last_booked,
    )
    return engagements, sales


def _sales_summary_columns(sales: _Sales, contacts: dict[str, ObjArray]) -> None:
    """HubSpot's contact-level rollups of the engagement objects."""
    contacts["hs_sales_email_last_replied"] = _iso(sales.last_reply_ms)
    contacts["hs_last_sales_activity_timestamp"] = _iso(sales.last_sales_activity_ms)
    contacts["notes_last_contacted"] = _iso(sales.last_contacted_ms)
    contacts["notes_last_updated"] = _iso(sales.last_activity_ms)
    contacts["num_contacted_notes"] = _int_str(sales.times_contacted)
    contacts["engagements_last_meeting_booked"] = _iso(sales.last_meeting_booked_ms)


def _lifecycle_columns(
    rng: np.random.Generator,
    created: IntArray,
    created_iso: ObjArray,
    now_ms: int,
    converted_at: IntArray,
    customer_at: IntArray,
    intent: FloatArray,
    profile: _Profile,
    marketing: _Marketing,
    sales: _Sales,
    contacts: dict[str, ObjArray],
    has_deal: BoolArray,
) -> dict[str, IntArray]:
    """Lifecycle stage, its dates, lead status and deal count; returns when each contact
    entered each stage it reached (-1: never), in stage order."""
    n = len(created)
    stage_index = {name: i for i, name in enumerate(vocab.LIFECYCLE_STAGES)}
    past_opp = (converted_at >= 0) & (converted_at <= now_ms)
    past_customer = (customer_at >= 0) & (customer_at <= now_ms)
    unfit = (profile.email_kind == 3) | (profile.seniority == vocab.SENIORITIES.index("job_seeker"))
    newsletter_only = (marketing.demo_like == 0) & (rng.random(n) < 0.3)
    mql = (marketing.demo_like > 0) | (intent + rng.normal(0, 0.5, n) > 1.2)

    stage = np.full(n, stage_index["lead"], dtype=np.int64)
    stage[newsletter_only] = stage_index["subscriber"]
    stage[mql] = stage_index["marketingqualifiedlead"]
    stage[sales.completed_meetings > 0] = stage_index["salesqualifiedlead"]
    stage[unfit & (rng.random(n) < 0.4)] = stage_index["other"]
    stage[past_opp] = stage_index["opportunity"]
    stage[past_customer] = stage_index["customer"]
    contacts["lifecyclestage"] = _obj(vocab.LIFECYCLE_STAGES)[stage]

    end = np.where(past_opp, converted_at, now_ms)
    mql_ms = created + (rng.random(n) * 0.5 * (end - created)).astype(np.int64)
    sql_ms = mql_ms + (rng.random(n) * (end - mql_ms)).astype(np.int64)
    is_other = stage == stage_index["other"]
    at_least = {
        name: (stage >= stage_index[name]) & ~is_other
        for name in ("lead", "marketingqualifiedlead", "salesqualifiedlead")
    }
    contacts["hs_lifecyclestage_subscriber_date"] = _only(
        stage == stage_index["subscriber"], created_iso
    )
    contacts["hs_lifecyclestage_lead_date"] = _only(at_least["lead"], created_iso)
    contacts["hs_lifecyclestage_marketingqualifiedlead_date"] = _iso(
        np.where(at_least["marketingqualifiedlead"], mql_ms, -1)
    )
    contacts["hs_lifecyclestage_salesqualifiedlead_date"] = _iso(
        np.where(at_least["salesqualifiedlead"], sql_ms, -1)
    )
    opp_ms = np.where(past_opp, converted_at, -1)
    customer_ms = np.where(past_customer, customer_at, -1)
    contacts["hs_lifecyclestage_opportunity_date"] = _iso(opp_ms)
    contacts["hs_lifecyclestage_customer_date"] = _iso(customer_ms)
    contacts["num_associated_deals"] = _int_str(has_deal.astype(np.int64), ~has_deal)

    status_index = {name: i for i, name in enumerate(vocab.LEAD_STATUSES)}
    age_days = (now_ms - created) / DAY_MS
    status = np.where(age_days < 30, status_index["NEW"], status_index["OPEN"])
    contacted = sales.times_contacted > 0
    connected = (sales.connected_calls > 0) | (sales.last_reply_ms >= 0)
    status = np.where(contacted, status_index["ATTEMPTED_TO_CONTACT"], status)
    status = np.where(
        connected,
        np.where(rng.random(n) < 0.25, status_index["BAD_TIMING"], status_index["CONNECTED"]),
        status,
    )
    status = np.where(sales.completed_meetings > 0, status_index["IN_PROGRESS"], status)
    low_fit = unfit | np.isin(profile.email_kind, (2, 4))
    status = np.where(low_fit & (rng.random(n) < 0.6), status_index["UNQUALIFIED"], status)
    status = np.where(past_opp, status_index["OPEN_DEAL"], status)
    status = np.where(past_customer, status_index["CONNECTED"], status)
    status_col = _obj(vocab.LEAD_STATUSES)[status]
    # Many portals leave lead status empty on untouched leads.
    status_col[~contacted & ~past_opp & (rng.random(n) < 0.4)] = None
    contacts["hs_lead_status"] = status_col

    return {
        "subscriber": np.where(stage == stage_index["subscriber"], created, -1),
        "lead": np.where(at_least["lead"], created, -1),
        "marketingqualifiedlead": np.where(at_least["marketingqualifiedlead"], mql_ms, -1),
        "salesqualifiedlead": np.where(at_least["salesqualifiedlead"], sql_ms, -1),
        "opportunity": opp_ms,
        "customer": customer_ms,
    }
