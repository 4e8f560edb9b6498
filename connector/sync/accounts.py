"""Account context for contacts: their primary company's properties and account signals.

Firmographics live on the company record in real portals (the contact's own copies are
mostly blank), so scoring reads `company.<property>` columns (see `scoring.leads`). For a
batch of contacts this costs one associations call per 1,000 contacts and one batch read
per 100 distinct companies; account signals are read only when the rules use them:

- `account.open_deals`, `account.has_open_deal`: the company's own count of open deals
  (HubSpot keeps `hs_num_open_deals` up to date).
- `account.engaged_contacts`, `account.last_activity_at`: from the company's contacts
  (up to `COLLEAGUES_PER_COMPANY` of them) and their engagement summaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from connector.crm import CrmSession, ObjectType
from connector.scoring.leads import ACCOUNT_SIGNALS, COMPANY_PREFIX, LeadFrame, column_source

OPEN_DEALS = "hs_num_open_deals"
"""The company's count of open deals (kept by the CRM)."""
ACTIVITY_SUMMARIES = (
    "hs_last_sales_activity_timestamp",
    "notes_last_updated",
    "hs_email_last_open_date",
    "hs_analytics_last_visit_timestamp",
)
"""Contact summaries whose newest value is the contact's last engagement."""
DEAL_STATE = ("dealstage", "hs_is_closed")
"""Deal properties whose change opens or closes a deal."""
ENGAGED_WITHIN = timedelta(days=30)
COLLEAGUES_PER_COMPANY = 200
"""Colleagues read per company for the colleague signals: a bound on the cost of the few
accounts with thousands of contacts (their signal then counts the first 200)."""

ENGAGED = "account.engaged_contacts"
OPEN = "account.open_deals"
HAS_OPEN = "account.has_open_deal"
LAST_ACTIVITY = "account.last_activity_at"


@dataclass(frozen=True)
class AccountReads:
    """What scoring needs of each contact's account."""

    company_properties: tuple[str, ...]
    """Company properties to read (names without the `company.` prefix)."""
    signals: tuple[str, ...]
    """Account signals used (a subset of `scoring.leads.ACCOUNT_SIGNALS`)."""

    @property
    def columns(self) -> tuple[str, ...]:
        """The `contacts` columns this adds to a frame."""
        return (*(COMPANY_PREFIX + p for p in self.company_properties), *self.signals)

    @property
    def needed(self) -> bool:
        """Whether anything must be read at all."""
        return bool(self.company_properties or self.signals)

    @property
    def colleagues(self) -> bool:
        """Whether the colleague signals are used (they read the company's contacts)."""
        return ENGAGED in self.signals or LAST_ACTIVITY in self.signals


def relevant_properties(contact_properties: Sequence[str],
                        reads: AccountReads) -> dict[ObjectType, frozenset[str]]:
    """Per object type, the properties whose change must rescore contacts."""
    deals = reads.signals and (OPEN in reads.signals or HAS_OPEN in reads.signals)
    return {
        ObjectType.CONTACTS: frozenset(contact_properties),
        ObjectType.COMPANIES: frozenset(reads.company_properties)
        | (frozenset({OPEN_DEALS}) if deals else frozenset()),
        ObjectType.DEALS: frozenset(DEAL_STATE) if deals else frozenset(),
    }


def account_reads(names: Iterable[str]) -> AccountReads:
    """Split the names scoring uses into company properties and account signals."""
    companies = sorted({n[len(COMPANY_PREFIX):] for n in names
                        if column_source(n) == "company"})
    signals = tuple(s for s in ACCOUNT_SIGNALS if s in set(names))
    return AccountReads(tuple(companies), signals)


def contact_properties(names: Iterable[str]) -> list[str]:
    """The names that are the contact's own properties."""
    return sorted({n for n in names if column_source(n) == "contact"})


