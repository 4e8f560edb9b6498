"""Property histories of generated contacts (the time side of `generator.py`).

HubSpot keeps every value a property has had. A generated contact's history tells how its
record came to be what it is now, so a connector can rebuild the lead as it stood at any
moment:

- values set at creation by the form (or the import of an offline list): name, email,
  title, company, location, and some firmographics; some titles are corrected later by a
  rep, and many firmographics are missing at creation and filled later by enrichment;
- lifecycle stage moves, at the stage dates (`hs_lifecyclestage_*_date`, whose v2 twins
  `hs_v2_date_entered_*`/`hs_v2_date_exited_*` are written here too);
- PLANTED post-outcome properties (`PLANTED_POST_OUTCOME_PROPERTIES`): what sales fills in
  once a lead has converted — its buying role, whether its budget is confirmed, the phone
  number asked on the first call — for most converted leads at or after their conversion,
  rarely for the others. Trained on current values they separate converters perfectly;
  as of before the conversion they say nothing. A leak guard must find them by time.

Columns only, no Python loop per contact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from connector.sandbox.generator_columns import (
    DAY_MS,
    BoolArray,
    IntArray,
    ObjArray,
    draw,
    iso,
    obj,
)

PLANTED_POST_OUTCOME_PROPERTIES: tuple[str, ...] = ("hs_buying_role", "budget_confirmed", "phone")
"""Contact properties sales sets after a conversion (for most converted leads, rarely for
others): a connector's time-based leak guard should name every one of them."""

SALES_REP_USER_IDS = np.array([7_100_001, 7_100_002, 7_100_003, 7_100_004], dtype=np.int64)
"""HubSpot users of a generated portal's sales team (the first is the sandbox's user)."""

BUYING_ROLES = (
    "DECISION_MAKER",
    "BUDGET_HOLDER",
    "CHAMPION",
    "INFLUENCER",
    "EXECUTIVE_SPONSOR",
    "END_USER",
)
_BUYING_ROLE_WEIGHTS = (30, 20, 20, 15, 10, 5)

# Contact fields a form (or an import) sets when the contact is created.
_CREATION_PROPERTIES = ("email", "firstname", "lastname", "company", "website", "country", "city")
_FIRMOGRAPHICS = ("industry", "numemployees", "annualrevenue")
_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
)
# Who moves the stage: the form, marketing automation, a rep, then the deal sync.
_STAGE_SOURCES = ("FORM", "FORM", "AUTOMATION", "CRM_UI", "CALCULATED", "CALCULATED")

_FORM_PHONE_SHARE = 0.25  # forms rarely ask for a phone number
_PLANTED_SHARE = {"hs_buying_role": 0.8, "budget_confirmed": 0.7, "phone": 0.85}
_PLANTED_DELAY_DAYS = {"hs_buying_role": 4.0, "budget_confirmed": 6.0, "phone": 1.5}
_PLANTED_OTHERS = {"hs_buying_role": 0.03, "budget_confirmed": 0.02, "phone": 0.1}
_TITLE_CORRECTED_SHARE = 0.08
_FIRMOGRAPHICS_LATER_SHARE = 0.45


@dataclass(frozen=True)
class ContactHistories:
    """Versions of contact properties, one row per version (any order).

    `contact_id` holds record ids (int64), `source` HubSpot's sourceType, `user_id` the
    HubSpot user of a CRM_UI change (-1 otherwise)."""

    contact_id: IntArray
    property: ObjArray
    value: ObjArray
    timestamp_ms: IntArray
    source: ObjArray
    user_id: IntArray

    def __len__(self) -> int:
        return len(self.contact_id)

    def latest_ms(self, numbers: IntArray) -> IntArray:
        """Per contact (`numbers`, ascending record ids) its last version's time, -1 if none."""
        out = np.full(len(numbers), -1, dtype=np.int64)
        np.maximum.at(out, np.searchsorted(numbers, self.contact_id), self.timestamp_ms)
        return out


