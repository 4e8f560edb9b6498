"""Sandbox fixtures: a real local HubSpot over loopback HTTP, driven through the real SDK."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from connector.hubspot.auth import StaticTokenProvider
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.pacing import Pacer, PortalLimits, WindowLimit, limits_for
from connector.hubspot.retry import RetryPolicy
from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer

# Used when a test switches the sandbox's rate limits off and wants no client-side waits.
UNPACED = PortalLimits(WindowLimit(100_000, 10.0), WindowLimit(100_000, 1.0),
                       WindowLimit(100_000, 10.0), None)
FAST_RETRY = RetryPolicy(max_attempts=8, backoff_base_s=0.01, backoff_max_s=0.1)


class Sandbox:
    """A running sandbox plus helpers for its control endpoints."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.url = server.url
        self.hub_id = server.config.portal_hub_ids()[0]
        self.http = httpx.Client(base_url=server.url, timeout=60)

    def control(self, method: str, path: str, **kw: Any) -> Any:
        response = self.http.request(method, f"/_sandbox{path}", **kw)
        response.raise_for_status()
        return response.json()

    def static_token(self, scopes: tuple[str, ...] | None = None) -> str:
        tokens = self.server.sandbox.tokens
        if scopes is None:
            return tokens.add_static_token(self.hub_id)
        return tokens.add_static_token(self.hub_id, scopes)

    def gateway(self, *, kind: str = "pro", limits: PortalLimits | None = None,
                retry: RetryPolicy = FAST_RETRY, token: str | None = None) -> HubSpotGateway:
        chosen = limits or limits_for(kind)
        return HubSpotGateway(self.url, StaticTokenProvider(token or self.static_token()),
                              limits=chosen, pacer=Pacer(chosen), retry_policy=retry)


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with config overrides (small portals, no search delay by default)."""
    started: list[Sandbox] = []

    def make(**overrides: Any) -> Sandbox:
        settings: dict[str, Any] = {"contacts_per_portal": 30, "search_consistency_delay_s": 0.0,
                                    "rate_limits_enabled": False}
        settings.update(overrides)
        server = SandboxServer(SandboxConfig(**settings)).start()
        box = Sandbox(server)
        started.append(box)
        return box

    yield make
    for box in started:
        box.http.close()
        box.server.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A default small sandbox with rate limits off."""
    return sandbox_factory()
