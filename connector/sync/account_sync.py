"""Companies and deals as streams of their own, with the same cursor machinery as contacts.

- Companies: stored with the properties scoring reads; a company whose properties changed
  rescores its contacts (their `company.*` columns are stale), and the company score
  (`scoring.companies`: the company's fit plus its contacts' engagement) is written to the
  company's own `leadscore_*` properties — only the values that changed.
- Deals: stored with their contacts and companies, for the configured outcome (a deal
  created for the contact or its company is a conversion).

Reads stay at the floor the batch limits allow: list or search pages of 100/200, one v4
associations call per 1,000 deals per direction, batch writes of 100. Company scores read
nothing: properties, members and their engagement all come from the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from connector.crm import CrmRecord, CrmSession, ObjectType, RecordUpdate
from connector.crm.values import company_score_updates
from connector.scoring.companies import company_scores
from connector.scoring.config import ScoringConfig
from connector.scoring.properties import COMPANY_PROPERTIES, property_names
from connector.scoring.score_columns import ScoreColumn
from connector.store import DealRecord, Store

log = logging.getLogger(__name__)

SCORE_BATCH = 1000
"""Companies scored (and their contacts' engagement read from the store) at once."""
DEAL_PROPERTIES = ("dealname", "amount", "pipeline", "dealstage", "createdate", "closedate",
                   "hs_is_closed", "hs_is_closed_won")
"""What a deal is stored with (the outcome reads stage, pipeline, dates and won)."""


@dataclass
class AccountReport:
    """Counters of one pass over companies and deals."""

    companies_read: int = 0
    companies_changed: int = 0
    companies_written: int = 0
    companies_failed: int = 0
    deals_read: int = 0
    contacts_rescored: int = 0


def contact_engagement(store: Store, portal_id: int, contact_ids: Iterable[int],
                       model: str) -> pd.DataFrame:
    """The stored engagement and exclusion of these contacts for one scoring model."""
    names = property_names(model)
    states = store.contacts.get_many(portal_id, contact_ids)
    ids: list[str] = []
    engagement: list[float] = []
    excluded: list[bool] = []
    for contact_id, state in states.items():
        values = state.pending_values or state.written_values
        raw = values.get(names.engagement)
        if raw in (None, ""):
            continue
        ids.append(str(contact_id))
        engagement.append(float(raw))
        excluded.append(values.get(names.tier) == "disqualified")
    return pd.DataFrame({ScoreColumn.ENGAGEMENT: np.array(engagement, dtype=np.float64),
                         ScoreColumn.EXCLUDED: np.array(excluded, dtype=bool)},
                        index=pd.Index(ids, dtype="object"))


class AccountSync:
    """Handles chunks of the company and deal streams for one portal."""

    def __init__(
        self,
        store: Store,
        crm: CrmSession,
        config: ScoringConfig,
        rescore_contacts: Callable[[list[str]], None],
        *,
        now: Callable[[], datetime],
        dry_run: bool = False,
    ) -> None:
        """Bind the portal's session; `rescore_contacts` scores contacts now (echo check off)."""
        self.store = store
        self.crm = crm
        self.config = config
        self.portal_id = crm.hub_id
        self.rescore_contacts = rescore_contacts
        self.now = now
        self.dry_run = dry_run
        self.report = AccountReport()
        self.changed: set[int] = set()
        """Companies whose properties changed in this pass."""
        self.writes_scores = config.companies is not None and crm.can_write(ObjectType.COMPANIES)

    def companies(self, records: Sequence[CrmRecord], incremental: bool) -> None:
        """Store a chunk of companies; in an incremental pass, rescore the contacts of the
        companies whose properties changed (their `company.*` columns are stale)."""
        props = {int(r.id): dict(r.properties) for r in records if r.id.isdigit()}
        self.report.companies_read += len(props)
        if not props:
            return
        before = self.store.companies.get_many(self.portal_id, props)
        changed = [cid for cid, values in props.items()
                   if cid not in before or before[cid].properties != values]
        self.report.companies_changed += len(changed)
        if not self.dry_run:
            self.store.companies.save_properties(self.portal_id, props)
        self.changed.update(changed)
        if incremental and changed:
            members = self.store.members.members_of(self.portal_id, changed)
            stale = [str(c) for cid in changed for c in members.get(cid, [])]
            if stale:
                self.rescore_contacts(stale)
                self.report.contacts_rescored += len(stale)

    def score_companies(self, company_ids: Iterable[int]) -> None:
        """Score these stored companies from their properties and their contacts'
        engagement (all from the store), and write the values that changed."""
        if not self.writes_scores:
            return
        stored = list(self.store.companies.get_many(self.portal_id, company_ids).items())
        for start in range(0, len(stored), SCORE_BATCH):
            batch = dict(stored[start:start + SCORE_BATCH])
            members = self.store.members.members_of(self.portal_id, batch)
            self._score({cid: s.properties for cid, s in batch.items()}, members,
                        {cid: s.written_values for cid, s in batch.items()})

    def _score(self, props: Mapping[int, Mapping[str, object]],
               members: Mapping[int, Sequence[int]],
               written: Mapping[int, Mapping[str, str]]) -> None:
        settings = self.config.companies
        assert settings is not None
        now = self.now()
        table = pd.DataFrame.from_dict({str(c): dict(v) for c, v in props.items()},
                                       orient="index", dtype="object")
        link = {str(contact): str(company) for company, contacts in members.items()
                for contact in contacts}
        engagement = contact_engagement(self.store, self.portal_id,
                                        [int(c) for c in link], settings.engagement.model)
        scored = company_scores(self.config, table, engagement,
                                pd.Series(link, dtype="object"), now)
        updates = company_score_updates(scored.frame, COMPANY_PROPERTIES, scored_at=now,
                                        version=scored.version)
        stamp = COMPANY_PROPERTIES.scored_at
        send = [u for u in updates if _changed(u, written.get(int(u.id), {}), stamp)]
        if self.dry_run or not send:
            return
        result = self.crm.update(ObjectType.COMPANIES, send)
        by_id = {u.id: u.properties for u in send}
        self.store.companies.mark_written(
            self.portal_id, {int(i): by_id[i] for i in result.updated_ids if i in by_id})
        self.report.companies_written += len(result.updated_ids)
        self.report.companies_failed += len(result.failed_ids)
        if result.failures:
            log.warning("portal %s: HubSpot refused %d company score writes (first: %s); "
                        "they are retried next pass", self.portal_id, len(result.failed_ids),
                        result.failures[0].message[:200])

    def deals(self, records: Sequence[CrmRecord], incremental: bool) -> None:
        """Store a chunk of deals with their contacts and companies."""
        ids = [r.id for r in records if r.id.isdigit()]
        self.report.deals_read += len(ids)
        if not ids:
            return
        contacts = self.crm.associations(ObjectType.DEALS, ObjectType.CONTACTS, ids)
        companies = self.crm.associations(ObjectType.DEALS, ObjectType.COMPANIES, ids)
        if self.dry_run:
            return
        self.store.deals.upsert([
            DealRecord(portal_id=self.portal_id, deal_id=int(r.id), properties=dict(r.properties),
                       contact_ids=tuple(int(c) for c in contacts.get(r.id, []) if c.isdigit()),
                       company_ids=tuple(int(c) for c in companies.get(r.id, [])
                                         if c.isdigit()))
            for r in records if r.id.isdigit()
        ])


def _changed(update: RecordUpdate, written: Mapping[str, str], stamp: str) -> bool:
    """Whether an update differs from what the CRM holds (the time stamp never counts)."""
    return any(written.get(k) != v for k, v in update.properties.items() if k != stamp)
