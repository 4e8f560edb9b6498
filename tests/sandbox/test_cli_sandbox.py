"""`leadscore sandbox` starts a sandbox, prints its details and serves until interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx


def test_cli_prints_url_and_tokens_and_serves() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connector",
            "sandbox",
            "--port",
            "0",
            "--contacts",
            "10",
            "--json",
            "--no-rate-limits",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        details = json.loads(process.stdout.readline())
        token = details["portals"][0]["static_token"]
        response = httpx.get(
            f"{details['url']}/crm/v3/objects/contacts",
            headers={"Authorization": f"Bearer {token}"},
            params={"limit": 100},
        )
        assert response.status_code == 200 and len(response.json()["results"]) == 10
        assert details["client_id"] == "sandbox-client-id"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert process.returncode == 0


def test_cli_rejects_a_bad_profile_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "connector", "sandbox", "--profile", "platinum"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "rate_limit_profile" in result.stderr and "Traceback" not in result.stderr
