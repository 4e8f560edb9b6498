"""A 429 storm and 5 % injected server faults still end in the correct HubSpot state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

from connector.store import open_store
from connector.sync.report import PassReport
from tests.sync.conftest import Box, connect_static, make_service

NUMBERS = ("score", "fit", "engagement")


def assert_same_scores(got: dict[str, dict[str, str]], want: dict[str, dict[str, str]]) -> None:
    """Same contacts, tiers and stages; numbers equal up to seconds of decay apart."""
    assert got.keys() == want.keys()
    for cid, props in want.items():
        other = got[cid]
        for model in ("leadscore_", "leadscore_analytics_"):
            assert other[f"{model}tier"] == props[f"{model}tier"], cid
            for name in NUMBERS:
                assert abs(float(other[f"{model}{name}"]) - float(props[f"{model}{name}"])) <= 0.2
        assert other.get("lifecyclestage") == props.get("lifecyclestage"), cid


def sync_twice_with_edits(box: Box, tmp_path: Path
                          ) -> tuple[dict[str, dict[str, str]], list[PassReport]]:
    """Full pass, edit a few contacts, incremental pass; HubSpot's final contacts, reports."""
    with open_store(f"sqlite:///{tmp_path / 'state.db'}",
                    encryption_key=Fernet.generate_key().decode()) as store:
        hub = connect_static(box, store)
        service = make_service(box, store, tmp_path)
        first = service.run_pass(hub)
        assert first.completed, first.errors
        for cid in sorted(box.contacts(), key=int)[:20]:
            box.control("PATCH", f"/portals/{hub}/contacts/{cid}", json={"jobtitle": "VP Sales"})
        second = service.run_pass(hub)
        assert second.completed, second.errors
        assert second.contacts_scored >= 1
        return box.contacts(), [first, second]


def test_storm_and_faults_end_in_the_same_state(box_factory: Callable[..., Box],
                                                tmp_path: Path) -> None:
    reference, _ = sync_twice_with_edits(box_factory(contacts_per_portal=250), tmp_path / "ref")
    stormy = box_factory(contacts_per_portal=250, rate_limits_enabled=True,
                         rate_limit_profile="starter", search_per_second=1,
                         fault_error_rate=0.05)
    result, reports = sync_twice_with_edits(stormy, tmp_path / "storm")

    counters = stormy.control("GET", f"/portals/{stormy.hub_id}/counters")
    assert sum(counters["faults"].values()) > 0
    assert sum(counters["rate_limited"].values()) > 0
    assert sum(r.rate_limited for r in reports) > 0
    assert_same_scores(result, reference)
