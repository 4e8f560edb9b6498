"""The live A/B experiment: arms recorded once, each arm's scores written, arms reported."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
import yaml
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from connector.cli.app import _register, app
from connector.errors import LeadscoreError
from connector.evaluation import assign_arm, compare_arms
from connector.reports import load_portal_history
from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.scoring.config import model_hash
from connector.scoring.leads import LeadFrame, empty_activities
from connector.scoring.properties import property_names
from connector.scoring_files import load_config
from connector.settings import Settings, get_settings
from connector.store import ContactState, Store, Tokens, open_store
from connector.store.records import ArmName
from connector.sync.experiment import load_experiment, split_by_arm
from connector.sync.inputs import StoredInputs
from connector.wiring import sync_service

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config" / "scoring.yaml"
SALT = "test-ab"
VERSION = property_names("default").version
_register()


def _challenger_yaml(tmp: Path) -> Path:
    """The default config with the hot tier moved: another rule set, same scoring models."""
    data = yaml.safe_load(CONFIG.read_text())
    data["models"]["default"]["tiers"]["hot"]["min_score"] = 60
    path = tmp / "challenger.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _settings(data_dir: Path, key: str, url: str, challenger: Path, share: float) -> Settings:
    return Settings(
        data_dir=data_dir,
        hubspot_api_url=url,
        token_encryption_key=key,
        scoring_config=CONFIG,
        challenger_config=str(challenger),
        challenger_share=share,
        experiment_salt=SALT,
    )


# ---- pure parts -------------------------------------------------------------------------


def test_split_by_arm_sends_contacts_without_an_arm_to_the_champion() -> None:
    contacts = pd.DataFrame({"jobtitle": ["a", "b", "c"]}, index=pd.Index(["1", "2", "3"]))
    activities = empty_activities()
    leads = LeadFrame(contacts=contacts, activities=activities)
    parts = split_by_arm(leads, {"2": "challenger", "3": "champion"})
    assert list(parts["champion"].contacts.index) == ["1", "3"]
    assert list(parts["challenger"].contacts.index) == ["2"]
    assert list(split_by_arm(leads, {}).keys()) == ["champion"]


def test_a_challenger_with_other_scoring_models_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(CONFIG.read_text())
    data["models"]["other"] = data["models"].pop("default")
    data.pop("companies")  # it rolls up the `default` model, which this file no longer has
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    settings = Settings(data_dir=tmp_path, challenger_config=str(path))
    with pytest.raises(LeadscoreError, match="must be the champion's"):
        load_experiment(settings, load_config(CONFIG))
    assert load_experiment(Settings(data_dir=tmp_path), load_config(CONFIG)) is None


def test_compare_arms_leaves_out_leads_outside_the_experiment() -> None:
    arms = np.array(["champion", None, "challenger", None], dtype=object)
    result = compare_arms(arms, np.array([True, True, False, False]))
    assert (result.champion.leads, result.challenger.leads) == (1, 1)


# ---- store ------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(
        f"sqlite:///{tmp_path / 'state.db'}", encryption_key=Fernet.generate_key().decode()
    ) as opened:
        opened.portals.connect(7, kind="static", tokens=Tokens(access_token="pat-x"))
        yield opened


def test_an_arm_is_recorded_once_and_kept(store: Store) -> None:
    first = store.experiments.start(7, SALT)
    assert store.experiments.start(7, SALT) == first
    store.experiments.record(7, SALT, {11: "challenger", 12: "champion"})
    store.experiments.record(7, SALT, {11: "champion", 13: "challenger"})
    assert store.experiments.arms_of(7, SALT, [11, 12, 13, 14]) == {
        11: "challenger", 12: "champion", 13: "challenger"
    }
    assert store.experiments.arms_of(7, "another-salt", [11]) == {}


# ---- the sync against the sandbox --------------------------------------------------------


def _create_contacts(url: str, token: str, count: int) -> list[str]:
    inputs = [
        {"properties": {"email": f"new{i}@example.com", "jobtitle": "VP Engineering",
                        "lifecyclestage": "lead"}}
        for i in range(count)
    ]
    response = httpx.post(f"{url}/crm/v3/objects/contacts/batch/create",
                          json={"inputs": inputs},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    response.raise_for_status()
    return sorted(str(r["id"]) for r in response.json()["results"])


def _versions(url: str, token: str, ids: list[str]) -> dict[str, str]:
    response = httpx.post(f"{url}/crm/v3/objects/contacts/batch/read",
                          json={"inputs": [{"id": i} for i in ids], "properties": [VERSION]},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    response.raise_for_status()
    return {str(r["id"]): r["properties"][VERSION] for r in response.json()["results"]}


def test_new_leads_are_split_and_scored_by_their_arm(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    challenger_path = _challenger_yaml(tmp_path)
    champion_version = model_hash(load_config(CONFIG), "default")
    challenger_version = model_hash(load_config(challenger_path), "default")
    assert champion_version != challenger_version
    sandbox_config = SandboxConfig(contacts_per_portal=12, rate_limits_enabled=False, seed=3,
                                   search_consistency_delay_s=0.0)
    with SandboxServer(sandbox_config) as sandbox:
        hub = sandbox_config.portal_hub_ids()[0]
        token = sandbox.sandbox.static_tokens[hub]
        settings = _settings(tmp_path, key, sandbox.url, challenger_path, 0.5)
        with open_store(settings=settings) as store:
            store.portals.connect(hub, kind="static", tokens=Tokens(access_token=token))
            service = sync_service(settings, store, worker_id="ab-test")
            assert not service.run_pass(hub, full=True).errors
            old = sorted(str(c) for c in _stored_ids(store, hub))
            # The seeded contacts existed before the experiment: none takes part.
            assert store.experiments.all_arms(hub, SALT) == []

            new = _create_contacts(sandbox.url, token, 16)
            assert not service.run_pass(hub, full=True).errors
            recorded = {str(a.contact_id): a.arm for a in store.experiments.all_arms(hub, SALT)}
            assert recorded == {cid: assign_arm(cid, 0.5, SALT) for cid in new}
            assert set(recorded.values()) == {"champion", "challenger"}

            def expected(cid: str) -> str:
                arm = recorded.get(cid)
                return challenger_version if arm == "challenger" else champion_version

            written = _versions(sandbox.url, token, old + new)
            assert written == {cid: expected(cid) for cid in old + new}

            # A larger share later moves nobody; the daily rescore keeps each arm's scores.
            wider = _settings(tmp_path, key, sandbox.url, challenger_path, 1.0)
            later = sync_service(wider, store, worker_id="ab-test-2")
            assert not later.run_pass(hub, full=True).errors
            assert not later.rescore(hub).errors
            again = {str(a.contact_id): a.arm for a in store.experiments.all_arms(hub, SALT)}
            assert again == recorded
            assert _versions(sandbox.url, token, old + new) == written

            history = load_portal_history(store, store.portals.require(hub),
                                          datetime.now(UTC), experiment=SALT).history
            assert history.arms is not None
            by_id = dict(zip(history.leads.contacts.index, history.arms, strict=True))
            assert by_id == {cid: recorded.get(cid) for cid in old + new}


def _stored_ids(store: Store, hub: int) -> list[int]:
    return [s.contact_id for batch in store.contacts.iter_batches(hub)
            for s in batch]


# ---- `leadscore insights experiment` ----------------------------------------------------


def _state(hub: int, contact_id: int, stage: str) -> ContactState:
    return ContactState(
        portal_id=hub,
        contact_id=contact_id,
        input_hash=f"h{contact_id}",
        inputs=StoredInputs({"lifecyclestage": stage, "jobtitle": "CTO"}),
        write_status="written",
    )


def test_experiment_command_runs_the_two_proportion_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("LEADSCORE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LEADSCORE_TOKEN_ENCRYPTION_KEY", key)
    monkeypatch.setenv("LEADSCORE_EXPERIMENT_SALT", SALT)
    hub = 99
    get_settings.cache_clear()
    with open_store(settings=get_settings()) as store:
        store.portals.connect(hub, kind="static", tokens=Tokens(access_token="pat-x"))
        store.experiments.start(hub, SALT)
        # Champion 8 of 40 converted, challenger 18 of 40; 30 older contacts, all converted,
        # are outside the experiment and must not count.
        states: list[ContactState] = []
        arms: dict[int, ArmName] = {}
        for i in range(40):
            states.append(_state(hub, 1000 + i, "opportunity" if i < 8 else "lead"))
            arms[1000 + i] = "champion"
            states.append(_state(hub, 2000 + i, "customer" if i < 18 else "lead"))
            arms[2000 + i] = "challenger"
        states += [_state(hub, 3000 + i, "customer") for i in range(30)]
        store.contacts.upsert(states)
        store.experiments.record(hub, SALT, arms)
    result = CliRunner().invoke(app, ["insights", "experiment", "--portal", str(hub), "--json"],
                                catch_exceptions=False)
    text = CliRunner().invoke(app, ["insights", "experiment"], catch_exceptions=False)
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["comparison"]
    assert (data["champion"]["leads"], data["champion"]["conversions"]) == (40, 8)
    assert (data["challenger"]["leads"], data["challenger"]["conversions"]) == (40, 18)
    # By hand: pooled p = 26/80 = 0.325, se = sqrt(0.325 * 0.675 * (1/40 + 1/40)) = 0.104732,
    # z = (0.45 - 0.20) / se = 2.38704, two-sided p = erfc(z / sqrt 2) = 0.01698.
    assert data["test"]["z"] == pytest.approx(2.38704, abs=1e-4)
    assert data["test"]["p_value"] == pytest.approx(math.erfc(2.38704 / math.sqrt(2)), rel=1e-3)
    assert data["test"]["p_value"] == pytest.approx(0.01698, abs=1e-4)
    assert data["significant"] is True
    assert data["verdict"].startswith("the challenger converts better")
    assert text.exit_code == 0, text.output
    assert "the challenger converts better" in text.stdout


def test_experiment_command_without_an_experiment_fails_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSCORE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LEADSCORE_TOKEN_ENCRYPTION_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()
    with open_store(settings=get_settings()) as store:
        store.portals.connect(5, kind="static", tokens=Tokens(access_token="pat-x"))
    result = CliRunner().invoke(app, ["insights", "experiment"])
    get_settings.cache_clear()
    # The CLI's entry point prints a LeadscoreError as one line and exits 1.
    assert isinstance(result.exception, LeadscoreError)
    assert "never ran on portal 5" in str(result.exception)
