"""What a demo run reports: the figures printed at the end and emitted by `--json`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.evaluation import BandRow, TierRow
from connector.reports import to_jsonable


@dataclass(frozen=True)
class StepTiming:
    """Wall time of one demo step."""

    step: str
    """A short key: sandbox, connector, connect, full_sync, train, rescore, webhooks, grade."""
    title: str
    seconds: float


@dataclass(frozen=True)
class ModelSummary:
    """The predictive model trained on the portal's history (or why there is none)."""

    version: str | None
    trained_on: int
    """Contacts with a known outcome the model learnt from."""
    conversions: int
    validation_auc: float | None
    """The trainer's own cross-validated AUC on the known outcomes."""
    not_trained_because: str | None
    """Set when the history was too small: the portal then scores with rules alone."""


@dataclass(frozen=True)
class Evaluation:
    """The synced scores against the generator's hidden ground truth.

    `auc_score`, `tiers` and `deciles` cover every synced contact and whether it ever
    converts. The forecast figures cover only the leads still open when they were scored,
    against conversions that happen after that moment: the question a sales team asks.
    """

    contacts: int
    conversions: int
    base_rate: float
    auc_score: float
    auc_likelihood: float | None
    top_decile_lift: float
    tiers: list[TierRow]
    deciles: list[BandRow]
    open_leads: int
    open_leads_future_conversions: int
    auc_open_leads: float | None
    """None when no open lead converts later (an AUC needs both outcomes)."""


@dataclass(frozen=True)
class WebhookLead:
    """A lead added after the sync, and how long until its score was in HubSpot."""

    contact_id: int
    score: float | None
    tier: str | None
    seconds_to_score: float | None
    """From its creation to the moment its `leadscore_score` was seen; None if never."""


@dataclass(frozen=True)
class WebhookRun:
    """The live part: new leads created in the sandbox, scored through webhooks."""

    leads_added: int
    leads_scored: int
    median_seconds_to_score: float | None
    max_seconds_to_score: float | None
    leads: list[WebhookLead]
    deliveries: dict[str, int]
    """The sandbox dispatcher's counters (delivered events, retries, failures)."""


@dataclass(frozen=True)
class ApiUsage:
    """HubSpot API calls, as the connector counted them and as the sandbox saw them."""

    connector_calls: dict[str, int]
    """Calls of the connector's runs by kind (list, batch_read, batch_update, associations,
    engagements, ...) plus `total`, as the runs recorded them (retries included)."""
    connector_calls_by_run: dict[str, int]
    """The same calls by run kind: full (the sync), train, rescore, webhook."""
    connection_requests: int
    """Requests of the one-click connection (provisioning, lifecycle stages), which is not
    a run: the sandbox's count minus the runs' and the demo's own."""
    sandbox_requests: int
    """Every request the sandbox answered for the portal: the connector's and `demo_reads`."""
    sandbox_requests_by_endpoint: dict[str, int]
    demo_reads: int
    """The demo's own reads (checking new leads' scores, listing properties) with the
    portal's private-app token, which has its own allowance."""
    connector_total: int
    """Everything the connector sent: its runs plus the connection."""
    rate_limited_seen: int
    """429 answers the sandbox gave the connector (the goal: none)."""
    rate_limited_by_policy: dict[str, int]
    rate_limits: str
    """The allowance the portal ran under, e.g. "oauth app: 110 requests / 10 s"."""


@dataclass(frozen=True)
class DemoSummary:
    """Everything `leadscore demo` shows at the end."""

    hub_id: int
    portal_contacts: int
    contacts_synced: int
    contacts_scored: int
    contacts_written: int
    properties_provisioned: list[str]
    model: ModelSummary
    evaluation: Evaluation
    webhooks: WebhookRun
    api: ApiUsage
    timings: list[StepTiming]
    total_seconds: float
    report_path: str
    data_dir: str | None
    """Where the demo's state was kept; None when it was a temporary directory, removed."""
    sandbox_url: str
    app_url: str
    """Where the sandbox and the connector's web app listened (both stop with the demo)."""
    dashboard_url: str | None
    """Set while the dashboard is served (not with `--exit`)."""

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON-ready data (NaN statistics become null)."""
        data: dict[str, Any] = to_jsonable(self)
        return data
