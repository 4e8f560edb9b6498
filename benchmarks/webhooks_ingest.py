"""Webhook ingest: signed deliveries of 100 events accepted per second by the app, and how
fast each is answered (HubSpot's limit: 5 s), with HubSpot's 10 concurrent requests per
account. Only the web path is measured (verify, parse, insert into the SQLite inbox, 200);
processing happens later, outside the answer. Prints JSON.

Usage: python benchmarks/webhooks_ingest.py [--requests 300] [--concurrency 10] [--quick]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from connector.settings import Settings
from connector.store import open_store
from connector.web.app import create_app
from connector.web.services import WebServices
from connector.web.serving import bind_socket, serve_in_thread
from connector.wiring import sync_service

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-client-secret"
EVENTS_PER_REQUEST = 100
PORTAL = 1000001


def _body(request_no: int) -> bytes:
    base = request_no * EVENTS_PER_REQUEST
    now = int(time.time() * 1000)
    return json.dumps([
        {"eventId": 10_000_000 + base + i, "subscriptionId": 77, "portalId": PORTAL,
         "appId": 424242, "occurredAt": now, "subscriptionType": "contact.creation",
         "attemptNumber": 0, "objectId": 50_000_000_000 + base + i, "changeSource": "CRM_UI"}
        for i in range(EVENTS_PER_REQUEST)
    ]).encode()


def _headers(uri: str, body: bytes) -> dict[str, str]:
    stamp = str(int(time.time() * 1000))
    digest = hmac.new(SECRET.encode(), b"POST" + uri.encode() + body + stamp.encode(),
                      hashlib.sha256).digest()
    return {"X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
            "X-HubSpot-Request-Timestamp": stamp, "Content-Type": "application/json"}


def main() -> None:
    """Run the benchmark and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="Deliveries of 100 events.")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="60 deliveries")
    args = parser.parse_args()
    requests = 60 if args.quick else args.requests
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-") as tmp:
        sock = bind_socket("127.0.0.1", 0)
        settings = Settings(
            _env_file=None, data_dir=Path(tmp), client_secret=SECRET,
            public_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
            scoring_config=ROOT / "config" / "scoring.yaml",
            token_encryption_key=Fernet.generate_key().decode(),
            dashboard_token="bench",
        )
        with open_store(settings=settings) as store:
            services = WebServices.build(settings, store, sync=sync_service(settings, store),
                                         scheduler=False)
            # Ingest alone: no drain competes for the database.
            services.drain = None
            bodies = [_body(n) for n in range(requests)]
            latencies: list[float] = []
            lock = threading.Lock()
            with serve_in_thread(create_app(services), sock=sock) as served, \
                    httpx.Client(base_url=served.url, timeout=30,
                                 limits=httpx.Limits(max_connections=args.concurrency)) as http:

                def deliver(body: bytes) -> None:
                    sent = time.perf_counter()
                    response = http.post("/webhooks/hubspot", content=body,
                                         headers=_headers(settings.webhook_url, body))
                    response.raise_for_status()
                    with lock:
                        latencies.append(time.perf_counter() - sent)

                deliver(_body(requests))  # warm-up (first connection, first insert)
                latencies.clear()
                print(f"{requests} deliveries of {EVENTS_PER_REQUEST} events, "
                      f"{args.concurrency} at a time ...", file=sys.stderr)
                started = time.perf_counter()
                with ThreadPoolExecutor(args.concurrency) as pool:
                    list(pool.map(deliver, bodies))
                wall = time.perf_counter() - started
            stored = sum(store.inbox.counts().values())
    latencies.sort()
    events = requests * EVENTS_PER_REQUEST
    print(json.dumps({
        "benchmark": "webhooks_ingest",
        "database": "sqlite",
        "deliveries": requests,
        "events_per_delivery": EVENTS_PER_REQUEST,
        "concurrency": args.concurrency,
        "events_stored": stored - EVENTS_PER_REQUEST,
        "seconds": round(wall, 3),
        "events_per_second": round(events / wall, 1),
        "deliveries_per_second": round(requests / wall, 1),
        "answer_ms": {
            "p50": round(statistics.median(latencies) * 1000, 1),
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
            "max": round(latencies[-1] * 1000, 1),
        },
        "hubspot_timeout_ms": 5000,
    }, indent=2))


if __name__ == "__main__":
    main()
