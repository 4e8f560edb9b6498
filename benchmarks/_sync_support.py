"""Shared by the sync benchmarks: a sandbox in its own process and a connected sync service.

The sandbox runs as `python -m connector sandbox` in a separate interpreter so its CPU does
not compete with the connector's for one GIL (as with a real HubSpot across the network).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.fernet import Fernet

from connector.hubspot import GatewayOptions
from connector.hubspot.pacing import PortalLimits, WindowLimit
from connector.settings import Settings
from connector.store import Store, Tokens, open_store
from connector.sync.connection import ConnectionService
from connector.sync.report import PassReport
from connector.sync.service import SyncService

ROOT = Path(__file__).resolve().parents[1]
UNPACED = PortalLimits(WindowLimit(1_000_000, 10.0), WindowLimit(1_000_000, 1.0),
                       WindowLimit(1_000_000, 10.0), None)


@dataclass
class RemoteSandbox:
    """A sandbox process: its URL, portal and static token."""

    url: str
    hub_id: int
    static_token: str
    http: httpx.Client

    def control(self, method: str, path: str, **kw: Any) -> Any:
        response = self.http.request(method, f"/_sandbox{path}", **kw)
        response.raise_for_status()
        return response.json()


@contextmanager
def sandbox_process(contacts: int, *, rate_limits: bool) -> Iterator[RemoteSandbox]:
    """Start `leadscore sandbox` on a free port; stop it afterwards."""
    command = [sys.executable, "-m", "connector", "sandbox", "--port", "0", "--contacts",
               str(contacts), "--search-delay", "0", "--json",
               "--rate-limits" if rate_limits else "--no-rate-limits"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        details = json.loads(process.stdout.readline())
        portal = details["portals"][0]
        with httpx.Client(base_url=details["url"], timeout=120) as http:
            yield RemoteSandbox(details["url"], int(portal["hub_id"]), portal["static_token"],
                                http)
    finally:
        process.terminate()
        process.wait(30)


def settings_for(box: RemoteSandbox, data_dir: Path, **extra: Any) -> Settings:
    """Settings pointing at the sandbox and its OAuth app."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "hubspot_api_url": box.url,
        "hubspot_app_url": box.url,
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "public_url": "http://127.0.0.1:9",
        "scoring_config": ROOT / "config" / "scoring.yaml",
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


@contextmanager
def temporary_store() -> Iterator[tuple[Store, Path]]:
    """A fresh SQLite store in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-") as tmp, open_store(
        f"sqlite:///{tmp}/state.db", encryption_key=Fernet.generate_key().decode()
    ) as store:
        yield store, Path(tmp)


def connect_oauth(box: RemoteSandbox, service: SyncService) -> None:
    """The one-click flow against the sandbox's authorize page (auto-approved)."""
    connection = ConnectionService(service.settings, service.store, service)
    url = connection.authorize_url() + f"&auto_approve={box.hub_id}"
    location = box.http.get(url, follow_redirects=False).headers["location"]
    query = parse_qs(urlsplit(location).query)
    connection.complete(query["code"][0], query["state"][0])


def connect_static(box: RemoteSandbox, store: Store) -> None:
    """Record the portal as connected by its static token."""
    store.portals.connect(box.hub_id, kind="static", tokens=Tokens(box.static_token), tier="pro")


def unpaced() -> GatewayOptions:
    """No client-side pacing (for runs with the sandbox's rate limits off)."""
    return GatewayOptions(limits=UNPACED)


def minimum_calls(store: Store, hub_id: int, contacts: int, kinds: list[str]) -> dict[str, int]:
    """The fewest calls the batch limits allow for a full sync of `contacts`.

    Lists of 100, association batch reads of 1,000 (one per engagement kind), engagement
    batch reads of 100 per kind over the portal's engagements (counted from what the pass
    stored), updates of 100.
    """
    per_kind: Counter[str] = Counter()
    for batch in store.contacts.iter_batches(hub_id):
        for state in batch:
            per_kind.update(activity.kind for activity in state.inputs.activities)
    return {
        "list": math.ceil(contacts / 100),
        "associations": len(kinds) * math.ceil(contacts / 1000),
        "engagements": sum(math.ceil(per_kind[k] / 100) for k in kinds),
        "batch_update": math.ceil(contacts / 100),
    }


OAUTH_PER_10S = 110
"""The OAuth app's allowance: every call of a pass draws on it (associations too)."""


def full_pass_figures(report: PassReport, minimum: dict[str, int], wall_s: float,
                      sandbox_429: int) -> dict[str, Any]:
    """A full pass's calls against the minimum and its wall time against the rate-limit
    floor, as the sync benchmarks print them."""
    sync_calls = {k: v for k, v in report.api_calls.items() if k in minimum}
    total_min = sum(minimum.values())
    total = sum(sync_calls.values())
    floor_s = total_min * 10 / OAUTH_PER_10S
    return {
        "api_calls_by_kind": report.api_calls,
        "minimum_calls_by_kind": minimum,
        "sync_calls": total,
        "minimum_calls": total_min,
        "calls_over_minimum": round(total / total_min - 1, 4),
        "other_calls": {k: v for k, v in report.api_calls.items() if k not in minimum},
        "rate_limited_seen_by_client": report.rate_limited,
        "rate_limited_by_sandbox": sandbox_429,
        "wall_s": round(wall_s, 1),
        "rate_limit_floor_s": round(floor_s, 1),
        "wall_over_floor": round(wall_s / floor_s - 1, 4),
    }


def contacts_argument(doc: str | None) -> int:
    """The sync benchmarks' command line: `--contacts N` or `--quick` (3,000)."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="3,000 contacts")
    args = parser.parse_args()
    return 3_000 if args.quick else int(args.contacts)