class _Rows:
    """Collects version rows column-wise."""

    def __init__(self, numbers: IntArray) -> None:
        self.numbers = numbers
        self.parts: list[tuple[IntArray, ObjArray, ObjArray, IntArray, ObjArray, IntArray]] = []

    def add(
        self,
        mask: BoolArray,
        name: str,
        values: ObjArray,
        at_ms: IntArray,
        source: ObjArray,
        user: IntArray,
    ) -> None:
        rows = np.flatnonzero(mask)
        names = np.full(len(rows), name, dtype=object)
        self.parts.append(
            (self.numbers[rows], names, values[rows], at_ms[rows], source[rows], user[rows])
        )

    def build(self) -> ContactHistories:
        if not self.parts:
            empty_i, empty_o = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
            return ContactHistories(empty_i, empty_o, empty_o, empty_i, empty_o, empty_i)
        cols = [np.concatenate([p[k] for p in self.parts]) for k in range(6)]
        return ContactHistories(cols[0], cols[1], cols[2], cols[3], cols[4], cols[5])


def stage_date_columns(stage_ms: dict[str, IntArray], contacts: dict[str, ObjArray]) -> None:
    """`hs_v2_date_entered_<stage>` and `hs_v2_date_exited_<stage>` from the stage dates:
    a stage is exited when the contact enters the next one it reached."""
    n = len(next(iter(stage_ms.values())))
    following = np.full(n, -1, dtype=np.int64)
    for stage in reversed(_STAGES):
        entered = stage_ms[stage]
        contacts[f"hs_v2_date_entered_{stage}"] = iso(entered)
        contacts[f"hs_v2_date_exited_{stage}"] = iso(np.where(entered >= 0, following, -1))
        following = np.where(entered >= 0, entered, following)


def contact_histories(
    rng: np.random.Generator,
    numbers: IntArray,
    created: IntArray,
    now_ms: int,
    converted_at: IntArray,
    imported: BoolArray,
    stage_ms: dict[str, IntArray],
    contacts: dict[str, ObjArray],
) -> ContactHistories:
    """The contacts' property histories; sets the planted properties' current values in
    `contacts` (`phone` must hold every contact's number; those never given become None)."""
    n = len(numbers)
    rows = _Rows(numbers)
    creation_source = np.where(imported, "IMPORT", "FORM").astype(object)
    rep = SALES_REP_USER_IDS[rng.integers(0, len(SALES_REP_USER_IDS), n)]
    nobody = np.full(n, -1, dtype=np.int64)
    crm_ui = np.full(n, "CRM_UI", dtype=object)
    span = np.maximum(now_ms - created, 1)

    for name in _CREATION_PROPERTIES:
        given = contacts[name] != None  # noqa: E711
        rows.add(given, name, contacts[name], created, creation_source, nobody)

    # A rep corrects some titles typed into the form (the old one: another lead's title).
    title = contacts["jobtitle"]
    has_title = title != None  # noqa: E711
    corrected = has_title & (rng.random(n) < _TITLE_CORRECTED_SHARE)
    typed = title[rng.permutation(n)]
    first = np.where(corrected & (typed != None), typed, title)  # noqa: E711
    fixed_at = created + (rng.random(n) * 0.5 * span).astype(np.int64)
    rows.add(has_title, "jobtitle", first, created, creation_source, nobody)
    rows.add(corrected & (first != title), "jobtitle", title, fixed_at, crm_ui, rep)

    # Firmographics: asked by some forms, filled by enrichment later for many others.
    for name in _FIRMOGRAPHICS:
        present = contacts[name] != None  # noqa: E711
        later = present & (rng.random(n) < _FIRMOGRAPHICS_LATER_SHARE)
        enriched = np.minimum(
            created + (rng.exponential(10.0, n) * DAY_MS).astype(np.int64), now_ms
        )
        at = np.where(later, enriched, created)
        source = np.where(later, "INTEGRATION", creation_source).astype(object)
        rows.add(present, name, contacts[name], at, source, nobody)

    _lifecycle_rows(rows, stage_ms, contacts, created, creation_source, rep)
    _lead_status_rows(rng, rows, created, now_ms, converted_at, contacts, rep)
    _planted(rng, rows, created, now_ms, converted_at, creation_source, rep, contacts)
    return rows.build()


