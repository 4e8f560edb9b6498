"""Incremental pass after 1 % of the contacts changed, at the OAuth app's limits: its API
calls should follow the change, not the portal's size. Prints JSON.

Steps: full sync; wait past the window overlap; one incremental pass (it absorbs the full
sync's own echoes, reading them but skipping them); change 1 % of the contacts (a user
editing them); the measured pass.

Usage: python benchmarks/sync_incremental.py [--contacts 20000] [--quick]
"""

from __future__ import annotations

import json
import math
import random
import sys
import time

from benchmarks._sync_support import (
    connect_oauth,
    contacts_argument,
    sandbox_process,
    settings_for,
    temporary_store,
)
from connector.wiring import sync_service

OVERLAP_S = 5
TITLES = ("CEO", "VP Marketing", "Head of Sales", "Student", "Software Engineer")


def main() -> None:
    """Run the benchmark and print one JSON document."""
    contacts = contacts_argument(__doc__)
    changed = max(1, contacts // 100)
    with sandbox_process(contacts, rate_limits=True) as box, temporary_store() as (store, tmp):
        service = sync_service(settings_for(box, tmp, sync_overlap_seconds=OVERLAP_S), store)
        connect_oauth(box, service)
        print(f"full sync of {contacts} contacts ...", file=sys.stderr)
        full = service.run_pass(box.hub_id, full=True)
        # Past the overlap, the next window no longer reaches the full sync's own writes
        # except as echoes in this first pass; the measured pass then sees only the edits.
        time.sleep(OVERLAP_S + 1)
        echoes = service.run_pass(box.hub_id)
        ids = sorted(int(r["id"]) for r in box.control("GET", f"/portals/{box.hub_id}/export")
                     ["results"])
        rng = random.Random(7)
        for contact_id in rng.sample(ids, changed):
            box.control("PATCH", f"/portals/{box.hub_id}/contacts/{contact_id}",
                        json={"jobtitle": rng.choice(TITLES)})
        started = time.monotonic()
        measured = service.run_pass(box.hub_id)
        wall = time.monotonic() - started
    print(json.dumps({
        "benchmark": "sync_incremental",
        "contacts": contacts,
        "changed": changed,
        "full_sync_calls": full.api_calls_total,
        "echo_pass": {"read": echoes.contacts_read, "skipped_unchanged": echoes.skipped_unchanged,
                      "written": echoes.contacts_written, "api_calls": echoes.api_calls},
        "incremental": {
            "read": measured.contacts_read,
            "scored": measured.contacts_scored,
            "written": measured.contacts_written,
            "skipped_unchanged": measured.skipped_unchanged,
            "api_calls_by_kind": measured.api_calls,
            "api_calls": measured.api_calls_total,
            "rate_limited": measured.rate_limited,
            "wall_s": round(wall, 2),
        },
        "incremental_calls_per_changed_contact": round(measured.api_calls_total / changed, 3),
        "incremental_share_of_full_calls": round(
            measured.api_calls_total / max(1, full.api_calls_total), 4),
        "changed_share": round(changed / contacts, 4),
        "expected_minimum": {
            "search": math.ceil(changed / 200),
            "associations": len(service.activity_kinds) * math.ceil(changed / 1000),
            "batch_update": math.ceil(changed / 100),
        },
    }))


if __name__ == "__main__":
    main()
