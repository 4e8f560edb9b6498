"""Who converted, and when, by the configured outcome (`outcome:` in the scoring config).

`conversions` turns per-contact lifecycle data and a deals table into one row per contact:
`converted` (bool) and `converted_at` (UTC timestamp, NaT when unknown or not converted),
so training and evidence can later ask "had this lead converted at time t?".

A deal counts for a contact when the contact is one of the deal's contacts, or when the deal
belongs to the contact's primary company (an account-based sale converts its contacts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from connector.scoring.config import Outcome
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER, outcome_from_lifecycle

LIFECYCLE_PROPERTY = "lifecyclestage"
DEAL_COLUMNS = ("deal_id", "contact_ids", "company_id", "stage", "pipeline", "createdate",
                "is_closed_won")
"""Columns of the deals table `conversions` reads:

- deal_id: str
- contact_ids: list of contact ids (str) associated with the deal (may be empty)
- company_id: str | None, the deal's company
- stage: the current deal stage id; pipeline: the pipeline id
- createdate, and optional closedate: dates (ISO 8601, epoch ms or datetimes)
- is_closed_won: bool or "true"/"false"
- optional `entered_at.<stage id>` columns: when the deal entered that stage
"""
ENTERED_PREFIX = "entered_at."
RESTATED_OUTCOME_COLUMNS = ("lifecyclestage", "account.open_deals", "account.has_open_deal")
"""Columns that restate the outcome (the stage; the account's open deals are the deal
outcome seen from the account): never features of a model that learns it."""
DEFAULT_LIFECYCLE_STAGE = "opportunity"


def lifecycle_date_property(stage: str) -> str:
    """The contact property holding when the contact entered a lifecycle stage."""
    return f"hs_lifecyclestage_{stage}_date"


@dataclass(frozen=True)
class OutcomeInputs:
    """What a sync must read for an outcome: contact properties, and whether deals."""

    contact_properties: tuple[str, ...]
    needs_deals: bool


def outcome_inputs(outcome: Outcome, stage_order: Sequence[str]) -> OutcomeInputs:
    """The contact properties (and deals) `conversions` needs for this outcome."""
    if outcome.kind == "lifecycle_stage":
        reached = _reached_stages(outcome, stage_order)
        return OutcomeInputs(
            (LIFECYCLE_PROPERTY, *(lifecycle_date_property(s) for s in reached)), False
        )
    return OutcomeInputs((), True)


def conversions(
    outcome: Outcome,
    contacts: pd.DataFrame,
    deals: pd.DataFrame | None = None,
    contact_company: pd.Series | None = None,
    stage_order: Sequence[str] = DEFAULT_LIFECYCLE_ORDER,
) -> pd.DataFrame:
    """Per contact (`contacts.index`): `converted` (bool) and `converted_at` (UTC or NaT).

    `contacts` holds the contacts' properties (for `lifecycle_stage`: `lifecyclestage`
    and, when known, `hs_lifecyclestage_<stage>_date`); `deals` is the deals table
    (`DEAL_COLUMNS`) for the deal kinds; `contact_company` maps contact id → primary company
    id. `stage_order` is the portal's lifecycle funnel.
    """
    index = pd.Index(contacts.index.astype(str))
    if outcome.kind == "lifecycle_stage":
        return _lifecycle(outcome, contacts, index, stage_order)
    links = _deal_links(deals, contact_company, index)
    if outcome.pipeline is not None:
        links = links[links["pipeline"].astype(str) == outcome.pipeline]
    if outcome.kind == "deal_created":
        links = links.assign(at=utc_moments(links["createdate"]))
    elif outcome.kind == "deal_won":
        won = _truthy(links["is_closed_won"])
        closed = links["closedate"] if "closedate" in links.columns else None
        at = utc_moments(closed) if closed is not None else pd.Series(pd.NaT, index=links.index)
        links = links[won].assign(at=at[won])
    else:
        links = _stage_reached(links, outcome.stages)
    first = links.groupby("contact")["at"].min()
    converted = pd.Series(index.isin(links["contact"]), index=index)
    converted_at = pd.to_datetime(first.reindex(index), utc=True)
    return pd.DataFrame({"converted": converted, "converted_at": converted_at}, index=index)


def _lifecycle(
    outcome: Outcome, contacts: pd.DataFrame, index: pd.Index, stage_order: Sequence[str]
) -> pd.DataFrame:
    stage = outcome.stages[0] if outcome.stages else DEFAULT_LIFECYCLE_STAGE
    if LIFECYCLE_PROPERTY in contacts.columns:
        stages = pd.Series(contacts[LIFECYCLE_PROPERTY].to_numpy(), index=index)
    else:
        stages = pd.Series(None, index=index, dtype=object)
    converted = outcome_from_lifecycle(stages, stage_order=stage_order, converted_from=stage)
    # The time of conversion: the earliest date the contact entered the stage or a later one.
    names = [lifecycle_date_property(s) for s in _reached_stages(outcome, stage_order)]
    at = _earliest(
        [utc_moments(pd.Series(contacts[n].to_numpy(), index=index)) for n in names
         if n in contacts.columns],
        index,
    ).where(converted.to_numpy())
    return pd.DataFrame({"converted": converted.to_numpy(), "converted_at": at}, index=index)


def _reached_stages(outcome: Outcome, stage_order: Sequence[str]) -> list[str]:
    order = [s.lower() for s in stage_order]
    stage = (outcome.stages[0] if outcome.stages else DEFAULT_LIFECYCLE_STAGE).lower()
    return order[order.index(stage) :] if stage in order else [stage]


def _deal_links(
    deals: pd.DataFrame | None, contact_company: pd.Series | None, index: pd.Index
) -> pd.DataFrame:
    """One row per (contact, deal) pair: direct contacts plus the company's contacts."""
    if deals is None or deals.empty:
        return pd.DataFrame(
            {"contact": pd.Series([], dtype=object), **{c: [] for c in DEAL_COLUMNS}}
        )
    direct = deals.explode("contact_ids").rename(columns={"contact_ids": "contact"})
    direct = direct[direct["contact"].notna()]
    parts = [direct.assign(contact=direct["contact"].astype(str))]
    if contact_company is not None:
        company_of = contact_company.dropna()
        by_company = pd.DataFrame(
            {
                "contact": company_of.index.astype(str),
                "company_id": company_of.astype(str).to_numpy(),
            }
        )
        with_company = deals[deals["company_id"].notna()].drop(columns=["contact_ids"])
        with_company = with_company.assign(company_id=with_company["company_id"].astype(str))
        parts.append(with_company.merge(by_company, on="company_id", how="inner"))
    links = pd.concat(parts, ignore_index=True)
    links = links[links["contact"].isin(index)]
    return links.drop_duplicates(subset=["contact", "deal_id"])


