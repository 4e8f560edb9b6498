"""Account-aware full sync at the OAuth app's limits: contacts, companies and deals (a
20,000-contact portal has about 6,000 companies and 2,000 deals), API calls against the
minimum the batch limits allow, 429s, wall time against the rate-limit floor; then an
incremental pass after 1 % of the companies changed. Prints JSON.

The minimum: list pages of 100 for contacts, companies and deals; per 1,000 contacts one
associations call per engagement kind plus one for their companies; engagement batch
reads of 100; per 1,000 deals one associations call for their contacts and one for their
companies; batch updates of 100 for the contacts and for the companies' scores.

Usage: python benchmarks/sync_accounts.py [--contacts 20000] [--quick]
"""

from __future__ import annotations

import json
import math
import random
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

OVERLAP_S = 5
INDUSTRIES = ("COMPUTER_SOFTWARE", "RETAIL", "HIGHER_EDUCATION", "FINANCIAL_SERVICES")


def main() -> None:
    """Run the benchmark and print one JSON document."""
    contacts = contacts_argument(__doc__)
    with sandbox_process(contacts, rate_limits=True) as box, temporary_store() as (store, tmp):
        service = sync_service(settings_for(box, tmp, sync_overlap_seconds=OVERLAP_S), store)
        connect_oauth(box, service)
        counts = box.control("GET", "/portals")["results"][0]
        companies, deals = int(counts["companies"]), int(counts["deals"])
        print(f"syncing {contacts} contacts, {companies} companies, {deals} deals at "
              f"{OAUTH_PER_10S}/10 s ...", file=sys.stderr)
        started = time.monotonic()
        full = service.run_pass(box.hub_id, full=True)
        wall = time.monotonic() - started
        minimum = minimum_calls(store, box.hub_id, contacts, service.activity_kinds)
        minimum["list"] += math.ceil(companies / 100) + math.ceil(deals / 100)
        minimum["associations"] += math.ceil(contacts / 1000) + 2 * math.ceil(deals / 1000)
        minimum["batch_update"] += math.ceil(companies / 100)
        sandbox_429 = sum(box.control("GET", f"/portals/{box.hub_id}/counters")
                          ["rate_limited"].values())
        # Past the overlap, one pass absorbs the full sync's own echoes; then users edit
        # 1 % of the companies and the measured pass follows only that.
        time.sleep(OVERLAP_S + 1)
        echoes = service.run_pass(box.hub_id)
        changed = max(1, companies // 100)
        ids = [r["id"] for r in box.control(
            "GET", f"/portals/{box.hub_id}/export?object=companies")["results"]]
        rng = random.Random(11)
        for company_id in rng.sample(ids, changed):
            box.control("PATCH", f"/portals/{box.hub_id}/companies/{company_id}",
                        json={"industry": rng.choice(INDUSTRIES)})
        started = time.monotonic()
        measured = service.run_pass(box.hub_id)
        incremental_wall = time.monotonic() - started
    figures = full_pass_figures(full, minimum, wall, sandbox_429)
    print(json.dumps({
        "benchmark": "sync_accounts",
        "contacts": contacts,
        "companies": companies,
        "deals": deals,
        "full": {
            "completed": full.completed,
            "contacts_written": full.contacts_written,
            "companies_read": full.companies_read,
            "companies_written": full.companies_written,
            "deals_read": full.deals_read,
            **figures,
        },
        "echo_pass": {"api_calls": echoes.api_calls_total,
                      "companies_written": echoes.companies_written,
                      "contacts_written": echoes.contacts_written},
        "incremental_after_1pct_companies_changed": {
            "companies_changed": changed,
            "companies_read": measured.companies_read,
            "contacts_read": measured.contacts_read,
            "contacts_scored": measured.contacts_scored,
            "contacts_written": measured.contacts_written,
            "companies_written": measured.companies_written,
            "api_calls_by_kind": measured.api_calls,
            "api_calls": measured.api_calls_total,
            "share_of_full_calls": round(measured.api_calls_total
                                         / max(1, figures["sync_calls"]), 4),
            "rate_limited": measured.rate_limited,
            "wall_s": round(incremental_wall, 2),
        },
    }))


if __name__ == "__main__":
    main()