def _newest(values: Iterable[str | None]) -> pd.Timestamp | None:
    stamps = []
    for value in values:
        if not value:
            continue
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        if pd.notna(number):
            stamp = pd.to_datetime(number, unit="ms", utc=True, errors="coerce")
        else:
            stamp = pd.to_datetime(value, utc=True, errors="coerce", format="ISO8601")
        if pd.notna(stamp):
            stamps.append(stamp)
    return max(stamps) if stamps else None


def primary_companies(crm: CrmSession, contact_ids: Sequence[str]) -> dict[str, str]:
    """Each contact's primary company id (contacts without a company are left out)."""
    links = crm.associations(ObjectType.CONTACTS, ObjectType.COMPANIES, contact_ids)
    return {contact: targets[0] for contact, targets in links.items() if targets}


def _colleague_signals(
    crm: CrmSession, company_ids: Sequence[str], now: datetime
) -> dict[str, tuple[int, str | None]]:
    """Engaged colleagues (last 30 days) and the newest activity, per company."""
    members = crm.associations(ObjectType.COMPANIES, ObjectType.CONTACTS, company_ids)
    capped = {c: ids[:COLLEAGUES_PER_COMPANY] for c, ids in members.items()}
    everyone = list(dict.fromkeys(i for ids in capped.values() for i in ids))
    summaries = {r.id: r.properties
                 for r in crm.read(ObjectType.CONTACTS, everyone, ACTIVITY_SUMMARIES)}
    cutoff = pd.Timestamp(now) - ENGAGED_WITHIN
    result: dict[str, tuple[int, str | None]] = {}
    for company, ids in capped.items():
        newest = [_newest(summaries.get(i, {}).get(p) for p in ACTIVITY_SUMMARIES) for i in ids]
        engaged = sum(1 for stamp in newest if stamp is not None and stamp >= cutoff)
        known = [stamp for stamp in newest if stamp is not None]
        result[company] = (engaged, max(known).isoformat() if known else None)
    return result


def _empty_accounts(frame: LeadFrame, reads: AccountReads) -> LeadFrame:
    contacts = frame.contacts.copy()
    for name in reads.columns:
        contacts[name] = pd.Series([None] * len(contacts), index=contacts.index, dtype="object")
    return LeadFrame(contacts=contacts, activities=frame.activities)


def with_accounts(crm: CrmSession, frame: LeadFrame, reads: AccountReads,
                  now: datetime) -> LeadFrame:
    """`frame` with its contacts' company columns and account signals added."""
    if not reads.needed or len(frame) == 0:
        return frame
    if not crm.can_read(ObjectType.COMPANIES):
        # An install from before companies were asked for: the columns stay empty, so
        # criteria fall back to the contact's own properties.
        return _empty_accounts(frame, reads)
    ids = [str(i) for i in frame.contacts.index]
    primary = primary_companies(crm, ids)
    company_ids = list(dict.fromkeys(primary.values()))
    wanted = list(dict.fromkeys([*reads.company_properties, OPEN_DEALS]))
    companies: Mapping[str, Mapping[str, str | None]] = {
        r.id: r.properties for r in crm.read(ObjectType.COMPANIES, company_ids, wanted)
    }
    colleagues = _colleague_signals(crm, company_ids, now) if reads.colleagues else {}
    contacts = frame.contacts.copy()
    of_contact = [primary.get(i) for i in ids]
    for name in reads.company_properties:
        contacts[COMPANY_PREFIX + name] = pd.Series(
            [companies.get(c, {}).get(name) if c else None for c in of_contact],
            index=contacts.index, dtype="object")
    signals: dict[str, list[str | None]] = {
        OPEN: [companies.get(c, {}).get(OPEN_DEALS) if c else None for c in of_contact],
        ENGAGED: [str(colleagues[c][0]) if c in colleagues else None for c in of_contact],
        LAST_ACTIVITY: [colleagues[c][1] if c in colleagues else None for c in of_contact],
    }
    signals[HAS_OPEN] = [None if v is None else str(int(float(v or 0)) > 0).lower()
                         for v in signals[OPEN]]
    for name in reads.signals:
        contacts[name] = pd.Series(signals[name], index=contacts.index, dtype="object")
    return LeadFrame(contacts=contacts, activities=frame.activities)
