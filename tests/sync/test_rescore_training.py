"""Daily rescore from stored inputs, and training the portal's model from its history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connector.hubspot import GatewayOptions
from connector.store import Store
from connector.sync.inputs import frame_hashes, lead_frame_from_states
from connector.sync.service import SyncService
from connector.wiring import sync_service
from tests.sync.conftest import FAST_RETRY, UNPACED, Box, connect_static, settings_for


class Clock:
    """A settable scoring clock."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


def service_with_clock(box: Box, store: Store, tmp_path: Path, clock: Clock) -> SyncService:
    return sync_service(settings_for(box, tmp_path), store, worker_id="w", now=clock,
                       options=GatewayOptions(limits=UNPACED, retry_policy=FAST_RETRY))


def test_stored_inputs_rebuild_the_same_hash(box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = service_with_clock(box, store, tmp_path, Clock())
    service.run_pass(hub)
    states = [s for batch in store.contacts.iter_batches(hub) for s in batch]
    frame = lead_frame_from_states(states)
    assert not frame.activities.empty
    hashes = frame_hashes(frame, service.input_columns)
    assert all(hashes[str(s.contact_id)] == s.input_hash for s in states)


def test_daily_rescore_writes_decayed_scores_only(box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    clock = Clock()
    service = service_with_clock(box, store, tmp_path, clock)
    service.run_pass(hub)
    before = box.contacts()

    same_day = service.rescore(hub)
    assert same_day.completed and same_day.contacts_written == 0
    assert same_day.unchanged_scores == len(before) and same_day.api_calls_total <= 1

    clock.moment += timedelta(days=200)
    later = service.rescore(hub)
    assert later.completed and 0 < later.contacts_written <= len(before)
    # Contacts and their companies (account engagement decays too), 100 per batch update.
    assert later.api_calls.get("batch_update", 0) <= (
        -(-later.contacts_written // 100) - (-later.companies_written // 100))
    after = box.contacts()
    decayed = [cid for cid in after
               if after[cid]["leadscore_engagement"] != before[cid]["leadscore_engagement"]]
    assert decayed
    assert all(float(after[c]["leadscore_engagement"] or 0)
               <= float(before[c]["leadscore_engagement"] or 0) for c in decayed)
    # The stage is never moved by a rescore (it may be stale in the stored inputs).
    assert {c: p.get("lifecyclestage") for c, p in after.items()} == {
        c: p.get("lifecyclestage") for c, p in before.items()}


def test_training_from_history_then_rescore_writes_the_model_version(
        box_factory: Callable[..., Box], store: Store, tmp_path: Path) -> None:
    box = box_factory(contacts_per_portal=700)
    hub = connect_static(box, store)
    service = service_with_clock(box, store, tmp_path, Clock())
    service.run_pass(hub)

    trained = service.train(hub)
    assert trained.completed and trained.model_version is not None, trained.errors
    artifact = store.models.active(hub, "default")
    assert artifact is not None and artifact.version == trained.model_version
    window = artifact.meta["training"]
    assert artifact.meta["rows"] == 700 - window["converted_on_creation"]
    # Trained point in time: every contact's property history was read first.
    assert window["method"] == "point_in_time" and window["properties_as_of"] is True
    marks = store.histories.read_marks(hub)
    assert len(marks) == 700
    # Training again re-reads no history: nothing changed since.
    trained = service.train(hub)
    assert trained.model_version is not None
    assert store.histories.read_marks(hub) == marks

    rescored = service.rescore(hub)
    assert rescored.contacts_written == 700
    contacts = box.contacts()
    assert all(trained.model_version in p["leadscore_version"] for p in contacts.values())
    assert any(p["leadscore_likelihood"] for p in contacts.values())
    echo = service.run_pass(hub)
    assert echo.skipped_unchanged == 700 and echo.contacts_written == 0


def test_too_little_history_keeps_rules_only(box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = service_with_clock(box, store, tmp_path, Clock())
    service.run_pass(hub)
    report = service.train(hub)
    assert report.model_version is None and "rules alone" in report.errors[0]
    assert store.models.active(hub, "default") is None
