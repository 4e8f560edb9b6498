"""`leadscore config check` and `leadscore score --csv` through the real entry point."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd

from connector.scoring.config import DEFAULT_CONFIG_PATH
from tests.cli_process import run_leadscore


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_leadscore(*args, timeout=120)


def write_leads(path: Path) -> None:
    rows = pd.DataFrame(
        {
            "hs_object_id": ["101", "102", "103"],
            "jobtitle": ["CEO", "Student", "Marketing Manager"],
            "email": ["a@acme.com", "b@mit.edu", "c@salesforce.com"],
            "numemployees": ["100-500", None, "1000+"],
            "recent_conversion_event_name": ["Demo request", None, "Demo request"],
            "recent_conversion_date": ["2026-11-10T10:00:00.000Z", None, "2026-11-01"],
        }
    )
    rows.to_csv(path, index=False)


def test_config_check_accepts_the_default(tmp_path: Path) -> None:
    result = run("config", "check", str(DEFAULT_CONFIG_PATH))
    assert result.returncode == 0, result.stderr
    assert (
        "is valid" in result.stdout
        and "default:" in result.stdout
        and "analytics:" in result.stdout
    )
    as_json = run("config", "check", str(DEFAULT_CONFIG_PATH), "--json")
    assert json.loads(as_json.stdout)["valid"] is True


def test_config_check_lists_each_problem_on_one_line_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "models:\n  default:\n    criteria:\n      - id: a\n        label: A\n"
        "        kind: fit\n        importance: critical\n        points: lots\n"
        "        when: {property: x, above: 3}\n",
        encoding="utf-8",
    )
    result = run("config", "check", str(path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        f"error: {path}: models.default.criteria[0].points (line 8): "
        "expected a number, found 'lots'"
    )
    assert lines[1].startswith(f"error: {path}: models.default.criteria[0].when.above (line 9): ")
    assert "2 problems" in lines[-1]


def test_config_check_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("models:\n  default: [\n", encoding="utf-8")
    result = run("config", "check", str(path))
    assert result.returncode == 1
    assert f"{path}: line 3, column 1: expected valid YAML" in result.stderr


def test_score_csv_appends_scores_for_every_model(tmp_path: Path) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_leads(source)
    result = run(
        "score", "--csv", str(source), "--out", str(out), "--now", "2026-11-22T12:00:00", "--json"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rows"] == 3 and set(summary["models"]) == {"default", "analytics"}
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(scored.columns[:6]) == list(pd.read_csv(source).columns)
    for column in (
        "score",
        "fit",
        "engagement",
        "likelihood",
        "tier",
        "reasons",
        "analytics_score",
    ):
        assert column in scored.columns
    assert scored["tier"].tolist()[2] == "disqualified"  # a competitor's address
    assert scored["likelihood"].tolist() == ["", "", ""]  # no --model
    assert (
        scored["reasons"].iloc[0].startswith("+29 Requested a demo (12 days ago)")
    )  # 35 × 0.5 ** (12 / 45)


def test_score_rejects_bad_files_in_one_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"id,jobtitle\n1,Gerente de ventas\n2,Dise\xf1ador\n")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    bad_config = tmp_path / "bad.yaml"
    bad_config.write_text("models: {}\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    write_leads(good)
    cases = [
        (["--csv", str(latin)], "not UTF-8 text (byte 0xf1 on line 3)"),
        (["--csv", str(empty)], "the file is empty"),
        (
            ["--csv", str(good), "--config", str(bad_config)],
            "models (line 1): expected at least one entry, found an empty mapping",
        ),
    ]
    for args, message in cases:
        result = run("score", *args, "--out", str(tmp_path / "out.csv"))
        assert result.returncode == 1
        assert message in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.csv").exists()
