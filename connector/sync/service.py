"""`SyncService`: the entry points the CLI, the web app and the scheduler call.

- `run_pass` — one full or incremental pass (pull → score → push), under the portal's
  `sync` lease so two workers never sync one portal at once.
- `process_contacts` / `forget_contacts` — the webhook inbox drain: score given contacts
  now; forget deleted or merged-away ones.
- `rescore` — the daily time-driven rescore from stored inputs (same lease as passes).
- `train` — the portal's model from its own history.
- `score_stored`, `scorer_for`, `score_leads` — scores for the scoring API.

Every run is recorded in the store's run history with its `PassReport` counters, and its
API calls are added to the portal's daily usage. A portal whose grant HubSpot refuses is
marked `needs_reconnect` and its runs end with that error.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connector.crm import Allowance, CrmConnector, CrmError, ObjectType, ProvisioningReport
from connector.errors import LeadscoreError
from connector.evaluation import SEGMENT_SLUGS
from connector.scoring.config import ScoringConfig, config_hash
from connector.scoring.engine import ScoreFrame
from connector.scoring.leads import LeadFrame
from connector.scoring.needs import properties_needed
from connector.scoring.properties import UNSEGMENTED
from connector.scoring_files import load_config
from connector.settings import Settings
from connector.store import Portal, Store, lease_name
from connector.store.records import RunKind, RunStatus
from connector.sync.account_sync import DEAL_PROPERTIES, AccountSync
from connector.sync.accounts import account_reads
from connector.sync.budget import BudgetMeter
from connector.sync.experiment import experiment_scorers
from connector.sync.inputs import read_properties
from connector.sync.leases import LeaseKeeper
from connector.sync.outputs import PortalScoring
from connector.sync.passes import ChunkCallback, PassOptions, run_contact_pass, run_stream_pass
from connector.sync.portal_session import (
    PortalSession,
    mark_needs_reconnect,
    needs_reconnect_reason,
)
from connector.sync.process import ContactProcessor
from connector.sync.pull import CONTACTS_STREAM, FULL
from connector.sync.report import PassReport
from connector.sync.rescore import call_budget, rescore_portal
from connector.sync.scorers import ScorerCache
from connector.sync.training import train_portal

log = logging.getLogger(__name__)

SYNC_JOB = "sync"
TRAIN_JOB = "train"
SEGMENT_OPTIONS: tuple[str, ...] = (*SEGMENT_SLUGS, UNSEGMENTED)
"""Options of every `leadscore_segment` enumeration: the segmentation's fixed slugs."""
_STAGES_TTL_S = 3600.0


@dataclass(frozen=True)
class StoredScore:
    """What the connector last computed and wrote for one contact."""

    portal_id: int
    contact_id: int
    values: dict[str, str]
    """Values HubSpot confirmed (every model's properties)."""
    pending: dict[str, str] | None
    write_status: str
    scored_at: datetime | None
    written_at: datetime | None


