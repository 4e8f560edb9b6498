"""`insights points` and `insights compare` end to end: leak guard, joint points, provenance
and held-out grading, on a bank CSV sample with a planted leak."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from connector.cli.insights_cmd import insights_app
from connector.scoring.config import parse_config
from tests.insights.conftest import BANK_CSV, REPO

BANK_CONFIG = REPO / "config" / "bank-marketing.yaml"
runner = CliRunner()


def _run(*args: str | Path) -> str:
    result = runner.invoke(insights_app, [str(a) for a in args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every 4th bank lead, with `outcome_copy`: a column that is the answer in disguise."""
    table = pd.read_csv(BANK_CSV, sep=";", dtype=str).iloc[::4]
    table["outcome_copy"] = table["y"].map({"yes": "A", "no": "B"})
    path = tmp_path_factory.mktemp("csv") / "bank-sample.csv"
    table.to_csv(path, index=False)
    return path


def _points(csv: Path, *extra: str) -> dict:
    printed = _run(
        "points", "--csv", csv, "--target", "y", "--config", BANK_CONFIG, "--json", *extra
    )
    return json.loads(printed)


def _derived_config(fragment: str, path: Path) -> Path:
    """The bank config with its criteria replaced by the fragment's, comments kept."""
    config = yaml.safe_load(BANK_CONFIG.read_text())
    model = config["models"]["term_deposit"]
    model["criteria"] = yaml.safe_load(fragment)["criteria"]
    model.pop("groups", None)
    # A CSV has no activities: the fragment holds fit criteria only.
    model["weights"]["engagement"] = 0
    comments = "".join(line + "\n" for line in fragment.splitlines() if line.startswith("#"))
    path.write_text(comments + yaml.safe_dump(config, sort_keys=False))
    return path


def _compare(csv: Path, a: Path, b: Path, *extra: str) -> dict:
    printed = _run(
        "compare", "--config", a, "--config", b, "--csv", csv, "--target", "y",
        "--replicates", "50", "--json", *extra,
    )  # fmt: skip
    return json.loads(printed)


def test_points_drops_columns_runs_the_leak_guard_and_fits_jointly(sample_csv: Path) -> None:
    data = _points(sample_csv, "--drop", "duration,pdays")
    excluded = {e["column"]: e["reason"] for e in data["advice"]["excluded"]}
    assert excluded["duration"] == excluded["pdays"] == "dropped"
    assert excluded["outcome_copy"] == "suspected_leak"
    signals = {b["signal"] for b in data["advice"]["scorecard"]["bins"]}
    assert not signals & {"duration", "pdays", "outcome_copy"}
    assert "poutcome" in signals
    fragment = data["fragment"]
    criteria = yaml.safe_load(fragment)["criteria"]
    # Still a valid criteria list of the scoring config, with the joint points.
    config = parse_config(
        {"models": {"default": {"weights": {"engagement": 0}, "criteria": criteria}}}, "fragment"
    )
    joint = {b["criterion"]["id"]: b["points"] for b in data["advice"]["scorecard"]["bins"]}
    assert all(c.points == joint[c.id] for c in config.models["default"].criteria)
    digest = hashlib.sha256(sample_csv.read_bytes()).hexdigest()
    assert f"# derived-from: sha256:{digest} rows:10297\n# derived-rows: all\n" in fragment


def test_points_prints_the_guard_the_joint_table_and_the_fragment(sample_csv: Path) -> None:
    printed = _run(
        "points", "--csv", sample_csv, "--target", "y", "--config", BANK_CONFIG,
        "--drop", "duration",
    )  # fmt: skip
    assert "columns the leak guard left out" in printed and "outcome_copy" in printed
    assert "suggested points" in printed and "alone" in printed
    assert yaml.safe_load(printed[printed.index("# Suggested by") :])["criteria"]


def test_compare_says_a_config_derived_from_the_same_csv_is_in_sample(
    sample_csv: Path, tmp_path: Path
) -> None:
    derived = _derived_config(
        _points(sample_csv, "--drop", "duration")["fragment"], tmp_path / "d.yaml"
    )
    data = _compare(sample_csv, BANK_CONFIG, derived)
    samples = {s["label"]: s for s in data["samples"]}
    assert samples["d.yaml"]["derived_from_this_data"] and samples["d.yaml"]["in_sample"]
    assert not samples["bank-marketing.yaml"]["derived_from_this_data"]
    assert "in-sample for d.yaml" in data["verdict"] and data["graded_rows"] == "all rows"


def test_holdout_grades_only_rows_the_derivation_never_saw(
    sample_csv: Path, tmp_path: Path
) -> None:
    fragment = _points(sample_csv, "--drop", "duration", "--holdout", "0.3", "--split-seed", "7")[
        "fragment"
    ]
    assert "# derived-rows: not-held-out holdout:0.3 seed:7" in fragment
    derived = _derived_config(fragment, tmp_path / "held.yaml")
    data = _compare(sample_csv, BANK_CONFIG, derived, "--holdout", "0.3", "--split-seed", "7")
    assert data["leads"] == round(0.3 * 10297)
    assert data["graded_rows"].startswith("held-out rows (holdout:0.3 seed:7)")
    held = next(s for s in data["samples"] if s["label"] == "held.yaml")
    assert held["derived_from_this_data"] and not held["in_sample"]
    assert "in-sample" not in data["verdict"]
    # Another split's held-out rows were seen by this derivation: still in-sample.
    other = _compare(sample_csv, BANK_CONFIG, derived, "--holdout", "0.3", "--split-seed", "8")
    assert next(s for s in other["samples"] if s["label"] == "held.yaml")["in_sample"]
