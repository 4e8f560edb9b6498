"""Prometheus metrics of the web app: request counters it updates, state read at scrape time.

Each app gets its own registry, so several apps in one process (tests, the demo) never
share or clash over metric names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from connector.store import Store
from connector.sync.webhook_drain import DrainStats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class LiveState:
    """Where the scrape-time collector reads from."""

    store: Store
    drain_stats: Callable[[], DrainStats | None]
    scheduler_alive: Callable[[], bool | None]


class _StateCollector(Collector):
    """Inbox backlog, portals by status, drain outcomes and liveness, read per scrape."""

    def __init__(self, state: LiveState) -> None:
        self._state = state

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        store = self._state.store
        up = store.ping()
        yield GaugeMetricFamily("leadscore_database_up", "1 if the database answers.", value=up)
        if up:
            inbox = GaugeMetricFamily(
                "leadscore_inbox_events", "Webhook inbox events by status.", labels=["status"]
            )
            for status, count in sorted(store.inbox.counts().items()):
                inbox.add_metric([status], count)
            yield inbox
            portals = GaugeMetricFamily(
                "leadscore_portals", "Portals by connection status.", labels=["status"]
            )
            by_status: dict[str, int] = {}
            for portal in store.portals.all():
                by_status[portal.status] = by_status.get(portal.status, 0) + 1
            for status, count in sorted(by_status.items()):
                portals.add_metric([status], count)
            yield portals
        stats = self._state.drain_stats()
        if stats is not None:
            drained = CounterMetricFamily(
                "leadscore_drain_events",
                "Webhook events settled by the drain, by outcome.",
                labels=["outcome"],
            )
            for outcome, count in sorted(stats.events.items()):
                drained.add_metric([outcome], count)
            yield drained
            yield CounterMetricFamily(
                "leadscore_drain_contacts_rescored",
                "Contacts rescored because of webhook events.",
                value=stats.contacts_rescored,
            )
            yield CounterMetricFamily(
                "leadscore_drain_contacts_forgotten",
                "Contacts forgotten because of deletion, merge or privacy events.",
                value=stats.contacts_forgotten,
            )
        alive = self._state.scheduler_alive()
        if alive is not None:
            yield GaugeMetricFamily(
                "leadscore_scheduler_up", "1 if the sync scheduler runs.", value=alive
            )


class WebMetrics:
    """The app's metrics: counters the routes update and the scrape-time state collector."""

    def __init__(self, state: LiveState) -> None:
        """Create a private registry with the request metrics and the state collector."""
        self.registry = CollectorRegistry()
        self.webhook_requests = Counter(
            "leadscore_webhook_requests",
            "Webhook deliveries by outcome (accepted, unauthorized, malformed).",
            ["outcome"],
            registry=self.registry,
        )
        self.webhook_events = Counter(
            "leadscore_webhook_events",
            "Webhook events received, new or duplicate.",
            ["kind"],
            registry=self.registry,
        )
        self.webhook_seconds = Histogram(
            "leadscore_webhook_request_seconds",
            "Time to verify, parse and store one webhook delivery.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.api_leads_scored = Counter(
            "leadscore_api_leads_scored", "Leads scored through the API.", registry=self.registry
        )
        self.workflow_actions = Counter(
            "leadscore_workflow_actions",
            "Workflow 'score this contact' calls by execution state.",
            ["state"],
            registry=self.registry,
        )
        self.registry.register(_StateCollector(state))

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
