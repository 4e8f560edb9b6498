"""Provisioning against the sandbox: create, then unchanged, then PATCH what drifted."""

from __future__ import annotations

from dataclasses import replace

from connector.hubspot.properties import model_definitions
from connector.hubspot.provisioning import provision
from tests.hubspot.conftest import UNPACED, Sandbox


def test_provisioning_is_idempotent_and_updates_drift(sandbox: Sandbox) -> None:
    gateway = sandbox.gateway(limits=UNPACED)
    first = provision(gateway, ["default", "emea"], ["smb", "enterprise"])
    assert first.group_created
    assert len(first.created) == 20  # 10 properties per model, leadscore_grade included
    assert "leadscore_score" in first.created and "leadscore_emea_tier" in first.created
    assert first.updated == () and first.unchanged == ()

    second = provision(gateway, ["default", "emea"], ["smb", "enterprise"])
    assert not second.changed
    assert len(second.unchanged) == 20

    third = provision(gateway, ["default", "emea"], ["smb", "enterprise", "startup"])
    assert set(third.updated) == {"leadscore_segment", "leadscore_emea_segment"}
    segment = gateway.get_property("leadscore_segment")
    assert [o.value for o in segment.options] == ["smb", "enterprise", "startup"]

    # A dropped segment stays as a hidden option (contacts may still hold it).
    fourth = provision(gateway, ["default"], ["smb"])
    assert "leadscore_segment" in fourth.updated
    options = {o.value: o.hidden for o in gateway.get_property("leadscore_segment").options}
    assert options == {"smb": False, "enterprise": True, "startup": True}


def test_a_label_someone_changed_is_restored(sandbox: Sandbox) -> None:
    gateway = sandbox.gateway(limits=UNPACED)
    provision(gateway, ["default"])
    tier = next(d for d in model_definitions("default") if d.name == "leadscore_tier")
    gateway.update_property(replace(tier, label="Renamed by a user"))
    report = provision(gateway, ["default"])
    assert report.updated == ("leadscore_tier",)
    assert gateway.get_property("leadscore_tier").label == "Lead tier"


def test_conflict_on_create_is_compared_not_fatal(sandbox: Sandbox) -> None:
    gateway = sandbox.gateway(limits=UNPACED)
    provision(gateway, ["default"])

    class Stale:
        """An admin whose property listing is stale: every create meets a 409."""

        def __getattr__(self, name: str) -> object:
            return getattr(gateway, name)

        def list_properties(self) -> list[object]:
            return []

    report = provision(Stale(), ["default"])  # type: ignore[arg-type]
    assert report.created == ()
    assert len(report.unchanged) == 10
