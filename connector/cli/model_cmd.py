"""`leadscore model train|backtest|show`: train from a CSV, backtest honestly, inspect artifacts."""

from __future__ import annotations

import dataclasses
import json
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from connector.errors import LeadscoreError
from connector.scoring.backtest import BacktestResult, run_backtest
from connector.scoring.model import ModelMetadata, read_metadata, train_model
from connector.scoring.target import binary_target
from connector.tables import read_table

model_app = typer.Typer(
    help="Train the predictive model from leads with known outcomes, backtest it, inspect it.",
    no_args_is_help=True,
)
console = Console()

_CSV = typer.Option(..., "--csv", help="CSV of leads with known outcomes (header row).")
_TARGET = typer.Option(..., "--target", help="Column holding the outcome (converted or not).")
_POSITIVE = typer.Option(
    None, "--positive", help="Value of the target column meaning converted (yes/true/1 if omitted)."
)
_DROP = typer.Option(
    "", "--drop", help="Comma-separated columns to leave out (e.g. fields known only afterwards)."
)
_KEEP_LEAK = typer.Option(
    "",
    "--keep-leak",
    help="Comma-separated suspected-leak columns to keep (only if known before the outcome).",
)


def _names(option: str) -> list[str]:
    return [n.strip() for n in option.split(",") if n.strip()]


def _load(csv: Path, target: str, positive: str | None) -> tuple[pd.DataFrame, pd.Series]:
    table = read_table(csv)
    return binary_target(table, target, positive)


@model_app.command("train")
def train(
    csv: Path = _CSV,
    target: str = _TARGET,
    positive: str | None = _POSITIVE,
    drop: str = _DROP,
    keep_leak: str = _KEEP_LEAK,
    out: Path | None = typer.Option(
        None, "--out", help="Where to write the model file (default: ./<version>.lsmodel)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the model's metadata as JSON."),
) -> None:
    """Train a calibrated model on a CSV and save it as a single versioned file."""
    features, outcome = _load(csv, target, positive)
    with nullcontext() if as_json else console.status("training"):
        model = train_model(
            features,
            outcome,
            now=datetime.now(UTC),
            drop=_names(drop),
            keep_leaks=_names(keep_leak),
        )
    path = out if out is not None else Path(f"{model.version}.lsmodel")
    model.save(path)
    if as_json:
        typer.echo(json.dumps({"path": str(path), **model.metadata.model_dump(mode="json")}))
        return
    _print_metadata(model.metadata)
    console.print(f"saved [bold]{path}[/]")


@model_app.command("backtest")
def backtest(
    csv: Path = _CSV,
    target: str = _TARGET,
    positive: str | None = _POSITIVE,
    drop: str = _DROP,
    keep_leak: str = _KEEP_LEAK,
    folds: int = typer.Option(5, "--folds", help="Number of folds (K)."),
    time_column: str | None = typer.Option(
        None, "--time-column", help="Train on the past and test on the future along this date."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Out-of-sample AUC, Brier, lift and deciles, beside logistic and HGB baselines."""
    features, outcome = _load(csv, target, positive)
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
            drop=_names(drop),
            keep_leaks=_names(keep_leak),
            on_fold=lambda _: progress.advance(task),
        )
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(result)))
        return
    _print_backtest(result)


@model_app.command("show")
def show(
    path: Path = typer.Argument(..., help="A model file written by `leadscore model train`."),
    as_json: bool = typer.Option(False, "--json", help="Print the metadata as JSON."),
) -> None:
    """Show a model's version, training figures, features and excluded columns."""
    metadata = read_metadata(path)
    if as_json:
        typer.echo(metadata.model_dump_json())
        return
    _print_metadata(metadata)


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
        console.print(f"[yellow]suspected leak:[/] {leak.column} (AUC {leak.auc:.3f}, {state})")


def _print_backtest(r: BacktestResult) -> None:
    console.print(
        f"[bold]{r.split} backtest[/], {r.folds} folds, {r.rows:,} leads, "
        f"{r.positives:,} conversions"
    )
    summary = Table()
    summary.add_column("model")
    summary.add_column("AUC (mean ± sd)", justify="right")
    summary.add_column("Brier", justify="right")
    summary.add_row(
        "leadscore (LightGBM, calibrated)", f"{r.auc:.4f} ± {r.auc_std:.4f}", f"{r.brier:.5f}"
    )
    summary.add_row(
        "logistic regression",
        f"{r.baseline_auc:.4f} ± {r.baseline_auc_std:.4f}",
        f"{r.baseline_brier:.5f}",
    )
    summary.add_row(
        "HistGradientBoosting (default)",
        f"{r.hgb_auc:.4f} ± {r.hgb_auc_std:.4f}",
        f"{r.hgb_brier:.5f}",
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
    for e in r.excluded:
        console.print(f"excluded {e.column}: {e.reason.value} ({e.detail})")
    for leak in r.suspected_leaks:
        console.print(f"[yellow]suspected leak:[/] {leak.column} (AUC {leak.auc:.3f})")


def register(app: typer.Typer) -> None:
    """Add the `model` command group to the `leadscore` app."""
    app.add_typer(model_app, name="model")
