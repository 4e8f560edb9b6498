"""Trained model artifacts: one active per (portal, scoring model)."""

from __future__ import annotations

import pytest

from connector.errors import LeadscoreError
from connector.store import Store


def test_save_activates_and_keeps_history(store: Store, portal_id: int) -> None:
    blob = bytes(range(256)) * 100
    v1 = store.models.save(portal_id, "default", "v1", {"auc": 0.81}, blob=blob)
    assert v1.active and v1.size_bytes == len(blob)
    assert store.models.blob(v1.id) == blob
    v2 = store.models.save(portal_id, "default", "v2", {"auc": 0.84}, path="/models/v2.lgb")
    active = store.models.active(portal_id, "default")
    assert active is not None and active.id == v2.id and active.meta == {"auc": 0.84}
    assert store.models.blob(v2.id) is None and active.path == "/models/v2.lgb"
    assert [(m.version, m.active) for m in store.models.history(portal_id)] == [
        ("v2", True),
        ("v1", False),
    ]


def test_activate_an_older_version(store: Store, portal_id: int) -> None:
    v1 = store.models.save(portal_id, "default", "v1", {}, blob=b"1")
    store.models.save(portal_id, "default", "v2", {}, blob=b"2")
    assert store.models.activate(v1.id).active
    assert store.models.active(portal_id, "default").version == "v1"  # type: ignore[union-attr]
    assert sum(m.active for m in store.models.history(portal_id, "default")) == 1


def test_scoring_models_and_offline_models_are_separate(store: Store, portal_id: int) -> None:
    store.models.save(portal_id, "default", "v1", {}, blob=b"a")
    store.models.save(portal_id, "enterprise", "v1", {}, blob=b"b")
    store.models.save(None, "default", "v1", {"source": "csv"}, blob=b"c")
    offline = store.models.active(None, "default")
    assert offline is not None and offline.meta == {"source": "csv"}
    assert store.models.blob(offline.id) == b"c"
    assert store.models.active(portal_id, "enterprise").version == "v1"  # type: ignore[union-attr]
    assert store.models.active(portal_id, "other") is None


def test_candidate_saved_without_activation(store: Store, portal_id: int) -> None:
    store.models.save(portal_id, "default", "v1", {}, blob=b"a")
    store.models.save(portal_id, "default", "v2-candidate", {}, blob=b"b", activate=False)
    assert store.models.active(portal_id, "default").version == "v1"  # type: ignore[union-attr]


def test_duplicate_version_and_bad_arguments(store: Store, portal_id: int) -> None:
    store.models.save(portal_id, "default", "v1", {}, blob=b"a")
    with pytest.raises(LeadscoreError, match="'v1' of 'default' already exists"):
        store.models.save(portal_id, "default", "v1", {}, blob=b"b")
    with pytest.raises(ValueError, match="exactly one of blob or path"):
        store.models.save(portal_id, "default", "v3", {})
    with pytest.raises(LeadscoreError, match="model 999 does not exist"):
        store.models.blob(999)
