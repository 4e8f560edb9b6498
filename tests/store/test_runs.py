"""Run history with counters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connector.errors import LeadscoreError
from connector.store import RunCounters, Store
from tests.store.conftest import ManualClock


def test_start_progress_finish(store: Store, portal_id: int, clock: ManualClock) -> None:
    run = store.runs.start(portal_id, "full")
    assert run.status == "running" and run.counters == RunCounters()
    counters = RunCounters(contacts_read=200, api_calls={"search": 2})
    store.runs.update_counters(run.id, counters)
    assert store.runs.get(run.id).counters.contacts_read == 200  # type: ignore[union-attr]

    clock.advance(seconds=42)
    counters = RunCounters(
        contacts_read=1000,
        contacts_scored=1000,
        contacts_written=300,
        contacts_unchanged=690,
        contacts_failed=10,
        rate_limited=1,
        errors=1,
        api_calls={"search": 5, "batch_update": 3},
        seconds=41.5,
    )
    done = store.runs.finish(run.id, "succeeded", counters)
    assert done.status == "succeeded" and done.finished_at == clock.now
    assert done.counters == counters
    assert store.runs.get(run.id) == done


def test_recent_and_last_succeeded(store: Store, portal_id: int, clock: ManualClock) -> None:
    first = store.runs.start(portal_id, "full")
    store.runs.finish(first.id, "succeeded", RunCounters())
    clock.advance(minutes=15)
    second = store.runs.start(portal_id, "incremental")
    store.runs.finish(second.id, "failed", RunCounters(errors=1), error="HubSpot 503")
    clock.advance(minutes=15)
    store.runs.start(None, "train")  # offline training has no portal

    assert [r.kind for r in store.runs.recent()] == ["train", "incremental", "full"]
    assert [r.kind for r in store.runs.recent(portal_id=portal_id, limit=1)] == ["incremental"]
    assert [r.id for r in store.runs.recent(kind="full")] == [first.id]
    assert store.runs.last_succeeded(portal_id, "full") == store.runs.get(first.id)
    assert store.runs.last_succeeded(portal_id, "incremental") is None
    assert store.runs.get(second.id).error == "HubSpot 503"  # type: ignore[union-attr]


def test_abandon_stale_runs(store: Store, portal_id: int, clock: ManualClock) -> None:
    old = store.runs.start(portal_id, "full")
    clock.advance(hours=2)
    fresh = store.runs.start(portal_id, "incremental")
    assert store.runs.abandon_stale(started_before=clock.now - timedelta(hours=1)) == 1
    assert store.runs.get(old.id).status == "abandoned"  # type: ignore[union-attr]
    assert store.runs.get(fresh.id).status == "running"  # type: ignore[union-attr]


def test_finishing_an_unknown_run_fails(store: Store) -> None:
    with pytest.raises(LeadscoreError, match="run 12345 does not exist"):
        store.runs.finish(12345, "succeeded", RunCounters())