def _stage_reached(links: pd.DataFrame, stages: Sequence[str]) -> pd.DataFrame:
    """Links whose deal is in one of `stages` now or has entered one; `at` = first entry."""
    wanted = [s.lower() for s in stages]
    now_in = links["stage"].astype(str).str.lower().isin(wanted).to_numpy()
    entered_columns = [
        c for c in links.columns
        if c.startswith(ENTERED_PREFIX) and c[len(ENTERED_PREFIX) :].lower() in wanted
    ]
    at = _earliest([utc_moments(links[c]) for c in entered_columns], links.index)
    keep = now_in | at.notna().to_numpy()
    return links[keep].assign(at=at[keep])


def _earliest(dates: list[pd.Series], index: pd.Index) -> pd.Series:
    """The earliest of several date columns per row (NaT where all are unknown)."""
    if not dates:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    return pd.concat(dates, axis=1).min(axis=1).astype("datetime64[ns, UTC]")


def utc_moments(values: pd.Series) -> pd.Series:
    """Dates as UTC timestamps from ISO text, epoch milliseconds or datetimes (NaT if not)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    text = values.astype(object)
    numeric = pd.to_numeric(text, errors="coerce")
    from_ms = pd.to_datetime(numeric.where(numeric.abs() >= 1e11), unit="ms", utc=True)
    iso = pd.to_datetime(text.where(numeric.isna()), utc=True, errors="coerce", format="mixed")
    return from_ms.fillna(iso) if len(values) else pd.Series(pd.NaT, index=values.index)


def _truthy(values: pd.Series) -> pd.Series:
    """HubSpot booleans: True / "true" (any case) are true; anything else is not."""
    return values.astype(str).str.strip().str.lower().isin(("true", "1", "yes"))


class DealLike(Protocol):
    """A stored deal as the outcome reads it (e.g. `connector.store.DealRecord`)."""

    @property
    def deal_id(self) -> int:
        """The deal's id."""
        ...

    @property
    def properties(self) -> Mapping[str, Any]:
        """Its properties (`dealstage`, `pipeline`, `createdate`, …)."""
        ...

    @property
    def contact_ids(self) -> Sequence[int]:
        """Its contacts."""
        ...

    @property
    def company_ids(self) -> Sequence[int]:
        """Its companies, the primary one first."""
        ...


