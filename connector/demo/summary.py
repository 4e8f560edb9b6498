"""What a demo run reports: the figures printed at the end and emitted by `--json`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from connector.evaluation import BandRow, TierRow
from connector.evaluation.forward import ForwardFigures
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
class TrainingGrade:
    """The model trained as of then one way: what its own cross-validation claims, and how
    it ranked the leads open then."""

    method: Literal["point_in_time", "current_values"]
    """`point_in_time`: each lead as it was before converting, post-outcome properties
    excluded by time; `current_values`: every lead as it stood then (training without
    history)."""
    rows: int
    positives: int
    in_sample_auc: float
    """Its own out-of-fold cross-validated AUC on its training rows."""
    forward: ForwardFigures


@dataclass(frozen=True)
class PostOutcomeFinding:
    """A property history shows was set at or after the conversion (excluded from training)."""

    column: str
    converted_with_value: int
    set_after: int
    share_after: float
    evidence: str


@dataclass(frozen=True)
class PlantedCheck:
    """A post-outcome property the sandbox planted, and whether the guard named it by time."""

    column: str
    found: bool


@dataclass(frozen=True)
class ForwardGrade:
    """The headline: the portal's scoring as of `as_of` (T − `horizon_days`), trained on what
    was known then, ranking the leads open then against the conversions of the next
    `horizon_days` days, by the portal's recorded outcome (`outcome`).

    `open_leads` = `contacts_then` − `converted_by_then` − `conversion_time_unknown` (a lead
    converted at an unknown time cannot be placed). Every figure is None, and
    `not_available_because` says why, when the history is too short to train as of then.
    """

    as_of: str
    """The date graded from (ISO, UTC)."""
    horizon_days: int
    outcome: str
    """What converting means on this portal, e.g. "a deal created for the contact or its
    company"."""
    contacts_then: int
    """Contacts created by `as_of`."""
    converted_by_then: int
    conversion_time_unknown: int
    open_leads: int | None
    conversions: int | None
    """Open leads that converted within the horizon."""
    score: ForwardFigures | None
    """The product's score as of then (rules + the point-in-time model)."""
    point_in_time: TrainingGrade | None
    current_values: TrainingGrade | None
    post_outcome: list[PostOutcomeFinding]
    planted: list[PlantedCheck] | None
    """The sandbox's planted post-outcome properties, found or missed (None: none planted)."""
    unknown_past: list[str]
    """Columns left out: their value as of a past moment is not known."""
    not_available_because: str | None


@dataclass(frozen=True)
class Evaluation:
    """Secondary: the synced scores against the generator's hidden ground truth.

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
class ScoreDifference:
    """B − A of one statistic on the same leads, with a paired-bootstrap interval."""

    estimate: float
    low: float
    high: float
    confidence: float
    significant: bool
    """True when the interval excludes 0."""


@dataclass(frozen=True)
class RuleSetGrade:
    """One rule set scored on the stored inputs, rules only (no model), against the truth."""

    label: str
    config: str
    """The configuration file's name."""
    version: str
    """The configuration's hash (as in `leadscore_version`)."""
    auc: float
    forward_auc: float | None
    top_decile_lift: float
    tiers: list[TierRow]


@dataclass(frozen=True)
class RulesComparison:
    """The shipped company-aware rules against the contact-only rules they replaced.

    Both rule sets score the same stored inputs (what the sync read: contact properties,
    the primary company's properties, account signals, activities) of the same contacts,
    with rules only (no trained model for either), and are graded against the same hidden
    truth; the shipped combined score (rules + model, as written) is given beside them.
    `auc_*` cover every graded contact and whether it ever converts, which includes leads
    already converted, whose own deal shows in the account signals; `forward_auc_*` cover
    the leads still open against conversions still to come, the fair comparison.
    """

    leads: int
    conversions: int
    open_leads: int
    open_leads_future_conversions: int
    auc_combined: float
    auc_rules_company_aware: float
    auc_rules_contact_only: float
    forward_auc_combined: float | None
    forward_auc_rules_company_aware: float | None
    forward_auc_rules_contact_only: float | None
    forward_auc_difference: ScoreDifference | None
    """Company-aware minus contact-only forward AUC (None when no open lead converts later)."""
    company_aware: RuleSetGrade
    contact_only: RuleSetGrade
    note: str


@dataclass(frozen=True)
class GradeRow:
    """The contacts written with one grade (A1 … C3), and how many truly convert."""

    grade: str
    contacts: int
    conversions: int
    rate: float | None
    """None for a grade no contact has."""


@dataclass(frozen=True)
class GradeDistribution:
    """`leadscore_grade` over the graded contacts (as written by the sync)."""

    property: str
    graded: int
    """Contacts with a grade."""
    without_grade: int
    """Scored contacts without one (excluded leads get none)."""
    counts: dict[str, int]
    """Contacts per grade, A1 … C3 (every grade, zeros included)."""
    rows: list[GradeRow]


@dataclass(frozen=True)
class TopAccount:
    """A company with its account score as HubSpot shows it."""

    company_id: str
    name: str | None
    domain: str | None
    score: float
    tier: str | None
    fit: float | None
    engagement: float | None
    engaged_contacts: int | None


@dataclass(frozen=True)
class CompanyScores:
    """The company (account) scores found on the portal's companies in HubSpot.

    `status`: `written` when some company carries a score; `not_written` when the score
    properties exist on companies but no company has a value; `not_provisioned` when the
    portal has no company score properties at all (companies were then not read).
    """

    status: Literal["written", "not_written", "not_provisioned"]
    companies: int
    """Companies read (0 when not provisioned)."""
    scored: int
    tiers: dict[str, int]
    top: list[TopAccount]
    note: str


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
    forward: ForwardGrade
    """The headline figures, forward-looking (see `ForwardGrade`)."""
    evaluation: Evaluation
    """Secondary: the written scores against the sandbox's hidden truth."""
    rules_comparison: RulesComparison
    grades: GradeDistribution
    companies: CompanyScores
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
