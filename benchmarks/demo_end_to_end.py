"""The whole product end to end: `leadscore demo --exit --json`, timed step by step.

Runs the installed console script (sandbox portal, OAuth connection, full sync under the
OAuth app's rate limits, training, rescore, webhook leads, grading, report) and prints one
JSON document: wall time per step, API calls, 429s, webhook time-to-score and the AUCs.

    python benchmarks/demo_end_to_end.py [--contacts 5000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

QUICK_CONTACTS = 1500


def run_demo(contacts: int) -> tuple[dict[str, Any], float]:
    """Run the demo once; its JSON summary and the wall time of the whole command."""
    leadscore = Path(sys.executable).with_name("leadscore")
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-demo-") as work:
        started = time.perf_counter()
        done = subprocess.run(
            [str(leadscore), "demo", "--exit", "--json", "--contacts", str(contacts),
             "--report", str(Path(work) / "report.html")],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"leadscore demo failed with exit code {done.returncode}")
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary, seconds


def figures(summary: dict[str, Any], command_seconds: float) -> dict[str, Any]:
    """The benchmark's JSON: what the demo measured about itself."""
    webhooks = summary["webhooks"]
    evaluation = summary["evaluation"]
    return {
        "benchmark": "demo_end_to_end",
        "contacts": summary["portal_contacts"],
        "command_seconds": round(command_seconds, 1),
        "demo_seconds": summary["total_seconds"],
        "steps_seconds": {t["step"]: t["seconds"] for t in summary["timings"]},
        "api_calls": summary["api"]["connector_calls"],
        "api_calls_by_run": summary["api"]["connector_calls_by_run"],
        "sandbox_requests": summary["api"]["sandbox_requests"],
        "rate_limited_429": summary["api"]["rate_limited_seen"],
        "webhook_leads_scored": f"{webhooks['leads_scored']}/{webhooks['leads_added']}",
        "webhook_median_seconds_to_score": webhooks["median_seconds_to_score"],
        "webhook_max_seconds_to_score": webhooks["max_seconds_to_score"],
        "auc_score_vs_truth": evaluation["auc_score"],
        "auc_likelihood_vs_truth": evaluation["auc_likelihood"],
        "auc_open_leads_future": evaluation["auc_open_leads"],
        "model_validation_auc": summary["model"]["validation_auc"],
    }


def main() -> None:
    """Parse arguments, run the demo, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CONTACTS} contacts")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("LEADSCORE_BENCH_QUICK") == "1"
    contacts = QUICK_CONTACTS if quick else args.contacts
    summary, seconds = run_demo(contacts)
    print(json.dumps(figures(summary, seconds)))


if __name__ == "__main__":
    main()
