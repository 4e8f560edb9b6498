"""One demo run: start everything, walk through the product, grade it, clean up.

`DemoSession` owns every resource it starts (the sandbox server, the connector's store,
background services and web server, the data directory) and releases them in reverse
order on exit, whatever happened, so neither a failure nor Ctrl-C leaves a server, a
thread or a temporary directory behind.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import TypeVar

import pandas as pd
from pydantic import SecretStr

from connector.demo.accounts import company_scores
from connector.demo.evaluation import (
    RuleSet,
    compare_rule_sets,
    grade,
    grade_distribution,
    graded_leads,
)
from connector.demo.forward import forward_grade, forward_headline
from connector.demo.hubspot_view import PortalViewer
from connector.demo.oauth_flow import connect_portal
from connector.demo.progress import DemoProgress
from connector.demo.sandbox_control import RequestCounts, SandboxControl
from connector.demo.summary import (
    ApiUsage,
    CompanyScores,
    DemoSummary,
    Evaluation,
    ForwardGrade,
    GradeDistribution,
    ModelSummary,
    RulesComparison,
    WebhookLead,
    WebhookRun,
)
from connector.errors import LeadscoreError
from connector.evaluation import score_history
from connector.hubspot.properties import DEFAULT_MODEL, GROUP_NAME, property_names
from connector.reports import active_model_file, load_portal_history, render_report, write_page
from connector.sandbox.config import RATE_LIMIT_POLICIES, SandboxConfig
from connector.sandbox.generator_history import PLANTED_POST_OUTCOME_PROPERTIES
from connector.sandbox.server import SandboxServer
from connector.scoring.config import DEFAULT_CONFIG_PATH, ScoringConfig
from connector.scoring.needs import properties_needed
from connector.scoring.stored_inputs import lead_frame_from_states
from connector.scoring_files import load_config, load_model
from connector.settings import Settings
from connector.store import Store, open_store
from connector.sync.report import PassReport
from connector.web import (
    DashboardAccess,
    ServedApp,
    WebServices,
    bind_socket,
    create_app,
    serve_in_thread,
)

DEFAULT_REPORT_NAME = "leadscore-demo-report.html"
CONTACT_ONLY_CONFIG_PATH = Path(__file__).with_name("contact_only_scoring.yaml")
"""The contact-only baseline (`config/contact-only.yaml`, packaged here): the default rules
as they were before the company criteria, graded beside the shipped ones."""
SCORE_WAIT_S = 60.0
"""How long new leads may take to be scored through webhooks before the demo gives up."""
POLL_INTERVAL_S = 0.1

_MAX_RUNS = 100_000
"""Enough to read back every run of a demo (one per webhook batch, a handful otherwise)."""

_T = TypeVar("_T")


@dataclass(frozen=True)
class DemoOptions:
    """What `leadscore demo` was asked for."""

    contacts: int = 5000
    seed: int = 42
    new_leads: int = 10
    out_dir: Path | None = None
    keep: bool = False
    report_path: Path | None = None

    def resolved_report_path(self) -> Path:
        """Where the HTML report goes: `--report`, else in `--out-dir`, else here."""
        if self.report_path is not None:
            return self.report_path
        if self.out_dir is not None:
            return self.out_dir / "report.html"
        return Path(DEFAULT_REPORT_NAME)


class DemoSession:
    """The running demo. Enter it, `run()`, optionally `serve_until_interrupted()`."""

    def __init__(self, options: DemoOptions, progress: DemoProgress) -> None:
        """Prepare a run; nothing starts before `__enter__`."""
        self.options = options
        self.progress = progress
        self._stack = ExitStack()
        self._data_dir: Path | None = None
        self._temporary = False
        self._sandbox: SandboxServer | None = None
        self._control: SandboxControl | None = None
        self._viewer: PortalViewer | None = None
        self._store: Store | None = None
        self._services: WebServices | None = None
        self._served: ServedApp | None = None
        self._socket: socket.socket | None = None
        self._settings: Settings | None = None
        self._config: ScoringConfig | None = None
        self.dashboard_url: str | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> DemoSession:
        try:
            self._prepare_data_dir()
            self._stack.enter_context(_SigtermAsInterrupt())
        except BaseException:
            self._stack.close()
            self._remove_data_dir()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Servers, threads and the store stop first (LIFO), then the files go.
        try:
            self._stack.close()
        finally:
            self._remove_data_dir()

    def _prepare_data_dir(self) -> None:
        if self.options.out_dir is not None:
            self.options.out_dir.mkdir(parents=True, exist_ok=True)
            self._data_dir = self.options.out_dir.resolve()
        else:
            self._data_dir = Path(tempfile.mkdtemp(prefix="leadscore-demo-"))
            self._temporary = not self.options.keep

    def _remove_data_dir(self) -> None:
        if self._temporary and self._data_dir is not None:
            shutil.rmtree(self._data_dir, ignore_errors=True)

    @property
    def data_dir(self) -> Path:
        """The directory holding the demo's database, model files and key."""
        if self._data_dir is None:
            raise RuntimeError("the demo session has not been entered")
        return self._data_dir

    # ---- the walk-through ---------------------------------------------------------------

    def run(self, *, serve_dashboard: bool) -> DemoSummary:
        """Every step of the demo, then the graded summary."""
        started = time.perf_counter()
        config = load_config(DEFAULT_CONFIG_PATH)
        self._config = config
        hub_id = self._start_sandbox(config)
        self._start_connector()
        self._connect(hub_id)
        sync_report = self._full_sync(hub_id)
        training = self._train(hub_id)
        if training.version is not None:
            self._rescore(hub_id)
        webhooks = self._webhook_leads(hub_id)
        summary_parts = self._grade_and_report(hub_id)
        if serve_dashboard:
            self.dashboard_url = DashboardAccess.from_settings(self.settings).url(
                self.served.url
            )
        properties = self._provisioned_properties()
        # Read last, so the demo's own reads are all in the sandbox's counts.
        counts = self.control.request_counts(hub_id)
        return DemoSummary(
            hub_id=hub_id,
            portal_contacts=self.options.contacts,
            contacts_synced=sync_report.contacts_read,
            contacts_scored=sync_report.contacts_scored,
            contacts_written=sync_report.contacts_written,
            properties_provisioned=properties,
            model=training,
            forward=summary_parts.forward,
            evaluation=summary_parts.evaluation,
            rules_comparison=summary_parts.rules_comparison,
            grades=summary_parts.grades,
            companies=summary_parts.companies,
            webhooks=webhooks,
            api=self._api_usage(hub_id, counts),
            timings=list(self.progress.timings),
            total_seconds=round(time.perf_counter() - started, 2),
            report_path=str(summary_parts.report_path),
            data_dir=None if self._temporary else str(self.data_dir),
            sandbox_url=self.sandbox.url,
            app_url=self.served.url,
            dashboard_url=self.dashboard_url,
        )

    def serve_until_interrupted(self) -> None:
        """Keep the dashboard (and webhooks) up until Ctrl-C or SIGTERM."""
        # soft_wrap: a URL broken over two lines cannot be clicked or pasted.
        self.progress.console.print(
            f"\nDashboard: [bold]{self.dashboard_url}[/]\n"
            f"Sandbox (a local HubSpot): {self.sandbox.url}/_sandbox/docs\n"
            "Press Ctrl-C to stop; everything started here stops with it.",
            soft_wrap=True,
        )
        try:
            while True:  # the servers run on their own threads; this one only waits
                time.sleep(3600)
        except KeyboardInterrupt:
            self.progress.console.print("stopping …")

    # ---- steps --------------------------------------------------------------------------

    def _start_sandbox(self, config: ScoringConfig) -> int:
        """Start the local HubSpot with one generated portal; returns its hub id."""
        title = f"HubSpot sandbox: {self.options.contacts:,} contacts, a year of history"
        with self.progress.step("sandbox", title):
            # The app's URL must be known before the sandbox can deliver webhooks to it, so
            # the connector's socket is bound first and served later.
            sock = bind_socket("127.0.0.1", 0)
            self._stack.callback(sock.close)
            self._socket = sock
            public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            sandbox_config = SandboxConfig(
                seed=self.options.seed,
                contacts_per_portal=self.options.contacts,
                rate_limits_enabled=True,
                redirect_uris=[f"{public_url}/oauth/callback"],
                webhook_target_url=f"{public_url}/webhooks/hubspot",
                # A real app subscribes to the properties it scores on.
                webhook_subscribed_properties=list(properties_needed(config).contact),
                client_secret=secrets.token_urlsafe(24),
            )
            server = SandboxServer(sandbox_config).start()
            self._stack.callback(server.stop)
            self._sandbox = server
            control = SandboxControl(server.url)
            self._stack.callback(control.close)
            self._control = control
            portal = control.portals()[0]
            hub_id = portal.hub_id
            viewer = PortalViewer(server.url, portal.static_token)
            self._viewer = viewer
            self._settings = self._demo_settings(sandbox_config, server.url, public_url)
        return hub_id

    def _demo_settings(
        self, sandbox_config: SandboxConfig, sandbox_url: str, public_url: str
    ) -> Settings:
        # Everything explicit: a LEADSCORE_* variable or .env of a real deployment in the
        # environment must not point the demo at a real database or a real HubSpot.
        return Settings(
            data_dir=self.data_dir,
            database_url=f"sqlite:///{self.data_dir / 'leadscore.db'}",
            scoring_config=DEFAULT_CONFIG_PATH,
            hubspot_api_url=sandbox_url,
            hubspot_app_url=sandbox_url,
            client_id=sandbox_config.client_id,
            client_secret=SecretStr(sandbox_config.client_secret),
            app_id=str(sandbox_config.app_id),
            public_url=public_url,
            # Empty: the store keeps a generated key file in the data dir, so data kept with
            # --keep/--out-dir opens again with LEADSCORE_DATA_DIR pointing there.
            token_encryption_key=SecretStr(""),
            dashboard_token=SecretStr(secrets.token_urlsafe(24)),
            host="127.0.0.1",
            port=int(public_url.rsplit(":", 1)[1]),
        )

    def _start_connector(self) -> None:
        with self.progress.step("connector", "Connector: web app, webhook inbox, SQLite store"):
            store = open_store(settings=self.settings)
            self._stack.callback(store.close)
            self._store = store
            # No scheduler: the demo runs the first sync, training and rescore itself, in
            # order, and shows them; a scheduler would start the same jobs on its own.
            services = WebServices.build(self.settings, store, scheduler=False)
            app = create_app(services)
            services.start_background()
            self._stack.callback(services.stop_background)
            self._services = services
            self._served = self._stack.enter_context(serve_in_thread(app, sock=self._socket))

    def _connect(self, hub_id: int) -> None:
        with self.progress.step("connect", "One-click connection (OAuth), properties provisioned"):
            connect_portal(self.served.url, hub_id)
            portal = self.store.portals.get(hub_id)
            if portal is None or portal.status != "connected":
                raise LeadscoreError(
                    f"the OAuth callback did not leave portal {hub_id} connected"
                    + (f" ({portal.status_reason})" if portal and portal.status_reason else "")
                )

    def _full_sync(self, hub_id: int) -> PassReport:
        total = self.options.contacts
        title = "Full sync: read, score, write back every contact"
        with self.progress.step("full_sync", title) as bar:
            bar.update(0, total)

            def on_chunk(report: PassReport) -> None:
                bar.update(report.contacts_read, total)

            report = self.services.sync.run_pass(hub_id, full=True, on_chunk=on_chunk)
        if not report.completed:
            raise LeadscoreError(
                f"the full sync of portal {hub_id} did not complete: "
                + ("; ".join(report.errors) or "no reason given")
            )
        self.progress.note(
            f"{report.contacts_read:,} read · {report.contacts_scored:,} scored · "
            f"{report.contacts_written:,} written · {report.api_calls_total:,} API calls · "
            f"{report.rate_limited} rate-limited"
        )
        return report

    def _train(self, hub_id: int) -> ModelSummary:
        title = "Training the predictive model on the portal's history"
        with self.progress.step("train", title):
            report = self.services.sync.train(hub_id)
        if report.model_version is None:
            # Too little history is a normal state of a portal: it scores with rules alone.
            reason = "; ".join(report.errors) or "no reason given"
            self.progress.note(f"no model: {reason}")
            return ModelSummary(None, report.contacts_read, 0, None, reason)
        artifact = self.store.models.active(hub_id, self.config.artifact_key(DEFAULT_MODEL))
        meta = artifact.meta if artifact is not None else {}
        auc = (meta.get("metrics") or {}).get("auc")
        summary = ModelSummary(
            version=report.model_version,
            trained_on=report.contacts_read,
            conversions=int(meta.get("positives", 0)),
            validation_auc=float(auc) if auc is not None else None,
            not_trained_because=None,
        )
        self.progress.note(
            f"model {summary.version}: {summary.trained_on:,} contacts, "
            f"{summary.conversions:,} conversions, cross-validated AUC "
            f"{summary.validation_auc or float('nan'):.3f}"
        )
        return summary

    def _rescore(self, hub_id: int) -> PassReport:
        title = "Rescore with the model (stored inputs, no reads)"
        with self.progress.step("rescore", title):
            report = self.services.sync.rescore(hub_id)
        if not report.completed:
            raise LeadscoreError(
                f"the rescore of portal {hub_id} did not complete: "
                + ("; ".join(report.errors) or "no reason given")
            )
        self.progress.note(
            f"{report.contacts_scored:,} rescored · {report.contacts_written:,} written · "
            f"{report.api_calls_total:,} API calls"
        )
        return report

    def _webhook_leads(self, hub_id: int) -> WebhookRun:
        count = self.options.new_leads
        names = property_names(DEFAULT_MODEL)
        watched = [names.score, names.tier]
        title = f"{count} new leads scored through webhooks"
        with self.progress.step("webhooks", title) as bar:
            bar.update(0, count)
            created = time.monotonic()
            ids = self.control.add_leads(hub_id, count, seed=self.options.seed + 1)
            seen: dict[int, WebhookLead] = {}
            deadline = created + SCORE_WAIT_S
            while len(seen) < len(ids) and time.monotonic() < deadline:
                pending = [i for i in ids if i not in seen]
                for contact in self.viewer.read_contacts(pending, watched):
                    score = contact.properties.get(names.score)
                    if score not in (None, ""):
                        seen[contact.contact_id] = WebhookLead(
                            contact_id=contact.contact_id,
                            score=float(score),
                            tier=contact.properties.get(names.tier),
                            seconds_to_score=round(time.monotonic() - created, 2),
                        )
                bar.update(len(seen), count)
                time.sleep(POLL_INTERVAL_S)
        leads = [
            seen.get(i, WebhookLead(contact_id=i, score=None, tier=None, seconds_to_score=None))
            for i in ids
        ]
        times = [lead.seconds_to_score for lead in leads if lead.seconds_to_score is not None]
        if len(times) < len(ids):
            self.progress.note(
                f"{len(ids) - len(times)} new lead(s) not scored within {SCORE_WAIT_S:.0f} s"
            )
        return WebhookRun(
            leads_added=len(ids),
            leads_scored=len(times),
            median_seconds_to_score=round(statistics.median(times), 2) if times else None,
            max_seconds_to_score=max(times) if times else None,
            leads=leads,
            deliveries=self.control.webhook_stats(),
        )

    def _grade_and_report(self, hub_id: int) -> _Graded:
        report_path = self.options.resolved_report_path().resolve()
        title = (
            "Graded forward (as of T − 90 days), then against the hidden truth; report written"
        )
        with self.progress.step("grade", title):
            now = datetime.now(UTC)
            # The headline: what was known 90 days ago, against what happened since.
            forward, backtest = forward_grade(
                self.store, hub_id, self.config, now, PLANTED_POST_OUTCOME_PROPERTIES
            )
            portal = self.store.portals.require(hub_id)
            portal_history = load_portal_history(self.store, portal, now)
            artifact_key = self.config.artifact_key(DEFAULT_MODEL)
            model_file = active_model_file(
                self.store, portal, artifact_key, self.data_dir / "models"
            )
            # Rescoring the stored inputs gives which criteria fired, for the report's table.
            model = load_model(model_file) if model_file else None
            scored = score_history(portal_history.history, self.config, model, DEFAULT_MODEL)
            truth = self.control.ground_truth(hub_id)
            evaluation, evidence = grade(portal_history, truth, scored.ledger)
            leads = graded_leads(portal_history, truth)
            states = [
                s for batch in self.store.contacts.iter_batches(hub_id)
                for s in batch
            ]
            comparison = compare_rule_sets(
                lead_frame_from_states(states),
                leads,
                RuleSet("company-aware", "config/scoring.yaml", self.config),
                RuleSet("contact-only", "config/contact-only.yaml",
                        load_config(CONTACT_ONLY_CONFIG_PATH)),
                now,
            )
            grade_property = property_names(DEFAULT_MODEL).grade
            written = pd.Series(
                {
                    str(s.contact_id): {**s.written_values, **(s.pending_values or {})}.get(
                        grade_property
                    )
                    for s in states
                },
                dtype=object,
            )
            grades = grade_distribution(written, leads, grade_property)
            companies = company_scores(self.viewer, GROUP_NAME)
            report_path.parent.mkdir(parents=True, exist_ok=True)
            write_page(render_report(evidence, now, forward=backtest), report_path)
        self.progress.note(forward_headline(forward))
        self.progress.note(
            "rules only, same leads: forward AUC company-aware "
            f"{_figure(comparison.forward_auc_rules_company_aware)} vs contact-only "
            f"{_figure(comparison.forward_auc_rules_contact_only)}"
        )
        return _Graded(
            forward=forward,
            evaluation=evaluation,
            report_path=report_path,
            rules_comparison=comparison,
            grades=grades,
            companies=companies,
        )

    # ---- figures ------------------------------------------------------------------------

    def _provisioned_properties(self) -> list[str]:
        return sorted(p.name for p in self.viewer.properties(group=GROUP_NAME))

    def _api_usage(self, hub_id: int, counts: RequestCounts) -> ApiUsage:
        # Every run (pass, training, rescore, webhook batch) recorded its calls by kind.
        by_kind: Counter[str] = Counter()
        by_run: Counter[str] = Counter()
        for run in self.store.runs.recent(_MAX_RUNS, portal_id=hub_id):
            by_kind.update(run.counters.api_calls)
            by_run[run.kind] += sum(run.counters.api_calls.values())
        oauth = RATE_LIMIT_POLICIES["oauth"]
        runs_total = sum(by_kind.values())
        connection = max(0, counts.total - self.viewer.requests - runs_total)
        return ApiUsage(
            connector_calls={**dict(by_kind.most_common()), "total": runs_total},
            connector_calls_by_run=dict(by_run),
            connection_requests=connection,
            connector_total=runs_total + connection,
            sandbox_requests=counts.total,
            demo_reads=self.viewer.requests,
            sandbox_requests_by_endpoint={e.endpoint: e.total for e in counts.endpoints},
            rate_limited_seen=counts.rate_limited_total,
            rate_limited_by_policy=counts.rate_limited,
            rate_limits=(
                f"OAuth app: {oauth.per_ten_seconds} requests / 10 s, "
                f"search {self.sandbox.config.search_per_second} / s"
            ),
        )

    # ---- accessors that fail clearly when used out of order -------------------------------

    @property
    def settings(self) -> Settings:
        """The demo's settings (after the sandbox started)."""
        return _require(self._settings, "settings")

    @property
    def config(self) -> ScoringConfig:
        """The scoring configuration (the shipped default)."""
        return _require(self._config, "scoring configuration")

    @property
    def sandbox(self) -> SandboxServer:
        """The running sandbox server."""
        return _require(self._sandbox, "sandbox")

    @property
    def viewer(self) -> PortalViewer:
        """The demo's own view of the portal (a private-app token)."""
        return _require(self._viewer, "portal viewer")

    @property
    def control(self) -> SandboxControl:
        """The sandbox's control client."""
        return _require(self._control, "sandbox control client")

    @property
    def store(self) -> Store:
        """The connector's store."""
        return _require(self._store, "store")

    @property
    def services(self) -> WebServices:
        """The connector's services."""
        return _require(self._services, "connector services")

    @property
    def served(self) -> ServedApp:
        """Where the connector's web app listens."""
        return _require(self._served, "web app")


@dataclass(frozen=True)
class _Graded:
    forward: ForwardGrade
    evaluation: Evaluation
    report_path: Path
    rules_comparison: RulesComparison
    grades: GradeDistribution
    companies: CompanyScores


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _require(value: _T | None, what: str) -> _T:
    if value is None:
        raise RuntimeError(f"the demo's {what} is not started yet")
    return value


class _SigtermAsInterrupt:
    """While active, SIGTERM stops the demo like Ctrl-C does, so cleanup still runs."""

    def __enter__(self) -> _SigtermAsInterrupt:
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)

    @staticmethod
    def _raise(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt
