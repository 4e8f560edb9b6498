"""`leadscore insights ...` on the synced portal's history (no --csv)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from connector.cli.app import _register, app
from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.settings import Settings, get_settings
from connector.store import Tokens, open_store
from connector.wiring import sync_service

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config" / "scoring.yaml"
_register()


@pytest.fixture(scope="module")
def synced_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("portal-cli")
    env = {
        "LEADSCORE_DATA_DIR": str(data_dir),
        "LEADSCORE_TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LEADSCORE_SCORING_CONFIG": str(CONFIG),
    }
    config = SandboxConfig(contacts_per_portal=600, rate_limits_enabled=False, seed=5)
    with SandboxServer(config) as sandbox:
        hub_id = config.portal_hub_ids()[0]
        settings = Settings(
            data_dir=data_dir,
            hubspot_api_url=sandbox.url,
            token_encryption_key=env["LEADSCORE_TOKEN_ENCRYPTION_KEY"],
            scoring_config=CONFIG,
        )
        with open_store(settings=settings) as store:
            store.portals.connect(
                hub_id, kind="static",
                tokens=Tokens(access_token=sandbox.sandbox.static_tokens[hub_id]),
            )
            report = sync_service(settings, store, worker_id="cli-test").run_pass(hub_id, full=True)
            assert not report.errors
    env["HUB_ID"] = str(hub_id)
    yield env


def _run(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    for name, value in env.items():
        if name.startswith("LEADSCORE_"):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.stdout


def test_report_defaults_to_the_only_connected_portal(
    synced_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = _run(synced_env, monkeypatch, "insights", "report", "--config", str(CONFIG),
               "--out", str(tmp_path / "r.html"), "--json")
    evidence = json.loads(out)
    # The headline comes first: graded as of 90 days ago on the leads open then.
    assert next(iter(evidence)) == "forward"
    forward = evidence["forward"]
    assert forward["horizon_days"] == 90
    assert forward["outcome"] == "a deal created for the contact or its company"
    ahead = forward["point_in_time"]["forward"]
    assert 0 < ahead["open_leads"] < 600 and ahead["conversions"] < ahead["open_leads"]
    assert evidence["leads"] == 600
    assert 0 < evidence["conversions"] < 600
    assert evidence["source"].startswith(f"portal {synced_env['HUB_ID']}")
    assert (tmp_path / "r.html").exists()


def test_report_text_leads_with_the_forward_grade(
    synced_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = _run(synced_env, monkeypatch, "insights", "report", "--config", str(CONFIG),
               "--out", str(tmp_path / "r.html"))
    assert out.index("forward backtest as of") < out.index("secondary: every contact")
    assert out.index("secondary: every contact") < out.index(" · top-decile lift")


def test_segments_and_points_with_an_explicit_portal(
    synced_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hub = synced_env["HUB_ID"]
    segments = json.loads(_run(synced_env, monkeypatch, "insights", "segments", "--portal", hub,
                               "--config", str(CONFIG), "--out", str(tmp_path / "s.html"),
                               "--json"))
    assert sum(p["leads"] for p in segments) == 600
    points = json.loads(_run(synced_env, monkeypatch, "insights", "points", "--portal", hub,
                             "--config", str(CONFIG), "--json"))
    assert points["advice"]["leads"] == 600


def test_csv_only_flags_are_refused_in_portal_mode(
    synced_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in synced_env.items():
        if name.startswith("LEADSCORE_"):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["insights", "report", "--target", "y"])
    get_settings.cache_clear()
    assert result.exit_code != 0
    assert "--target only applies with --csv FILE" in str(result.exception)
