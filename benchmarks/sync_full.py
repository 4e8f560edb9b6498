"""Full sync at the OAuth app's limits (110 requests / 10 s): API calls against the minimum the
batch limits allow, 429s, and wall time against what the rate limit allows. Prints JSON.

Usage: python benchmarks/sync_full.py [--contacts 20000] [--quick]
"""

from __future__ import annotations

import json
import sys
import time

from benchmarks._sync_support import (
    OAUTH_PER_10S,
    connect_oauth,
    contacts_argument,
    full_pass_figures,
    minimum_calls,
    sandbox_process,
    settings_for,
    temporary_store,
)
from connector.wiring import sync_service


def main() -> None:
    """Run the benchmark and print one JSON document."""
    contacts = contacts_argument(__doc__)
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
    print(json.dumps({
        "benchmark": "sync_full",
        "contacts": contacts,
        "completed": report.completed,
        "contacts_written": report.contacts_written,
        **full_pass_figures(report, minimum, wall, sandbox_429),
    }))


if __name__ == "__main__":
    main()
