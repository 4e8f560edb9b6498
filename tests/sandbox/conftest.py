"""Sandbox servers for the CRM tests: one 20,000-contact portal per module that needs it,
small ones otherwise. Every server binds a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hubspot import HubSpot

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer

HUB = 1000001


def start_sandbox(**overrides: object) -> SandboxServer:
    """A started sandbox with fast defaults (no limits, no search delay) unless overridden."""
    settings: dict[str, object] = {
        "contacts_per_portal": 200,
        "rate_limits_enabled": False,
        "search_consistency_delay_s": 0.0,
    }
    settings.update(overrides)
    return SandboxServer(SandboxConfig.model_validate(settings)).start()


def sdk_client(server: SandboxServer, hub_id: int = HUB) -> HubSpot:
    """The official SDK pointed at the sandbox with the portal's static token."""
    return HubSpot(access_token=server.sandbox.static_tokens[hub_id], host=server.url)


def http_client(server: SandboxServer, hub_id: int = HUB) -> httpx.Client:
    """Plain httpx against the sandbox, authenticated as the portal's static token."""
    token = server.sandbox.static_tokens[hub_id]
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture()
def small() -> Iterator[SandboxServer]:
    """A 200-contact portal, fresh for each test."""
    server = start_sandbox()
    yield server
    server.stop()
