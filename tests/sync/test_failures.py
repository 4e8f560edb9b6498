"""Partial write failures are recorded and retried next pass without losing the rest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from connector.store import Store
from tests.sync.conftest import Box, connect_static, make_service


def test_refused_writes_are_retried_next_pass(box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    with service.session(hub) as session:
        service.ensure_properties(session)
    # Someone removes the "cold" option from our tier property: those writes are refused.
    token = box.static_token()
    headers = {"Authorization": f"Bearer {token}"}
    tier = box.http.get("/crm/v3/properties/contacts/leadscore_tier", headers=headers).json()
    kept = [o for o in tier["options"] if o["value"] != "cold"]
    box.http.patch("/crm/v3/properties/contacts/leadscore_tier", headers=headers,
                   json={"options": kept}).raise_for_status()

    first = service.run_pass(hub)
    assert first.completed and first.contacts_failed > 0
    assert first.contacts_written + first.contacts_failed == len(box.contacts())
    counts = store.contacts.counts(hub)
    assert counts.get("failed") == first.contacts_failed
    contacts = box.contacts()
    assert sum(1 for p in contacts.values() if p.get("leadscore_tier")) == first.contacts_written

    # A new worker provisions again (restoring the option); its next pass retries the rest.
    second = make_service(box, store, tmp_path).run_pass(hub)
    assert second.completed and second.retried_writes == first.contacts_failed
    assert second.contacts_failed == 0
    assert store.contacts.counts(hub) == {"written": len(contacts)}
    assert all(p.get("leadscore_tier") for p in box.contacts().values())


def test_a_207_for_a_deleted_contact_forgets_it_and_writes_the_others(box: Box, store: Store,
                                                                     tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    service.run_pass(hub)
    ids = sorted(int(i) for i in box.contacts())
    gone, other = ids[0], ids[1]
    states = store.contacts.get_many(hub, [gone, other])
    # Both writes were cut short (as by a crash); one contact is deleted in HubSpot meanwhile.
    store.contacts.upsert([
        replace(s, pending_values={**s.written_values, "leadscore_reasons": "retry me"},
                write_status="pending")
        for s in states.values()
    ])
    box.http.delete(f"/crm/v3/objects/contacts/{gone}",
                    headers={"Authorization": f"Bearer {box.static_token()}"}).raise_for_status()

    report = service.run_pass(hub)
    assert report.forgotten == 1 and report.contacts_failed == 0
    assert service.score_stored(hub, gone) is None
    assert box.contacts()[str(other)]["leadscore_reasons"] == "retry me"
    stored = service.score_stored(hub, other)
    assert stored is not None and stored.write_status == "written"
