"""How the command line shows a forward backtest and a model's training window."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.console import Console
from rich.table import Table

from connector.evaluation.forward import ForwardBacktest, ForwardFigures
from connector.evaluation.stats import Interval
from connector.reports import to_jsonable
from connector.scoring.point_in_time import TrainingWindow


def auc_text(auc: Interval | None) -> str:
    """An AUC with its 95 % interval, or why there is none."""
    if auc is None:
        return "n/a (one outcome only)"
    return f"{auc.estimate:.3f} [{auc.low:.3f}–{auc.high:.3f}]"


def print_forward(result: ForwardBacktest, console: Console) -> None:
    """The forward grade first, then the two trainings side by side, then what was excluded."""
    ahead = result.point_in_time.forward
    console.print(
        f"[bold]forward backtest as of {result.as_of:%Y-%m-%d}[/] (T − {result.horizon_days} "
        f"days): {ahead.open_leads:,} leads open then, {ahead.conversions:,} converted in the "
        f"next {result.horizon_days} days (converted = {result.outcome})"
    )
    if result.score is not None:
        console.print(f"the score as of then ranks them at AUC {auc_text(result.score.auc)}"
                      f"{_lift(result.score)}")
    table = Table(title="the same model, trained two ways as of then")
    table.add_column("training")
    table.add_column("rows", justify="right")
    table.add_column("own CV AUC (in-sample)", justify="right")
    table.add_column(f"forward AUC (next {result.horizon_days} days)", justify="right")
    table.add_column("top-decile lift", justify="right")
    variants = [result.point_in_time, *([result.current_values] if result.current_values else [])]
    names = {"point_in_time": "point in time (the product)",
             "current_values": "values as they stood (naive)"}
    for v in variants:
        lift = v.forward.top_decile_lift
        table.add_row(names[v.method], f"{v.rows:,}", f"{v.in_sample_auc:.3f}",
                      auc_text(v.forward.auc), "-" if lift is None else f"{lift:.2f}x")
    console.print(table)
    for verdict in result.post_outcome:
        console.print(f"[yellow]post-outcome by time:[/] {verdict.column}: {verdict.evidence()}")
    if result.unknown_past:
        console.print("left out (value at a past moment unknown): "
                      + ", ".join(result.unknown_past))


def _lift(figures: ForwardFigures) -> str:
    if figures.top_decile_lift is None:
        return ""
    return f", top-decile lift {figures.top_decile_lift:.2f}x"


def forward_json(result: ForwardBacktest) -> dict[str, Any]:
    """The forward backtest as JSON-ready data (dates as ISO 8601)."""
    data: dict[str, Any] = to_jsonable(result)
    data["as_of"] = result.as_of.isoformat()
    data["post_outcome"] = [
        {**dataclasses.asdict(v), "share_after": round(v.share_after, 4),
         "evidence": v.evidence()} for v in result.post_outcome
    ]
    return data


def print_training_window(window: TrainingWindow | None, console: Console) -> None:
    """How the model's training rows were looked at (`model show`)."""
    if window is None:
        console.print("training rows: current values (trained before point-in-time training)")
        return
    how = "property values from history" if window.properties_as_of else \
        "current property values (no history stored)"
    console.print(
        f"training rows: point in time — converted leads within {window.lead_time_days:g} days "
        f"before converting, the others at matched ages; {how}; earlier activities only"
    )
    if window.post_outcome:
        console.print("post-outcome by time (excluded): " + ", ".join(window.post_outcome))
    if window.unknown_past:
        console.print("left out (value at a past moment unknown): "
                      + ", ".join(window.unknown_past))
    if window.without_history or window.unknown_conversion_time:
        console.print(f"leads left out: {window.without_history} without a history read, "
                      f"{window.unknown_conversion_time} converted at an unknown time")
