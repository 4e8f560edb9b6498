"""The portal history built from the store: outcomes, hidden columns, written scores, errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cryptography.fernet import Fernet

from connector.errors import LeadscoreError
from connector.reports import (
    PortalSource,
    active_model_file,
    load_portal_history,
    resolve_portal,
)
from connector.reports.portal_history import written_scores
from connector.settings import Settings
from connector.store import ContactState, Store, Tokens, open_store
from connector.sync.inputs import StoredInputs

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
HUB = 4242


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(
        f"sqlite:///{tmp_path / 'state.db'}", encryption_key=Fernet.generate_key().decode()
    ) as opened:
        yield opened


def _connect(store: Store, hub_id: int = HUB) -> None:
    store.portals.connect(hub_id, kind="static", tokens=Tokens(access_token="pat-x"))


def _state(
    contact_id: int,
    stage: str | None,
    *,
    written: dict[str, str] | None = None,
    pending: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    activities: list[dict[str, Any]] | None = None,
) -> ContactState:
    properties: dict[str, Any] = {"lifecyclestage": stage, "jobtitle": "CTO", **(extra or {})}
    return ContactState(
        portal_id=HUB,
        contact_id=contact_id,
        input_hash=f"h{contact_id}",
        inputs=StoredInputs.from_json({"properties": properties, "activities": activities or []}),
        written_values=written or {},
        pending_values=pending,
        write_status="pending" if pending else "written",
    )


def test_outcome_is_lifecycle_stage_opportunity_or_later(store: Store) -> None:
    _connect(store)
    stages = ["lead", "opportunity", "customer", "subscriber", None, "other", "evangelist"]
    store.contacts.upsert([_state(i + 1, s) for i, s in enumerate(stages)])
    loaded = load_portal_history(store, store.portals.require(HUB), NOW)
    by_id = dict(zip(loaded.history.leads.contacts.index, loaded.history.converted, strict=True))
    assert by_id == {
        "1": False, "2": True, "3": True, "4": False, "5": False, "6": False, "7": True,
    }
    assert loaded.history.now == NOW


def test_stage_post_outcome_and_own_columns_are_not_features(store: Store) -> None:
    _connect(store)
    extra = {
        "hs_lifecyclestage_customer_date": "2026-01-01",
        "num_associated_deals": "2",
        "leadscore_score": "80",
        "industry": "Software",
    }
    store.contacts.upsert([_state(1, "customer", extra=extra), _state(2, "lead", extra=extra)])
    loaded = load_portal_history(store, store.portals.require(HUB), NOW)
    columns = set(loaded.history.leads.contacts)
    assert columns == {"jobtitle", "industry"}


def test_activities_come_back_for_engagement_scoring(store: Store) -> None:
    _connect(store)
    call = {"kind": "call", "timestamp": "2026-11-20T10:00:00+00:00", "outcome": "connected",
            "direction": None}
    store.contacts.upsert([_state(1, "lead", activities=[call]), _state(2, "customer")])
    loaded = load_portal_history(store, store.portals.require(HUB), NOW)
    activities = loaded.history.leads.activities
    assert activities["contact_id"].tolist() == ["1"]
    assert activities["timestamp"].iloc[0] == datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_written_scores_prefer_pending_values_and_parse_numbers() -> None:
    states = [
        _state(1, "lead", written={"leadscore_score": "40", "leadscore_tier": "cold"},
               pending={"leadscore_score": "72.5", "leadscore_tier": "warm"}),
        _state(2, "lead", written={"leadscore_score": "91", "leadscore_tier": "hot",
                                   "leadscore_segment": "fast_track"}),
        _state(3, "lead"),
    ]
    frame = written_scores(states, "default")
    assert frame.loc["1", "score"] == 72.5 and frame.loc["1", "tier"] == "warm"
    assert frame.loc["2", "segment"] == "fast_track"
    assert np.isnan(frame["score"]["3"]) and frame["tier"].isna()["3"]
    assert frame.loc["1", "write_status"] == "pending"


def test_written_scores_of_a_named_model_use_its_properties() -> None:
    state = _state(1, "lead", written={"leadscore_score": "10", "leadscore_pro_score": "55"})
    assert written_scores([state], "pro").loc["1", "score"] == 55.0


def test_no_synced_contacts_is_a_clear_error(store: Store) -> None:
    _connect(store)
    with pytest.raises(LeadscoreError, match=r"no synced contacts.*sync --full"):
        load_portal_history(store, store.portals.require(HUB), NOW)


def test_inputs_without_lifecycle_stage_are_refused(store: Store) -> None:
    _connect(store)
    state = _state(1, "lead")
    without = {k: v for k, v in state.inputs.properties.items() if k != "lifecyclestage"}
    store.contacts.upsert([replace(state, inputs=StoredInputs(without))])
    with pytest.raises(LeadscoreError, match="no 'lifecyclestage'"):
        load_portal_history(store, store.portals.require(HUB), NOW)


def test_resolve_portal_picks_the_only_live_portal(store: Store) -> None:
    with pytest.raises(LeadscoreError, match="no connected portal"):
        resolve_portal(store, None)
    _connect(store, 1)
    _connect(store, 2)
    with pytest.raises(LeadscoreError, match=r"several portals are connected \(1, 2\)"):
        resolve_portal(store, None)
    store.portals.disconnect(1)
    assert resolve_portal(store, None).hub_id == 2
    assert resolve_portal(store, 1).hub_id == 1
    with pytest.raises(LeadscoreError, match="portal 3 is not connected"):
        resolve_portal(store, 3)


def test_active_model_is_exported_once_per_version(store: Store, tmp_path: Path) -> None:
    _connect(store)
    portal = store.portals.require(HUB)
    assert active_model_file(store, portal, "default", tmp_path) is None
    store.models.save(HUB, "default", "v/1", {}, blob=b"model-bytes")
    path = active_model_file(store, portal, "default", tmp_path / "cache")
    assert path is not None and path.read_bytes() == b"model-bytes"
    assert path.name == "portal-4242-default-v_1.zip"
    assert active_model_file(store, portal, "default", tmp_path / "cache") == path


def test_portal_source_reads_the_store_named_by_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, token_encryption_key=Fernet.generate_key().decode()
    )
    with open_store(settings=settings) as store:
        _connect(store)
        store.contacts.upsert([_state(1, "customer"), _state(2, "lead")])
    history = PortalSource(None, "default", NOW, settings)()
    assert history.conversions == 1 and len(history.leads) == 2
    assert "portal 4242" in history.source
    assert PortalSource(HUB, "default", NOW, settings).model_file() is None
