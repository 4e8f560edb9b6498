"""The `leadscore insights` commands end to end on the bank marketing CSV."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from connector.cli.insights_cmd import insights_app
from connector.errors import LeadscoreError
from connector.evaluation.segments import SEGMENT_SLUGS

BANK = "/work/shared/data/bank-additional-full.csv"
REPO = Path(__file__).resolve().parents[2]
BANK_CONFIG = str(REPO / "config" / "bank-marketing.yaml")
DEFAULT_CONFIG = str(REPO / "config" / "scoring.yaml")
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(insights_app, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout


def test_report_on_the_bank_csv_with_a_model(tmp_path: Path, bank_model: Path) -> None:
    out = tmp_path / "report.html"
    printed = _run(
        "report", "--csv", BANK, "--target", "y", "--config", BANK_CONFIG,
        "--model", str(bank_model), "--out", str(out), "--json",
    )  # fmt: skip
    data = json.loads(printed)
    assert data["leads"] == 41188 and data["conversions"] == 4640
    assert data["auc_score"] > 0.7
    assert data["auc_likelihood"] is not None and data["calibration"]["bins"]
    assert {c["criterion_id"] for c in data["criteria"]} >= {
        "previous_success",
        "student_or_retired",
    }
    html = out.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html)
    assert html.count("<svg") == 5  # deciles, tiers, gains, reliability, distributions


def test_report_with_a_config_whose_properties_are_missing(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    data = json.loads(
        _run(
            "report",
            "--csv",
            BANK,
            "--target",
            "y",
            "--config",
            DEFAULT_CONFIG,
            "--out",
            str(out),
            "--json",
        )
    )
    assert data["auc_score"] == 0.5  # nothing fires: every lead scores the same
    assert all(c["fired"] == 0 for c in data["criteria"] if c["kind"] == "fit")
    assert out.exists()
    # The report says so: none of the config's properties is in the file.
    assert data["input"]["found"] == [] and "jobtitle" in data["input"]["missing"]
    assert data["input"]["warning"]


def test_segments_on_the_bank_csv(tmp_path: Path) -> None:
    out, saved = tmp_path / "segments.html", tmp_path / "segments.json"
    profiles = json.loads(
        _run(
            "segments",
            "--csv",
            BANK,
            "--target",
            "y",
            "--config",
            BANK_CONFIG,
            "--out",
            str(out),
            "--save",
            str(saved),
            "--json",
        )
    )
    assert 3 <= len(profiles) <= 8
    assert {p["slug"] for p in profiles} <= set(SEGMENT_SLUGS)
    assert len({p["name"] for p in profiles}) == len(profiles)
    assert sum(p["leads"] for p in profiles) == 41188
    rates = [p["rate"] for p in profiles]
    assert rates == sorted(rates, reverse=True) and rates[0] > 2 * rates[-1]
    html = out.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html) and html.count("<svg") == 2
    assert json.loads(saved.read_text())["slugs"]


def test_compare_two_configs_on_the_bank_csv(tmp_path: Path) -> None:
    weak = tmp_path / "weak.yaml"
    config = yaml.safe_load(Path(BANK_CONFIG).read_text())
    model = config["models"]["term_deposit"]
    model["criteria"] = [
        c for c in model["criteria"] if c["id"] in {"white_collar", "mobile_contact"}
    ]
    model["groups"] = {"occupation": model["groups"]["occupation"]}
    weak.write_text(yaml.safe_dump(config))
    data = json.loads(
        _run(
            "compare",
            "--config",
            str(weak),
            "--config",
            BANK_CONFIG,
            "--csv",
            BANK,
            "--target",
            "y",
            "--replicates",
            "60",
            "--json",
        )
    )
    assert data["verdict"].startswith("bank-marketing.yaml ranks leads better than weak.yaml")
    assert data["metrics"][0]["difference"]["low"] > 0


def test_points_prints_a_fragment_the_config_loader_accepts() -> None:
    printed = _run("points", "--csv", BANK, "--target", "y", "--config", BANK_CONFIG)
    fragment = yaml.safe_load(printed[printed.index("# Suggested by") :])
    ids = {c["id"] for c in fragment["criteria"]}
    assert {"poutcome_success", "job_student"} <= ids
    assert "where the config disagrees most with the data" in printed


def test_csv_flags_without_a_csv_are_refused() -> None:
    with pytest.raises(LeadscoreError, match="--target only applies with --csv FILE"):
        _run("report", "--target", "y", "--config", DEFAULT_CONFIG)


def test_compare_needs_two_configs() -> None:
    with pytest.raises(LeadscoreError, match="exactly two --config"):
        _run("compare", "--config", BANK_CONFIG, "--csv", BANK, "--target", "y")
