"""Plain records the gateway returns: no SDK models leave `connector.hubspot`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

ENGAGEMENT_OBJECT_TYPES: Mapping[str, str] = {
    "call": "calls",
    "email": "emails",
    "meeting": "meetings",
    "note": "notes",
    "task": "tasks",
}
"""Activity kind (as `LeadFrame` names it) → HubSpot object type."""

CONTACT_TO_ENGAGEMENT_TYPE_IDS: Mapping[str, int] = {
    "call": 193,
    "email": 197,
    "meeting": 199,
    "note": 201,
    "task": 203,
}
"""HubSpot-defined contact→activity association type ids."""


@dataclass(frozen=True)
class AccountDetails:
    """The portal a token belongs to (`GET /account-info/v3/details`)."""

    portal_id: int
    account_type: str
    time_zone: str
    company_currency: str
    ui_domain: str | None = None
    data_hosting_location: str | None = None


@dataclass(frozen=True)
class ContactRecord:
    """One contact: its id and property values (strings as HubSpot sends them, None = empty)."""

    id: str
    properties: Mapping[str, str | None]
    updated_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ContactPage:
    """A page of a full listing: `after` fetched it, `next_after` fetches the next (None: last)."""

    records: tuple[ContactRecord, ...]
    after: str | None
    next_after: str | None


@dataclass(frozen=True)
class SearchPage:
    """One page of an incremental search.

    `last_id` is the cursor to continue from (`hs_object_id > last_id`); `has_more` says
    whether the window holds more contacts past it.
    """

    records: tuple[ContactRecord, ...]
    total: int
    last_id: str | None
    has_more: bool


@dataclass(frozen=True)
class EngagementRecord:
    """One engagement object (call, email, meeting, note, task) and its properties."""

    id: str
    kind: str
    properties: Mapping[str, str | None]


@dataclass(frozen=True)
class ContactUpdate:
    """Property values to write to one contact (`""` clears a value)."""

    id: str
    properties: Mapping[str, str]


@dataclass(frozen=True)
class BatchFailure:
    """Contacts a batch write could not update, and HubSpot's reason."""

    ids: tuple[str, ...]
    message: str
    category: str | None = None


@dataclass(frozen=True)
class BatchWriteResult:
    """Outcome of a batch update: what was written and what failed (207s included)."""

    updated_ids: tuple[str, ...] = ()
    failures: tuple[BatchFailure, ...] = field(default=())

    @property
    def failed_ids(self) -> tuple[str, ...]:
        """Every id that was not updated."""
        return tuple(i for failure in self.failures for i in failure.ids)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures


@dataclass(frozen=True)
class ActivityLinks:
    """Which engagements of one kind belong to which contact (`read_associations` output)."""

    kind: str
    by_contact: Mapping[str, Sequence[str]]
