"""Peak memory of a full sync does not grow with the portal's size (20k vs 200k contacts).

Each size runs in its own interpreter (peak RSS is per process) against a sandbox process
with rate limits off; the pass works chunk by chunk, so its peak should be set by the chunk
size, not by the number of contacts. Prints JSON.

Usage: python benchmarks/sync_memory.py [--sizes 20000 200000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from benchmarks._sync_support import (
    ROOT,
    connect_static,
    sandbox_process,
    settings_for,
    temporary_store,
    unpaced,
)
from connector.wiring import sync_service


def measure(contacts: int) -> dict[str, object]:
    """One full sync of `contacts` in this process: peak RSS before and after, time."""
    with sandbox_process(contacts, rate_limits=False) as box, temporary_store() as (store, tmp):
        service = sync_service(settings_for(box, tmp), store, options=unpaced())
        connect_static(box, store)
        with service.session(box.hub_id) as session:
            service.ensure_properties(session)
            service.stages(session)
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        report = service.run_pass(box.hub_id, full=True)
        wall = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "contacts": contacts,
        "completed": report.completed,
        "contacts_written": report.contacts_written,
        "rss_before_pass_mb": round(baseline / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "pass_growth_mb": round((peak - baseline) / 1024, 1),
        "wall_s": round(wall, 1),
        "api_calls": report.api_calls_total,
    }


def main() -> None:
    """Run each size in a child interpreter and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--quick", action="store_true", help="2,000 vs 20,000 contacts")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child)))
        return
    sizes = [2_000, 20_000] if args.quick else args.sizes
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = []
    for size in sizes:
        print(f"full sync of {size} contacts ...", file=sys.stderr)
        done = subprocess.run([sys.executable, __file__, "--child", str(size)], env=env,
                              cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    small, large = runs[0], runs[-1]
    print(json.dumps({
        "benchmark": "sync_memory",
        "runs": runs,
        "size_ratio": round(large["contacts"] / small["contacts"], 1),
        "peak_ratio": round(large["peak_rss_mb"] / small["peak_rss_mb"], 3),
        "pass_growth_ratio": round(large["pass_growth_mb"] / max(small["pass_growth_mb"], 1.0),
                                   3),
    }))


if __name__ == "__main__":
    main()
