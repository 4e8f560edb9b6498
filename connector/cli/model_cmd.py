"""`leadscore model train|backtest|show`: train, backtest honestly, inspect the model.

The leads come from a CSV with an outcome column (`--csv FILE --target COL`), or else from the
synced portal's stored contacts (`--portal ID`, default the only connected portal): the
contact properties and activities the sync stored, converted = lifecycle stage opportunity or
later. A portal's model is trained by the sync service and activated in the store, exactly as
the scheduled training does.
"""

from __future__ import annotations

import dataclasses
import json
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from connector.cli.forward_output import forward_json, print_forward, print_training_window
from connector.cli.history_options import PORTAL_HELP, csv_source
from connector.errors import LeadscoreError
from connector.evaluation.forward import DEFAULT_HORIZON_DAYS, ForwardBacktest
from connector.reports import resolve_portal
from connector.reports.forward import portal_forward
from connector.scoring.backtest import BacktestResult, run_backtest
from connector.scoring.config import ScoringConfig
from connector.scoring.model import ModelMetadata, train_model
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER, binary_target
from connector.scoring_files import load_config, read_model_metadata, save_model
from connector.settings import get_settings
from connector.store import Store, open_store
from connector.sync.outputs import LIFECYCLE
from connector.sync.training import portal_history, portal_learning, restated_outcome
from connector.tables import read_table
from connector.wiring import sync_service

model_app = typer.Typer(
    help="Train the predictive model from leads with known outcomes, backtest it, inspect it.",
    no_args_is_help=True,
)
console = Console()

_CSV = typer.Option(None, "--csv", help="CSV of leads with known outcomes (header row).")
_TARGET = typer.Option(
    None, "--target", help="Column holding the outcome (converted or not); with --csv."
)
_PORTAL = typer.Option(None, "--portal", help=PORTAL_HELP)
_POSITIVE = typer.Option(
    None, "--positive", help="Value of the target column meaning converted (yes/true/1 if omitted)."
)
_DROP = typer.Option(
    "", "--drop", help="Comma-separated columns to leave out (e.g. fields known only afterwards)."
)
_KEEP = typer.Option(
    "",
    "--keep",
    help="Comma-separated flagged columns to keep anyway (suspected leaks, identifiers, "
    "post-outcome names), only if known before the outcome; kept columns are recorded.",
)
_KEEP_LEAK = typer.Option("", "--keep-leak", hidden=True, help="Old name of --keep.")


def _names(option: str) -> list[str]:
    return [n.strip() for n in option.split(",") if n.strip()]


def _load(csv: Path, target: str | None, positive: str | None) -> tuple[pd.DataFrame, pd.Series]:
    if target is None:
        raise LeadscoreError("give the history as --csv FILE --target COLUMN")
    table = read_table(csv)
    return binary_target(table, target, positive)


@dataclass(frozen=True)
class PortalTable:
    """A synced portal's leads as the model sees them: properties, activities, outcomes."""

    table: pd.DataFrame
    activities: pd.DataFrame
    converted: pd.Series


def _portal_table(store: Store, hub_id: int, config: ScoringConfig) -> PortalTable:
    """The portal's stored contacts and their outcomes, as the portal's training reads them.

    The funnel is HubSpot's default lifecycle order, so the backtest runs offline (training
    reads the portal's own stage order, which matches it unless the portal customised it).
    """
    leads = portal_history(store, hub_id)
    if len(leads) == 0:
        raise LeadscoreError(f"portal {hub_id} has no synced contacts; run `leadscore sync --full`")
    if LIFECYCLE not in leads.contacts.columns:
        raise LeadscoreError(
            f"portal {hub_id}: the synced contacts carry no {LIFECYCLE!r}, so outcomes are "
            "unknown; run `leadscore sync --full` with the current version"
        )
    found = portal_learning(store, hub_id, config, tuple(DEFAULT_LIFECYCLE_ORDER)).conversions
    return PortalTable(leads.contacts, leads.activities, found.converted)


def _active_metadata(store: Store, hub_id: int) -> ModelMetadata:
    """The metadata of the portal's newest active model (one per scoring-model key)."""
    active = [a for a in store.models.history(hub_id) if a.active]
    if not active:
        raise LeadscoreError(
            f"portal {hub_id} has no trained model; run `leadscore model train --portal {hub_id}`"
        )
    return ModelMetadata.model_validate(active[0].meta)


