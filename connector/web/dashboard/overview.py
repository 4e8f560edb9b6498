"""What the dashboard's overview and events pages read from the store: portals and their
state, recent runs, API usage, webhook events, and the problems someone must act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from connector.store import InboxEvent, Portal, Run, Store

RECENT_RUNS = 15
RECENT_EVENTS = 50
BUDGET_DAYS = 7
FAILED_WRITE_SAMPLES = 5


@dataclass(frozen=True)
class PortalRow:
    """One portal's line on the overview."""

    portal: Portal
    contacts: int
    written: int
    pending_writes: int
    failed_writes: int
    calls_today: int
    calls_week: int
    last_run: Run | None


@dataclass(frozen=True)
class Action:
    """A problem that needs a person: what it is, and what to do."""

    severity: Literal["error", "warning"]
    title: str
    detail: str
    link: str | None = None


@dataclass(frozen=True)
class DayUsage:
    """API calls of every portal on one UTC day."""

    day: date
    calls: int


@dataclass(frozen=True)
class Overview:
    """The overview page."""

    portals: list[PortalRow]
    runs: list[Run]
    actions: list[Action]
    usage: list[DayUsage]
    calls_today: int
    calls_week: int
    inbox: dict[str, int]


@dataclass(frozen=True)
class EventsPage:
    """The webhook events page."""

    recent: list[InboxEvent]
    failed: list[InboxEvent]
    counts: dict[str, int]


def build_overview(store: Store) -> Overview:
    """Read the overview from the store (a handful of small queries)."""
    today = store.budget.today()
    rows = [_portal_row(store, portal, today) for portal in store.portals.all()]
    usage = {today - timedelta(days=i): 0 for i in range(BUDGET_DAYS)}
    for row in rows:
        for day in store.budget.history(row.portal.hub_id, BUDGET_DAYS):
            if day.day in usage:
                usage[day.day] += day.calls
    inbox = store.inbox.counts()
    return Overview(
        portals=rows,
        runs=store.runs.recent(RECENT_RUNS),
        actions=_actions(store, rows, inbox),
        usage=[DayUsage(day, calls) for day, calls in sorted(usage.items(), reverse=True)],
        calls_today=sum(r.calls_today for r in rows),
        calls_week=sum(r.calls_week for r in rows),
        inbox=inbox,
    )


def build_events(store: Store) -> EventsPage:
    """Recent webhook events, the failed ones, and counts per status."""
    return EventsPage(
        recent=store.inbox.recent(RECENT_EVENTS),
        failed=store.inbox.recent(RECENT_EVENTS, status="failed"),
        counts=store.inbox.counts(),
    )


def _portal_row(store: Store, portal: Portal, today: date) -> PortalRow:
    counts = store.contacts.counts(portal.hub_id)
    recent = store.runs.recent(1, portal_id=portal.hub_id)
    return PortalRow(
        portal=portal,
        contacts=sum(counts.values()),
        written=counts.get("written", 0),
        pending_writes=counts.get("pending", 0),
        failed_writes=counts.get("failed", 0),
        calls_today=store.budget.used(portal.hub_id, today),
        calls_week=sum(d.calls for d in store.budget.history(portal.hub_id, BUDGET_DAYS)),
        last_run=recent[0] if recent else None,
    )


def _actions(store: Store, rows: list[PortalRow], inbox: dict[str, int]) -> list[Action]:
    actions: list[Action] = []
    for row in rows:
        hub = row.portal.hub_id
        if row.portal.status == "needs_reconnect":
            actions.append(
                Action(
                    "error",
                    f"Portal {hub} needs to be reconnected",
                    (row.portal.status_reason or "its authorisation no longer works")
                    + " — run `leadscore connect` (or open /connect) to reinstall the app.",
                    f"/dashboard/portals/{hub}",
                )
            )
        if row.failed_writes:
            samples = [
                s
                for s in store.contacts.pending_writes(hub, limit=500)
                if s.write_status == "failed"
            ][:FAILED_WRITE_SAMPLES]
            shown = "; ".join(f"contact {s.contact_id}: {s.write_error}" for s in samples)
            actions.append(
                Action(
                    "warning",
                    f"{row.failed_writes:,} score writes failed on portal {hub}",
                    f"They are retried on the next pass. {shown}",
                    f"/dashboard/portals/{hub}",
                )
            )
        if row.last_run is not None and row.last_run.status == "failed":
            actions.append(
                Action(
                    "error",
                    f"The last {row.last_run.kind} run of portal {hub} failed",
                    row.last_run.error or "no error message was recorded",
                )
            )
    failed_events = inbox.get("failed", 0)
    if failed_events:
        actions.append(
            Action(
                "warning",
                f"{failed_events:,} webhook events failed",
                "They used up their attempts; the next incremental sync still picks the "
                "contacts up. See the events page for the errors.",
                "/dashboard/events",
            )
        )
    return actions
