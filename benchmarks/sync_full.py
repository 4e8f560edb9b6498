"""Full sync at the OAuth app's limits (110 requests / 10 s): API calls against the minimum the
batch limits allow, 429s, and wall time against what the rate limit allows. Prints JSON.

Usage: python benchmarks/sync_full.py [--contacts 20000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from benchmarks._sync_support import (
    connect_oauth,
    minimum_calls,
    sandbox_process,
    settings_for,
    temporary_store,
)
from connector.wiring import sync_service

OAUTH_PER_10S = 110


def main() -> None:
    """Run the benchmark and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="3,000 contacts")
    args = parser.parse_args()
    contacts = 3_000 if args.quick else args.contacts
    with sandbox_process(contacts, rate_limits=True) as box, temporary_store() as (store, tmp):
        service = sync_service(settings_for(box, tmp), store)
        connect_oauth(box, service)
        print(f"syncing {contacts} contacts at {OAUTH_PER_10S}/10 s ...", file=sys.stderr)
        started = time.monotonic()
        report = service.run_pass(box.hub_id, full=True)
        wall = time.monotonic() - started
        minimum = minimum_calls(store, box.hub_id, contacts, service.activity_kinds)
        sandbox_429 = sum(box.control("GET", f"/portals/{box.hub_id}/counters")
                          ["rate_limited"].values())
    sync_calls = {k: v for k, v in report.api_calls.items() if k in minimum}
    total_min = sum(minimum.values())
    total = sum(sync_calls.values())
    # Every one of these calls draws on the 110/10 s allowance (associations too).
    rate_limit_s = total_min * 10 / OAUTH_PER_10S
    print(json.dumps({
        "benchmark": "sync_full",
        "contacts": contacts,
        "completed": report.completed,
        "contacts_written": report.contacts_written,
        "api_calls_by_kind": report.api_calls,
        "minimum_calls_by_kind": minimum,
        "sync_calls": total,
        "minimum_calls": total_min,
        "calls_over_minimum": round(total / total_min - 1, 4),
        "other_calls": {k: v for k, v in report.api_calls.items() if k not in minimum},
        "rate_limited_seen_by_client": report.rate_limited,
        "rate_limited_by_sandbox": sandbox_429,
        "wall_s": round(wall, 1),
        "rate_limit_floor_s": round(rate_limit_s, 1),
        "wall_over_floor": round(wall / rate_limit_s - 1, 4),
    }))


if __name__ == "__main__":
    main()
