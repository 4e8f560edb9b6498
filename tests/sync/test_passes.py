"""Full and incremental passes against the sandbox: writes, echoes, changes, dry runs."""

from __future__ import annotations

from pathlib import Path

from connector.store import Store
from connector.sync.pull import CONTACTS_STREAM, INCREMENTAL, PASS_STREAM
from tests.sync.conftest import Box, connect_static, make_service, scored

PROTECTED = {"opportunity", "customer", "evangelist"}


def test_full_sync_writes_every_contact_and_matches_the_store(box: Box, store: Store,
                                                               tmp_path: Path) -> None:
    hub = connect_static(box, store)
    before = box.contacts()
    report = make_service(box, store, tmp_path).run_pass(hub)

    assert report.completed and report.kind == "full" and not report.errors
    assert report.contacts_read == len(before) == report.contacts_written
    after = box.contacts()
    states = store.contacts.get_many(hub, [int(i) for i in after])
    for cid, props in after.items():
        assert props["leadscore_tier"] in {"hot", "warm", "cold", "disqualified"}
        assert props["leadscore_analytics_score"] != ""
        written = states[int(cid)].written_values
        assert {k: props.get(k, "") for k in written} == written
        old, new = before[cid].get("lifecyclestage"), props.get("lifecyclestage")
        if old in PROTECTED:
            assert new == old
    cursor = store.cursors.get(hub, CONTACTS_STREAM)
    assert cursor is not None and cursor.phase == INCREMENTAL
    assert store.cursors.get(hub, PASS_STREAM) is None
    run = store.runs.get(report.run_id or 0)
    assert run is not None and run.status == "succeeded"
    assert run.counters.contacts_written == report.contacts_written


def test_incremental_pass_recognises_echoes_and_rescored_changes(box: Box, store: Store,
                                                                  tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    service.run_pass(hub)
    first = box.contacts()

    echo = service.run_pass(hub)
    # Every contact was modified by our own writes, so all are in the window, all are echoes.
    assert echo.kind == "incremental" and echo.completed
    assert echo.contacts_read == len(first)
    assert echo.skipped_unchanged == len(first)
    assert echo.contacts_written == 0 and echo.contacts_scored == 0
    assert "associations" not in echo.api_calls and "batch_update" not in echo.api_calls

    target = next(cid for cid, p in first.items() if p.get("leadscore_tier") == "cold"
                  and p.get("lifecyclestage") not in PROTECTED)
    box.control("PATCH", f"/portals/{hub}/contacts/{target}",
                json={"jobtitle": "CEO", "numemployees": "1000+"})
    changed = service.run_pass(hub)
    assert changed.contacts_scored == 1
    assert changed.contacts_written == 1
    assert box.contacts()[target]["leadscore_fit"] != first[target]["leadscore_fit"]
    assert scored({k: v for k, v in box.contacts().items() if k != target}) == scored(
        {k: v for k, v in first.items() if k != target})


def test_dry_run_changes_nothing(box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    before = box.contacts()
    report = make_service(box, store, tmp_path).run_pass(hub, dry_run=True)
    assert report.completed and report.contacts_written == len(before)
    assert box.contacts() == before
    assert store.cursors.get(hub, CONTACTS_STREAM) is None
    assert store.contacts.counts(hub) == {}
    assert store.runs.recent(portal_id=hub) == []


def test_lifecycle_moves_only_forward_and_never_from_protected(box: Box, store: Store,
                                                              tmp_path: Path) -> None:
    hub = connect_static(box, store)
    before = box.contacts()
    make_service(box, store, tmp_path).run_pass(hub)
    after = box.contacts()
    order = ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
             "customer", "evangelist"]
    moved = 0
    for cid, props in after.items():
        old, new = before[cid].get("lifecyclestage"), props.get("lifecyclestage")
        if old == new:
            continue
        moved += 1
        assert old not in PROTECTED and old != "other"
        assert new is not None
        assert old is None or order.index(new) > order.index(old)
        assert new in {"marketingqualifiedlead", "salesqualifiedlead"}
    assert moved > 0


def test_process_contacts_and_forget(box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    ids = list(box.contacts())[:3]
    report = service.process_contacts(hub, [*ids, "999999999"])
    assert report.completed and report.contacts_scored == 3 and report.contacts_written == 3
    stored = service.score_stored(hub, int(ids[0]))
    assert stored is not None and stored.write_status == "written"
    assert stored.values["leadscore_score"] == box.contacts()[ids[0]]["leadscore_score"]
    again = service.process_contacts(hub, ids)
    assert again.skipped_unchanged == 3 and again.contacts_written == 0
    assert service.forget_contacts(hub, ids[:2]) == 2
    assert service.score_stored(hub, int(ids[0])) is None


def test_incremental_pass_rescores_a_contact_whose_only_change_is_a_new_meeting(
        box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    service.run_pass(hub)
    service.run_pass(hub)  # absorbs the echoes of the first pass's writes
    first = box.contacts()
    # A contact below the engagement cap, so a held meeting must raise its score.
    target = min(first, key=lambda cid: float(first[cid]["leadscore_engagement"] or 0))

    # HubSpot recalculates the contact's activity summary: its lastmodifieddate moves.
    now = box.control("GET", "/time")["now_ms"]
    box.control("POST", f"/portals/{hub}/engagements",
                json={"type": "meetings", "contact_id": int(target),
                      "timestamp_ms": now - 3_600_000,
                      "properties": {"hs_meeting_outcome": "COMPLETED"}})
    changed = service.run_pass(hub)

    assert changed.kind == "incremental" and changed.completed
    # The window overlaps the last pass, so others are re-read, but only it is rescored.
    assert changed.contacts_scored == 1 and changed.contacts_written == 1
    after = box.contacts()
    assert float(after[target]["leadscore_engagement"]) > float(
        first[target]["leadscore_engagement"])
    assert scored({k: v for k, v in after.items() if k != target}) == scored(
        {k: v for k, v in first.items() if k != target})
