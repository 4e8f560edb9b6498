"""Sync fixtures: a real sandbox over loopback HTTP, a real store, the real SDK."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from connector.hubspot import GatewayOptions
from connector.hubspot.pacing import PortalLimits, WindowLimit
from connector.hubspot.retry import RetryPolicy
from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.settings import Settings
from connector.store import Store, Tokens, open_store
from connector.sync.service import SyncService
from connector.wiring import sync_service

CONFIG = Path(__file__).resolve().parents[2] / "config" / "scoring.yaml"
UNPACED = PortalLimits(WindowLimit(100_000, 10.0), WindowLimit(100_000, 1.0),
                       WindowLimit(100_000, 10.0), None)
FAST_RETRY = RetryPolicy(max_attempts=10, backoff_base_s=0.01, backoff_max_s=0.2,
                         rate_limit_jitter_s=0.05)


@dataclass
class Box:
    """A running sandbox and helpers around it."""

    server: SandboxServer
    http: httpx.Client

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def hub_id(self) -> int:
        return self.server.config.portal_hub_ids()[0]

    def control(self, method: str, path: str, **kw: Any) -> Any:
        response = self.http.request(method, f"/_sandbox{path}", **kw)
        response.raise_for_status()
        return response.json()

    def contacts(self) -> dict[str, dict[str, str]]:
        """Every live contact's properties, by id (the sandbox's export)."""
        rows = self.control("GET", f"/portals/{self.hub_id}/export")["results"]
        return {r["id"]: r["properties"] for r in rows}

    def static_token(self) -> str:
        return self.server.sandbox.static_tokens[self.hub_id]


@pytest.fixture
def box_factory() -> Iterator[Callable[..., Box]]:
    """Start sandboxes with config overrides (small portal, no limits, no search delay)."""
    started: list[Box] = []

    def make(**overrides: Any) -> Box:
        values: dict[str, Any] = {"contacts_per_portal": 120, "search_consistency_delay_s": 0.0,
                                  "rate_limits_enabled": False}
        values.update(overrides)
        server = SandboxServer(SandboxConfig(**values)).start()
        box = Box(server, httpx.Client(base_url=server.url, timeout=60))
        started.append(box)
        return box

    yield make
    for box in started:
        box.http.close()
        box.server.stop()


@pytest.fixture
def box(box_factory: Callable[..., Box]) -> Box:
    """A small sandbox portal with rate limits off."""
    return box_factory()


def settings_for(box: Box, tmp_path: Path, **extra: Any) -> Settings:
    """Settings pointing every HubSpot URL at the sandbox, with its OAuth app."""
    config = box.server.config
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "hubspot_api_url": box.url,
        "hubspot_app_url": box.url,
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "public_url": "http://127.0.0.1:9",
        "scoring_config": CONFIG,
        "sync_chunk_size": 100,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store."""
    with open_store(f"sqlite:///{tmp_path / 'state.db'}",
                    encryption_key=Fernet.generate_key().decode()) as opened:
        yield opened


def make_service(box: Box, store: Store, tmp_path: Path, *, limits: PortalLimits | None = UNPACED,
                 worker_id: str = "test-worker", **settings: Any) -> SyncService:
    """A sync service on `store` against `box` (unpaced by default: rate limits are off)."""
    return sync_service(settings_for(box, tmp_path, **settings), store, worker_id=worker_id,
                       options=GatewayOptions(limits=limits, retry_policy=FAST_RETRY))


def connect_static(box: Box, store: Store, tier: str = "pro") -> int:
    """Record the sandbox portal as connected by its static token (no provisioning)."""
    store.portals.connect(box.hub_id, kind="static", tokens=Tokens(box.static_token()), tier=tier)
    return box.hub_id


def scored(contacts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The lead-scoring values of each contact, without the time stamps."""
    return {
        cid: {k: v for k, v in props.items()
              if (k.startswith("leadscore_") and not k.endswith("_scored_at"))
              or k == "lifecyclestage"}
        for cid, props in contacts.items()
    }
