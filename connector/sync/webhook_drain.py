"""The webhook inbox drain: claim stored events, coalesce them, act in batches, settle them.

The web layer only verifies, parses and stores webhook events; everything slow happens
here, after HubSpot got its 200. Each round claims a batch of events per connected portal
(`InboxRepository.claim` makes one claim exclusive across workers), reduces them to one
action per contact (rescore or forget), runs those through the sync service's batch reads
and writes, and marks every event processed, skipped (with the reason) or failed (retried
later). A process that dies mid-batch leaves its claim behind; the inbox hands those
events out again once the claim is stale, and rescoring is idempotent (input hashes), so
an accepted event is acted on even across crashes.

Events of a portal that needs reconnection stay pending (kept, visible in `/healthz`) and
are processed once it is reconnected; events of a portal never connected here are skipped
with that reason, since nothing can be done for them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from connector.crm import CrmConnector, Ignored, Notification, ObjectType
from connector.store import InboxClaim, InboxEvent, Portal, Store
from connector.sync.accounts import relevant_properties
from connector.sync.leases import holder_is_dead
from connector.sync.portal_session import PortalUnavailable
from connector.sync.report import PassReport
from connector.sync.service import SyncService

log = logging.getLogger(__name__)

# A failed batch is retried after this long (the inbox gives up after its max attempts).
RETRY_AFTER = timedelta(seconds=30)
# How often events of portals not connected here are looked for (an unfiltered claim).
SWEEP_INTERVAL_S = 10.0
# Share of a portal's request allowance webhook batches may draw on; the rest is left to
# the scheduled passes. Batches are spaced to stay within it, so a burst of events waits a
# moment and goes out in fewer, larger batches instead of exhausting the rate window and
# stalling everything for its remaining seconds.
WEBHOOK_SHARE = 0.6

Action = Literal["rescore", "forget", "company", "deal", "company_gone", "deal_gone"]
"""`rescore`/`forget` a contact; `company`/`deal`: rescore the contacts of that company or
deal; `company_gone`/`deal_gone`: forget it and rescore the contacts it had (the record id
is the action's `contact_id`)."""
ACCOUNT_ACTIONS: dict[tuple[ObjectType, str], Action] = {
    (ObjectType.COMPANIES, "rescore"): "company",
    (ObjectType.DEALS, "rescore"): "deal",
    (ObjectType.COMPANIES, "forget"): "company_gone",
    (ObjectType.DEALS, "forget"): "deal_gone",
}
_GROUPS: dict[Action, str] = {"rescore": "contact", "forget": "contact",
                              "company": "company", "company_gone": "company",
                              "deal": "deal", "deal_gone": "deal"}
"""Actions on one record that compete (the newest event wins)."""


@dataclass(frozen=True)
class ContactAction:
    """What to do for one contact and the events that asked for it."""

    action: Action
    contact_id: int
    event_ids: tuple[int, ...]


@dataclass(frozen=True)
class PortalPlan:
    """One portal's coalesced work: one action per contact, plus events to skip."""

    portal_id: int
    actions: tuple[ContactAction, ...]
    skipped: dict[str, tuple[int, ...]]
    """Reason → event ids settled as skipped (echoes, irrelevant properties, unknown types)."""

    def ids(self, action: Action) -> list[int]:
        """Contact ids with the given action, ascending."""
        return sorted(a.contact_id for a in self.actions if a.action == action)

    def events_of(self, contact_ids: Iterable[int], action: Action) -> list[int]:
        """Event ids behind the given contacts' actions of one kind."""
        wanted = set(contact_ids)
        return [
            event_id
            for a in self.actions
            if a.action == action and a.contact_id in wanted
            for event_id in a.event_ids
        ]


@dataclass
class DrainStats:
    """Cumulative counters (read by `/metrics`); updated by the drain thread only."""

    rounds: int = 0
    events: Counter[str] = field(default_factory=Counter)
    """Events by outcome: processed, skipped, failed, deferred."""
    contacts_rescored: int = 0
    contacts_forgotten: int = 0
    last_round_at: float | None = None
    """`time.time()` of the last finished round (liveness for `/healthz`)."""
    last_error: str | None = None


@dataclass(frozen=True)
class _Intent:
    action: Action
    contact_id: int
    occurred_at_ms: float
    event_id: int


def classify(
    event: InboxEvent, crm: CrmConnector, relevant: Mapping[ObjectType, Collection[str]]
) -> list[_Intent] | str:
    """What an event asks for: intents per contact, or the reason it needs nothing.

    The CRM connector reads the event (`CrmConnector.classify`); the sync acts on contacts.
    """
    notice = Notification(event.subscription_type, event.object_id, event.property_name,
                          event.raw)
    outcome = crm.classify(notice, relevant)
    if isinstance(outcome, Ignored):
        return outcome.reason
    when = event.occurred_at.timestamp() * 1000
    intents: list[_Intent] = []
    for change in outcome:
        if change.object_type is ObjectType.CONTACTS:
            intents.append(_Intent(change.action, change.object_id, when, event.id))
        else:
            action = ACCOUNT_ACTIONS[(change.object_type, change.action)]
            intents.append(_Intent(action, change.object_id, when, event.id))
    return intents


def plan_portal(
    portal_id: int,
    events: Sequence[InboxEvent],
    crm: CrmConnector,
    relevant: Mapping[ObjectType, Collection[str]],
) -> PortalPlan:
    """Coalesce one portal's events into one action per contact.

    A contact both changed and deleted within the batch is forgotten if the deletion is the
    newest of its events, else rescored (a restore after a deletion, say).
    """
    skipped: dict[str, list[int]] = {}
    by_record: dict[tuple[str, int], list[_Intent]] = {}
    for event in events:
        outcome = classify(event, crm, relevant)
        if isinstance(outcome, str):
            skipped.setdefault(outcome, []).append(event.id)
            continue
        for intent in outcome:
            # A record's own actions compete; a contact, a company and a deal stand apart.
            by_record.setdefault((_GROUPS[intent.action], intent.contact_id),
                                 []).append(intent)
    actions = []
    for (_, contact_id), intents in sorted(by_record.items()):
        newest = max(intents, key=lambda i: (i.occurred_at_ms,
                                             i.action in ("forget", "company_gone", "deal_gone")))
        event_ids = tuple(sorted({i.event_id for i in intents}))
        actions.append(ContactAction(newest.action, contact_id, event_ids))
    return PortalPlan(
        portal_id=portal_id,
        actions=tuple(actions),
        skipped={reason: tuple(ids) for reason, ids in skipped.items()},
    )


class WebhookDrain:
    """Claims and processes inbox events until stopped; `wake()` cuts the poll short.

    Run it with `start()`/`stop()` (a background thread) or call `drain_once()` directly.
    """

    def __init__(
        self,
        store: Store,
        service: SyncService,
        *,
        worker_id: str,
        batch_size: int = 500,
        poll_interval_s: float = 0.15,
        sweep_interval_s: float = SWEEP_INTERVAL_S,
    ) -> None:
        """Bind to the store and the sync service; `worker_id` names this worker in claims.

        A property change needs a rescore only if the property is one the service reads
        (`SyncService.properties`: the rules' inputs, the stage, engagement summaries).
        Connected portals' events are claimed every `poll_interval_s` (or on `wake()`);
        other portals' events are looked for every `sweep_interval_s`.
        """
        self._store = store
        self._service = service
        self._relevant = relevant_properties(service.properties, service.accounts)
        self._worker_id = worker_id
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._sweep_interval_s = sweep_interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_sweep = 0.0
        self._not_before: dict[int, float] = {}
        self.stats = DrainStats()

    # ---- lifecycle ------------------------------------------------------------------------

    def recover_dead_claims(self) -> int:
        """Put back the events that a worker of this host killed mid-batch still held.

        Returns how many; other hosts' claims are left to the inbox's stale timeout.
        """
        released = 0
        for worker in self._store.inbox.claimants():
            if holder_is_dead(worker):
                count = self._store.inbox.release_worker(worker)
                log.warning("webhook inbox: %d event(s) held by dead worker %s put back",
                            count, worker)
                released += count
        return released

    def start(self) -> None:
        """Drain on a background thread until `stop()`."""
        if self._thread is not None:
            return
        self.recover_dead_claims()
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="webhook-drain", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the batch in hand, then stop (claims are settled, none left half-done)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
            self._thread = None

    @property
    def alive(self) -> bool:
        """True while the background thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """New events were stored: look at once instead of waiting for the next poll."""
        self._wake.set()

    def run(self) -> None:
        """The loop: drain, then wait for a wake-up or the poll interval."""
        while not self._stop.is_set():
            try:
                busy = self.drain_once() >= self._batch_size
            except Exception as exc:  # the loop must outlive a bad round (database blip)
                log.exception("webhook drain round failed")
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                busy = False
            if not busy:
                self._wake.wait(self._poll_interval_s)
            self._wake.clear()

    # ---- one round ------------------------------------------------------------------------

    def drain_once(self) -> int:
        """Claim and settle one batch per connected portal (plus a periodic sweep).

        Returns how many events were claimed in the busiest claim, so the loop knows
        whether more are waiting.
        """
        self._wake.clear()
        portals = {p.hub_id: p for p in self._store.portals.all()}
        busiest = 0
        for portal in portals.values():
            if portal.status != "connected":
                continue
            if time.monotonic() < self._not_before.get(portal.hub_id, 0.0):
                continue  # its last batch's calls are still being paid off
            claim = self._store.inbox.claim(
                self._worker_id, self._batch_size, portal_id=portal.hub_id
            )
            busiest = max(busiest, len(claim.events))
            if claim.events:
                self._settle(claim, portals)
        if time.monotonic() - self._last_sweep >= self._sweep_interval_s:
            # Events of portals not connected here are only found by an unfiltered claim.
            self._last_sweep = time.monotonic()
            claim = self._store.inbox.claim(self._worker_id, self._batch_size)
            if claim.events:
                self._settle(claim, portals)
        self.stats.rounds += 1
        self.stats.last_round_at = time.time()
        return busiest

    def _settle(self, claim: InboxClaim, portals: dict[int, Portal]) -> None:
        by_portal: dict[int, list[InboxEvent]] = {}
        for event in claim.events:
            by_portal.setdefault(event.portal_id, []).append(event)
        for portal_id, events in sorted(by_portal.items()):
            portal = portals.get(portal_id)
            if portal is None:
                reason = f"portal {portal_id} is not connected to this connector"
                self._skip(claim.token, [e.id for e in events], reason)
            elif portal.status == "connected":
                started = time.monotonic()
                calls = self._process(
                    claim.token,
                    plan_portal(portal_id, events, self._service.crm, self._relevant),
                )
                self._not_before[portal_id] = started + self._spacing(portal, calls)
        # Events of portals awaiting reconnection go back, attempts untouched.
        deferred = self._store.inbox.release(claim.token)
        self.stats.events["deferred"] += deferred

    def _skip(self, token: str, event_ids: Sequence[int], reason: str) -> None:
        if event_ids:
            log.info("skipping %d webhook event(s): %s", len(event_ids), reason)
            self.stats.events["skipped"] += self._store.inbox.mark_skipped(token, event_ids, reason)

    def _spacing(self, portal: Portal, calls: int) -> float:
        """Seconds from one batch's start to the next, for `calls` to fit the allowance."""
        per_second = self._service.allowance(portal).requests_per_second
        return calls / (WEBHOOK_SHARE * per_second)

    def _process(self, token: str, plan: PortalPlan) -> int:
        """Act on one portal's plan and settle its events; returns the HubSpot calls made."""
        for reason, event_ids in plan.skipped.items():
            self._skip(token, event_ids, reason)
        calls = 0
        rescore = plan.ids("rescore")
        if rescore:
            done, go_on = self._act(token, plan, ("rescore",), lambda: self._service
                                    .process_contacts(plan.portal_id, [str(c) for c in rescore]))
            calls += done
            if not go_on:
                return calls
        companies, deals = plan.ids("company"), plan.ids("deal")
        gone = (plan.ids("company_gone"), plan.ids("deal_gone"))
        if companies or deals or any(gone):
            done, go_on = self._act(
                token, plan, ("company", "deal", "company_gone", "deal_gone"),
                lambda: self._service.process_accounts(
                    plan.portal_id, [str(c) for c in companies], [str(d) for d in deals],
                    gone_companies=gone[0], gone_deals=gone[1]))
            calls += done
            if not go_on:
                return calls
        forget = plan.ids("forget")
        if forget:
            self._service.forget_contacts(plan.portal_id, [str(c) for c in forget])
            self.stats.contacts_forgotten += len(forget)
            self.stats.events["processed"] += self._store.inbox.mark_processed(
                token, plan.events_of(forget, "forget")
            )
        return calls

    def _act(self, token: str, plan: PortalPlan, actions: tuple[Action, ...],
             run: Callable[[], PassReport]) -> tuple[int, bool]:
        """Run one kind of rescoring and settle its events; returns the calls it made and
        whether the portal's other work may go on."""
        inbox = self._store.inbox
        events = [e for action in actions for e in plan.events_of(plan.ids(action), action)]
        started = time.monotonic()
        try:
            report = run()
        except PortalUnavailable as exc:
            # Disconnected meanwhile: the events wait (released) for a reconnection.
            log.warning("portal %d unavailable; webhook events kept: %s", plan.portal_id, exc)
            return 0, False
        except Exception as exc:
            # Anything else (a bad stored token, a bug) fails these events visibly and
            # retries them a few times, instead of leaving them claimed until stale.
            log.exception("rescoring contacts of portal %d failed", plan.portal_id)
            self.stats.last_error = f"{type(exc).__name__}: {exc}"
            self.stats.events["failed"] += inbox.mark_failed(
                token, events, self.stats.last_error, retry_in=RETRY_AFTER
            )
            return 0, False
        log.debug("portal %d: rescored %d contact(s) for %d event(s) in %.2f s, %d API calls",
                  plan.portal_id, report.contacts_scored, len(events),
                  time.monotonic() - started, report.api_calls_total)
        if report.completed:
            # Per-contact write failures stay in the contact state and are retried by
            # the next pass: the events themselves are done.
            self.stats.contacts_rescored += report.contacts_read
            self.stats.events["processed"] += inbox.mark_processed(token, events)
        elif self._needs_reconnect(plan.portal_id):
            log.warning("portal %d needs reconnection; its webhook events are kept",
                        plan.portal_id)
            return report.api_calls_total, False
        else:
            message = "; ".join(report.errors) or "rescoring did not complete"
            self.stats.last_error = message
            log.warning("rescoring contacts of portal %d failed: %s", plan.portal_id, message)
            self.stats.events["failed"] += inbox.mark_failed(
                token, events, message, retry_in=RETRY_AFTER
            )
        return report.api_calls_total, True

    def _needs_reconnect(self, portal_id: int) -> bool:
        portal = self._store.portals.get(portal_id)
        return portal is None or portal.status != "connected"
