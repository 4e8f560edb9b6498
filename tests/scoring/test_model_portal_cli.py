"""`leadscore model train|backtest|show` on a synced portal's stored history (no --csv)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner, Result

from connector.cli.app import _register, app
from connector.errors import LeadscoreError
from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.settings import Settings, get_settings
from connector.store import Tokens, open_store
from connector.wiring import sync_service

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config" / "scoring.yaml"
BACKTEST_KEYS = {
    "auc", "auc_std", "brier", "top_decile_lift", "baseline_auc", "rows", "positives",
    "features_used", "suspected_leaks",
}
_register()


def _synced_env(data_dir: Path, contacts: int, seed: int) -> Iterator[dict[str, str]]:
    """Env of a store holding one fully synced sandbox portal; the sandbox stays up (training
    reads the portal's lifecycle stages from HubSpot)."""
    key = Fernet.generate_key().decode()
    config = SandboxConfig(contacts_per_portal=contacts, rate_limits_enabled=False, seed=seed)
    with SandboxServer(config) as sandbox:
        hub_id = config.portal_hub_ids()[0]
        settings = Settings(data_dir=data_dir, hubspot_api_url=sandbox.url,
                            token_encryption_key=key, scoring_config=CONFIG)
        with open_store(settings=settings) as store:
            store.portals.connect(
                hub_id, kind="static",
                tokens=Tokens(access_token=sandbox.sandbox.static_tokens[hub_id]),
            )
            report = sync_service(settings, store, worker_id="model-cli-test").run_pass(
                hub_id, full=True)
            assert not report.errors
        yield {
            "LEADSCORE_DATA_DIR": str(data_dir),
            "LEADSCORE_HUBSPOT_API_URL": sandbox.url,
            "LEADSCORE_TOKEN_ENCRYPTION_KEY": key,
            "LEADSCORE_SCORING_CONFIG": str(CONFIG),
            "HUB_ID": str(hub_id),
        }


@pytest.fixture(scope="module")
def portal_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    yield from _synced_env(tmp_path_factory.mktemp("model-portal"), 1000, seed=11)


@pytest.fixture(scope="module")
def tiny_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    yield from _synced_env(tmp_path_factory.mktemp("model-tiny"), 40, seed=3)


def _invoke(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    for name, value in env.items():
        if name.startswith("LEADSCORE_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()


def _ok(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    result = _invoke(env, monkeypatch, *args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def _error(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    result = _invoke(env, monkeypatch, *args)
    assert result.exit_code != 0
    assert isinstance(result.exception, LeadscoreError), result.exception
    return str(result.exception)


def _settings(env: dict[str, str]) -> Settings:
    return Settings(data_dir=Path(env["LEADSCORE_DATA_DIR"]),
                    token_encryption_key=env["LEADSCORE_TOKEN_ENCRYPTION_KEY"])


def test_train_activates_the_portal_model_and_show_prints_it(
    portal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = int(portal_env["HUB_ID"])
    trained = json.loads(_ok(portal_env, monkeypatch, "model", "train", "--json"))
    assert trained["portal_id"] == hub
    # Every contact but those converted before they were created (a colleague's deal was
    # already open: no past to learn from).
    assert trained["rows"] == 1000 - trained["training"]["converted_on_creation"]
    assert trained["training"]["converted_on_creation"] < 200
    assert 50 <= trained["positives"] <= 950
    assert trained["metrics"]["auc"] > 0.6
    assert trained["features"]
    assert "lifecyclestage" not in {f["column"] for f in trained["features"]}
    # Trained point in time, on property values read from the portal's history.
    assert trained["training"]["method"] == "point_in_time"
    assert trained["training"]["properties_as_of"] is True
    with open_store(settings=_settings(portal_env)) as store:
        active = [a for a in store.models.history(hub) if a.active]
    assert active and {a.version for a in active} == {trained["version"]}

    shown = _ok(portal_env, monkeypatch, "model", "show", "--portal", str(hub))
    assert f"model {trained['version']}" in shown
    assert "conversions" in shown and "out-of-fold AUC" in shown
    assert "training rows: point in time" in shown
    as_json = json.loads(_ok(portal_env, monkeypatch, "model", "show", "--json"))
    assert as_json["version"] == trained["version"]


def test_train_prints_the_model_like_the_csv_train(
    portal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = portal_env["HUB_ID"]
    out = _ok(portal_env, monkeypatch, "model", "train", "--portal", hub)
    assert out.startswith("model m")
    assert re.search(r"rows \d{3},?\d*  conversions", out)
    assert "top features" in out
    assert f"active for portal {hub}" in out


def test_backtest_on_the_portal_history_is_honest_and_ranks(
    portal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _ok(portal_env, monkeypatch, "model", "backtest", "--portal", portal_env["HUB_ID"],
              "--folds", "3", "--json")
    both = json.loads(out)
    forward = both["forward"]
    # The headline: as of 90 days ago, the leads open then against the next 90 days.
    assert forward["horizon_days"] == 90
    assert forward["outcome"] == "a deal created for the contact or its company"
    ahead = forward["point_in_time"]["forward"]
    assert 0 < ahead["conversions"] < ahead["open_leads"] < 1000
    assert forward["current_values"]["forward"]["open_leads"] == ahead["open_leads"]
    assert forward["score"]["open_leads"] == ahead["open_leads"]
    result = both["all_contacts"]
    assert result.keys() >= BACKTEST_KEYS
    assert result["rows"] == 1000 and result["folds"] == 3
    assert result["auc"] > 0.6
    assert "lifecyclestage" not in result["features_used"]
    # The engagement aggregates are built from the stored activities, fold by fold.
    assert any(f.startswith("activity_") for f in result["features_used"])
    assert "lifecyclestage" in {e["column"] for e in result["excluded"]}


def test_backtest_table_output(
    portal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _ok(portal_env, monkeypatch, "model", "backtest", "--folds", "2",
              "--horizon-days", "60")
    text = " ".join(out.split())  # the terminal wraps long lines
    assert text.index("forward backtest as of") < text.index("stratified backtest")
    assert "(T − 60 days)" in text and "the same model, trained two ways as of then" in text
    assert "secondary: every contact as it is now" in text
    assert "stratified backtest, 2 folds, 1,000 leads" in text
    assert "logistic regression" in out and "features used:" in out


def test_csv_and_portal_flags_are_checked(
    portal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    csv = tmp_path / "leads.csv"
    csv.write_text("a,y\n1,1\n", encoding="utf-8")
    hub = portal_env["HUB_ID"]
    both = _error(portal_env, monkeypatch, "model", "train", "--csv", str(csv), "--target", "y",
                  "--portal", hub)
    assert both == "give the history as --csv FILE or --portal ID, not both"
    assert _error(portal_env, monkeypatch, "model", "backtest", "--csv", str(csv),
                  "--portal", hub) == "give the history as --csv FILE or --portal ID, not both"
    assert _error(portal_env, monkeypatch, "model", "train", "--target", "y") == (
        "--target only applies with --csv FILE")
    assert _error(portal_env, monkeypatch, "model", "train", "--drop", "x") == (
        "--drop only applies with --csv FILE")
    assert _error(portal_env, monkeypatch, "model", "backtest", "--csv", str(csv)) == (
        "give the history as --csv FILE --target COLUMN")
    assert _error(portal_env, monkeypatch, "model", "backtest", "--csv", str(csv), "--target",
                  "y", "--horizon-days", "30") == (
        "--horizon-days only applies to a portal's history (--portal)")
    assert _error(portal_env, monkeypatch, "model", "show", str(csv), "--portal", hub) == (
        "give a model file PATH or --portal ID, not both")


def test_not_enough_history_is_one_clear_line(
    tiny_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = tiny_env["HUB_ID"]
    message = _error(tiny_env, monkeypatch, "model", "train", "--portal", hub)
    assert message.startswith(f"portal {hub}: no model trained: ")
    assert "\n" not in message
    backtest = _error(tiny_env, monkeypatch, "model", "backtest", "--json")
    assert "scoring uses the rules alone" in backtest
    assert _error(tiny_env, monkeypatch, "model", "show") == (
        f"portal {hub} has no trained model; run `leadscore model train --portal {hub}`")


def test_no_connected_portal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {"LEADSCORE_DATA_DIR": str(tmp_path),
           "LEADSCORE_TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode()}
    for command in ("train", "backtest", "show"):
        message = _error(env, monkeypatch, "model", command)
        assert message.startswith("no connected portal"), message
