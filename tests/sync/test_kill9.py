"""`kill -9` of `leadscore sync` at random moments, then restarts: same HubSpot state as an
uninterrupted run, with at most one chunk of writes repeated per kill."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

from connector.store import Store, open_store
from connector.sync.pull import CONTACTS_STREAM
from tests.sync.conftest import CONFIG, Box, connect_static, make_service
from tests.sync.test_resilience import assert_same_scores

CONTACTS = 500
CHUNK = 100
KILLS = 3


def update_calls(box: Box) -> int:
    """Batch-update requests HubSpot answered (each writes at most one chunk of 100)."""
    counters = box.control("GET", f"/portals/{box.hub_id}/counters")["requests"]
    return sum(n for endpoint, by_status in counters.items() if "batch/update" in endpoint
               for status, n in by_status.items() if status in ("200", "207"))


def stored_contacts(store: Store, hub_id: int) -> int:
    """Contacts whose state the worker has stored so far (its progress)."""
    return sum(store.contacts.counts(hub_id).values())


def sync_command(box: Box, data_dir: Path, key: str) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        "LEADSCORE_DATA_DIR": str(data_dir),
        "LEADSCORE_DATABASE_URL": f"sqlite:///{data_dir / 'state.db'}",
        "LEADSCORE_TOKEN_ENCRYPTION_KEY": key,
        "LEADSCORE_HUBSPOT_API_URL": box.url,
        "LEADSCORE_SCORING_CONFIG": str(CONFIG),
        "LEADSCORE_SYNC_CHUNK_SIZE": str(CHUNK),
    }
    return [sys.executable, "-m", "connector", "sync", "--portal", str(box.hub_id), "--json"], env


def test_kill_nine_then_restart_converges(box_factory: Callable[..., Box], tmp_path: Path) -> None:
    reference = box_factory(contacts_per_portal=CONTACTS)
    with open_store(f"sqlite:///{tmp_path / 'ref.db'}",
                    encryption_key=Fernet.generate_key().decode()) as store:
        make_service(reference, store, tmp_path, sync_chunk_size=CHUNK).run_pass(
            connect_static(reference, store))
    uninterrupted_updates = update_calls(reference)

    box = box_factory(contacts_per_portal=CONTACTS)
    data_dir = tmp_path / "worker"
    key = Fernet.generate_key().decode()
    with open_store(f"sqlite:///{data_dir / 'state.db'}", encryption_key=key) as store:
        connect_static(box, store)
    command, env = sync_command(box, data_dir, key)
    rng = random.Random(20261122)
    killed = 0
    with open_store(f"sqlite:///{data_dir / 'state.db'}", encryption_key=key) as store:
        for _ in range(KILLS):
            done = stored_contacts(store, box.hub_id)
            # Kill once the run has made some progress, at a random point of the pass.
            target = rng.randint(done + 1, min(CONTACTS - 1, done + 2 * CHUNK))
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while (process.poll() is None and stored_contacts(store, box.hub_id) < target
                   and time.monotonic() < deadline):
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.5))
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                killed += 1
            process.wait(30)
        assert stored_contacts(store, box.hub_id) > 0
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert killed >= 2

    assert_same_scores(box.contacts(), reference.contacts())
    # Each kill repeats at most the chunk under way (one batch update of 100).
    assert update_calls(box) <= uninterrupted_updates + killed


def test_sigterm_finishes_the_chunk_saves_the_cursor_and_exits(
        box_factory: Callable[..., Box], tmp_path: Path) -> None:
    box = box_factory(contacts_per_portal=CONTACTS)
    key = Fernet.generate_key().decode()
    with open_store(f"sqlite:///{tmp_path / 'state.db'}", encryption_key=key) as store:
        connect_static(box, store)
        command, env = sync_command(box, tmp_path, key)
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while stored_contacts(store, box.hub_id) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        report = json.loads(out)[0]
        assert report["stopped"] and not report["completed"]
        cursor = store.cursors.get(box.hub_id, CONTACTS_STREAM)
        assert cursor is not None and cursor.full_after is not None
        assert stored_contacts(store, box.hub_id) == report["contacts_read"] < CONTACTS
        assert store.contacts.counts(box.hub_id) == {"written": report["contacts_written"]}