def _lifecycle_rows(
    rows: _Rows,
    stage_ms: dict[str, IntArray],
    contacts: dict[str, ObjArray],
    created: IntArray,
    creation_source: ObjArray,
    rep: IntArray,
) -> None:
    n = len(created)
    dated = np.zeros(n, dtype=bool)
    for stage, kind in zip(_STAGES, _STAGE_SOURCES, strict=True):
        at = stage_ms[stage]
        source = creation_source if kind == "FORM" else np.full(n, kind, dtype=object)
        user = rep if kind == "CRM_UI" else np.full(n, -1, dtype=np.int64)
        rows.add(at >= 0, "lifecyclestage", np.full(n, stage, dtype=object), at, source, user)
        dated |= at >= 0
    # Stages without a date of their own ("other"): set by a rep when the lead came in.
    current = contacts["lifecyclestage"]
    undated = ~dated & (current != None)  # noqa: E711
    rows.add(undated, "lifecyclestage", current, created, np.full(n, "CRM_UI", dtype=object), rep)


def _lead_status_rows(
    rng: np.random.Generator,
    rows: _Rows,
    created: IntArray,
    now_ms: int,
    converted_at: IntArray,
    contacts: dict[str, ObjArray],
    rep: IntArray,
) -> None:
    """Lead status as reps move it: NEW when the lead comes in, the status it has now set
    later — for a converted lead, an open deal's status on the day it converted, after a
    while "in progress" before it (what sales saw then)."""
    n = len(created)
    current = contacts["hs_lead_status"]
    has = current != None  # noqa: E711
    converted = has & (converted_at >= 0) & (converted_at <= now_ms)
    crm_ui = np.full(n, "CRM_UI", dtype=object)
    nobody = np.full(n, -1, dtype=np.int64)
    new = np.full(n, "NEW", dtype=object)
    rows.add(has, "hs_lead_status", new, created, np.full(n, "AUTOMATION", dtype=object), nobody)
    before = np.maximum(converted_at - created, 1)
    worked_at = created + (rng.random(n) * 0.7 * before).astype(np.int64)
    working = np.full(n, "IN_PROGRESS", dtype=object)
    rows.add(converted & (worked_at > created), "hs_lead_status", working, worked_at, crm_ui, rep)
    later = created + (rng.random(n) * np.maximum(now_ms - created, 1)).astype(np.int64)
    at = np.where(converted, np.maximum(converted_at, created + 1), later)
    rows.add(has & (current != "NEW"), "hs_lead_status", current, at, crm_ui, rep)


def _planted(
    rng: np.random.Generator,
    rows: _Rows,
    created: IntArray,
    now_ms: int,
    converted_at: IntArray,
    creation_source: ObjArray,
    rep: IntArray,
    contacts: dict[str, ObjArray],
) -> None:
    """Sales' post-conversion properties: versions at/after the conversion, current values."""
    n = len(created)
    converted = (converted_at >= 0) & (converted_at <= now_ms)
    crm_ui = np.full(n, "CRM_UI", dtype=object)
    span = np.maximum(now_ms - created, 1)
    roles = obj(list(BUYING_ROLES))[draw(rng, _BUYING_ROLE_WEIGHTS, n)]
    budget = obj(["true", "false"])[(rng.random(n) < 0.1).astype(np.int64)]
    values = {"hs_buying_role": roles, "budget_confirmed": budget, "phone": contacts["phone"]}
    form_phone = rng.random(n) < _FORM_PHONE_SHARE
    nobody = np.full(n, -1, dtype=np.int64)
    rows.add(form_phone, "phone", contacts["phone"], created, creation_source, nobody)
    for name in PLANTED_POST_OUTCOME_PROPERTIES:
        open_ = ~form_phone if name == "phone" else np.ones(n, dtype=bool)
        delay = (rng.exponential(_PLANTED_DELAY_DAYS[name], n) * DAY_MS).astype(np.int64)
        after = converted_at + delay
        by_sales = converted & open_ & (rng.random(n) < _PLANTED_SHARE[name]) & (after <= now_ms)
        # The odd non-converted lead gets one too, at any moment of its life.
        anytime = created + (rng.random(n) * span).astype(np.int64)
        stray = ~converted & open_ & (rng.random(n) < _PLANTED_OTHERS[name])
        at = np.where(by_sales, after, anytime)
        rows.add(by_sales | stray, name, values[name], at, crm_ui, rep)
        shown = by_sales | stray | (form_phone if name == "phone" else False)
        current: ObjArray = np.full(n, None, dtype=object)
        current[shown] = values[name][shown]
        contacts[name] = current

