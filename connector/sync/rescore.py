"""The daily rescore: time-driven changes (decay, inactivity) from stored inputs.

Nothing is read from HubSpot: each stored contact's inputs are rebuilt into a `LeadFrame`,
scored at the current time, and only values that changed are written (100 per call). The
lifecycle stage is never moved here, because the stored stage may be older than HubSpot's
(the next pass, which reads it fresh, moves it). Writes stay within the portal's daily API
allowance: the rescore stops before it would use more than `BUDGET_SHARE` of it, leaving
the rest for syncs and webhooks.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from datetime import datetime

from connector.crm import CrmSession
from connector.store import Store
from connector.sync.budget import BudgetMeter
from connector.sync.inputs import lead_frame_from_states
from connector.sync.outputs import PortalScoring
from connector.sync.process import plan_scores
from connector.sync.push import write_values
from connector.sync.report import PassReport

log = logging.getLogger(__name__)

BUDGET_SHARE = 0.8
BATCH = 1000


def call_budget(daily_cap: int | None) -> int | None:
    """Calls a rescore may let the day's total reach (None: the portal has no daily cap)."""
    return None if daily_cap is None else int(daily_cap * BUDGET_SHARE)


def rescore_portal(
    store: Store,
    crm: CrmSession,
    scoring: PortalScoring,
    properties: Sequence[str],
    report: PassReport,
    *,
    now: datetime,
    budget: int | None,
    meter: BudgetMeter,
    dry_run: bool = False,
    stops: tuple[threading.Event, ...] = (),
) -> PassReport:
    """Rescore every stored contact of the portal; returns `report` filled in."""
    portal_id = report.portal_id
    for states in store.contacts.iter_batches(portal_id, BATCH):
        if any(event.is_set() for event in stops):
            report.stopped = True
            return report
        by_id = {s.contact_id: s for s in states}
        frame = lead_frame_from_states(states)
        plan, kept = plan_scores(scoring, frame, properties, by_id, portal_id, now,
                                 move_lifecycle=False)
        report.contacts_read += len(states)
        report.contacts_scored += len(plan.states)
        report.unchanged_scores += kept
        if dry_run:
            report.contacts_written += len(plan.writes)
            continue
        calls = math.ceil(len(plan.writes) / 100)
        if budget is not None and meter.flush() + calls > budget:
            message = (f"daily API budget reached ({budget} calls); "
                       "the rest is rescored tomorrow")
            report.errors.append(message)
            log.warning("portal %s: %s", portal_id, message)
            return report
        touched = [
            s for s in plan.states
            if s.contact_id in plan.writes or by_id[s.contact_id].write_status != "written"
        ]
        store.contacts.upsert(touched)
        outcome = write_values(crm, store, portal_id, plan.writes)
        report.contacts_written += outcome.written
        report.contacts_failed += outcome.failed
        report.forgotten += outcome.forgotten
    report.completed = True
    return report
