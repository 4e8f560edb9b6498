"""`leadscore score --csv IN --out OUT`: score a CSV export offline.

A HubSpot export's label headers ("Job Title") are scored as their internal names
(`jobtitle`); the file written back keeps its own headers. When few of the properties the
config reads are in the file, a warning on stderr (and in `--json`) says what is missing.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from connector.errors import LeadscoreError
from connector.reports import input_coverage
from connector.scoring.config import DEFAULT_CONFIG_PATH, ScoringConfig
from connector.scoring.engine import Scorer
from connector.scoring.leads import LeadFrame
from connector.scoring.properties import DEFAULT_MODEL
from connector.scoring.score_columns import NUMERIC_COLUMNS, ScoreColumn
from connector.scoring_files import load_config, load_model
from connector.tables import read_table

if TYPE_CHECKING:
    from connector.scoring.model import LeadModel

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

ID_COLUMNS = ("hs_object_id", "id", "Record ID", "contact_id", "vid")
"""Columns tried, in order, as the lead id when `--id-column` is not given."""
OUTPUT_COLUMNS = (*NUMERIC_COLUMNS, ScoreColumn.TIER, ScoreColumn.REASONS)
CHUNK_ROWS = 100_000
"""Rows scored per step: bounds memory and drives the progress bar."""
PROGRESS_MIN_ROWS = 50_000


def register(app: typer.Typer) -> None:
    """Add the `score` command to the CLI."""
    app.command("score")(score)


def score(
    csv: Path = typer.Option(..., "--csv", help="CSV export of contacts (UTF-8, header row)."),
    out: Path = typer.Option(..., "--out", help="Where to write the CSV with scores appended."),
    config_path: Path = typer.Option(
        DEFAULT_CONFIG_PATH, "--config", help="Scoring configuration YAML."
    ),
    model_path: Path | None = typer.Option(
        None, "--model", help="Trained model file (leadscore model train) for the likelihood."
    ),
    id_column: str | None = typer.Option(
        None,
        "--id-column",
        help=f"Column holding the lead id (default: first of {', '.join(ID_COLUMNS)}).",
    ),
    now: datetime | None = typer.Option(
        None, "--now", help="Score as of this instant (ISO, UTC) instead of the current time."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON summary."),
) -> None:
    """Score every row of a CSV export and write it back with score, fit, engagement,
    likelihood, tier and reasons appended (other scoring models add `<model>_score`, ...)."""
    started = time.perf_counter()
    config = load_config(config_path)
    models = _load_models(config, model_path)
    table = read_table(csv)
    coverage = input_coverage(list(table.columns), config, csv.name)
    if coverage.warning:
        err_console.print(f"[yellow]warning:[/] {coverage.warning}", soft_wrap=True)
    leads = _lead_frame(table, csv, id_column, coverage.renamed)
    instant = (now.replace(tzinfo=UTC) if now and now.tzinfo is None else now) or datetime.now(UTC)
    scorer = Scorer(config, models)
    results = _score_in_chunks(
        scorer, leads, instant, show_progress=len(leads) >= PROGRESS_MIN_ROWS
    )
    output = _with_scores(table, results)
    _write_atomically(output, out)
    summary: dict[str, Any] = {
        "rows": len(table),
        "out": str(out),
        "seconds": round(time.perf_counter() - started, 2),
        "likelihood": bool(models),
        "input": coverage.to_json(),
        "models": {
            name: {
                "version": result.version,
                "mean_score": round(float(result.frame[ScoreColumn.SCORE].mean()), 1),
                "tiers": {
                    str(k): int(v)
                    for k, v in result.frame[ScoreColumn.TIER].value_counts().items()
                },
            }
            for name, result in results.items()
        },
    }
    if json_output:
        typer.echo(json.dumps(summary, indent=2))
        return
    console.print(f"scored {len(table):,} rows → {out} in {summary['seconds']} s")
    for name, info in summary["models"].items():
        tiers = ", ".join(f"{tier} {count:,}" for tier, count in info["tiers"].items())
        console.print(f"  {name}: mean score {info['mean_score']}; {tiers}")
    if not models:
        console.print(
            "  (no --model: likelihood left empty, its weight shared by fit and engagement)"
        )


def _load_models(config: ScoringConfig, model_path: Path | None) -> dict[str, LeadModel]:
    """The trained model for every scoring model when `--model` is given, else none."""
    if model_path is None:
        return {}
    model = load_model(model_path)
    return {config.artifact_key(name): model for name in config.models}


def _lead_frame(
    table: pd.DataFrame, source: Path, id_column: str | None, renamed: dict[str, str]
) -> LeadFrame:
    """Index the table by its id column (or row number) and wrap it as a LeadFrame whose
    columns are internal names (`renamed`: the file's label headers → internal names)."""
    column = id_column or next((name for name in ID_COLUMNS if name in table.columns), None)
    if column is None:
        ids = pd.Index([str(i) for i in range(1, len(table) + 1)], name="row")
    else:
        if column not in table.columns:
            raise LeadscoreError(f"{source}: no column {column!r} for --id-column")
        ids = pd.Index(table[column].astype(object), name=column)
        if ids.isna().any():
            row = int(ids.isna().argmax()) + 2
            raise LeadscoreError(f"{source}: line {row}: empty id in column {column!r}")
        if ids.has_duplicates:
            duplicate = ids[ids.duplicated()][0]
            raise LeadscoreError(
                f"{source}: id {duplicate!r} appears more than once in column {column!r}"
            )
    contacts = table.rename(columns=renamed)
    contacts.index = ids.astype(str)
    return LeadFrame.from_table(contacts)


@dataclass(frozen=True)
class _Scored:
    """One scoring model's results over the whole file."""

    version: str
    frame: pd.DataFrame


def _score_in_chunks(
    scorer: Scorer, leads: LeadFrame, now: datetime, *, show_progress: bool
) -> dict[str, _Scored]:
    """Score in chunks (each row's score depends only on that row) and stitch the frames."""
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in scorer.config.models}
    versions: dict[str, str] = {}
    progress = Progress(
        TextColumn("scoring"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} rows"),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show_progress,
    )
    with progress:
        task = progress.add_task("scoring", total=len(leads))
        for start in range(0, len(leads), CHUNK_ROWS):
            chunk = LeadFrame(leads.contacts.iloc[start : start + CHUNK_ROWS], leads.activities)
            for name, result in scorer.score(chunk, now).items():
                parts[name].append(result.frame)
                versions[name] = result.version
            progress.advance(task, len(chunk))
    return {name: _Scored(versions[name], pd.concat(frames)) for name, frames in parts.items()}


def _with_scores(table: pd.DataFrame, results: dict[str, _Scored]) -> pd.DataFrame:
    """The input table with each model's output columns appended (replacing older ones)."""
    added: dict[str, object] = {}
    for name, result in results.items():
        prefix = "" if name == DEFAULT_MODEL else f"{name}_"
        for column in OUTPUT_COLUMNS:
            added[f"{prefix}{column}"] = result.frame[column].to_numpy()
    kept = table.drop(columns=[c for c in added if c in table.columns])
    return pd.concat([kept, pd.DataFrame(added, index=kept.index)], axis=1)


def _write_atomically(frame: pd.DataFrame, out: Path) -> None:
    """Write the CSV next to its destination, then rename: a failure leaves no half file."""
    directory = out.resolve().parent
    if not directory.is_dir():
        raise LeadscoreError(f"{out}: the folder {directory} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            frame.to_csv(stream, index=False)
        os.replace(temporary, out)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise LeadscoreError(f"{out}: cannot write ({exc.strerror or exc})") from exc
