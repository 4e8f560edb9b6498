"""`leadscore model train|show` with the guards: purity shown, `--keep` recorded, old alias."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.cli_process import run_leadscore
from tests.scoring.leads_fixtures import leads_dataset


def _leadscore(*args: str) -> subprocess.CompletedProcess[str]:
    return run_leadscore(*args)


@pytest.fixture(scope="module")
def leads_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    table, y = leads_dataset(n=3000)
    table["Converted"] = np.where(y == 1, "yes", "no")
    path = tmp_path_factory.mktemp("leads") / "leads.csv"
    table.to_csv(path, index=False)
    return path


def test_train_reports_the_tags_leak_with_its_purity(leads_csv: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.lsmodel"
    result = _leadscore(
        "model", "train", "--csv", str(leads_csv), "--target", "Converted", "--out", str(model)
    )
    assert result.returncode == 0, result.stderr
    assert "suspected leak: Tags (AUC 0.9" in result.stdout
    assert "purity 3" in result.stdout and "excluded)" in result.stdout
    shown = _leadscore("model", "show", str(model), "--json")
    meta = json.loads(shown.stdout)
    tags = next(leak for leak in meta["suspected_leaks"] if leak["column"] == "Tags")
    assert tags["purity"] >= 0.2 and tags["auc"] < 0.95 and tags["kept"] is False


def test_keep_keeps_an_identifier_and_the_metadata_says_so(leads_csv: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.lsmodel"
    result = _leadscore(
        "model",
        "train",
        "--csv",
        str(leads_csv),
        "--target",
        "Converted",
        "--keep",
        "Lead Number",
        "--out",
        str(model),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    meta = json.loads(result.stdout)
    assert [(k["column"], k["reason"]) for k in meta["kept_on_request"]] == [
        ("Lead Number", "identifier")
    ]
    assert "Lead Number" not in {e["column"] for e in meta["excluded"]}
    shown = _leadscore("model", "show", str(model))
    assert "kept on request: Lead Number, flagged identifier" in shown.stdout


def test_keep_leak_is_a_hidden_alias_of_keep(leads_csv: Path, tmp_path: Path) -> None:
    result = _leadscore(
        "model",
        "train",
        "--csv",
        str(leads_csv),
        "--target",
        "Converted",
        "--keep-leak",
        "Tags",
        "--out",
        str(tmp_path / "m.lsmodel"),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    meta = json.loads(result.stdout)
    tags = next(leak for leak in meta["suspected_leaks"] if leak["column"] == "Tags")
    assert tags["kept"] is True
    assert ("Tags", "suspected_leak") in {
        (k["column"], k["reason"]) for k in meta["kept_on_request"]
    }
    helped = _leadscore("model", "train", "--help")
    assert "--keep " in helped.stdout and "--keep-leak" not in helped.stdout


def test_keep_of_an_unknown_column_fails_in_one_line(leads_csv: Path) -> None:
    result = _leadscore(
        "model", "train", "--csv", str(leads_csv), "--target", "Converted", "--keep", "Nope"
    )
    assert result.returncode != 0
    assert "unknown column(s) to keep: Nope" in result.stderr
    assert "Traceback" not in result.stderr
