"""`python -m benchmarks`: run every benchmark script and print one table and the combined JSON.

    python -m benchmarks [--only NAME ...] [--quick] [--json] [--timeout SECONDS] [--out FILE]

Exit status 0 when every selected benchmark produced its JSON, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import (
    BENCHMARKS_DIR,
    Benchmark,
    BenchmarkRun,
    Machine,
    describe_machine,
    discover,
    flatten,
    run_benchmark,
)

FIGURES_SHOWN = 14
"""Leaf figures shown per benchmark in the table; the JSON has them all."""


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the benchmark scripts in benchmarks/ and collect their JSON.",
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", default=[],
        help="run only this benchmark (script name without .py); repeatable",
    )
    parser.add_argument(
        "--quick", action="store_true",
        help="smaller sizes: sets LEADSCORE_BENCH_QUICK=1 and passes --quick where supported",
    )
    parser.add_argument(
        "--json", action="store_true", help="print only the combined JSON on stdout"
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, metavar="SECONDS",
        help="give up on a script after this long (default 900)",
    )
    parser.add_argument("--out", type=Path, help="also write the combined JSON to this file")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser.parse_args(argv)


def _select(available: list[Benchmark], only: list[str]) -> list[Benchmark]:
    if not only:
        return available
    by_name = {b.name: b for b in available}
    unknown = [name for name in only if name.removesuffix(".py") not in by_name]
    if unknown:
        names = ", ".join(by_name) or "none"
        raise SystemExit(f"error: no benchmark named {', '.join(unknown)} (available: {names})")
    return [by_name[name.removesuffix(".py")] for name in only]


def _combined(
    machine: Machine, runs: list[BenchmarkRun], quick: bool, started: datetime
) -> dict[str, Any]:
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine.as_dict(),
        "benchmarks": [run.as_dict() for run in runs],
    }


def _figures(run: BenchmarkRun) -> str:
    if run.status != "ok":
        return run.error or ""
    # A script naming itself in its JSON says nothing the first column does not.
    pairs = [(k, v) for k, v in flatten(run.result) if not (k == "benchmark" and v == run.name)]
    lines = [f"{path} = {_show(value)}" for path, value in pairs[:FIGURES_SHOWN]]
    if len(pairs) > FIGURES_SHOWN:
        lines.append(f"… {len(pairs) - FIGURES_SHOWN} more in the JSON")
    return "\n".join(lines)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _table(machine: Machine, runs: list[BenchmarkRun]) -> Table:
    table = Table(
        title="Benchmarks",
        caption=(
            f"{machine.cpu_model} · {machine.usable_cores}/{machine.logical_cores} cores · "
            f"{machine.ram_gb} GB RAM · {machine.python} · {machine.os}"
        ),
        show_lines=True,
    )
    table.add_column("benchmark", style="bold")
    table.add_column("status")
    table.add_column("wall s", justify="right")
    table.add_column("figures")
    colours = {"ok": "green", "timeout": "yellow"}
    for run in runs:
        colour = colours.get(run.status, "red")
        table.add_row(run.name, f"[{colour}]{run.status}[/]", f"{run.seconds:.1f}", _figures(run))
    return table


def main(argv: list[str] | None = None, directory: Path = BENCHMARKS_DIR) -> int:
    """Run the selected benchmarks of `directory` one after another; returns the exit status."""
    args = _arguments(argv)
    available = discover(directory)
    if args.list:
        for benchmark in available:
            print(benchmark.name)
        return 0
    selected = _select(available, args.only)
    machine = describe_machine()
    started = datetime.now(UTC)
    # Progress goes to stderr so that stdout stays the table/JSON.
    progress = Console(stderr=True)
    runs: list[BenchmarkRun] = []
    for benchmark in selected:
        with progress.status(f"running {benchmark.name} …"):
            run = run_benchmark(benchmark, quick=args.quick, timeout_s=args.timeout)
        if not args.json:
            progress.print(f"{benchmark.name}: {run.status} in {run.seconds:.1f} s")
        runs.append(run)
    combined = _combined(machine, runs, args.quick, started)
    document = json.dumps(combined, indent=2)
    if args.out is not None:
        args.out.write_text(document + "\n", encoding="utf-8")
    if args.json:
        print(document)
    else:
        out = Console()
        out.print(_table(machine, runs))
        out.print_json(document)
    return 0 if all(run.status == "ok" for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
