"""Scoring-API keys: shown once, stored hashed, verified, revoked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from connector.errors import LeadscoreError
from connector.store import Store
from connector.store.schema import api_keys
from tests.store.conftest import ManualClock


def test_create_and_verify(store: Store, clock: ManualClock) -> None:
    plain, record = store.api_keys.create("crm-form")
    assert plain.startswith("lsk_") and len(plain) > 40
    assert plain.startswith(record.prefix) and len(record.prefix) == 12
    assert record.last_used_at is None and plain not in repr(record)
    clock.advance(minutes=5)
    verified = store.api_keys.verify(plain)
    assert verified is not None and verified.id == record.id and verified.name == "crm-form"
    assert verified.last_used_at == clock.now


def test_only_a_hash_is_stored(store: Store) -> None:
    plain, _ = store.api_keys.create("k")
    with store.engine.connect() as conn:
        row = conn.execute(select(api_keys)).one()
    assert plain not in " ".join(str(v) for v in row)


def test_wrong_keys_are_rejected(store: Store) -> None:
    plain, _ = store.api_keys.create("k")
    assert store.api_keys.verify(plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None
    assert store.api_keys.verify(plain + "x") is None
    assert store.api_keys.verify("") is None
    assert store.api_keys.verify("lsk_") is None
    assert store.api_keys.verify("Bearer " + plain) is None


def test_revoked_keys_stop_working(store: Store) -> None:
    plain, record = store.api_keys.create("old")
    other_plain, _ = store.api_keys.create("new")
    assert store.api_keys.revoke(record.id)
    assert not store.api_keys.revoke(record.id)
    assert store.api_keys.verify(plain) is None
    assert store.api_keys.verify(other_plain) is not None
    assert [k.name for k in store.api_keys.all()] == ["new"]
    listed = store.api_keys.all(include_revoked=True)
    assert [(k.name, k.revoked) for k in listed] == [("old", True), ("new", False)]


def test_a_key_needs_a_name(store: Store) -> None:
    with pytest.raises(LeadscoreError, match="non-empty name"):
        store.api_keys.create("  ")