def default_worker_id() -> str:
    """A worker id unique per process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class SyncService:
    """Syncs, rescoring and training for every connected portal; thread-safe."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        crm: CrmConnector,
        scoring_config_path: Path | None = None,
        *,
        worker_id: str | None = None,
        config: ScoringConfig | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Load the scoring configuration (or take `config`) and bind the store.

        `crm` is the CRM behind the port (HubSpot, joined by `connector.wiring`); `now` is
        the scoring time source.
        """
        self.settings = settings
        self.store = store
        self.crm = crm
        self.config = config or load_config(scoring_config_path or settings.scoring_config)
        self.config_hash = config_hash(self.config)
        self.worker_id = worker_id or default_worker_id()
        self.now = now
        self.properties = read_properties(self.config, crm.vocabulary)
        self.needs = properties_needed(self.config)
        self.accounts = account_reads(self.needs)
        self.activity_kinds = self.config.activity_kinds_used()
        self.scorers = ScorerCache(store, self.config)
        self.experiment = experiment_scorers(store, settings, self.config)
        self._stages: dict[int, tuple[float, tuple[str, ...]]] = {}
        self._provisioned: set[int] = set()
        self._lock = threading.Lock()

    @property
    def input_columns(self) -> list[str]:
        """Every stored input column: the contact's properties, then its account's."""
        return [*self.properties, *self.accounts.columns]

    # ---- sessions and portal facts ------------------------------------------------------

    def session(self, portal_id: int) -> PortalSession:
        """A live session on the portal (raises `PortalUnavailable` if it cannot sync)."""
        return PortalSession(self.store, self.crm, portal_id)

    def stages(self, session: PortalSession) -> tuple[str, ...]:
        """The portal's lifecycle stage order (read from the CRM at most once an hour)."""
        with self._lock:
            cached = self._stages.get(session.hub_id)
        if cached is not None and time.monotonic() - cached[0] < _STAGES_TTL_S:
            return cached[1]
        stages = tuple(session.crm.lifecycle_stages())
        with self._lock:
            self._stages[session.hub_id] = (time.monotonic(), stages)
        return stages

    def ensure_properties(self, session: PortalSession, *, force: bool = False
                          ) -> ProvisioningReport | None:
        """Provision every model's properties once per process (or now, with `force`)."""
        with self._lock:
            done = session.hub_id in self._provisioned
        if done and not force:
            return None
        report = session.crm.provision(list(self.config.models), SEGMENT_OPTIONS)
        if self.config.companies is not None and session.crm.can_write(ObjectType.COMPANIES):
            companies = session.crm.provision_companies()
            if companies.changed:
                log.info("portal %s: company score properties provisioned (%d created, "
                         "%d updated)", session.hub_id, len(companies.created),
                         len(companies.updated))
        with self._lock:
            self._provisioned.add(session.hub_id)
        return report

    def allowance(self, portal: Portal) -> Allowance:
        """The portal's request allowance (OAuth app, or its static token's tier)."""
        return self.crm.allowance(portal.kind, portal.tier)

    def scorer_for(self, portal_id: int | None, stages: Sequence[str] | None = None
                   ) -> PortalScoring:
        """The scoring of a portal (its trained models), or rules + offline models for None;
        with the live A/B experiment attached when one is configured."""
        scoring = self.scorers.scoring_for(portal_id, stages)
        if self.experiment is None or portal_id is None:
            return scoring
        return self.experiment.attach(scoring, portal_id)

    def score_leads(self, portal_id: int | None, leads: LeadFrame,
                    now: datetime | None = None) -> dict[str, ScoreFrame]:
        """Score a payload with the portal's (or the default) models, by scoring model."""
        return self.scorer_for(portal_id).scorer.score(leads, now or self.now())

    def score_stored(self, portal_id: int, contact_id: int) -> StoredScore | None:
        """The last computed values of a contact, or None if it was never scored."""
        state = self.store.contacts.get_many(portal_id, [contact_id]).get(contact_id)
        if state is None:
            return None
        return StoredScore(
            portal_id=portal_id,
            contact_id=contact_id,
            values=dict(state.written_values),
            pending=dict(state.pending_values) if state.pending_values is not None else None,
            write_status=state.write_status,
            scored_at=state.scored_at,
            written_at=state.written_at,
        )

    # ---- runs ---------------------------------------------------------------------------

    def _processor(self, session: PortalSession, scoring: PortalScoring,
                   dry_run: bool) -> ContactProcessor:
        return ContactProcessor(self.store, session.crm, scoring, session.hub_id,
                                self.properties, self.activity_kinds, now=self.now,
                                accounts=self.accounts, dry_run=dry_run)

    def _run(self, portal_id: int, kind: RunKind, dry_run: bool,
             body: Callable[[PassReport, PortalSession], None]) -> PassReport:
        """Open a session, record the run, run `body`, and settle errors and counters."""
        report = PassReport(portal_id=portal_id, kind=kind, dry_run=dry_run)
        started = time.monotonic()
        run = None if dry_run else self.store.runs.start(portal_id, kind)
        report.run_id = run.id if run is not None else None
        status: RunStatus = "failed"
        try:
            with self.session(portal_id) as session:
                meter = BudgetMeter(self.store, portal_id, session.crm)
                try:
                    body(report, session)
                    status = "succeeded" if report.completed or report.stopped else "failed"
                except CrmError as exc:
                    report.errors.append(str(exc))
                    reason = needs_reconnect_reason(exc, session.portal)
                    if reason is not None:
                        mark_needs_reconnect(self.store, portal_id, reason)
                    else:
                        log.warning("portal %s: %s run failed: %s", portal_id, kind, exc)
                finally:
                    report.add_calls(session.crm.calls())
                    if not dry_run:
                        meter.flush()
        except LeadscoreError as exc:
            report.errors.append(str(exc))
            raise
        finally:
            report.seconds = time.monotonic() - started
            if run is not None:
                self.store.runs.finish(run.id, status, report.counters(),
                                       "; ".join(report.errors) or None)
        return report

    def run_pass(
        self,
        portal_id: int,
        *,
        full: bool = False,
        dry_run: bool = False,
        stop: threading.Event | None = None,
        on_chunk: ChunkCallback | None = None,
    ) -> PassReport:
        """One sync pass (full when asked, never synced, or one is under way).

        Raises `LeaseBusy` when another worker is syncing the portal, `PortalUnavailable`
        when it is not connected; HubSpot failures end up in `report.errors`.
        """
        with LeaseKeeper(self.store, lease_name(portal_id, SYNC_JOB), self.worker_id) as lease:
            def body(report: PassReport, session: PortalSession) -> None:
                if not dry_run:
                    self.ensure_properties(session)
                scoring = self.scorer_for(portal_id, self.stages(session))
                report.model_version = ",".join(scoring.model_versions.values()) or None
                options = PassOptions(
                    full=full,
                    dry_run=dry_run,
                    chunk_size=self.settings.sync_chunk_size,
                    overlap=timedelta(seconds=self.settings.sync_overlap_seconds),
                    stops=tuple(e for e in (stop, lease.lost) if e is not None),
                    on_chunk=on_chunk,
                    on_cursor=lease.renew,
                )
                self._account_pass(session, self._processor(session, scoring, dry_run), report,
                                   options)

            cursor = self.store.cursors.get(portal_id, CONTACTS_STREAM)
            full_pass = full or cursor is None or cursor.phase == FULL
            kind: RunKind = "full" if full_pass else "incremental"
            return self._run(portal_id, kind, dry_run, body)

    def _account_pass(self, session: PortalSession, processor: ContactProcessor,
                      report: PassReport, options: PassOptions) -> None:
        """A pass in stream order: companies (stored first, so contacts join them without
        reading them again), contacts, deals, then the company scores (which roll up the
        contacts' fresh engagement). Each stream keeps its own cursor; a stream the grant
        cannot read, or scoring does not need, is left out."""
        crm = session.crm

        def rescore(ids: list[str]) -> None:
            records = crm.read(ObjectType.CONTACTS, ids, self.properties)
            processor.process(records, report, check_properties=False)

        accounts = AccountSync(self.store, crm, self.config, rescore, now=self.now,
                               dry_run=options.dry_run)
        streams_ok = True
        if self.accounts.needed and crm.can_read(ObjectType.COMPANIES):
            outcome = run_stream_pass(self.store, crm, ObjectType.COMPANIES,
                                      self.accounts.company_read, accounts.companies, options)
            streams_ok = outcome.completed
        if streams_ok:
            run_contact_pass(self.store, processor, report, options)
        if report.completed and self.needs.deals and crm.can_read(ObjectType.DEALS):
            outcome = run_stream_pass(self.store, crm, ObjectType.DEALS, DEAL_PROPERTIES,
                                      accounts.deals, options)
            report.completed = outcome.completed
        if report.completed:
            if report.kind == "full":
                touched = set(self.store.companies.ids(session.hub_id))
            else:
                touched = set(accounts.changed) | set(
                    self.store.members.companies_of(session.hub_id, processor.scored).values())
            accounts.score_companies(sorted(touched))
        report.add_accounts(accounts.report)

    def process_contacts(self, portal_id: int, contact_ids: Sequence[str]) -> PassReport:
        """Score these contacts now (webhook events): read, engagements, score, write.

        Contacts HubSpot no longer has are forgotten. Runs beside a pass on purpose (a
        webhook must not wait for an hour-long full sync); a race between the two heals on
        the next pass, which re-reads anything modified since it began.
        """
        def body(report: PassReport, session: PortalSession) -> None:
            self.ensure_properties(session)
            scoring = self.scorer_for(portal_id, self.stages(session))
            report.model_version = ",".join(scoring.model_versions.values()) or None
            ids = list(dict.fromkeys(str(i) for i in contact_ids))
            records = session.crm.read(ObjectType.CONTACTS, ids, self.properties)
            missing = set(ids) - {r.id for r in records}
            if missing:
                report.forgotten += self.forget_contacts(portal_id, sorted(missing))
            self._processor(session, scoring, False).process(records, report,
                                                             check_properties=True)
            report.completed = True

        return self._run(portal_id, "webhook", False, body)

    def process_accounts(self, portal_id: int, company_ids: Sequence[str],
                         deal_ids: Sequence[str], *, gone_companies: Sequence[int] = (),
                         gone_deals: Sequence[int] = ()) -> PassReport:
        """Rescore the contacts of changed companies and of new or changed deals; forget
        deleted (or merged-away) companies and deals, rescoring the contacts they had.

        A company's firmographics or an account's open deals feed its contacts' scores,
        but changing them does not touch the contacts, so their property echo check is off.
        """
        def body(report: PassReport, session: PortalSession) -> None:
            self.ensure_properties(session)
            scoring = self.scorer_for(portal_id, self.stages(session))
            report.model_version = ",".join(scoring.model_versions.values()) or None
            crm = session.crm
            processor = self._processor(session, scoring, False)

            def rescore(ids: list[str]) -> None:
                records = crm.read(ObjectType.CONTACTS, ids, self.properties)
                processor.process(records, report, check_properties=False)

            accounts = AccountSync(self.store, crm, self.config, rescore, now=self.now)
            # The companies' new values are stored first: contacts join the stored company.
            companies = crm.read(ObjectType.COMPANIES, list(company_ids),
                                 self.accounts.company_read)
            accounts.companies(companies, False)
            deals = (crm.read(ObjectType.DEALS, list(deal_ids), DEAL_PROPERTIES)
                     if deal_ids and crm.can_read(ObjectType.DEALS) else [])
            accounts.deals(deals, False)
            members = crm.associations(ObjectType.COMPANIES, ObjectType.CONTACTS,
                                       [r.id for r in companies])
            buyers = {str(d.deal_id): [str(c) for c in d.contact_ids]
                      for d in self.store.deals.get_many(portal_id,
                                                         [int(r.id) for r in deals])}
            orphans = self._forget_accounts(portal_id, gone_companies, gone_deals)
            ids = list(dict.fromkeys([
                *(c for linked in (*members.values(), *buyers.values()) for c in linked),
                *orphans]))
            rescore(ids)
            touched = {int(r.id) for r in companies} | set(
                self.store.members.companies_of(portal_id, processor.scored).values())
            accounts.score_companies(sorted(touched))
            report.add_accounts(accounts.report)
            report.completed = True

        return self._run(portal_id, "webhook", False, body)

    def _forget_accounts(self, portal_id: int, companies: Sequence[int],
                         deals: Sequence[int]) -> list[str]:
        """Forget deleted companies and deals; returns the contacts they had (to rescore)."""
        members = self.store.members.members_of(portal_id, companies)
        lost = [d.contact_ids for d in self.store.deals.get_many(portal_id, deals)]
        self.store.companies.delete(portal_id, companies)
        self.store.deals.delete(portal_id, deals)
        return [str(c) for contacts in (*members.values(), *lost) for c in contacts]

    def forget_contacts(self, portal_id: int, contact_ids: Sequence[str]) -> int:
        """Forget contacts deleted, merged away or erased for privacy; returns how many."""
        ids = [int(i) for i in contact_ids if str(i).isdigit()]
        self.store.members.save(portal_id, dict.fromkeys(ids, (None, None)))
        return self.store.contacts.delete(portal_id, ids)

    def rescore(self, portal_id: int, *, dry_run: bool = False,
                stop: threading.Event | None = None) -> PassReport:
        """The daily rescore from stored inputs, within the portal's daily API budget."""
        with LeaseKeeper(self.store, lease_name(portal_id, SYNC_JOB), self.worker_id) as lease:
            def body(report: PassReport, session: PortalSession) -> None:
                scoring = self.scorer_for(portal_id, self.stages(session))
                report.model_version = ",".join(scoring.model_versions.values()) or None
                rescore_portal(
                    self.store, session.crm, scoring, self.input_columns, report,
                    now=self.now(),
                    budget=call_budget(self.allowance(session.portal).daily),
                    meter=BudgetMeter(self.store, portal_id, session.crm),
                    dry_run=dry_run,
                    stops=tuple(e for e in (stop, lease.lost) if e is not None),
                )
                if report.completed:
                    # Account engagement decays with its contacts': rescore the companies
                    # from the store too (writes only the values that moved).
                    accounts = AccountSync(self.store, session.crm, self.config,
                                           lambda ids: None, now=self.now, dry_run=dry_run)
                    accounts.score_companies(self.store.companies.ids(portal_id))
                    report.add_accounts(accounts.report)

            return self._run(portal_id, "rescore", dry_run, body)

    def train(self, portal_id: int) -> PassReport:
        """Train the portal's model from its stored history (rules alone if too little)."""
        with LeaseKeeper(self.store, lease_name(portal_id, TRAIN_JOB), self.worker_id):
            def body(report: PassReport, session: PortalSession) -> None:
                outcome = train_portal(
                    self.store, self.scorers, portal_id, self.stages(session), self.now(),
                    crm=session.crm, budget=call_budget(self.allowance(session.portal).daily))
                report.contacts_read = outcome.rows
                report.model_version = outcome.version
                if outcome.reason is not None:
                    report.errors.append(outcome.reason)
                report.completed = True

            return self._run(portal_id, "train", False, body)
