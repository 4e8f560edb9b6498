"""Per-contact state: bulk upsert and read, write status, rescore iteration, deletion, and the
typed stored inputs (a malformed row is a clear error naming the contact)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from connector.scoring.stored_inputs import StoredActivity, StoredInputs, StoredInputsError
from connector.store import ContactState, Store, Tokens
from connector.store.schema import contact_state
from tests.store.conftest import ManualClock

SCORED = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
INPUTS = StoredInputs(
    {"jobtitle": "CTO", "num_conversion_events": "3", "company.industry": None},
    (StoredActivity("meeting", "2026-11-20T09:30:00+00:00", "completed", None),),
)


def _state(portal_id: int, contact_id: int, *, score: int = 50) -> ContactState:
    return ContactState(
        portal_id=portal_id,
        contact_id=contact_id,
        input_hash=f"h{contact_id}-{score}",
        inputs=INPUTS,
        pending_values={"leadscore_score": str(score), "leadscore_tier": "warm"},
        scored_at=SCORED,
    )


def test_bulk_upsert_and_read_thousands(store: Store, portal_id: int) -> None:
    ids = range(5_000_000_000, 5_000_002_500)  # beyond 32 bits, more than one chunk
    assert store.contacts.upsert([_state(portal_id, i) for i in ids]) == 2500
    found = store.contacts.get_many(portal_id, [*ids, 1])
    assert len(found) == 2500 and 1 not in found
    state = found[5_000_000_007]
    assert state.inputs == INPUTS and state.scored_at == SCORED
    assert state.inputs.activities[0].kind == "meeting" and state.inputs.version == 1
    assert state.write_status == "pending" and state.written_values == {}
    assert store.contacts.counts(portal_id) == {"pending": 2500}


def test_upsert_replaces_existing_rows(store: Store, portal_id: int, clock: ManualClock) -> None:
    store.contacts.upsert([_state(portal_id, 1, score=10), _state(portal_id, 2)])
    clock.advance(hours=1)
    # The same key twice in one batch: the last one wins.
    store.contacts.upsert([_state(portal_id, 1, score=20), _state(portal_id, 1, score=30)])
    found = store.contacts.get_many(portal_id, [1, 2])
    assert found[1].input_hash == "h1-30" and found[1].pending_values == {
        "leadscore_score": "30",
        "leadscore_tier": "warm",
    }
    assert found[1].updated_at == clock.now
    assert found[2].input_hash == "h2-50"


def test_unversioned_inputs_read_as_version_1(store: Store, portal_id: int) -> None:
    store.contacts.upsert([_state(portal_id, 1)])
    legacy = {"properties": {"jobtitle": "CEO"},
              "activities": [{"kind": "call", "timestamp": "2026-11-01T08:00:00+00:00",
                              "outcome": "completed", "direction": None}]}
    with store.engine.begin() as conn:
        conn.execute(update(contact_state).values(inputs=legacy))
    [state] = store.contacts.get_many(portal_id, [1]).values()
    assert state.inputs == StoredInputs(
        {"jobtitle": "CEO"},
        (StoredActivity("call", "2026-11-01T08:00:00+00:00", "completed", None),),
        version=1,
    )


def test_a_malformed_row_is_an_error_naming_the_contact(store: Store, portal_id: int) -> None:
    store.contacts.upsert([_state(portal_id, i) for i in (1, 2, 3)])
    with store.engine.begin() as conn:
        conn.execute(
            update(contact_state)
            .where(contact_state.c.contact_id == 2)
            .values(inputs={"properties": {"jobtitle": 7}, "activities": []})
        )
    with pytest.raises(StoredInputsError, match=r"contact 2 .*property 'jobtitle' must be text"):
        list(store.contacts.iter_batches(portal_id))
    assert set(store.contacts.get_many(portal_id, [1, 3])) == {1, 3}


def test_written_promotes_pending_values(store: Store, portal_id: int, clock: ManualClock) -> None:
    store.contacts.upsert([_state(portal_id, i) for i in (1, 2, 3)])
    assert store.contacts.mark_written(portal_id, [1, 2]) == 2
    found = store.contacts.get_many(portal_id, [1, 3])
    assert found[1].write_status == "written" and found[1].written_at == clock.now
    assert found[1].written_values == {"leadscore_score": "50", "leadscore_tier": "warm"}
    assert found[1].pending_values is None
    assert found[3].write_status == "pending"


def test_failed_writes_are_kept_for_retry(store: Store, portal_id: int) -> None:
    store.contacts.upsert([_state(portal_id, i) for i in (1, 2, 3)])
    store.contacts.mark_written(portal_id, [1])
    assert store.contacts.mark_failed(portal_id, {2: "INVALID_OPTION"}) == 1
    store.contacts.mark_failed(portal_id, {2: "still invalid"})
    retry = store.contacts.pending_writes(portal_id)
    assert [s.contact_id for s in retry] == [2, 3]
    assert (retry[0].write_status, retry[0].write_error, retry[0].write_attempts) == (
        "failed",
        "still invalid",
        2,
    )
    assert retry[0].pending_values == {"leadscore_score": "50", "leadscore_tier": "warm"}
    assert [
        s.contact_id for s in store.contacts.pending_writes(portal_id, after_id=2)
    ] == [3]
    # A later success clears the error and the attempt count.
    store.contacts.mark_written(portal_id, [2])
    [state] = store.contacts.get_many(portal_id, [2]).values()
    assert (state.write_status, state.write_error, state.write_attempts) == ("written", None, 0)


def test_iter_batches_walks_every_contact_once(store: Store, portal_id: int) -> None:
    store.contacts.upsert([_state(portal_id, i) for i in range(1, 26)])
    store.portals.connect(4_000_002, kind="static", tokens=Tokens("t"))
    store.contacts.upsert([_state(4_000_002, 99)])  # another portal's
    batches = list(store.contacts.iter_batches(portal_id, batch_size=10))
    assert [len(b) for b in batches] == [10, 10, 5]
    assert [s.contact_id for b in batches for s in b] == list(range(1, 26))


def test_delete_forgets_the_contacts(store: Store, portal_id: int) -> None:
    store.contacts.upsert([_state(portal_id, 1), _state(portal_id, 2)])
    assert store.contacts.delete(portal_id, [1, 404]) == 1
    assert store.contacts.get_many(portal_id, [1, 2]).keys() == {2}
