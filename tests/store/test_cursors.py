"""Compound sync cursors per portal and stream."""

from __future__ import annotations

from datetime import UTC, datetime

from connector.store import Store, SyncCursor
from tests.store.conftest import ManualClock

WINDOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def test_missing_cursor_is_none(store: Store, portal_id: int) -> None:
    assert store.cursors.get(portal_id, "contacts") is None


def test_save_and_advance_a_compound_cursor(
    store: Store, portal_id: int, clock: ManualClock
) -> None:
    saved = store.cursors.save(SyncCursor(portal_id, "contacts", "full", full_after="500"))
    assert saved.updated_at == clock.now
    assert store.cursors.get(portal_id, "contacts") == saved

    clock.advance(minutes=15)
    big_id = 2**45  # hs_object_id values beyond 32 bits
    store.cursors.save(
        SyncCursor(portal_id, "contacts", "incremental", window_start=WINDOW, last_object_id=big_id)
    )
    cursor = store.cursors.get(portal_id, "contacts")
    assert cursor == SyncCursor(
        portal_id, "contacts", "incremental", WINDOW, big_id, None, clock.now
    )


def test_streams_are_independent_and_reset(store: Store, portal_id: int) -> None:
    store.cursors.save(SyncCursor(portal_id, "contacts", "incremental", last_object_id=1))
    store.cursors.save(SyncCursor(portal_id, "meetings", "full", full_after="x"))
    assert [c.stream for c in store.cursors.for_portal(portal_id)] == ["contacts", "meetings"]
    assert store.cursors.reset(portal_id, "contacts") == 1
    assert store.cursors.get(portal_id, "contacts") is None
    assert store.cursors.get(portal_id, "meetings") is not None
    assert store.cursors.reset(portal_id) == 1
    assert store.cursors.for_portal(portal_id) == []


def test_window_start_keeps_its_instant_across_timezones(store: Store, portal_id: int) -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 11, 1, 9, 30, 15, 123000, tzinfo=ZoneInfo("Europe/Berlin"))
    store.cursors.save(SyncCursor(portal_id, "contacts", "incremental", window_start=local))
    cursor = store.cursors.get(portal_id, "contacts")
    assert cursor is not None and cursor.window_start == local
    assert cursor.window_start.tzinfo == UTC
