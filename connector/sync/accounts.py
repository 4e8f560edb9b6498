"""Account context for contacts: their primary company's properties and account signals.

Firmographics live on the company record in real portals (the contact's own copies are
mostly blank), so scoring reads `company.<property>` columns (see `scoring.leads`). For a
batch of contacts this costs one associations call per 1,000 contacts and one batch read
per 100 distinct companies; account signals are read only when the rules use them:

- `account.open_deals`, `account.has_open_deal`: the company's own count of open deals
  (HubSpot keeps `hs_num_open_deals` up to date).
- `account.engaged_contacts`, `account.last_activity_at`: from the company's contacts the
  store knows (`store.members`: each synced contact's primary company and last activity),
  so no call is made for them; they are complete once every contact has been synced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from connector.crm import CrmSession, ObjectType
from connector.scoring.leads import ACCOUNT_SIGNALS, COMPANY_PREFIX, LeadFrame
from connector.scoring.needs import PropertiesNeeded
from connector.store import Store

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
    def company_read(self) -> list[str]:
        """What the company stream reads: the properties scoring uses and the open deals."""
        return list(dict.fromkeys([*self.company_properties, OPEN_DEALS]))

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


def account_reads(needs: PropertiesNeeded) -> AccountReads:
    """What scoring needs of each contact's account (company properties and signals)."""
    return AccountReads(needs.company, tuple(s for s in ACCOUNT_SIGNALS if s in needs.account))


def primary_companies(crm: CrmSession, contact_ids: Sequence[str]) -> dict[str, str]:
    """Each contact's primary company id (contacts without a company are left out)."""
    links = crm.associations(ObjectType.CONTACTS, ObjectType.COMPANIES, contact_ids)
    return {contact: targets[0] for contact, targets in links.items() if targets}


def last_activity(frame: LeadFrame) -> pd.Series:
    """Each contact's newest engagement: its activities and the CRM's summary properties."""
    index = frame.contacts.index
    newest = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    acts = frame.activities
    if len(acts):
        by_contact = acts.groupby("contact_id")["timestamp"].max()
        newest = by_contact.reindex(index).astype("datetime64[ns, UTC]")
    for name in ACTIVITY_SUMMARIES:
        if name in frame.contacts.columns:
            newest = pd.concat([newest, parse_stamps(frame.contacts[name])], axis=1).max(axis=1)
    return newest


def parse_stamps(values: pd.Series) -> pd.Series:
    """Epoch-ms or ISO 8601 text as UTC datetimes (NaT when empty or unreadable)."""
    numeric = pd.to_numeric(values, errors="coerce")
    from_ms = pd.to_datetime(numeric, unit="ms", utc=True, errors="coerce")
    from_iso = pd.to_datetime(values.where(numeric.isna()), utc=True, errors="coerce",
                              format="ISO8601")
    return from_ms.fillna(from_iso).astype("datetime64[ns, UTC]")


def _empty_accounts(frame: LeadFrame, reads: AccountReads) -> LeadFrame:
    contacts = frame.contacts.copy()
    for name in reads.columns:
        contacts[name] = pd.Series([None] * len(contacts), index=contacts.index, dtype="object")
    return LeadFrame(contacts=contacts, activities=frame.activities)


def _when(value: datetime | None) -> datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def with_accounts(crm: CrmSession, store: Store, frame: LeadFrame, reads: AccountReads,
                  now: datetime, *, save: bool = True) -> LeadFrame:
    """`frame` with its contacts' company columns and account signals added.

    Company properties come from the stored company stream (companies not stored yet are
    read); membership and each contact's last activity are saved (`save`), and the
    colleague signals are counted from what the store knows of the company's contacts.
    """
    if not reads.needed or len(frame) == 0:
        return frame
    if not crm.can_read(ObjectType.COMPANIES):
        # An install from before companies were asked for: the columns stay empty, so
        # criteria fall back to the contact's own properties.
        return _empty_accounts(frame, reads)
    portal_id = crm.hub_id
    ids = [str(i) for i in frame.contacts.index]
    primary = primary_companies(crm, ids)
    company_ids = sorted({int(c) for c in primary.values() if c.isdigit()})
    companies: dict[str, Mapping[str, object]] = {
        str(cid): state.properties
        for cid, state in store.companies.get_many(portal_id, company_ids).items()
    }
    missing = [str(c) for c in company_ids if str(c) not in companies]
    if missing:
        companies.update((r.id, r.properties)
                         for r in crm.read(ObjectType.COMPANIES, missing, reads.company_read))
    newest = last_activity(frame)
    if save:
        store.members.save(portal_id, {
            int(i): (int(primary[i]) if i in primary and primary[i].isdigit() else None,
                     _when(newest.get(i)))
            for i in ids if i.isdigit()
        })
    activity = (store.members.activity(portal_id, company_ids, now - ENGAGED_WITHIN)
                if reads.colleagues else {})
    contacts = frame.contacts.copy()
    of_contact = [primary.get(i) for i in ids]
    for name in reads.company_properties:
        contacts[COMPANY_PREFIX + name] = pd.Series(
            [_text(companies.get(c, {}).get(name)) if c else None for c in of_contact],
            index=contacts.index, dtype="object")
    stats = [activity.get(int(c)) if c and c.isdigit() else None for c in of_contact]
    signals: dict[str, list[str | None]] = {
        OPEN: [_text(companies.get(c, {}).get(OPEN_DEALS)) if c else None for c in of_contact],
        ENGAGED: [str(a.engaged) if a is not None else None for a in stats],
        LAST_ACTIVITY: [a.last_activity_at.isoformat() if a is not None and a.last_activity_at
                        else None for a in stats],
    }
    signals[HAS_OPEN] = [None if v is None else str(float(v or 0) > 0).lower()
                         for v in signals[OPEN]]
    for name in reads.signals:
        contacts[name] = pd.Series(signals[name], index=contacts.index, dtype="object")
    return LeadFrame(contacts=contacts, activities=frame.activities)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
