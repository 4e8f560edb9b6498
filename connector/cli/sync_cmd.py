"""`leadscore sync`, `connect`, `disconnect` and `portals`: connecting portals and syncing them."""

from __future__ import annotations

import json
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from connector.cli.callback_listener import wait_for_callback
from connector.cli.signals import stop_on_signals
from connector.errors import LeadscoreError
from connector.hubspot import HubSpotConnector
from connector.settings import Settings, get_settings
from connector.store import Store, open_store
from connector.sync.connection import ConnectionService, ConnectResult
from connector.sync.report import PassReport
from connector.sync.service import SyncService
from connector.wiring import sync_service

console = Console()
err_console = Console(stderr=True)

_CONFIG = typer.Option(None, "--config", help="Scoring configuration (default: settings).")
_JSON = typer.Option(False, "--json", help="Print one JSON document instead of tables.")


@contextmanager
def _service(config: Path | None) -> Iterator[tuple[Settings, Store, SyncService]]:
    settings = get_settings()
    with open_store(settings=settings) as store:
        yield settings, store, sync_service(settings, store, config)


def sync(
    portal: int | None = typer.Option(None, "--portal", help="Hub id (default: every connected)."),
    full: bool = typer.Option(False, "--full", help="Re-read every contact (list paging)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Read and score, but write nothing to HubSpot or the store."
    ),
    config: Path | None = _CONFIG,
    as_json: bool = _JSON,
) -> None:
    """Run one sync pass now: pull changed contacts, score them, write changed scores back.

    SIGTERM or Ctrl-C finishes the current chunk of 1,000 contacts, saves the cursor and
    stops; the next `leadscore sync` continues from there.
    """
    with _service(config) as (_, store, service):
        portals = [portal] if portal is not None else [
            p.hub_id for p in store.portals.all("connected")
        ]
        if not portals:
            raise LeadscoreError("no connected portal; run `leadscore connect` first")
        reports: list[PassReport] = []
        with stop_on_signals() as stop, Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=err_console, disable=as_json, transient=True,
        ) as progress:
            for hub_id in portals:
                task = progress.add_task(f"portal {hub_id}: starting")

                def show(report: PassReport, task: TaskID = task, hub_id: int = hub_id) -> None:
                    progress.update(task, description=(
                        f"portal {hub_id}: {report.kind} pass, {report.contacts_read} read, "
                        f"{report.contacts_written} written"))

                reports.append(service.run_pass(hub_id, full=full, dry_run=dry_run, stop=stop,
                                                on_chunk=show))
                progress.remove_task(task)
                if stop.is_set():
                    break
    _print_reports(reports, as_json)
    if any(r.errors for r in reports):
        raise typer.Exit(1)


def _print_reports(reports: list[PassReport], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in reports], default=str))
        return
    for r in reports:
        state = "stopped (cursor saved)" if r.stopped else (
            "completed" if r.completed else "failed")
        title = f"portal {r.portal_id}: {r.kind} pass {state}" + (" [dry run]" if r.dry_run else "")
        table = Table(title=title, show_header=False)
        rows = [
            ("contacts read", r.contacts_read),
            ("scored", r.contacts_scored),
            ("written" if not r.dry_run else "would be written", r.contacts_written),
            ("skipped as unchanged", r.skipped_unchanged),
            ("scores unchanged", r.unchanged_scores),
            ("failed writes (retried next pass)", r.contacts_failed),
            ("API calls", f"{r.api_calls_total} "
             + ", ".join(f"{k} {v}" for k, v in sorted(r.api_calls.items()))),
            ("429s seen", r.rate_limited),
            ("seconds", f"{r.seconds:.1f}"),
        ]
        for label, value in rows:
            table.add_row(label, str(value))
        console.print(table)
        for error in r.errors:
            err_console.print(f"[bold red]error:[/] {error}", highlight=False)


