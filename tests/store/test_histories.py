"""Contact property histories in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from connector.scoring.histories import ContactHistory, HistoryError, ValueChange
from connector.scoring.stored_inputs import StoredInputs
from connector.store import ContactState, Store, Tokens, properties_key
from connector.store.schema import contact_histories

READ_AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
BIG_ID = 2**40 + 7  # HubSpot ids pass 2^31


def _history(stage: str, at_ms: int = 1_700_000_000_000) -> ContactHistory:
    return ContactHistory.from_versions({
        "lifecyclestage": [ValueChange(at_ms + 1000, stage, "CRM_UI"),
                           ValueChange(at_ms, "lead", "FORM")],
        "hs_lead_status": [ValueChange(at_ms, None, "INTEGRATION")],
        "industry": [],
    })


def test_properties_key_ignores_order_and_repeats_and_tells_sets_apart() -> None:
    key = properties_key(["lifecyclestage", "industry"])
    assert key == properties_key(["industry", "lifecyclestage", "industry"])
    assert key != properties_key(["industry"])
    assert len(key) == 16 and int(key, 16) >= 0


def test_saved_histories_load_back_equal(store: Store, portal_id: int) -> None:
    saved = {1: _history("customer"), BIG_ID: _history("opportunity")}
    assert store.histories.save(portal_id, saved, "k1", READ_AT) == 2

    loaded = store.histories.load(portal_id)

    assert loaded == {"1": saved[1], str(BIG_ID): saved[BIG_ID]}
    # Oldest first, cleared values and never-set properties kept apart.
    assert [c.value for c in loaded["1"].properties["lifecyclestage"]] == ["lead", "customer"]
    assert loaded["1"].properties["hs_lead_status"] == (
        ValueChange(1_700_000_000_000, None, "INTEGRATION"),)
    assert loaded["1"].properties["industry"] == ()


def test_load_of_some_contacts_returns_only_those_stored(store: Store, portal_id: int) -> None:
    store.histories.save(portal_id, {1: _history("lead"), 2: _history("customer")}, "k",
                         READ_AT)

    assert set(store.histories.load(portal_id, [2, 3])) == {"2"}
    assert store.histories.load(portal_id, []) == {}


def test_save_replaces_document_key_and_read_time(store: Store, portal_id: int) -> None:
    store.histories.save(portal_id, {5: _history("lead")}, "old", READ_AT)
    later = READ_AT + timedelta(days=3)

    store.histories.save(portal_id, {5: _history("customer")}, "new", later)

    assert store.histories.load(portal_id)["5"] == _history("customer")
    assert store.histories.read_marks(portal_id) == {5: ("new", later)}


def test_read_marks_are_per_portal(store: Store, portal_id: int) -> None:
    other = portal_id + 1
    store.portals.connect(other, kind="static", tokens=Tokens(access_token="t"))
    store.histories.save(portal_id, {1: _history("lead")}, "a", READ_AT)
    store.histories.save(other, {1: _history("lead"), 2: _history("lead")}, "b", READ_AT)

    assert store.histories.read_marks(portal_id) == {1: ("a", READ_AT)}
    assert set(store.histories.read_marks(other)) == {1, 2}
    assert set(store.histories.load(portal_id)) == {"1"}


def test_delete_forgets_only_the_given_contacts(store: Store, portal_id: int) -> None:
    store.histories.save(portal_id, {1: _history("lead"), 2: _history("lead")}, "k", READ_AT)

    assert store.histories.delete(portal_id, [2, 9]) == 1

    assert set(store.histories.load(portal_id)) == {"1"}


def test_forgetting_a_contact_forgets_its_history(store: Store, portal_id: int) -> None:
    store.contacts.upsert([ContactState(portal_id=portal_id, contact_id=cid, input_hash="h",
                                        inputs=StoredInputs(properties={}))
                           for cid in (1, 2)])
    store.histories.save(portal_id, {1: _history("lead"), 2: _history("lead")}, "k", READ_AT)

    store.contacts.delete(portal_id, [1])  # privacy deletion, merge or a deleted contact

    assert set(store.histories.load(portal_id)) == {"2"}


def test_deleting_the_portal_deletes_its_histories(store: Store, portal_id: int) -> None:
    store.histories.save(portal_id, {1: _history("lead")}, "k", READ_AT)

    store.portals.delete(portal_id)

    assert store.histories.read_marks(portal_id) == {}


def test_a_malformed_document_names_portal_and_contact(store: Store, portal_id: int) -> None:
    store.histories.save(portal_id, {1: _history("lead"), 77: _history("lead")}, "k", READ_AT)
    with store.engine.begin() as conn:
        conn.execute(update(contact_histories)
                     .where(contact_histories.c.contact_id == 77)
                     .values(document='{"v": 1, "p": {"lifecyclestage": [[1, 2]]}}'))

    with pytest.raises(HistoryError, match=rf"contact 77 \(portal {portal_id}\).*lifecyclestage"):
        store.histories.load(portal_id)
    with pytest.raises(HistoryError, match="contact 77"):
        store.histories.load(portal_id, [77])
    assert set(store.histories.load(portal_id, [1])) == {"1"}