@model_app.command("train")
def train(
    csv: Path | None = _CSV,
    target: str | None = _TARGET,
    portal: int | None = _PORTAL,
    positive: str | None = _POSITIVE,
    drop: str = _DROP,
    keep: str = _KEEP,
    keep_leak: str = _KEEP_LEAK,
    out: Path | None = typer.Option(
        None, "--out", help="Where to write the model file (default: ./<version>.lsmodel)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the model's metadata as JSON."),
) -> None:
    """Train a calibrated model on a CSV and save it as a single versioned file, or train the
    portal's model from its synced history and make it the one the sync scores with."""
    csv_only = (
        ("--target", target),
        ("--positive", positive),
        ("--drop", drop),
        ("--keep", keep),
        ("--keep-leak", keep_leak),
        ("--out", out),
    )
    source = csv_source(csv, portal, csv_only)
    if source is None:
        _train_portal(portal, as_json)
        return
    features, outcome = _load(source, target, positive)
    with nullcontext() if as_json else console.status("training"):
        model = train_model(
            features,
            outcome,
            now=datetime.now(UTC),
            drop=_names(drop),
            keep_leaks=[*_names(keep), *_names(keep_leak)],
        )
    path = out if out is not None else Path(f"{model.version}.lsmodel")
    save_model(model, path)
    if as_json:
        typer.echo(json.dumps({"path": str(path), **model.metadata.model_dump(mode="json")}))
        return
    _print_metadata(model.metadata)
    console.print(f"saved [bold]{path}[/]")


def _train_portal(portal: int | None, as_json: bool) -> None:
    """Train through the sync service (lease, run history) and show the activated model."""
    settings = get_settings()
    with open_store(settings=settings) as store:
        hub_id = resolve_portal(store, portal).hub_id
        with nullcontext() if as_json else console.status(f"training portal {hub_id}"):
            report = sync_service(settings, store).train(hub_id)
        if report.model_version is None:
            reason = "; ".join(report.errors) or "the training did not complete"
            raise LeadscoreError(f"portal {hub_id}: no model trained: {reason}")
        metadata = _active_metadata(store, hub_id)
    if as_json:
        typer.echo(json.dumps({"portal_id": hub_id, **metadata.model_dump(mode="json")}))
        return
    _print_metadata(metadata)
    print_training_window(metadata.training, console)
    console.print(f"active for portal [bold]{hub_id}[/]")