def connect(
    token: str | None = typer.Option(
        None, "--token",
        help="Static private-app / service-key token instead of OAuth; its portal is looked "
             "up (account details).",
    ),
    portal: int | None = typer.Option(
        None, "--portal",
        help="With --token: the hub id you expect; HubSpot is asked which portal the token "
             "is for, and a different one is refused. Optional.",
    ),
    tier: str = typer.Option(
        "starter", "--tier",
        help=f"Static token's subscription: {', '.join(HubSpotConnector.static_tiers)}.",
    ),
    open_browser: bool = typer.Option(
        True, "--browser/--no-browser", help="Open the install page in a browser."
    ),
    timeout: float = typer.Option(300.0, "--timeout", help="Seconds to wait for the callback."),
    then_sync: bool = typer.Option(False, "--sync", help="Run the first full sync right away."),
    config: Path | None = _CONFIG,
    as_json: bool = _JSON,
) -> None:
    """Connect a HubSpot portal in one click (OAuth), or with a static token (`--token`).

    Prints the install link (and opens it), listens on the redirect URI for HubSpot's
    callback, stores the tokens encrypted, creates the lead-scoring properties and queues
    the first full sync. A static token gets scheduled syncs only (no webhooks); its
    portal is found from the token, and `--portal` only double-checks it.
    """
    with _service(config) as (settings, _, service):
        connection = ConnectionService(settings, service.store, service)
        if token is not None:
            result = connection.connect_static_token(token, portal_id=portal, tier=tier)
        else:
            result = _connect_oauth(connection, settings, open_browser, timeout, as_json)
        report = service.run_pass(result.hub_id) if then_sync else None
    _print_connect(result, report, as_json)


def _connect_oauth(connection: ConnectionService, settings: Settings, open_browser: bool,
                   timeout: float, quiet: bool) -> ConnectResult:
    url = connection.authorize_url()
    results: list[ConnectResult] = []

    def complete(code: str | None, state: str | None) -> str:
        result = connection.complete(code, state)
        results.append(result)
        return f"Portal {result.hub_id} is connected to leadscore."

    if not quiet:
        err_console.print(f"Open this link to install the app:\n{url}", highlight=False,
                          soft_wrap=True)
        err_console.print(f"waiting for HubSpot at {settings.redirect_uri} ...")
    if open_browser:
        webbrowser.open(url)
    outcome = wait_for_callback(settings.redirect_uri, complete, timeout_s=timeout)
    if outcome.error is not None:
        raise outcome.error
    return results[0]


def _print_connect(result: ConnectResult, report: PassReport | None, as_json: bool) -> None:
    if as_json:
        data = asdict(result)
        data["first_sync"] = report.to_json() if report is not None else None
        typer.echo(json.dumps(data, default=str))
        return
    how = "OAuth (scheduled sync + webhooks)" if result.kind == "oauth" else (
        f"static token, {result.tier} (scheduled sync only)")
    console.print(f"[bold green]connected[/] portal {result.hub_id}"
                  f"{f' ({result.hub_domain})' if result.hub_domain else ''} by {how}")
    if result.provisioning is not None:
        p = result.provisioning
        console.print(f"properties: {len(p.created)} created, {len(p.updated)} updated, "
                      f"{len(p.unchanged)} already in place")
    if report is not None:
        _print_reports([report], False)
    elif result.first_sync_queued:
        console.print("first full sync queued: `leadscore run` starts it, or `leadscore sync` now")


def disconnect(
    portal: int = typer.Option(..., "--portal", help="Hub id to disconnect."),
) -> None:
    """Revoke the portal's grant and erase its tokens (its history stays in the store)."""
    with _service(None) as (settings, store, service):
        if not ConnectionService(settings, store, service).disconnect(portal):
            raise LeadscoreError(f"portal {portal} is not connected")
    console.print(f"portal {portal} disconnected")


def portals(as_json: bool = _JSON) -> None:
    """List connected portals with their status ("reconnect needed" when HubSpot refused)."""
    settings = get_settings()
    with open_store(settings=settings) as store:
        found = store.portals.all()
        last = {p.hub_id: store.runs.recent(1, portal_id=p.hub_id) for p in found}
    if as_json:
        typer.echo(json.dumps([
            {**asdict(p), "last_run": asdict(last[p.hub_id][0]) if last[p.hub_id] else None}
            for p in found
        ], default=str))
        return
    if not found:
        console.print("no portal connected; run `leadscore connect`")
        return
    table = Table("hub id", "kind", "status", "domain", "last run")
    for p in found:
        status = {"connected": "[green]connected[/]",
                  "needs_reconnect": "[bold red]reconnect needed[/]",
                  "disconnected": "disconnected"}[p.status]
        if p.status_reason:
            status += f" ({p.status_reason})"
        run = last[p.hub_id][0] if last[p.hub_id] else None
        run_text = f"{run.kind} {run.status} {run.started_at:%Y-%m-%d %H:%M}" if run else "-"
        kind = p.kind if p.kind == "oauth" else f"static ({p.tier})"
        table.add_row(str(p.hub_id), kind, status, p.hub_domain or "-", run_text)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `sync`, `connect`, `disconnect` and `portals` to the CLI."""
    app.command("sync")(sync)
    app.command("connect")(connect)
    app.command("disconnect")(disconnect)
    app.command("portals")(portals)
