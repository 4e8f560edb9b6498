"""Idempotent provisioning of the `leadscore` property group and every model's properties.

Create what is missing, PATCH what drifted (label, description, field type, options), leave
the rest alone; a 409 on create means someone else made it first, so it is read and
compared like any existing property. Options a portal already has but we no longer define
are kept, hidden, because contacts may still hold those values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from connector.crm.records import ProvisioningReport
from connector.hubspot.errors import Conflict
from connector.hubspot.properties import (
    LEADSCORE_GROUP,
    PropertyDefinition,
    PropertyGroup,
    PropertyOption,
    all_definitions,
)


class PropertyAdmin(Protocol):
    """The part of `HubSpotGateway` provisioning needs."""

    def list_properties(self) -> list[PropertyDefinition]:
        """Every contact property definition."""
        ...

    def get_property(self, name: str) -> PropertyDefinition:
        """One contact property definition."""
        ...

    def create_group(self, group: PropertyGroup) -> None:
        """Create a property group (Conflict if it exists)."""
        ...

    def create_property(self, definition: PropertyDefinition) -> PropertyDefinition:
        """Create a property (Conflict if it exists)."""
        ...

    def update_property(self, definition: PropertyDefinition) -> PropertyDefinition:
        """PATCH a property."""
        ...


def _ordered(options: Sequence[PropertyOption]) -> list[PropertyOption]:
    return sorted(options, key=lambda o: o.display_order)


def reconcile(desired: PropertyDefinition, existing: PropertyDefinition) -> PropertyDefinition:
    """The definition to PATCH: ours, plus the portal's extra options kept as hidden."""
    ours = {o.value for o in desired.options}
    extra = [o for o in _ordered(existing.options) if o.value not in ours]
    if not extra:
        return desired
    start = len(desired.options)
    kept = tuple(
        PropertyOption(o.value, o.label, hidden=True, display_order=start + i)
        for i, o in enumerate(extra)
    )
    return replace(desired, options=desired.options + kept)


def differs(wanted: PropertyDefinition, existing: PropertyDefinition) -> bool:
    """Whether `existing` needs a PATCH to match `wanted` (options compared in order)."""
    def shape(d: PropertyDefinition) -> tuple[object, ...]:
        options = tuple((o.value, o.label, o.hidden) for o in _ordered(d.options))
        return (d.label, d.type, d.field_type, d.group_name, d.description, options)

    return shape(wanted) != shape(existing)


def provision(
    admin: PropertyAdmin, models: Sequence[str], segment_options: Sequence[str] = ()
) -> ProvisioningReport:
    """Make the portal hold the `leadscore` group and every model's properties, as defined."""
    return provision_definitions(admin, list(all_definitions(models, segment_options)))


def provision_definitions(admin: PropertyAdmin,
                          wanted: Sequence[PropertyDefinition]) -> ProvisioningReport:
    """Make `admin`'s object type hold the `leadscore` group and these properties."""
    try:
        admin.create_group(LEADSCORE_GROUP)
        group_created = True
    except Conflict:
        group_created = False
    existing = {p.name: p for p in admin.list_properties()}
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for definition in wanted:
        current = existing.get(definition.name)
        if current is None:
            try:
                admin.create_property(definition)
                created.append(definition.name)
                continue
            except Conflict:
                current = admin.get_property(definition.name)
        target = reconcile(definition, current)
        if differs(target, current):
            admin.update_property(target)
            updated.append(definition.name)
        else:
            unchanged.append(definition.name)
    return ProvisioningReport(group_created, tuple(created), tuple(updated), tuple(unchanged))
