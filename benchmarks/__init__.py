"""Benchmarks: scripts that measure speed, API calls and memory and print one JSON document.

Every `benchmarks/<name>.py` (names starting with `_` excepted) is a standalone script.
`python -m benchmarks` runs them all, each in its own interpreter with a timeout, and
collects their JSON together with a description of the machine they ran on.

Conventions a script follows to take part:
- it prints exactly one JSON document on stdout (progress goes to stderr);
- it exits 0 on success;
- for `--quick`, it either accepts a `--quick` flag (smaller sizes, same measurements) or
  reads the environment variable `LEADSCORE_BENCH_QUICK=1`; the runner sets the variable
  for every script and passes the flag to scripts whose argument parser declares it.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

BENCHMARKS_DIR = Path(__file__).resolve().parent
QUICK_ENV = "LEADSCORE_BENCH_QUICK"
_QUICK_FLAG = re.compile(r"""add_argument\(\s*["']--quick["']""")

Status = Literal["ok", "failed", "timeout", "bad-output"]


@dataclass(frozen=True)
class Machine:
    """Where the benchmarks ran: figures only compare on like machines."""

    cpu_model: str
    logical_cores: int
    usable_cores: int
    ram_gb: float
    python: str
    os: str

    def as_dict(self) -> dict[str, Any]:
        """The machine as JSON-able values."""
        return asdict(self)


@dataclass(frozen=True)
class Benchmark:
    """One benchmark script."""

    name: str
    path: Path

    @property
    def supports_quick_flag(self) -> bool:
        """Whether the script's argument parser declares `--quick`."""
        return bool(_QUICK_FLAG.search(self.path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class BenchmarkRun:
    """What one script produced: its JSON on success, the reason otherwise."""

    name: str
    status: Status
    seconds: float
    result: Any
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        """The run as JSON-able values."""
        return asdict(self)


def describe_machine() -> Machine:
    """CPU model, cores, RAM, Python and OS of this machine."""
    return Machine(
        cpu_model=_cpu_model(),
        logical_cores=os.cpu_count() or 1,
        usable_cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1,
        ram_gb=round(_ram_bytes() / 2**30, 1),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        os=f"{platform.system()} {platform.release()} ({platform.machine()})",
    )


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def _ram_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def discover(directory: Path = BENCHMARKS_DIR) -> list[Benchmark]:
    """Every benchmark script in `directory`, by name (files starting with `_` are not)."""
    return [
        Benchmark(name=path.stem, path=path)
        for path in sorted(directory.glob("*.py"))
        if not path.name.startswith("_")
    ]


def run_benchmark(benchmark: Benchmark, *, quick: bool, timeout_s: float) -> BenchmarkRun:
    """Run one script in a fresh interpreter and parse the JSON it prints."""
    command = [sys.executable, str(benchmark.path)]
    if quick and benchmark.supports_quick_flag:
        command.append("--quick")
    env = dict(os.environ)
    if quick:
        env[QUICK_ENV] = "1"
    # Scripts import `connector` and `benchmarks` from the checkout, installed or not.
    root = str(benchmark.path.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return BenchmarkRun(
            benchmark.name, "timeout", round(time.perf_counter() - started, 2), None,
            f"no result within {timeout_s:g} s",
        )
    seconds = round(time.perf_counter() - started, 2)
    if done.returncode != 0:
        return BenchmarkRun(
            benchmark.name, "failed", seconds, None,
            f"exit code {done.returncode}: {_last_line(done.stderr) or 'no error output'}",
        )
    result = parse_output(done.stdout)
    if result is None:
        return BenchmarkRun(
            benchmark.name, "bad-output", seconds, None,
            f"no JSON document on stdout (got {len(done.stdout)} characters)",
        )
    return BenchmarkRun(benchmark.name, "ok", seconds, result, None)


def parse_output(stdout: str) -> Any:
    """The JSON document a script printed: all of stdout, else its last JSON line."""
    text = stdout.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    # A script that also printed some text still counts if its last JSON line is whole.
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith(("{", "[")):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Leaf figures of a JSON document as `(dotted.path[0], value)` pairs, in document order."""
    if isinstance(value, dict):
        pairs: list[tuple[str, Any]] = []
        for key, item in value.items():
            pairs.extend(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return pairs
    if isinstance(value, list):
        pairs = []
        for i, item in enumerate(value):
            pairs.extend(flatten(item, f"{prefix}[{i}]"))
        return pairs
    return [(prefix, value)]
