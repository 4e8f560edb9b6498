"""`leadscore score --csv`: HubSpot export labels are recognised; unknown inputs warn."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]

_EXPORT = (
    "Record ID,Job Title,Number of Employees,Industry,Country/Region,Number of Pageviews,"
    "Number of Sessions,Marketing emails opened,Recent Conversion\n"
    "101,VP Marketing,500-1000,Computer Software,Germany,40,12,9,Demo request\n"
    "102,Student,1-5,,France,0,1,0,\n"
)


def _score(tmp_path: Path, text: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "connector",
            "score",
            "--csv",
            str(source),
            "--out",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=240,
        check=False,
        env={**os.environ, "COLUMNS": "400"},
    )
    return result, out


def test_a_hubspot_export_is_scored_through_its_labels(tmp_path: Path) -> None:
    result, out = _score(tmp_path, _EXPORT)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    summary = json.loads(result.stdout)
    assert summary["input"]["warning"] is None
    assert summary["input"]["renamed"]["Job Title"] == "jobtitle"
    assert {"jobtitle", "numemployees", "hs_analytics_num_page_views"} <= set(
        summary["input"]["found"]
    )
    scored = pd.read_csv(out, dtype=str)
    # The file keeps its own headers; the labels only told the scoring what they hold.
    assert list(scored.columns[:3]) == ["Record ID", "Job Title", "Number of Employees"]
    scores = scored["score"].astype(float)
    assert scores.iloc[0] > scores.iloc[1]


def test_a_file_with_no_known_property_warns_on_stderr_and_in_json(tmp_path: Path) -> None:
    result, out = _score(tmp_path, "Lead Origin,Tags\nAPI,Ringing\nAPI,Busy\n")
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"warning: in\.csv: none of the \d+ properties the scoring config", result.stderr
    )
    assert "columns not recognised as HubSpot properties" in result.stderr
    assert "Lead Origin, Tags" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["input"]["found"] == []
    assert summary["input"]["unrecognised"] == ["Lead Origin", "Tags"]
    assert summary["input"]["warning"].startswith("in.csv: none of the ")
    assert out.is_file()
