"""HubSpot's object and engagement vocabularies, as data defined once.

Every place that lists object types, engagement kinds, association type ids or the
properties an engagement is read with uses these tables, so a new object type is a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from connector.crm.objects import ObjectType


@dataclass(frozen=True)
class HubSpotObject:
    """One CRM object type as HubSpot's API names it."""

    path_name: str
    """The name in `/crm/v3/objects/{path_name}` (and in v4 association paths)."""
    type_id: str
    """HubSpot's object type id (`0-1` contacts, `0-2` companies, …)."""
    modified_property: str
    """What search filters on for "modified since" (contacts: `lastmodifieddate`; the
    others `hs_lastmodifieddate`, which silently matches nothing on contacts)."""
    singular: str
    """The webhook subscription prefix (`contact.creation`, `company.propertyChange`)."""


OBJECTS: Mapping[ObjectType, HubSpotObject] = MappingProxyType({
    ObjectType.CONTACTS: HubSpotObject("contacts", "0-1", "lastmodifieddate", "contact"),
    ObjectType.COMPANIES: HubSpotObject("companies", "0-2", "hs_lastmodifieddate", "company"),
    ObjectType.DEALS: HubSpotObject("deals", "0-3", "hs_lastmodifieddate", "deal"),
})

ID_PROPERTY = "hs_object_id"
"""Every object's id as a searchable, sortable property."""


@dataclass(frozen=True)
class EngagementType:
    """One engagement (activity) object type and how it becomes an activity row."""

    kind: str
    """The activity kind as `scoring.leads.ACTIVITY_KINDS` names it."""
    path_name: str
    type_id: str
    contact_association_type_id: int
    """HUBSPOT_DEFINED contact → engagement association type id."""
    outcome_property: str | None
    """The property read as the activity's outcome (lower-cased)."""
    direction_property: str | None
    """The property read as the activity's direction."""
    extra_properties: tuple[str, ...] = ()
    """Further properties read (beyond `hs_timestamp`, outcome and direction)."""

    @property
    def properties(self) -> tuple[str, ...]:
        """Every property an engagement of this type is read with."""
        named = (TIMESTAMP_PROPERTY, self.outcome_property, self.direction_property)
        return tuple(dict.fromkeys(p for p in (*named, *self.extra_properties) if p))


TIMESTAMP_PROPERTY = "hs_timestamp"
"""When an engagement happened (every engagement object has it)."""

ENGAGEMENTS: Mapping[str, EngagementType] = MappingProxyType({
    e.kind: e
    for e in (
        EngagementType("call", "calls", "0-48", 193, "hs_call_status", "hs_call_direction",
                       ("hs_call_duration",)),
        EngagementType("email", "emails", "0-49", 197, None, "hs_email_direction"),
        EngagementType("meeting", "meetings", "0-47", 199, "hs_meeting_outcome", None,
                       ("hs_meeting_start_time",)),
        EngagementType("note", "notes", "0-46", 201, None, None),
        EngagementType("task", "tasks", "0-27", 203, "hs_task_status", None),
    )
})


@dataclass(frozen=True)
class AssociationType:
    """A HUBSPOT_DEFINED association between two object types."""

    from_type: ObjectType
    to_type: ObjectType
    type_id: int
    primary_type_id: int | None = None
    """The "Primary" label's type id where HubSpot has one (contact → primary company)."""


ASSOCIATIONS: tuple[AssociationType, ...] = (
    AssociationType(ObjectType.CONTACTS, ObjectType.COMPANIES, 279, primary_type_id=1),
    AssociationType(ObjectType.COMPANIES, ObjectType.CONTACTS, 280),
    AssociationType(ObjectType.CONTACTS, ObjectType.DEALS, 4),
    AssociationType(ObjectType.DEALS, ObjectType.CONTACTS, 3),
    AssociationType(ObjectType.COMPANIES, ObjectType.DEALS, 342),
    AssociationType(ObjectType.DEALS, ObjectType.COMPANIES, 341),
)
"""Type ids HubSpot documents; beyond 279/1/4 they are read from the labels endpoint too,
so the connector relies on the association's existence, not on these numbers."""


def association(from_type: ObjectType, to_type: ObjectType) -> AssociationType:
    """The association type between two object types (ValueError if there is none)."""
    for candidate in ASSOCIATIONS:
        if candidate.from_type is from_type and candidate.to_type is to_type:
            return candidate
    raise ValueError(f"no association from {from_type} to {to_type}")


def engagement(kind: str) -> EngagementType:
    """The engagement type of an activity kind (ValueError naming the known ones)."""
    try:
        return ENGAGEMENTS[kind]
    except KeyError:
        known = ", ".join(ENGAGEMENTS)
        raise ValueError(f"unknown engagement kind {kind!r}; expected one of {known}") from None


def object_for_subscription(prefix: str) -> ObjectType | None:
    """The object type of a webhook subscription prefix (`contact` → contacts)."""
    for object_type, hubspot in OBJECTS.items():
        if hubspot.singular == prefix:
            return object_type
    return None
