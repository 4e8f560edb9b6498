"""Real-time scoring latency: from a lead's creation in HubSpot (the sandbox) to its scores
being readable there, at 10 new leads per second, within the OAuth app's rate limit
(110 requests / 10 s, enforced by the sandbox). Target: p95 under 3 s. Prints JSON.

The path measured: sandbox creates the contact → signed webhook (HubSpot's batching window)
→ the app verifies and stores it → the drain claims, reads the contact and its engagement,
scores and writes back → the values are readable in the sandbox.

Usage: python benchmarks/webhooks_latency.py [--seconds 30] [--rate 10] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

from benchmarks._sync_support import (
    RemoteSandbox,
    connect_oauth,
    sandbox_process,
    settings_for,
    temporary_store,
)
from connector.scoring.properties import property_names
from connector.web.app import create_app
from connector.web.services import WebServices
from connector.web.serving import bind_socket, serve_in_thread
from connector.wiring import sync_service

SCORE = property_names("default").score
EXISTING_CONTACTS = 200
POLL_S = 0.05
RATE_WINDOW_S = 10.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class ScoreWatcher:
    """Polls the sandbox's export and records when each watched contact first has a score."""

    def __init__(self, box: RemoteSandbox) -> None:
        self._box = box
        self._lock = threading.Lock()
        self.created: dict[int, float] = {}
        self.scored: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def watch(self, contact_id: int, created: float) -> None:
        with self._lock:
            self.created[contact_id] = created

    def waiting(self) -> int:
        with self._lock:
            return len(self.created) - len(self.scored)

    def _run(self) -> None:
        while not self._stop.is_set():
            export = self._box.control("GET", f"/portals/{self._box.hub_id}/export")
            seen = time.monotonic()
            with self._lock:
                for record in export["results"]:
                    contact_id = int(record["id"])
                    if (contact_id in self.created and contact_id not in self.scored
                            and record["properties"].get(SCORE)):
                        self.scored[contact_id] = seen
            time.sleep(POLL_S)


def main() -> None:
    """Run the benchmark and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0, help="How long leads arrive.")
    parser.add_argument("--rate", type=float, default=10.0, help="New leads per second.")
    parser.add_argument("--quick", action="store_true", help="10 seconds of leads")
    args = parser.parse_args()
    seconds = 10.0 if args.quick else args.seconds
    with sandbox_process(EXISTING_CONTACTS, rate_limits=True) as box, \
            temporary_store() as (store, tmp):
        sock = bind_socket("127.0.0.1", 0)
        settings = settings_for(box, Path(tmp), public_url=f"http://127.0.0.1:"
                                                           f"{sock.getsockname()[1]}")
        sync = sync_service(settings, store, worker_id="bench")
        connect_oauth(box, sync)
        print(f"first sync of {EXISTING_CONTACTS} contacts ...", file=sys.stderr)
        sync.run_pass(box.hub_id, full=True)
        # Steady state: the first sync's calls leave the 10-second rate window first.
        time.sleep(RATE_WINDOW_S)
        services = WebServices.build(settings, store, sync=sync, scheduler=False)
        app = create_app(services)
        before = box.control("GET", f"/portals/{box.hub_id}/counters")
        with serve_in_thread(app, sock=sock):
            services.start_background()
            box.control("PUT", "/webhooks/target", json={"url": settings.webhook_url})
            watcher = ScoreWatcher(box)
            watcher.start()
            total = int(seconds * args.rate)
            print(f"{total} new leads at {args.rate}/s ...", file=sys.stderr)
            started = time.monotonic()
            for i in range(total):
                # Each lead on its own, on schedule, as sign-ups arrive.
                due = started + i / args.rate
                time.sleep(max(0.0, due - time.monotonic()))
                sent = time.monotonic()
                ids = box.control("POST", f"/portals/{box.hub_id}/leads", json={"leads": [{
                    "email": f"signup{i}@latency.example", "firstname": f"Lead{i}",
                    "jobtitle": "Marketing Manager" if i % 2 else "Head of Sales",
                }]})["ids"]
                watcher.watch(int(ids[0]), sent)
            deadline = time.monotonic() + 60
            while watcher.waiting() and time.monotonic() < deadline:
                time.sleep(0.1)
            watcher.stop()
            services.stop_background()
        counters = box.control("GET", f"/portals/{box.hub_id}/counters")
        sock.close()
    latencies = [watcher.scored[c] - watcher.created[c] for c in watcher.scored]
    print(json.dumps({
        "benchmark": "webhooks_latency",
        "leads": total,
        "leads_per_second": args.rate,
        "scored": len(latencies),
        "not_scored_within_60s": total - len(latencies),
        "latency_s": {
            "p50": round(statistics.median(latencies), 3) if latencies else None,
            "p95": round(_percentile(latencies, 0.95), 3) if latencies else None,
            "max": round(max(latencies), 3) if latencies else None,
        },
        "target_p95_s": 3.0,
        "hubspot_calls": counters["total_requests"] - before["total_requests"],
        "rate_limited_429": (sum(counters["rate_limited"].values())
                             - sum(before["rate_limited"].values())),
        "rate_limit": "OAuth app: 110 requests / 10 s",
        "drain_rounds": services.drain.stats.rounds if services.drain else 0,
    }, indent=2))


if __name__ == "__main__":
    main()
