"""Portals: connection lifecycle and tokens encrypted at rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from connector.errors import LeadscoreError
from connector.store import Store, SyncCursor, Tokens, open_store
from connector.store.schema import portals, sync_cursors
from tests.store.conftest import ManualClock

ACCESS = "CNa-access-token-" + "x" * 480  # HubSpot tokens run up to 512 characters
REFRESH = "de3f-refresh-token-value"
EXPIRES = datetime(2026, 11, 22, 12, 30, tzinfo=UTC)


def _connect(store: Store, hub_id: int = 777) -> None:
    store.portals.connect(
        hub_id,
        kind="oauth",
        tokens=Tokens(ACCESS, REFRESH, EXPIRES),
        scopes=["oauth", "crm.objects.contacts.read"],
        hub_domain="acme.hubspot.com",
        tier="pro",
    )


def test_connect_then_read_back(store: Store) -> None:
    _connect(store)
    portal = store.portals.require(777)
    assert portal.status == "connected"
    assert portal.kind == "oauth" and portal.tier == "pro"
    assert portal.scopes == ("oauth", "crm.objects.contacts.read")
    assert portal.hub_domain == "acme.hubspot.com"
    assert portal.has_tokens and portal.token_expires_at == EXPIRES
    assert store.portals.get_tokens(777) == Tokens(ACCESS, REFRESH, EXPIRES)


def test_tokens_are_encrypted_in_the_database(store: Store) -> None:
    _connect(store)
    with store.engine.connect() as conn:
        row = conn.execute(select(portals).where(portals.c.hub_id == 777)).one()
    stored = " ".join(str(v) for v in row)
    assert ACCESS not in stored and "access-token" not in stored
    assert REFRESH not in stored


def test_tokens_never_appear_in_reprs(store: Store) -> None:
    _connect(store)
    tokens = store.portals.get_tokens(777)
    assert tokens is not None
    shown = repr(tokens) + repr(store.portals.require(777)) + repr(store)
    assert "access-token" not in shown and REFRESH not in shown


def test_wrong_key_gives_a_clear_error(db_url: str, store: Store) -> None:
    _connect(store)
    other_key = Fernet.generate_key().decode()
    with (
        open_store(db_url, encryption_key=other_key) as other,
        pytest.raises(LeadscoreError, match="portal 777 cannot be decrypted") as info,
    ):
        other.portals.get_tokens(777)
    assert "access-token" not in str(info.value)


def test_rotated_key_still_decrypts_old_tokens(db_url: str, key: str, store: Store) -> None:
    _connect(store)
    new_key = Fernet.generate_key().decode()
    with open_store(db_url, encryption_key=f"{new_key},{key}") as rotated:
        assert rotated.portals.get_tokens(777) == Tokens(ACCESS, REFRESH, EXPIRES)


def test_refresh_keeps_the_refresh_token_when_none_comes_back(store: Store) -> None:
    _connect(store)
    later = EXPIRES + timedelta(minutes=30)
    store.portals.save_tokens(777, Tokens("new-access", None, later))
    assert store.portals.get_tokens(777) == Tokens("new-access", REFRESH, later)
    store.portals.save_tokens(777, Tokens("newer", "rotated-refresh", later))
    assert store.portals.get_tokens(777) == Tokens("newer", "rotated-refresh", later)


def test_saving_tokens_of_an_unknown_portal_fails(store: Store) -> None:
    with pytest.raises(LeadscoreError, match="portal 5 is not connected"):
        store.portals.save_tokens(5, Tokens("a"))


def test_needs_reconnect_then_disconnect_removes_tokens(store: Store) -> None:
    _connect(store)
    assert store.portals.set_status(777, "needs_reconnect", "BAD_REFRESH_TOKEN")
    portal = store.portals.require(777)
    assert (portal.status, portal.status_reason) == ("needs_reconnect", "BAD_REFRESH_TOKEN")
    assert [p.hub_id for p in store.portals.all(status="needs_reconnect")] == [777]

    assert store.portals.disconnect(777, "uninstalled")
    portal = store.portals.require(777)
    assert portal.status == "disconnected" and not portal.has_tokens
    assert store.portals.get_tokens(777) is None
    with store.engine.connect() as conn:
        row = conn.execute(select(portals).where(portals.c.hub_id == 777)).one()
    assert row.access_token_enc is None and row.refresh_token_enc is None


def test_reconnect_keeps_created_at_and_history(store: Store, clock: ManualClock) -> None:
    _connect(store)
    created = store.portals.require(777).created_at
    store.cursors.save(SyncCursor(777, "contacts", "incremental", last_object_id=9))
    store.portals.disconnect(777)
    clock.advance(days=1)
    store.portals.connect(777, kind="static", tokens=Tokens("pat-na1-123"))
    portal = store.portals.require(777)
    assert portal.created_at == created and portal.updated_at == clock.now
    assert portal.kind == "static" and portal.status == "connected" and portal.scopes == ()
    assert store.portals.get_tokens(777) == Tokens("pat-na1-123")
    assert store.cursors.get(777, "contacts") is not None


def test_delete_forgets_everything_of_the_portal(store: Store) -> None:
    _connect(store)
    store.cursors.save(SyncCursor(777, "contacts", "full", full_after="100"))
    assert store.portals.delete(777)
    assert store.portals.get(777) is None
    with store.engine.connect() as conn:
        assert conn.execute(select(sync_cursors)).all() == []


def test_unknown_portal_is_a_clear_error(store: Store) -> None:
    assert store.portals.get(1) is None
    with pytest.raises(LeadscoreError, match="portal 1 is not connected"):
        store.portals.require(1)