@model_app.command("backtest")
def backtest(
    csv: Path | None = _CSV,
    target: str | None = _TARGET,
    portal: int | None = _PORTAL,
    positive: str | None = _POSITIVE,
    drop: str = _DROP,
    keep: str = _KEEP,
    keep_leak: str = _KEEP_LEAK,
    folds: int = typer.Option(5, "--folds", help="Number of folds (K)."),
    time_column: str | None = typer.Option(
        None, "--time-column", help="Train on the past and test on the future along this date."
    ),
    horizon_days: int | None = typer.Option(
        None, "--horizon-days", min=1,
        help=f"With --portal: grade as of this many days ago, against the conversions of the "
        f"same span after (default {DEFAULT_HORIZON_DAYS}).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Out-of-sample AUC, Brier, lift and deciles, beside logistic, HGB and LightGBM baselines.

    With a portal, first the forward grade "as of T − N days": the model trained point in
    time on what was known then and the same model on the values as they stood, both scoring
    the leads open then against the next N days' conversions; the K-fold grade over every
    contact's current values follows, labelled as such."""
    source = csv_source(csv, portal, (("--target", target), ("--positive", positive)))
    dropped = _names(drop)
    activities: pd.DataFrame | None = None
    forward: ForwardBacktest | None = None
    if source is not None:
        if horizon_days is not None:
            raise LeadscoreError("--horizon-days only applies to a portal's history (--portal)")
        features, outcome = _load(source, target, positive)
    else:
        settings = get_settings()
        config = load_config(settings.scoring_config)
        with open_store(settings=settings) as store:
            hub_id = resolve_portal(store, portal).hub_id
            history = _portal_table(store, hub_id, config)
            with nullcontext() if as_json else console.status("forward backtest"):
                forward = portal_forward(store, hub_id, config, datetime.now(UTC),
                                         horizon_days=horizon_days or DEFAULT_HORIZON_DAYS)
        features, outcome, activities = history.table, history.converted, history.activities
        # The stage and the account's open deals restate the outcome; the portal's
        # training drops them the same way.
        dropped = [*restated_outcome(features.columns), *dropped]
    if time_column is not None and time_column not in features.columns:
        raise LeadscoreError(f"time column '{time_column}' not found")
    with Progress(console=console, disable=as_json, transient=True) as progress:
        task = progress.add_task("backtesting", total=folds)
        result = run_backtest(
            features,
            outcome,
            now=datetime.now(UTC),
            folds=folds,
            time_column=time_column,
            drop=dropped,
            keep_leaks=[*_names(keep), *_names(keep_leak)],
            activities=activities,
            on_fold=lambda _: progress.advance(task),
        )
    if as_json:
        if forward is None:
            typer.echo(json.dumps(dataclasses.asdict(result)))
        else:
            typer.echo(json.dumps({"forward": forward_json(forward),
                                   "all_contacts": dataclasses.asdict(result)}))
        return
    if forward is not None:
        print_forward(forward, console)
        console.print("\n[bold]secondary: every contact as it is now[/] (includes leads already "
                      "converted, with what their conversion caused: flattering)")
    _print_backtest(result)


@model_app.command("show")
def show(
    path: Path | None = typer.Argument(
        None, help="A model file written by `leadscore model train` (else the portal's model)."
    ),
    portal: int | None = typer.Option(
        None,
        "--portal",
        help="Hub id of the portal whose active model to show (default without PATH: the only "
        "connected portal).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the metadata as JSON."),
) -> None:
    """Show a model's version, training figures, features and excluded columns."""
    if path is not None:
        if portal is not None:
            raise LeadscoreError("give a model file PATH or --portal ID, not both")
        metadata = read_model_metadata(path)
    else:
        with open_store(settings=get_settings()) as store:
            metadata = _active_metadata(store, resolve_portal(store, portal).hub_id)
    if as_json:
        typer.echo(metadata.model_dump_json())
        return
    _print_metadata(metadata)
    print_training_window(metadata.training, console)


def _print_metadata(meta: ModelMetadata) -> None:
    m = meta.metrics
    console.print(f"[bold]model {meta.version}[/]  trained {meta.trained_at:%Y-%m-%d %H:%M:%S} UTC")
    console.print(
        f"rows {meta.rows:,}  conversions {meta.positives:,} ({m.base_rate:.1%})  "
        f"config {meta.config_hash or '-'}"
    )
    console.print(
        f"out-of-fold AUC {m.auc:.3f}  Brier {m.brier:.4f}  log loss {m.log_loss:.4f}  "
        f"({m.folds} folds, {m.rounds} rounds)"
    )
    top = Table(title="top features (mean |contribution|, log-odds)")
    top.add_column("column")
    top.add_column("kind")
    top.add_column("importance", justify="right")
    for f in meta.features[:15]:
        top.add_row(f.column, f.kind.value, f"{f.importance:.3f}")
    console.print(top)
    if meta.excluded:
        gone = Table(title="excluded columns")
        gone.add_column("column")
        gone.add_column("reason")
        gone.add_column("detail")
        for e in meta.excluded:
            gone.add_row(e.column, e.reason.value, e.detail)
        console.print(gone)
    for leak in meta.suspected_leaks:
        state = "kept on request" if leak.kept else "excluded"
        purity = "" if leak.purity is None else f", purity {leak.purity:.0%}"
        console.print(
            f"[yellow]suspected leak:[/] {leak.column} (AUC {leak.auc:.3f}{purity}, {state})"
        )
    for k in meta.kept_on_request:
        console.print(
            f"[yellow]kept on request:[/] {k.column}, flagged {k.reason.value} ({k.detail})"
        )


def _print_backtest(r: BacktestResult) -> None:
    console.print(
        f"[bold]{r.split} backtest[/], {r.folds} folds, {r.rows:,} leads, "
        f"{r.positives:,} conversions"
    )
    summary = Table()
    summary.add_column("model")
    summary.add_column("AUC (mean ± sd)", justify="right")
    summary.add_column("Brier", justify="right")
    summary.add_column("model − baseline AUC, per fold", justify="right")
    summary.add_row(
        "leadscore (calibrated)", f"{r.auc:.4f} ± {r.auc_std:.4f}", f"{r.brier:.5f}", ""
    )
    for b in r.baselines:
        best = " (best)" if b.name == r.best_baseline else ""
        per_fold = " ".join(f"{d:+.4f}" for d in b.auc_diff_per_fold)
        summary.add_row(
            f"{b.label}{best}",
            f"{b.auc:.4f} ± {b.auc_std:.4f}",
            f"{b.brier:.5f}",
            f"{b.auc_diff:+.4f} ({per_fold})",
        )
    console.print(summary)
    console.print(f"top-decile lift {r.top_decile_lift:.2f}x")
    deciles = Table(title="conversion by score decile")
    for name in ("decile", "leads", "conversions", "conversion rate", "mean probability"):
        deciles.add_column(name, justify="right")
    for d in r.deciles:
        deciles.add_row(
            str(d.decile),
            f"{d.leads:,}",
            f"{d.conversions:,}",
            f"{d.conversion_rate:.1%}",
            f"{d.mean_probability:.1%}",
        )
    console.print(deciles)
    console.print(f"features used: {', '.join(r.features_used)}")
    console.print(
        "baselines fitted on the raw columns (the guards' exclusions apply to them too): "
        f"{', '.join(r.baseline_columns)}"
    )
    for e in r.excluded:
        console.print(f"excluded {e.column}: {e.reason.value} ({e.detail})")
    for leak in r.suspected_leaks:
        console.print(f"[yellow]suspected leak:[/] {leak.column} (AUC {leak.auc:.3f})")


def register(app: typer.Typer) -> None:
    """Add the `model` command group to the `leadscore` app."""
    app.add_typer(model_app, name="model")
