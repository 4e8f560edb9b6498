"""Per-contact state: bulk upsert and read, write status, rescore iteration, deletion."""

from __future__ import annotations

from datetime import UTC, datetime

from connector.store import ContactState, Store
from tests.store.conftest import ManualClock

SCORED = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def _state(
    portal_id: int, contact_id: int, *, model: str = "default", score: int = 50
) -> ContactState:
    return ContactState(
        portal_id=portal_id,
        scoring_model=model,
        contact_id=contact_id,
        input_hash=f"h{contact_id}-{score}",
        inputs={"jobtitle": "CTO", "num_conversion_events": "3", "meetings_90d": 1},
        pending_values={"leadscore_score": str(score), "leadscore_tier": "warm"},
        scored_at=SCORED,
    )


def test_bulk_upsert_and_read_thousands(store: Store, portal_id: int) -> None:
    ids = range(5_000_000_000, 5_000_002_500)  # beyond 32 bits, more than one chunk
    assert store.contacts.upsert([_state(portal_id, i) for i in ids]) == 2500
    found = store.contacts.get_many(portal_id, "default", [*ids, 1])
    assert len(found) == 2500 and 1 not in found
    state = found[5_000_000_007]
    assert state.inputs["meetings_90d"] == 1 and state.scored_at == SCORED
    assert state.write_status == "pending" and state.written_values == {}
    assert store.contacts.counts(portal_id) == {"pending": 2500}


def test_upsert_replaces_existing_rows(store: Store, portal_id: int, clock: ManualClock) -> None:
    store.contacts.upsert([_state(portal_id, 1, score=10), _state(portal_id, 2)])
    clock.advance(hours=1)
    # The same key twice in one batch: the last one wins.
    store.contacts.upsert([_state(portal_id, 1, score=20), _state(portal_id, 1, score=30)])
    found = store.contacts.get_many(portal_id, "default", [1, 2])
    assert found[1].input_hash == "h1-30" and found[1].pending_values == {
        "leadscore_score": "30",
        "leadscore_tier": "warm",
    }
    assert found[1].updated_at == clock.now
    assert found[2].input_hash == "h2-50"


def test_models_are_separate(store: Store, portal_id: int) -> None:
    store.contacts.upsert([_state(portal_id, 1), _state(portal_id, 1, model="enterprise")])
    assert set(store.contacts.get_many(portal_id, "enterprise", [1])) == {1}
    store.contacts.delete(portal_id, [1], scoring_model="enterprise")
    assert store.contacts.get_many(portal_id, "enterprise", [1]) == {}
    assert set(store.contacts.get_many(portal_id, "default", [1])) == {1}


def test_written_promotes_pending_values(store: Store, portal_id: int, clock: ManualClock) -> None:
    store.contacts.upsert([_state(portal_id, i) for i in (1, 2, 3)])
    assert store.contacts.mark_written(portal_id, "default", [1, 2]) == 2
    found = store.contacts.get_many(portal_id, "default", [1, 3])
    assert found[1].write_status == "written" and found[1].written_at == clock.now
    assert found[1].written_values == {"leadscore_score": "50", "leadscore_tier": "warm"}
    assert found[1].pending_values is None
    assert found[3].write_status == "pending"


def test_failed_writes_are_kept_for_retry(store: Store, portal_id: int) -> None:
    store.contacts.upsert([_state(portal_id, i) for i in (1, 2, 3)])
    store.contacts.mark_written(portal_id, "default", [1])
    assert store.contacts.mark_failed(portal_id, "default", {2: "INVALID_OPTION"}) == 1
    store.contacts.mark_failed(portal_id, "default", {2: "still invalid"})
    retry = store.contacts.pending_writes(portal_id, "default")
    assert [s.contact_id for s in retry] == [2, 3]
    assert (retry[0].write_status, retry[0].write_error, retry[0].write_attempts) == (
        "failed",
        "still invalid",
        2,
    )
    assert retry[0].pending_values == {"leadscore_score": "50", "leadscore_tier": "warm"}
    assert [
        s.contact_id for s in store.contacts.pending_writes(portal_id, "default", after_id=2)
    ] == [3]
    # A later success clears the error and the attempt count.
    store.contacts.mark_written(portal_id, "default", [2])
    [state] = store.contacts.get_many(portal_id, "default", [2]).values()
    assert (state.write_status, state.write_error, state.write_attempts) == ("written", None, 0)


def test_iter_batches_walks_every_contact_once(store: Store, portal_id: int) -> None:
    store.contacts.upsert([_state(portal_id, i) for i in range(1, 26)])
    store.contacts.upsert([_state(portal_id, 99, model="other")])
    batches = list(store.contacts.iter_batches(portal_id, "default", batch_size=10))
    assert [len(b) for b in batches] == [10, 10, 5]
    assert [s.contact_id for b in batches for s in b] == list(range(1, 26))


def test_delete_removes_every_model_by_default(store: Store, portal_id: int) -> None:
    store.contacts.upsert(
        [_state(portal_id, 1), _state(portal_id, 1, model="b"), _state(portal_id, 2)]
    )
    assert store.contacts.delete(portal_id, [1, 404]) == 2
    assert store.contacts.get_many(portal_id, "default", [1, 2]).keys() == {2}
    assert store.contacts.get_many(portal_id, "b", [1]) == {}
