"""`leadscore run` killed (-9) right after answering webhooks: every accepted event is still
processed exactly once after a restart; SIGTERM stops the service gracefully.

The first run answers webhooks without draining (`--no-drain`, as a web-only worker would), so
the kill lands deterministically between the 200s and any processing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.scoring.properties import property_names
from connector.settings import Settings
from connector.store import Store, open_store
from connector.web.serving import bind_socket
from connector.wiring import sync_service
from tests.web.conftest import REPO, UNPACED, connect_static, make_settings, wait_for

NAMES = property_names("default")
NEW_LEADS = 12


def _free_port() -> int:
    # The service must know its public URL before it starts (signatures, sandbox target);
    # the port is released here and bound again by the service (SO_REUSEADDR).
    sock = bind_socket("127.0.0.1", 0)
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def _environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADSCORE_")}
    env.update({
        "LEADSCORE_DATA_DIR": str(settings.data_dir),
        "LEADSCORE_DATABASE_URL": str(settings.database_url),
        "LEADSCORE_SCORING_CONFIG": str(settings.scoring_config),
        "LEADSCORE_HUBSPOT_API_URL": settings.hubspot_api_url,
        "LEADSCORE_HUBSPOT_APP_URL": settings.hubspot_app_url,
        "LEADSCORE_CLIENT_ID": settings.client_id,
        "LEADSCORE_CLIENT_SECRET": settings.client_secret.get_secret_value(),
        "LEADSCORE_PUBLIC_URL": settings.public_url,
        "LEADSCORE_TOKEN_ENCRYPTION_KEY": settings.token_encryption_key.get_secret_value(),
        "LEADSCORE_DASHBOARD_TOKEN": "crash-test-dashboard",
        "LEADSCORE_PORT": str(settings.port),
    })
    return env


class Service:
    """`leadscore run` as a child process."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.settings = settings
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *options: str) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "connector", "run", "--no-scheduler", *options],
                cwd=REPO, env=_environment(self.settings), stdout=out, stderr=out,
            )
        wait_for(self._healthy, timeout_s=60, what="`leadscore run` to answer /healthz")

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"`leadscore run` exited early:\n{self.log.read_text()}")
        try:
            return httpx.get(f"{self.settings.public_url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def signal(self, signum: int) -> int:
        assert self.process is not None
        self.process.send_signal(signum)
        code = self.process.wait(timeout=60)
        self.process = None
        return code

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def service_env(tmp_path: Path) -> Iterator[tuple[SandboxServer, Store, Service]]:
    sandbox = SandboxServer(SandboxConfig(
        contacts_per_portal=3, rate_limits_enabled=False, search_consistency_delay_s=0.0,
        webhook_flush_window_s=0.02, webhook_retry_base_s=0.2,
        # Every write stamps leadscore_scored_at anew: its change events count our writes.
        webhook_subscribed_properties=[NAMES.scored_at],
    )).start()
    port = _free_port()
    settings = make_settings(tmp_path, sandbox, f"http://127.0.0.1:{port}", port=port)
    store = open_store(settings=settings)
    hub_id = sandbox.config.portal_hub_ids()[0]
    connect_static(store, sandbox, hub_id)
    # Properties provisioned and the existing contacts synced before the service starts.
    sync_service(settings, store, options=UNPACED).run_pass(hub_id, full=True)
    service = Service(settings, tmp_path / "service.log")
    try:
        yield sandbox, store, service
    finally:
        service.stop()
        store.close()
        sandbox.stop()


def test_kill_after_answering_then_restart_processes_each_event_once(
    service_env: tuple[SandboxServer, Store, Service],
) -> None:
    sandbox, store, service = service_env
    hub_id = sandbox.config.portal_hub_ids()[0]
    box = httpx.Client(base_url=f"{sandbox.url}/_sandbox", timeout=30)
    service.start("--no-drain")
    box.put("/webhooks/target", json={"url": service.settings.webhook_url}).raise_for_status()
    leads = [{"email": f"lead{i}@crash.example", "jobtitle": "Head of Growth"}
             for i in range(NEW_LEADS)]
    ids = {int(i) for i in box.post(f"/portals/{hub_id}/leads",
                                    json={"leads": leads}).json()["ids"]}
    wait_for(lambda: box.get("/webhooks").json()["delivered_events"] >= NEW_LEADS,
             what="every creation event answered 200")
    assert service.signal(signal.SIGKILL) == -signal.SIGKILL

    # Every answered event was stored before its 200, and none was acted on yet.
    accepted = [e for e in store.inbox.recent(1000) if e.subscription_type == "contact.creation"]
    assert {e.object_id for e in accepted} == ids
    assert {e.status for e in accepted} == {"pending"}

    service.start()

    def settled() -> bool:
        counts = store.inbox.counts()
        echoes = [e for e in store.inbox.recent(1000)
                  if e.property_name == NAMES.scored_at and e.object_id in ids]
        return (counts.get("pending", 0) + counts.get("processing", 0) == 0
                and len({e.object_id for e in echoes}) == NEW_LEADS)

    wait_for(settled, timeout_s=90, what="every accepted event to be processed")
    events = store.inbox.recent(1000)
    creations = [e for e in events if e.subscription_type == "contact.creation"]
    assert len(creations) == NEW_LEADS  # stored once each
    assert {e.status for e in creations} == {"processed"}
    # One write per new contact: each changed leadscore_scored_at exactly once.
    writes = Counter(e.object_id for e in events
                     if e.property_name == NAMES.scored_at and e.object_id in ids)
    assert writes == Counter({contact_id: 1 for contact_id in ids})
    export = {int(r["id"]): r["properties"] for r in
              box.get(f"/portals/{hub_id}/export").json()["results"]}
    assert all(export[i].get(NAMES.score) for i in ids)

    # SIGTERM: a graceful stop, exit code 0.
    assert service.signal(signal.SIGTERM) == 0
    assert b"stopped" in service.log.read_bytes()
    box.close()