def deals_frame(deals: Sequence[DealLike]) -> pd.DataFrame:
    """Stored deals as the deals table `conversions` reads (`DEAL_COLUMNS` + closedate)."""
    return pd.DataFrame({
        "deal_id": [str(d.deal_id) for d in deals],
        "contact_ids": [[str(c) for c in d.contact_ids] for d in deals],
        "company_id": [str(d.company_ids[0]) if d.company_ids else None for d in deals],
        "stage": [d.properties.get("dealstage") for d in deals],
        "pipeline": [d.properties.get("pipeline") for d in deals],
        "createdate": [d.properties.get("createdate") for d in deals],
        "closedate": [d.properties.get("closedate") for d in deals],
        "is_closed_won": [d.properties.get("hs_is_closed_won") for d in deals],
    }, columns=[*DEAL_COLUMNS, "closedate"])


def company_links(companies: Mapping[int, int]) -> pd.Series:
    """Contact id → primary company id as `conversions` reads it (ids as text)."""
    return pd.Series({str(c): str(k) for c, k in companies.items()}, dtype="object")


_MEANINGS = {
    "deal_created": "a deal created for the contact or its company",
    "deal_stage": "such a deal reaching the configured stage",
    "deal_won": "such a deal closed won",
}


@dataclass(frozen=True)
class PortalConversions:
    """Who converted (`converted`), when (`converted_at`, UTC or NaT), and what converting
    means here (`meaning`, for the figures shown to users); aligned with the contacts."""

    converted: pd.Series
    converted_at: pd.Series
    meaning: str


def portal_conversions(
    outcome: Outcome | None,
    contacts: pd.DataFrame,
    deals: pd.DataFrame | None,
    contact_company: pd.Series | None,
    stage_order: Sequence[str] = DEFAULT_LIFECYCLE_ORDER,
) -> PortalConversions:
    """The configured outcome of a portal's contacts; a deal outcome without any stored
    deal (no deals scope) falls back to the lifecycle stage reaching `opportunity`."""
    index = pd.Index(contacts.index.astype(str))
    by_deal = (outcome is not None and outcome.kind != "lifecycle_stage"
               and deals is not None and not deals.empty)
    if outcome is not None and by_deal:
        table = conversions(outcome, contacts, deals, contact_company, stage_order)
        meaning = _MEANINGS[outcome.kind]
    else:
        chosen = outcome if outcome is not None and outcome.kind == "lifecycle_stage" \
            else Outcome(kind="lifecycle_stage")
        table = conversions(chosen, contacts, stage_order=stage_order)
        stage = chosen.stages[0] if chosen.stages else DEFAULT_LIFECYCLE_STAGE
        meaning = f"lifecycle stage {stage} or later"
    converted = table["converted"].reindex(index).fillna(False).astype(bool)
    at = pd.to_datetime(table["converted_at"].reindex(index), utc=True)
    converted.index = at.index = contacts.index
    return PortalConversions(converted, at, meaning)
