"""Processing one batch of read contacts: echo check, engagements, score, store, write back.

1. Echo check on properties: a contact whose read properties equal its stored inputs and
   whose last values are confirmed is skipped before anything else is read. Our own writes
   bump `lastmodifieddate` but change none of the read properties (never `leadscore_*`),
   so the next pass recognises them here; engagement logging changes summary properties
   HubSpot keeps on the contact, which are read, so it is not mistaken for an echo.
2. Engagements of exactly the remaining contacts, then the input hash over properties and
   activities: an unchanged hash with confirmed values is skipped too.
3. Score, render, and compare with the values HubSpot holds: only real changes are
   written, with the `scored_at`/`version` stamps; `lifecyclestage` only moves forward.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from connector.crm import CrmRecord, CrmSession
from connector.crm.frames import lead_frame
from connector.scoring.leads import LeadFrame
from connector.store import ContactState, Store
from connector.sync.accounts import AccountReads, with_accounts
from connector.sync.experiment import desired_by_arm
from connector.sync.inputs import frame_hashes, stored_inputs
from connector.sync.outputs import (
    LIFECYCLE,
    PortalScoring,
    changed_values,
    expected_versions,
)
from connector.sync.push import write_values
from connector.sync.report import PassReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchPlan:
    """What processing decided for a batch: new states and the writes to send."""

    states: list[ContactState]
    writes: dict[int, dict[str, str]]


def same_properties(record: CrmRecord, state: ContactState, properties: Sequence[str]) -> bool:
    """Whether the contact's read properties equal its stored inputs."""
    stored = state.inputs.properties
    current = record.properties
    return all(current.get(name) == stored.get(name) for name in properties)


def current(state: ContactState | None, versions: Mapping[str, str]) -> bool:
    """Whether HubSpot confirmed the contact's last values and today's scoring made them."""
    if state is None or state.write_status != "written":
        return False
    written = state.written_values
    return all(written.get(name) == version for name, version in versions.items())


def plan_scores(
    scoring: PortalScoring,
    frame: LeadFrame,
    properties: Sequence[str],
    states: Mapping[int, ContactState],
    portal_id: int,
    now: datetime,
    *,
    move_lifecycle: bool = True,
) -> tuple[BatchPlan, int]:
    """Score `frame`, decide writes against confirmed values; returns the plan and how many
    contacts kept their values (nothing to write).

    Without `move_lifecycle` the stage is never written: a rescore from stored inputs must
    not move a stage it may know only from an older read.
    """
    desired = desired_by_arm(scoring, frame, now)
    if not move_lifecycle:
        for want in desired.values():
            want.values.pop(LIFECYCLE, None)
    moved = {cid: d.values[LIFECYCLE] for cid, d in desired.items() if LIFECYCLE in d.values}
    if moved and LIFECYCLE in frame.contacts.columns:
        # Store the stage we write as the input, so the write's echo matches next time.
        contacts = frame.contacts.copy()
        for cid, stage in moved.items():
            contacts.loc[cid, LIFECYCLE] = stage
        frame = LeadFrame(contacts=contacts, activities=frame.activities)
    hashes = frame_hashes(frame, properties)
    inputs = stored_inputs(frame, properties)
    new_states: list[ContactState] = []
    writes: dict[int, dict[str, str]] = {}
    kept = 0
    for key, want in desired.items():
        contact = int(key)
        previous = states.get(contact)
        written = dict(previous.written_values) if previous is not None else {}
        changes = changed_values(want, written)
        base = ContactState(
            portal_id=portal_id,
            contact_id=contact,
            input_hash=str(hashes[key]),
            inputs=inputs[key],
            written_values=written,
            scored_at=now,
            written_at=previous.written_at if previous is not None else None,
        )
        if not changes:
            kept += 1
            new_states.append(replace(base, write_status="written"))
            continue
        send = {**changes, **want.stamps}
        new_states.append(
            replace(base, pending_values={**written, **send}, write_status="pending")
        )
        writes[contact] = send
    return BatchPlan(new_states, writes), kept


class ContactProcessor:
    """Processes batches of contact records for one portal (a pass chunk or a webhook batch)."""

    def __init__(
        self,
        store: Store,
        crm: CrmSession,
        scoring: PortalScoring,
        portal_id: int,
        properties: Sequence[str],
        activity_kinds: Sequence[str],
        *,
        now: Callable[[], datetime],
        accounts: AccountReads | None = None,
        dry_run: bool = False,
    ) -> None:
        """Bind the portal's CRM session, scoring and what to read (`properties` of the
        contact itself, `accounts`: what of its company and account)."""
        self.store = store
        self.crm = crm
        self.scoring = scoring
        self.portal_id = portal_id
        self.properties = list(properties)
        self.kinds = list(activity_kinds)
        self.accounts = accounts or AccountReads((), ())
        self.columns = [*self.properties, *self.accounts.columns]
        self.scored: set[int] = set()
        """Contacts scored by this processor (their companies' scores may move)."""
        """Every input column: the contact's properties, then its account's."""
        self.now = now
        self.dry_run = dry_run

    def process(
        self, records: Sequence[CrmRecord], report: PassReport, *, check_properties: bool
    ) -> None:
        """Run the three steps on `records`, counting into `report`.

        `check_properties` enables the property echo check (incremental passes, webhooks);
        a full pass re-reads every contact's engagements instead.
        """
        unique = {r.id: r for r in records}
        report.contacts_read += len(records)
        if not unique:
            return
        states = self.store.contacts.get_many(self.portal_id, (int(i) for i in unique))
        versions = expected_versions(self.scoring)
        candidates = [
            r for r in unique.values()
            if not (check_properties and current(states.get(int(r.id)), versions)
                    and same_properties(r, states[int(r.id)], self.properties))
        ]
        report.skipped_unchanged += len(unique) - len(candidates)
        if not candidates:
            return
        if self.scoring.experiment is not None:
            self.scoring.experiment.enrol(candidates, dry_run=self.dry_run)
        activities = self.crm.activities([r.id for r in candidates], self.kinds)
        frame = with_accounts(self.crm, self.store,
                              lead_frame(candidates, self.properties, activities),
                              self.accounts, self.now(), save=not self.dry_run)
        hashes = frame_hashes(frame, self.columns)
        fresh = [
            str(cid) for cid in frame.contacts.index
            if not (current(states.get(int(cid)), versions)
                    and states[int(cid)].input_hash == hashes[cid])
        ]
        report.skipped_unchanged += len(frame) - len(fresh)
        if not fresh:
            return
        subset = LeadFrame(
            contacts=frame.contacts.loc[fresh],
            activities=frame.activities[frame.activities["contact_id"].isin(fresh)],
        )
        plan, kept = plan_scores(self.scoring, subset, self.columns, states,
                                 self.portal_id, self.now())
        report.contacts_scored += len(plan.states)
        self.scored.update(s.contact_id for s in plan.states)
        report.unchanged_scores += kept
        if self.dry_run:
            report.contacts_written += len(plan.writes)
            return
        self.store.contacts.upsert(plan.states)
        outcome = write_values(self.crm, self.store, self.portal_id, plan.writes)
        report.contacts_written += outcome.written
        report.contacts_failed += outcome.failed
        report.forgotten += outcome.forgotten
