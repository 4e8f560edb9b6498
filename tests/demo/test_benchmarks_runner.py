"""`python -m benchmarks`: discovery, running each script in its own interpreter, collecting
its JSON, and reporting failures, timeouts and bad output (with throwaway scripts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import (
    QUICK_ENV,
    Benchmark,
    describe_machine,
    discover,
    flatten,
    parse_output,
    run_benchmark,
)
from benchmarks.__main__ import main

REPO = Path(__file__).resolve().parents[2]


def _script(directory: Path, name: str, body: str) -> Benchmark:
    path = directory / f"{name}.py"
    path.write_text(body, encoding="utf-8")
    return Benchmark(name=name, path=path)


@pytest.fixture
def bench_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "benchmarks"
    directory.mkdir()
    return directory


def test_discover_finds_scripts_but_not_private_modules(bench_dir: Path) -> None:
    for name in ("b_second", "a_first", "_helper", "__init__"):
        (bench_dir / f"{name}.py").write_text("", encoding="utf-8")
    (bench_dir / "notes.txt").write_text("", encoding="utf-8")
    assert [b.name for b in discover(bench_dir)] == ["a_first", "b_second"]


def test_discover_lists_the_shipped_benchmarks() -> None:
    names = [b.name for b in discover()]
    assert "demo_end_to_end" in names
    assert not any(name.startswith("_") for name in names)


def test_a_script_json_is_collected(bench_dir: Path) -> None:
    bench = _script(bench_dir, "ok", 'import json\nprint(json.dumps({"per_s": 12.5}))\n')
    run = run_benchmark(bench, quick=False, timeout_s=60)
    assert (run.status, run.result, run.error) == ("ok", {"per_s": 12.5}, None)


def test_quick_sets_the_env_var_and_passes_the_flag_only_where_declared(bench_dir: Path) -> None:
    report = (
        "import json, os, sys\n"
        f"print(json.dumps({{'argv': sys.argv[1:], 'env': os.environ.get('{QUICK_ENV}')}}))\n"
    )
    parser = (
        "import argparse\n"
        "p = argparse.ArgumentParser()\n"
        "p.add_argument('--quick', action='store_true')\n"
        "p.parse_args()\n"
    )
    declared = _script(bench_dir, "declared", parser + report)
    undeclared = _script(bench_dir, "undeclared", report)
    assert run_benchmark(declared, quick=True, timeout_s=60).result == {
        "argv": ["--quick"], "env": "1"
    }
    assert run_benchmark(undeclared, quick=True, timeout_s=60).result == {"argv": [], "env": "1"}
    assert run_benchmark(declared, quick=False, timeout_s=60).result["argv"] == []


def test_failure_reports_exit_code_and_last_error_line(bench_dir: Path) -> None:
    body = "import sys\nsys.stderr.write('x\\nbad size\\n')\nsys.exit(3)\n"
    bench = _script(bench_dir, "boom", body)
    run = run_benchmark(bench, quick=False, timeout_s=60)
    assert run.status == "failed"
    assert run.error == "exit code 3: bad size"


def test_timeout_is_reported(bench_dir: Path) -> None:
    bench = _script(bench_dir, "slow", "import time\ntime.sleep(30)\n")
    run = run_benchmark(bench, quick=False, timeout_s=0.5)
    assert run.status == "timeout"
    assert run.result is None


def test_output_without_json_is_bad_output(bench_dir: Path) -> None:
    bench = _script(bench_dir, "chatty", "print('done in 3 s')\n")
    assert run_benchmark(bench, quick=False, timeout_s=60).status == "bad-output"


def test_parse_output_takes_the_last_json_line_after_text() -> None:
    assert parse_output('warming up\n{"a": 1}\n') == {"a": 1}
    assert parse_output('{\n  "a": [1, 2]\n}\n') == {"a": [1, 2]}
    assert parse_output("no json here") is None
    assert parse_output("") is None


def test_flatten_names_every_leaf_by_path() -> None:
    doc = {"results": [{"n": 1, "s": 0.5}], "ok": True}
    assert flatten(doc) == [("results[0].n", 1), ("results[0].s", 0.5), ("ok", True)]


def test_machine_description_is_filled() -> None:
    machine = describe_machine()
    assert machine.logical_cores >= 1
    assert 1 <= machine.usable_cores <= machine.logical_cores
    assert machine.ram_gb > 0
    assert machine.python.startswith(("CPython", "PyPy"))


def test_command_line_unknown_name_fails_clearly() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "no_such_benchmark"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode != 0
    assert "no benchmark named no_such_benchmark" in done.stderr


def test_command_line_list_prints_the_names() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--list"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    )
    assert "demo_end_to_end" in done.stdout.split()


def test_main_prints_the_combined_json_and_fails_if_one_failed(
    bench_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _script(bench_dir, "good", 'print(\'{"rows": 3}\')\n')
    _script(bench_dir, "broken", "raise SystemExit(2)\n")
    assert main(["--json"], directory=bench_dir) == 1
    combined = json.loads(capsys.readouterr().out)
    assert combined["machine"]["logical_cores"] >= 1
    assert combined["quick"] is False
    by_name = {b["name"]: b for b in combined["benchmarks"]}
    assert by_name["good"]["result"] == {"rows": 3}
    assert by_name["broken"]["status"] == "failed"


def test_main_only_runs_the_named_benchmark(
    bench_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _script(bench_dir, "good", 'print(\'{"rows": 3}\')\n')
    _script(bench_dir, "broken", "raise SystemExit(2)\n")
    assert main(["--json", "--only", "good"], directory=bench_dir) == 0
    combined = json.loads(capsys.readouterr().out)
    assert [b["name"] for b in combined["benchmarks"]] == ["good"]
