"""`leadscore demo`: the whole product on an embedded HubSpot sandbox, with no account."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from connector.cli.demo_presentation import show_summary
from connector.demo.progress import DemoProgress
from connector.demo.session import DemoOptions, DemoSession


def demo(
    contacts: int = typer.Option(
        5000, "--contacts", min=100, max=200_000, help="Contacts in the sandbox portal."
    ),
    seed: int = typer.Option(42, "--seed", help="Seed of the generated portal and new leads."),
    new_leads: int = typer.Option(
        10, "--new-leads", min=1, max=100, help="Leads added after the sync, scored by webhook."
    ),
    exit_after: bool = typer.Option(
        False, "--exit", help="Stop after the summary instead of serving the dashboard."
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Print the summary as one JSON object on stdout (nothing else)."
    ),
    out_dir: Path | None = typer.Option(
        None,
        "--out-dir",
        file_okay=False,
        help="Keep the demo's data (database, model, report) in this directory.",
    ),
    keep: bool = typer.Option(
        False, "--keep", help="Keep the temporary data directory instead of removing it."
    ),
    report: Path | None = typer.Option(
        None,
        "--report",
        dir_okay=False,
        help="Where to write the HTML report (default: leadscore-demo-report.html here, "
        "or report.html in --out-dir).",
    ),
) -> None:
    """Run the whole product against a local HubSpot sandbox, with no account or setup.

    Starts a sandbox portal with a year of generated history, connects to it in one click
    through the real OAuth pages (which provisions the lead-scoring properties), trains the
    predictive model on the portal's history, runs a full sync under HubSpot's rate limits,
    adds new leads and shows them scored through webhooks within seconds, grades the scores
    against the sandbox's hidden ground truth, writes the HTML report and serves the
    dashboard until Ctrl-C (or stops at once with --exit). Everything runs on loopback;
    temporary data is removed at the end unless --keep or --out-dir is given.
    """
    options = DemoOptions(
        contacts=contacts,
        seed=seed,
        new_leads=new_leads,
        out_dir=out_dir,
        keep=keep,
        report_path=report,
    )
    out = Console()
    try:
        with DemoProgress() as progress, DemoSession(options, progress) as session:
            summary = session.run(serve_dashboard=not exit_after)
            if json_output:
                # Plain print: one JSON document on stdout, no rich markup or wrapping;
                # flushed, since the dashboard may keep the process running afterwards.
                print(json.dumps(summary.to_json(), allow_nan=False), flush=True)
            else:
                show_summary(out, summary)
            if not exit_after:
                session.serve_until_interrupted()
    except KeyboardInterrupt:
        # The session's exit already stopped every server and removed temporary data.
        Console(stderr=True).print("interrupted; everything the demo started was stopped")
        raise typer.Exit(130) from None


def register(app: typer.Typer) -> None:
    """Add `leadscore demo` to the CLI."""
    app.command("demo")(demo)
