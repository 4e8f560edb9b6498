"""The web app served over real HTTP next to a sandbox that delivers real signed webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
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
from connector.sync.webhook_drain import WebhookDrain
from connector.web.app import create_app
from connector.web.services import WebServices
from connector.web.serving import bind_socket, serve_in_thread
from connector.wiring import sync_service

REPO = Path(__file__).resolve().parents[2]
SCORING_CONFIG = REPO / "config" / "scoring.yaml"
# Client-side pacing off: the sandbox's own limits are off too in these tests.
UNPACED = GatewayOptions(
    limits=PortalLimits(WindowLimit(100_000, 10.0), WindowLimit(100_000, 1.0),
                        WindowLimit(100_000, 10.0), None),
    retry_policy=RetryPolicy(max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05),
)
_event_ids = itertools.count(7_000_000_001)


def sign_v3(secret: str, uri: str, body: bytes, timestamp_ms: int | None = None) -> dict[str, str]:
    """HubSpot's v3 headers for a POST of `body` to `uri` (computed independently here)."""
    stamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    source = b"POST" + uri.encode() + body + stamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def sign_v2(secret: str, uri: str, body: bytes) -> dict[str, str]:
    """HubSpot's v2 headers (workflow actions, CRM cards)."""
    digest = hashlib.sha256(secret.encode() + b"POST" + uri.encode() + body).hexdigest()
    return {"X-HubSpot-Signature": digest, "X-HubSpot-Signature-Version": "v2",
            "Content-Type": "application/json"}


def webhook_event(portal_id: int, object_id: int, kind: str = "contact.creation",
                  **extra: Any) -> dict[str, Any]:
    """One event as HubSpot sends it, with fresh ids."""
    event = {
        "eventId": next(_event_ids),
        "subscriptionId": 4242,
        "portalId": portal_id,
        "appId": 424242,
        "occurredAt": int(time.time() * 1000),
        "subscriptionType": kind,
        "attemptNumber": 0,
        "objectId": object_id,
        "changeSource": "CRM_UI",
    }
    event.update(extra)
    return event


def wait_for(predicate: Callable[[], Any], timeout_s: float = 30.0, what: str = "condition") -> Any:
    """Poll until `predicate()` is truthy; fail the test with `what` on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


class WebEnv:
    """A sandbox, a store, the services and the app served on loopback."""

    def __init__(self, sandbox: SandboxServer, settings: Settings, store: Store,
                 services: WebServices, url: str) -> None:
        self.sandbox = sandbox
        self.hub_id = sandbox.config.portal_hub_ids()[0]
        self.settings = settings
        self.store = store
        self.services = services
        self.url = url
        self.secret = settings.client_secret.get_secret_value()
        self.http = httpx.Client(base_url=url, timeout=30)
        self.box = httpx.Client(base_url=sandbox.url, timeout=30)

    def control(self, method: str, path: str, **kw: Any) -> Any:
        """Call a sandbox control endpoint (`/_sandbox/...`)."""
        response = self.box.request(method, f"/_sandbox{path}", **kw)
        response.raise_for_status()
        return response.json()

    def add_leads(self, leads: list[dict[str, Any]]) -> list[int]:
        """Create contacts in the sandbox (each raises `contact.creation`)."""
        body = self.control("POST", f"/portals/{self.hub_id}/leads", json={"leads": leads})
        return [int(i) for i in body["ids"]]

    def contact(self, contact_id: int) -> dict[str, Any]:
        """A contact's stored properties in the sandbox."""
        export = self.control("GET", f"/portals/{self.hub_id}/export")
        for record in export["results"]:
            if int(record["id"]) == contact_id:
                return dict(record["properties"])
        raise AssertionError(f"contact {contact_id} not in the sandbox")

    def post_webhook(self, events: list[dict[str, Any]] | bytes,
                     headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a delivery signed like HubSpot (v3 over the configured public URL)."""
        body = events if isinstance(events, bytes) else json.dumps(events).encode()
        signed = headers if headers is not None else sign_v3(
            self.secret, self.settings.webhook_url, body)
        return self.http.post("/webhooks/hubspot", content=body, headers=signed)

    def close(self) -> None:
        self.http.close()
        self.box.close()


def make_settings(tmp_path: Path, sandbox: SandboxServer, public_url: str,
                  **overrides: Any) -> Settings:
    """Settings pointing every HubSpot URL at the sandbox."""
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": f"sqlite:///{tmp_path / 'leadscore.db'}",
        "scoring_config": SCORING_CONFIG,
        "hubspot_api_url": sandbox.url,
        "hubspot_app_url": sandbox.url,
        "client_id": sandbox.config.client_id,
        "client_secret": sandbox.config.client_secret,
        "app_id": str(sandbox.config.app_id),
        "public_url": public_url,
        "token_encryption_key": Fernet.generate_key().decode(),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def connect_static(store: Store, sandbox: SandboxServer, hub_id: int) -> None:
    """Connect the portal with a static token (OAuth is covered by the connect tests)."""
    token = sandbox.sandbox.tokens.add_static_token(hub_id)
    store.portals.connect(hub_id, kind="static", tokens=Tokens(access_token=token), tier="pro")


@pytest.fixture
def web_env_factory(tmp_path: Path) -> Iterator[Callable[..., WebEnv]]:
    """Build a `WebEnv`: `connect` the portal (and provision by a first full pass), run the
    `drain` (and the `scheduler`), deliver the sandbox's webhooks to the app (`deliver`)."""
    with ExitStack() as stack:

        def make(*, connect: bool = True, drain: bool = True, deliver: bool = True,
                 scheduler: bool = False, public_url: str | None = None,
                 **sandbox_overrides: Any) -> WebEnv:
            config: dict[str, Any] = {
                "contacts_per_portal": 3,
                "rate_limits_enabled": False,
                "search_consistency_delay_s": 0.0,
                "webhook_flush_window_s": 0.02,
                "webhook_retry_base_s": 0.05,
            }
            config.update(sandbox_overrides)
            sandbox = stack.enter_context(SandboxServer(SandboxConfig(**config)))
            sock = bind_socket("127.0.0.1", 0)
            served_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            settings = make_settings(tmp_path, sandbox, public_url or served_url)
            store = stack.enter_context(open_store(settings=settings))
            sync = sync_service(settings, store, options=UNPACED, worker_id="test-web")
            services = WebServices.build(settings, store, sync=sync, scheduler=scheduler)
            # Events of unknown portals are looked for often, so tests need not wait.
            services.drain = WebhookDrain(store, sync, worker_id=sync.worker_id,
                                          sweep_interval_s=0.2)
            app = create_app(services)
            served = stack.enter_context(serve_in_thread(app, sock=sock))
            env = WebEnv(sandbox, settings, store, services, served.url)
            stack.callback(env.close)
            if connect:
                connect_static(store, sandbox, env.hub_id)
                sync.run_pass(env.hub_id, full=True)
            if drain:
                services.start_background()
                stack.callback(services.stop_background)
            if deliver:
                sandbox.sandbox.webhooks.set_target(settings.webhook_url,
                                                    sandbox.config.client_secret)
            return env

        yield make


@pytest.fixture
def web_env(web_env_factory: Callable[..., WebEnv]) -> WebEnv:
    """The default environment: connected portal, drain running, webhooks delivered."""
    return web_env_factory()
