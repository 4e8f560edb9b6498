"""`/healthz` and `/metrics`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import create_engine

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.store import Store, TokenCipher
from connector.sync.connection import ConnectionService
from connector.web.app import create_app
from connector.web.services import WebServices
from connector.web.serving import serve_in_thread
from connector.wiring import sync_service
from tests.web.conftest import WebEnv, make_settings, wait_for, webhook_event


def test_healthy_service(web_env: WebEnv) -> None:
    response = web_env.http.get("/healthz")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["database"] is True
    assert health["drain"]["alive"] is True
    assert health["scheduler_alive"] is None  # this test process runs no scheduler
    [portal] = health["portals"]
    assert portal == {"hub_id": web_env.hub_id, "kind": "static", "status": "connected",
                      "reason": None, "inbox_backlog": 0, "inbox_failed": 0}


def test_scheduler_liveness_is_reported(web_env_factory: Callable[..., WebEnv]) -> None:
    env = web_env_factory(scheduler=True)
    assert env.http.get("/healthz").json()["scheduler_alive"] is True
    env.services.stop_background()
    health = env.http.get("/healthz").json()
    assert health["scheduler_alive"] is False
    assert health["status"] == "degraded"


def test_database_down_is_503(tmp_path: Path) -> None:
    with SandboxServer(SandboxConfig(contacts_per_portal=0)) as sandbox:
        settings = make_settings(tmp_path, sandbox, "http://127.0.0.1:9")
        # A PostgreSQL server that is not there: every connection is refused.
        engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                               connect_args={"connect_timeout": 2})
        store = Store(engine, TokenCipher(Fernet.generate_key().decode()))
        sync = sync_service(settings, store)
        services = WebServices(settings=settings, store=store, sync=sync,
                               connection=ConnectionService(settings, store, sync))
        with serve_in_thread(create_app(services)) as served:
            response = httpx.get(f"{served.url}/healthz", timeout=30)
            metrics = httpx.get(f"{served.url}/metrics", timeout=30)
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] is False
    assert "leadscore_database_up 0.0" in metrics.text


def test_metrics_count_webhooks_and_show_the_inbox(web_env_factory: Callable[..., WebEnv]
                                                  ) -> None:
    env = web_env_factory(drain=False, deliver=False)
    event = webhook_event(env.hub_id, 1)
    env.post_webhook([event])
    env.post_webhook([event])
    env.post_webhook(b"[]", {"X-HubSpot-Signature-v3": "bad", "X-HubSpot-Request-Timestamp": "1"})
    text = wait_for(lambda: env.http.get("/metrics").text, what="metrics")
    assert 'leadscore_webhook_requests_total{outcome="accepted"} 2.0' in text
    assert 'leadscore_webhook_requests_total{outcome="unauthorized"} 1.0' in text
    assert 'leadscore_webhook_events_total{kind="new"} 1.0' in text
    assert 'leadscore_webhook_events_total{kind="duplicate"} 1.0' in text
    assert 'leadscore_inbox_events{status="pending"} 1.0' in text
    assert 'leadscore_portals{status="connected"} 1.0' in text
    assert "leadscore_database_up 1.0" in text
