"""Time and peak memory of the sandbox's portal generator at 100k and 1M contacts.

Each size runs in a fresh subprocess so that its peak resident memory (`ru_maxrss`) is its
own. Prints one JSON document:

    {"results": [{"contacts": 100000, "seconds": ..., "cpu_seconds": ..., "peak_rss_mb": ...,
                  "engagements": ..., "companies": ..., "deals": ..., "conversion_rate": ...},
                 ...]}

Usage: `python benchmarks/generator_scale.py [--sizes 100000 1000000] [--seed 42]`
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

NOW_MS = 1_795_305_600_000  # 2026-11-22T00:00:00Z, fixed so runs are comparable


def measure(n_contacts: int, seed: int) -> dict[str, float | int]:
    """Generate one portal in this process and report time, peak RSS and its shape."""
    from connector.sandbox.generator import generate_portal

    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    portal = generate_portal(n_contacts, seed=seed, now_ms=NOW_MS)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {
        "contacts": len(portal),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),  # wall time swells on a busy machine
        "peak_rss_mb": round(peak_mb, 1),
        "rss_before_mb": round(baseline_mb, 1),
        "engagements": sum(len(cols["hs_object_id"]) for cols in portal.engagements.values()),
        "companies": len(portal.companies["hs_object_id"]),
        "deals": len(portal.deals["hs_object_id"]),
        "conversion_rate": round(float(portal.truth["converted"].mean()), 4),
    }


def main() -> None:
    """Run each size in its own interpreter and print the collected JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.seed)))
        return
    results = []
    for size in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(done.stdout))
    print(json.dumps({"benchmark": "generator_scale", "results": results}, indent=2))


if __name__ == "__main__":
    main()
