"""`leadscore demo` as a user runs it: the installed console script, in a subprocess, with no
configuration at all, against its embedded sandbox.

The `--exit --json` run is shared by the tests of this module (and across pytest-xdist
workers, through a lock file), since one run takes about a minute.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from connector.sandbox.generator_history import PLANTED_POST_OUTCOME_PROPERTIES

LEADSCORE = Path(sys.executable).with_name("leadscore")
CONTACTS = 1500
RUN_TIMEOUT_S = 600
TIERS = {"hot", "warm", "cold", "disqualified"}


@dataclass(frozen=True)
class DemoRun:
    """One finished `leadscore demo --exit --json` run."""

    returncode: int
    stdout: str
    stderr: str
    work: Path
    tmpdir: Path
    report: Path

    @property
    def summary(self) -> dict[str, Any]:
        assert self.returncode == 0, f"demo failed:\n{self.stderr[-3000:]}"
        parsed: dict[str, Any] = json.loads(self.stdout)
        return parsed


def _clean_env(tmpdir: Path) -> dict[str, str]:
    """The environment of a fresh install: no LEADSCORE_* settings, a private TMPDIR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADSCORE_")}
    env["TMPDIR"] = str(tmpdir)
    env["COLUMNS"] = "120"
    return env


def _run_demo(work: Path) -> DemoRun:
    tmpdir = work / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    report = work / "out" / "report.html"
    done = subprocess.run(
        [str(LEADSCORE), "demo", "--exit", "--json", "--contacts", str(CONTACTS),
         "--report", str(report)],
        cwd=work,
        env=_clean_env(tmpdir),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    return DemoRun(done.returncode, done.stdout, done.stderr, work, tmpdir, report)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The shared run: made once per pytest invocation, even across xdist workers."""
    base = tmp_path_factory.getbasetemp()
    # xdist workers of one run share the parent of their base temp and this run id.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", "single")
    root = shared / f"demo-{run_id}"
    root.mkdir(exist_ok=True)
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = root / "run.json"
        if saved.exists():
            data = json.loads(saved.read_text())
            return DemoRun(**{**data, "work": Path(data["work"]), "tmpdir": Path(data["tmpdir"]),
                              "report": Path(data["report"])})
        run = _run_demo(root / "work")
        saved.write_text(json.dumps({**run.__dict__, "work": str(run.work),
                                     "tmpdir": str(run.tmpdir), "report": str(run.report)}))
        return run


def _port_closed(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) != 0


def test_stdout_is_exactly_one_json_object(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert demo.stdout.count("\n") == 1 and demo.stdout.endswith("\n")
    assert isinstance(json.loads(demo.stdout), dict)


def test_every_contact_is_synced_scored_and_written(demo: DemoRun) -> None:
    summary = demo.summary
    assert summary["portal_contacts"] == CONTACTS
    assert summary["contacts_synced"] == CONTACTS
    assert summary["contacts_scored"] == CONTACTS
    # A first sync writes every contact's scores.
    assert summary["contacts_written"] == CONTACTS
    assert "leadscore_score" in summary["properties_provisioned"]
    assert "leadscore_tier" in summary["properties_provisioned"]


def test_model_is_trained_on_the_portal_history(demo: DemoRun) -> None:
    model = demo.summary["model"]
    assert model["version"]
    # Point in time: every contact but those converted before they were created (a
    # colleague's deal was already open: no past to learn from).
    assert 0.7 * CONTACTS < model["trained_on"] < CONTACTS
    assert 50 <= model["conversions"] < CONTACTS
    assert model["validation_auc"] > 0.6


def test_the_summary_leads_with_the_forward_grade(demo: DemoRun) -> None:
    summary = demo.summary
    keys = list(summary)
    # The headline figures come before the secondary grades against the hidden truth.
    assert keys.index("forward") < keys.index("evaluation") < keys.index("rules_comparison")
    forward = summary["forward"]
    assert forward["not_available_because"] is None
    assert forward["horizon_days"] == 90
    assert forward["outcome"] == "a deal created for the contact or its company"
    as_of = date.fromisoformat(forward["as_of"])
    assert abs((date.today() - as_of).days - 90) <= 1
    # Graded on exactly the leads open then: those existing, not converted by then.
    open_then = (forward["contacts_then"] - forward["converted_by_then"]
                 - forward["conversion_time_unknown"])
    assert forward["open_leads"] == open_then > 0
    assert 0 < forward["conversions"] < forward["open_leads"]
    graded = [forward["score"], forward["point_in_time"]["forward"],
              forward["current_values"]["forward"]]
    for figures in graded:
        assert figures["open_leads"] == forward["open_leads"]
        assert figures["conversions"] == forward["conversions"]
        auc = figures["auc"]
        assert 0 <= auc["low"] <= auc["estimate"] <= auc["high"] <= 1
    for method in ("point_in_time", "current_values"):
        training = forward[method]
        assert training["method"] == method
        assert 0.5 < training["in_sample_auc"] <= 1
        # Trained on the contacts that existed then, with the conversions known then.
        assert training["rows"] <= forward["contacts_then"]
        assert training["positives"] <= forward["converted_by_then"]
    for finding in forward["post_outcome"]:
        assert finding["share_after"] > 0.5
        assert finding["share_after"] == pytest.approx(
            finding["set_after"] / finding["converted_with_value"]
        )
        assert f"for {finding['set_after']} of {finding['converted_with_value']}" in (
            finding["evidence"]
        )
    found = {finding["column"] for finding in forward["post_outcome"]}
    planted = forward["planted"]
    assert [check["column"] for check in planted] == list(PLANTED_POST_OUTCOME_PROPERTIES)
    assert all(check["found"] == (check["column"] in found) for check in planted)


def test_new_leads_are_scored_through_webhooks(demo: DemoRun) -> None:
    webhooks = demo.summary["webhooks"]
    assert webhooks["leads_added"] == 10
    assert webhooks["leads_scored"] == webhooks["leads_added"]
    for lead in webhooks["leads"]:
        assert 0 <= lead["score"] <= 100
        assert lead["tier"] in TIERS
        assert lead["seconds_to_score"] > 0
    assert webhooks["deliveries"]["delivered_events"] >= webhooks["leads_added"]
    assert webhooks["max_seconds_to_score"] >= webhooks["median_seconds_to_score"]


def test_scores_rank_the_hidden_truth(demo: DemoRun) -> None:
    evaluation = demo.summary["evaluation"]
    graded = CONTACTS + demo.summary["webhooks"]["leads_added"]  # the new leads are graded too
    assert evaluation["contacts"] == graded
    assert evaluation["auc_score"] > 0.6
    deciles = evaluation["deciles"]
    assert len(deciles) == 10
    assert deciles[0]["rate"] > deciles[-1]["rate"]
    assert sum(row["leads"] for row in deciles) == graded
    tiers = {row["tier"]: row for row in evaluation["tiers"]}
    assert set(tiers) <= TIERS
    assert sum(row["leads"] for row in tiers.values()) == graded
    if "hot" in tiers and "cold" in tiers:
        assert tiers["hot"]["rate"] > tiers["cold"]["rate"]


def test_contact_only_rules_are_graded_on_the_same_leads(demo: DemoRun) -> None:
    summary = demo.summary
    evaluation = summary["evaluation"]
    comparison = summary["rules_comparison"]
    # Same leads, same truth, same split into open leads as the written scores' grade.
    assert comparison["leads"] == evaluation["contacts"]
    assert comparison["conversions"] == evaluation["conversions"]
    assert comparison["open_leads"] == evaluation["open_leads"]
    future = evaluation["open_leads_future_conversions"]
    assert comparison["open_leads_future_conversions"] == future
    # The combined score beside them is the written one, graded the same way.
    assert comparison["auc_combined"] == pytest.approx(evaluation["auc_score"])
    assert comparison["forward_auc_combined"] == pytest.approx(evaluation["auc_open_leads"])
    aware, baseline = comparison["company_aware"], comparison["contact_only"]
    assert aware["config"] == "config/scoring.yaml"
    assert baseline["config"] == "config/contact-only.yaml"
    assert aware["version"] != baseline["version"]
    for key, grade in (("company_aware", aware), ("contact_only", baseline)):
        # Both rule sets rank who converts well above chance, rules alone.
        assert comparison[f"auc_rules_{key}"] == grade["auc"]
        assert grade["auc"] > 0.6
        assert comparison[f"forward_auc_rules_{key}"] == grade["forward_auc"]
        assert sum(row["leads"] for row in grade["tiers"]) == comparison["leads"]
        assert sum(row["conversions"] for row in grade["tiers"]) == comparison["conversions"]
    assert future > 0, "the portal should have open leads that convert later"
    difference = comparison["forward_auc_difference"]
    assert difference["estimate"] == pytest.approx(
        aware["forward_auc"] - baseline["forward_auc"]
    )
    assert difference["low"] <= difference["estimate"] <= difference["high"]
    assert difference["significant"] == (difference["low"] > 0 or difference["high"] < 0)
    assert "rules only" in comparison["note"]


def test_grades_are_counted_over_the_scored_contacts(demo: DemoRun) -> None:
    summary = demo.summary
    grades = summary["grades"]
    assert grades["property"] == "leadscore_grade"
    assert "leadscore_grade" in summary["properties_provisioned"]
    expected = [letter + digit for letter in "ABC" for digit in "123"]
    assert list(grades["counts"]) == expected
    assert [row["grade"] for row in grades["rows"]] == expected
    assert sum(grades["counts"].values()) == grades["graded"]
    graded = summary["evaluation"]["contacts"]
    assert grades["graded"] + grades["without_grade"] == graded
    # Every scored lead has a grade except the excluded (disqualified) ones.
    tiers = {row["tier"]: row["leads"] for row in summary["evaluation"]["tiers"]}
    assert grades["without_grade"] == tiers.get("disqualified", 0)
    rows = {row["grade"]: row for row in grades["rows"]}
    assert rows["A1"]["contacts"] > 0 and rows["C3"]["contacts"] > 0
    # A great fit that is highly engaged converts more often than neither.
    assert rows["A1"]["rate"] > rows["C3"]["rate"]


def test_company_scores_are_reported_as_hubspot_shows_them(demo: DemoRun) -> None:
    companies = demo.summary["companies"]
    assert companies["status"] in {"written", "not_written", "not_provisioned"}
    if companies["status"] == "not_provisioned":
        assert companies["companies"] == companies["scored"] == 0
        assert companies["top"] == [] and companies["tiers"] == {}
        assert "no company score" in companies["note"]
        return
    assert companies["companies"] > 0
    if companies["status"] == "not_written":
        assert companies["scored"] == 0 and companies["top"] == []
        return
    assert 0 < companies["scored"] <= companies["companies"]
    assert sum(companies["tiers"].values()) == companies["scored"]
    assert set(companies["tiers"]) <= TIERS | {"none"}
    top = companies["top"]
    assert 0 < len(top) <= 5
    scores = [account["score"] for account in top]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 100 for score in scores)


def test_no_request_was_rate_limited(demo: DemoRun) -> None:
    api = demo.summary["api"]
    assert api["rate_limited_seen"] == 0
    assert api["rate_limited_by_policy"] == {}
    calls = api["connector_calls"]
    assert calls["total"] == sum(v for k, v in calls.items() if k != "total")
    # One batch update carries up to 100 contacts: a first sync needs at least n/100.
    assert calls.get("batch_update", 0) >= CONTACTS // 100
    # The sandbox saw at least what the connector's runs counted (plus OAuth, provisioning).
    assert api["sandbox_requests"] >= calls["total"]


def test_every_step_is_timed_in_order(demo: DemoRun) -> None:
    summary = demo.summary
    steps = [t["step"] for t in summary["timings"]]
    assert steps == [
        "sandbox", "connector", "connect", "full_sync", "train", "rescore", "webhooks", "grade"
    ]
    assert summary["total_seconds"] >= sum(t["seconds"] for t in summary["timings"])


def test_report_is_written_and_self_contained(demo: DemoRun) -> None:
    summary = demo.summary
    assert Path(summary["report_path"]) == demo.report.resolve()
    html = demo.report.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "<svg" in html
    # The forward grade leads, with its outcome; the all-contacts evidence is secondary.
    forward = summary["forward"]
    assert html.index('id="forward"') < html.index("secondary, flattering")
    assert f"Forward-looking: as of {forward['as_of']} (T − 90 days)" in html
    assert forward["outcome"] in html
    # Nothing fetched when the page opens: no external scripts, styles, images or fonts.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert "@import" not in html


def test_demo_cleans_up_after_itself(demo: DemoRun) -> None:
    summary = demo.summary
    assert summary["data_dir"] is None
    assert summary["dashboard_url"] is None
    assert list(demo.tmpdir.iterdir()) == []
    assert _port_closed(summary["sandbox_url"])
    assert _port_closed(summary["app_url"])
    # Nothing the demo started outlives it.
    stray = [
        pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline_mentions(pid, demo.work)
    ]
    assert stray == []


def _cmdline_mentions(pid: str, path: Path) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return str(path).encode() in cmdline


@pytest.fixture
def serving_demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A demo left serving its dashboard (small portal), killed if a test leaves it running."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = subprocess.Popen(
        [str(LEADSCORE), "demo", "--json", "--contacts", "600", "--new-leads", "3"],
        cwd=tmp_path,
        env=_clean_env(tmpdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        # As in a terminal: Ctrl-C (SIGINT) reaches the demo even if this runner ignores it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        yield process, tmpdir
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_dashboard_is_served_until_interrupted_then_everything_stops(
    serving_demo: tuple[subprocess.Popen[str], Path],
) -> None:
    process, tmpdir = serving_demo
    assert process.stdout is not None
    line = process.stdout.readline()  # the summary, printed before serving
    summary = json.loads(line)
    dashboard = summary["dashboard_url"]
    assert dashboard.startswith(summary["app_url"] + "/dashboard")
    with httpx.Client(follow_redirects=True, timeout=30) as browser:
        page = browser.get(dashboard)
        assert page.status_code == 200
        # The login link's token became a session cookie: the page opens without it.
        assert browser.get(summary["app_url"] + "/dashboard").status_code == 200
    assert len(list(tmpdir.iterdir())) == 1  # the temporary data dir, while serving
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert list(tmpdir.iterdir()) == []
    deadline = time.monotonic() + 5
    while not (_port_closed(summary["app_url"]) and _port_closed(summary["sandbox_url"])):
        assert time.monotonic() < deadline, "the demo's ports are still open"
        time.sleep(0.1)
