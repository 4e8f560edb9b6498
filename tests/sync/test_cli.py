"""The terminal one-click flow (local callback listener) and the `portals`/`sync` commands."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from cryptography.fernet import Fernet

from connector.cli.callback_listener import CallbackOutcome, wait_for_callback
from connector.store import Store, open_store
from connector.sync.connection import ConnectionService
from tests.sync.conftest import CONFIG, Box, make_service


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_terminal_one_click_through_the_local_listener(box: Box, store: Store,
                                                       tmp_path: Path) -> None:
    public = f"http://127.0.0.1:{free_port()}"
    service = make_service(box, store, tmp_path, public_url=public)
    connection = ConnectionService(service.settings, store, service)
    outcomes: list[CallbackOutcome] = []

    def complete(code: str | None, state: str | None) -> str:
        return f"portal {connection.complete(code, state).hub_id} connected"

    listener = threading.Thread(target=lambda: outcomes.append(
        wait_for_callback(service.settings.redirect_uri, complete, timeout_s=60)))
    listener.start()
    # The "browser": open the install link, approve, follow HubSpot's redirect to us.
    page = box.http.get(connection.authorize_url() + f"&auto_approve={box.hub_id}",
                        follow_redirects=True)
    listener.join(60)
    assert page.status_code == 200 and "Connected" in page.text
    assert outcomes and outcomes[0].error is None
    assert store.portals.require(box.hub_id).status == "connected"


def cli(args: list[str], tmp_path: Path, key: str, box: Box) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEADSCORE_DATA_DIR": str(tmp_path),
           "LEADSCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "LEADSCORE_TOKEN_ENCRYPTION_KEY": key, "LEADSCORE_HUBSPOT_API_URL": box.url,
           "LEADSCORE_SCORING_CONFIG": str(CONFIG)}
    return subprocess.run([sys.executable, "-m", "connector", *args], env=env,
                          capture_output=True, text=True, timeout=180)


def test_cli_connect_token_sync_and_portals(box: Box, tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    wrong = cli(["connect", "--token", box.static_token(), "--portal", str(box.hub_id + 1)],
                tmp_path, key, box)
    assert wrong.returncode == 1
    assert f"belongs to portal {box.hub_id}, not {box.hub_id + 1}" in wrong.stderr

    # No --portal: the token's portal is looked up.
    connected = cli(["connect", "--token", box.static_token(), "--tier", "pro", "--json"],
                    tmp_path, key, box)
    assert connected.returncode == 0, connected.stderr
    assert json.loads(connected.stdout)["kind"] == "static"
    assert json.loads(connected.stdout)["hub_id"] == box.hub_id
    assert box.static_token() not in connected.stdout + connected.stderr

    synced = cli(["sync", "--json"], tmp_path, key, box)
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)[0]
    assert report["completed"] and report["contacts_written"] == len(box.contacts())

    with open_store(f"sqlite:///{tmp_path / 'cli.db'}", encryption_key=key) as store:
        store.portals.set_status(box.hub_id, "needs_reconnect", "HubSpot refused the token")
    listed = cli(["portals"], tmp_path, key, box)
    assert listed.returncode == 0 and "reconnect needed" in listed.stdout

