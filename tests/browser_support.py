"""What the browser tests share: a sandbox portal synced (and, when asked, trained) by the
real SyncService and served by the product's app on a loopback port, and Debian's Chromium
driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, sync_playwright
from pydantic import SecretStr

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.settings import Settings
from connector.store import Store, Tokens, open_store
from connector.web.app import create_app
from connector.web.services import WebServices
from connector.web.serving import serve_in_thread
from connector.wiring import sync_service

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class ServedPortal:
    """The served app over a synced sandbox portal."""

    url: str
    store: Store
    settings: Settings
    hub_id: int


@contextmanager
def served_portal(data_dir: Path, *, contacts: int, seed: int, token: str, worker_id: str,
                  train: bool = False) -> Iterator[ServedPortal]:
    """A sandbox portal of `contacts` synced in full (rate limits off), trained when
    `train`, and the product's app serving it (no drain or scheduler: the store stays put)."""
    config = SandboxConfig(contacts_per_portal=contacts, rate_limits_enabled=False, seed=seed)
    with SandboxServer(config) as sandbox:
        hub_id = config.portal_hub_ids()[0]
        settings = Settings(
            data_dir=data_dir,
            hubspot_api_url=sandbox.url,
            hubspot_app_url=sandbox.url,
            scoring_config=REPO / "config" / "scoring.yaml",
            token_encryption_key=SecretStr(Fernet.generate_key().decode()),
            dashboard_token=SecretStr(token),
        )
        with open_store(settings=settings) as store:
            store.portals.connect(
                hub_id, kind="static",
                tokens=Tokens(access_token=sandbox.sandbox.static_tokens[hub_id]),
                tier="enterprise",
            )
            sync = sync_service(settings, store, worker_id=worker_id)
            report = sync.run_pass(hub_id, full=True)
            assert not report.errors, report.errors
            if train:
                trained = sync.train(hub_id)
                assert trained.model_version is not None, trained.errors
            app = create_app(WebServices.build(settings, store, sync=sync, scheduler=False))
            with serve_in_thread(app) as running:
                yield ServedPortal(running.url, store, settings, hub_id)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless; a clear failure when the package is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
            "(the dashboard tests need a real browser)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
