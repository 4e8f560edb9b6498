"""The webhook inbox: durable, de-duplicated, claimed by one worker at a time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from connector.store import NewInboxEvent, Store, open_store
from tests.store.conftest import ManualClock

T0 = datetime(2026, 11, 22, 11, 59, tzinfo=UTC)


def _event(n: int, *, portal_id: int = 62515, object_id: int | None = None) -> NewInboxEvent:
    oid = object_id if object_id is not None else 3_000_000_000 + n  # beyond 2^31
    raw = {
        "eventId": n,
        "subscriptionId": 11,
        "portalId": portal_id,
        "occurredAt": int(T0.timestamp() * 1000) + n,
        "subscriptionType": "contact.propertyChange",
        "objectId": oid,
        "propertyName": "email",
        "propertyValue": f"c{n}@example.com",
    }
    return NewInboxEvent(
        portal_id=portal_id,
        subscription_id=11,
        event_id=n,
        subscription_type="contact.propertyChange",
        object_id=oid,
        occurred_at=T0 + timedelta(milliseconds=n),
        raw=raw,
        attempt_number=0,
        property_name="email",
        property_value=f"c{n}@example.com",
        change_source="CRM",
    )


def test_add_counts_only_new_events(store: Store) -> None:
    assert store.inbox.add([_event(1), _event(2)]) == 2
    # A redelivery (HubSpot retries) and an in-batch duplicate add nothing twice.
    assert store.inbox.add([_event(2), _event(3), _event(3)]) == 1
    assert store.inbox.counts() == {"pending": 3}
    assert store.inbox.add([]) == 0


def test_same_event_id_on_another_object_is_a_different_event(store: Store) -> None:
    # eventId alone is not unique: the key is (subscription, event, object, occurredAt).
    assert store.inbox.add([_event(1, object_id=10), _event(1, object_id=11)]) == 2


def test_events_keep_every_field(store: Store) -> None:
    store.inbox.add([_event(7)])
    [stored] = store.inbox.recent()
    assert stored.object_id == 3_000_000_007
    assert stored.occurred_at == T0 + timedelta(milliseconds=7)
    assert stored.property_value == "c7@example.com" and stored.change_source == "CRM"
    assert stored.raw["objectId"] == 3_000_000_007
    assert stored.status == "pending" and stored.attempts == 0


def test_events_of_unknown_portals_are_kept(store: Store) -> None:
    # No portal row exists for 999: the event is still stored (no foreign key) for later.
    assert store.inbox.add([_event(1, portal_id=999)]) == 1
    assert [e.portal_id for e in store.inbox.recent(portal_id=999)] == [999]


def test_claim_and_settle(store: Store) -> None:
    store.inbox.add([_event(n) for n in range(5)])
    claim = store.inbox.claim("worker-a", limit=3)
    assert [e.event_id for e in claim.events] == [0, 1, 2]
    assert all(e.status == "processing" and e.claimed_by == "worker-a" for e in claim.events)
    assert [e.event_id for e in store.inbox.claim("worker-b", limit=10).events] == [3, 4]
    assert store.inbox.claim("worker-c").events == []

    ids = [e.id for e in claim.events]
    assert store.inbox.mark_processed(claim.token, ids[:2]) == 2
    assert store.inbox.mark_skipped(claim.token, ids[2:], "unknown subscription type") == 1
    assert store.inbox.counts() == {"processed": 2, "skipped": 1, "processing": 2}
    [skipped] = store.inbox.recent(status="skipped")
    assert skipped.error == "unknown subscription type" and skipped.processed_at is not None


def test_settling_needs_the_claim_token(store: Store) -> None:
    store.inbox.add([_event(1)])
    claim = store.inbox.claim("worker-a")
    assert store.inbox.mark_processed("not-the-token", [claim.events[0].id]) == 0
    assert store.inbox.counts() == {"processing": 1}


def test_failed_events_retry_later_until_attempts_run_out(store: Store, clock: ManualClock) -> None:
    store.inbox.add([_event(1)])
    for attempt in range(1, 6):
        claim = store.inbox.claim("w")
        assert [e.attempts for e in claim.events] == [attempt]
        store.inbox.mark_failed(claim.token, [claim.events[0].id], f"boom {attempt}")
        assert store.inbox.claim("w").events == []  # not before retry_in
        clock.advance(minutes=1)
    [event] = store.inbox.recent()
    assert (event.status, event.attempts, event.error) == ("failed", 5, "boom 5")
    assert store.inbox.claim("w").events == []


def test_failing_for_good_at_once(store: Store) -> None:
    store.inbox.add([_event(1)])
    claim = store.inbox.claim("w")
    store.inbox.mark_failed(claim.token, [claim.events[0].id], "malformed", retry_in=None)
    [event] = store.inbox.recent()
    assert event.status == "failed" and event.processed_at is not None


def test_a_dead_workers_claim_is_taken_over(store: Store, clock: ManualClock) -> None:
    store.inbox.add([_event(1)])
    dead = store.inbox.claim("dead-worker")
    clock.advance(minutes=4)
    assert store.inbox.claim("live-worker").events == []
    clock.advance(minutes=2)
    taken = store.inbox.claim("live-worker")
    assert [e.attempts for e in taken.events] == [2]
    # The dead worker's late answer no longer counts.
    assert store.inbox.mark_processed(dead.token, [dead.events[0].id]) == 0
    assert store.inbox.mark_processed(taken.token, [taken.events[0].id]) == 1


def test_release_returns_events_without_using_an_attempt(store: Store) -> None:
    store.inbox.add([_event(1), _event(2)])
    claim = store.inbox.claim("w")
    store.inbox.mark_processed(claim.token, [claim.events[0].id])
    assert store.inbox.release(claim.token) == 1
    again = store.inbox.claim("w")
    assert [(e.event_id, e.attempts) for e in again.events] == [(2, 1)]


def test_claim_by_portal(store: Store) -> None:
    store.inbox.add([_event(1, portal_id=1), _event(2, portal_id=2)])
    assert [e.portal_id for e in store.inbox.claim("w", portal_id=2).events] == [2]


def test_purge_deletes_only_old_settled_events(store: Store, clock: ManualClock) -> None:
    store.inbox.add([_event(1), _event(2)])
    claim = store.inbox.claim("w", limit=1)
    store.inbox.mark_processed(claim.token, [claim.events[0].id])
    clock.advance(days=8)
    assert store.inbox.purge(received_before=clock.now - timedelta(days=7)) == 1
    assert store.inbox.counts() == {"pending": 1}


def test_concurrent_workers_never_claim_one_event_twice(db_url: str, key: str) -> None:
    with open_store(db_url, encryption_key=key) as seed:
        seed.inbox.add([_event(n) for n in range(300)])
    claimed: dict[str, list[int]] = {}
    start = threading.Barrier(4)

    def work(name: str) -> None:
        with open_store(db_url, encryption_key=key) as own:
            ids: list[int] = []
            start.wait()
            while batch := own.inbox.claim(name, limit=7).events:
                ids.extend(e.id for e in batch)
            claimed[name] = ids

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in claimed.values() for i in ids]
    assert len(every) == 300 and len(set(every)) == 300


def test_a_dead_workers_claim_is_released_at_once(store: Store) -> None:
    store.inbox.add([_event(1), _event(2), _event(3)])
    dead = store.inbox.claim("host:111", limit=2)
    alive = store.inbox.claim("host:222", limit=1)
    assert store.inbox.claimants() == ["host:111", "host:222"]

    # Only the dead worker's events go back; the live worker keeps its claim.
    assert store.inbox.release_worker("host:111") == 2
    assert store.inbox.counts() == {"pending": 2, "processing": 1}
    retaken = store.inbox.claim("host:333", limit=5)
    assert sorted(e.id for e in retaken.events) == sorted(e.id for e in dead.events)
    # The dead worker's late answer changes nothing: its claim token is gone.
    assert store.inbox.mark_processed(dead.token, [e.id for e in dead.events]) == 0
    assert store.inbox.mark_processed(alive.token, [e.id for e in alive.events]) == 1
