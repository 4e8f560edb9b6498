"""`leadscore model train|backtest|show` through the real entry point, as a user runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli_process import run_leadscore
from tests.scoring.model_fixtures import bank_sample


def _leadscore(*args: str) -> subprocess.CompletedProcess[str]:
    return run_leadscore(*args)


@pytest.fixture(scope="module")
def bank_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bank") / "bank.csv"
    bank_sample(n=3000).to_csv(path, sep=";", index=False)
    return path


@pytest.fixture(scope="module")
def constant_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("constant") / "constant.csv"
    sample = bank_sample(n=200)
    sample["y"] = "no"
    sample.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target", "converted"], "target column 'converted' not found"),
        (["--target", "y", "--drop", "duration,shoe_size"], "unknown column(s) to drop: shoe_size"),
        (["--target", "y", "--positive", "maybe"], "--positive 'maybe' is not a value of 'y'"),
    ],
)
@pytest.mark.parametrize("command", ["train", "backtest"])
def test_bad_target_options_fail_in_one_line(
    bank_csv: Path, command: str, extra: list[str], message: str
) -> None:
    result = _leadscore("model", command, "--csv", str(bank_csv), *extra)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_constant_target_fails_in_one_line(constant_csv: Path) -> None:
    result = _leadscore("model", "train", "--csv", str(constant_csv), "--target", "y")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "single outcome ('no')" in lines[0]


def test_too_few_conversions_fails_with_not_enough_data(tmp_path: Path) -> None:
    sample = bank_sample(n=300)
    path = tmp_path / "few.csv"
    sample.to_csv(path, index=False)
    result = _leadscore("model", "train", "--csv", str(path), "--target", "y")
    assert result.returncode != 0
    assert "need at least 50 of each" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_backtest_json_reports_model_and_baselines(bank_csv: Path) -> None:
    result = _leadscore(
        "model",
        "backtest",
        "--csv",
        str(bank_csv),
        "--target",
        "y",
        "--drop",
        "duration",
        "--folds",
        "3",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in (
        "auc",
        "auc_std",
        "brier",
        "top_decile_lift",
        "baseline_auc",
        "baseline_brier",
        "best_baseline",
        "baselines",
        "baseline_columns",
        "rows",
        "positives",
        "features_used",
        "suspected_leaks",
    ):
        assert key in report
    assert report["rows"] == 3000
    assert 0.6 < report["auc"] <= 1.0 and 0.6 < report["baseline_auc"] <= 1.0
    assert report["top_decile_lift"] > 1.5
    assert "duration" not in report["features_used"] and "pdays" in report["features_used"]
    # The baselines read the raw columns, never the one the user dropped.
    assert "duration" not in report["baseline_columns"] and "pdays" in report["baseline_columns"]
    assert [b["name"] for b in report["baselines"]] == [
        "logistic_regression",
        "hist_gradient_boosting",
        "lightgbm",
    ]
    assert all(len(b["auc_diff_per_fold"]) == 3 for b in report["baselines"])
    assert len(report["deciles"]) == 10


def test_train_then_show(bank_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "bank.lsmodel"
    trained = _leadscore(
        "model",
        "train",
        "--csv",
        str(bank_csv),
        "--target",
        "y",
        "--drop",
        "duration",
        "--out",
        str(out),
    )
    assert trained.returncode == 0, trained.stderr
    assert out.is_file()
    shown = _leadscore("model", "show", str(out), "--json")
    assert shown.returncode == 0, shown.stderr
    meta = json.loads(shown.stdout)
    assert meta["rows"] == 3000
    assert {"column": "duration", "reason": "dropped", "detail": "dropped on request"} in meta[
        "excluded"
    ]
    assert meta["features"] and meta["metrics"]["auc"] > 0.6
    text = _leadscore("model", "show", str(out))
    assert text.returncode == 0 and meta["version"] in text.stdout


def test_show_of_missing_file_fails_in_one_line(tmp_path: Path) -> None:
    result = _leadscore("model", "show", str(tmp_path / "none.lsmodel"))
    assert result.returncode != 0
    assert "no such model file" in result.stderr
