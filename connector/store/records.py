"""Typed records crossing the store's boundary (no ORM objects, no bare dicts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from connector.scoring.stored_inputs import StoredInputs

PortalKind = Literal["oauth", "static"]
PortalStatus = Literal["connected", "needs_reconnect", "disconnected"]
InboxStatus = Literal["pending", "processing", "processed", "failed", "skipped"]
WriteStatus = Literal["pending", "written", "failed"]
RunKind = Literal["full", "incremental", "rescore", "webhook", "train"]
RunStatus = Literal["running", "succeeded", "failed", "abandoned"]
ArmName = Literal["champion", "challenger"]


@dataclass(frozen=True)
class Tokens:
    """OAuth or static credentials of a portal; the secrets never print."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Portal:
    """A connected (or once connected) HubSpot account; tokens are fetched separately."""

    hub_id: int
    kind: PortalKind
    tier: str | None
    status: PortalStatus
    status_reason: str | None
    scopes: tuple[str, ...]
    hub_domain: str | None
    token_expires_at: datetime | None
    has_tokens: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SyncCursor:
    """Where a stream's sync stands for one portal.

    Incremental sync pages a `lastmodifieddate` window starting at `window_start`, sorted by
    `hs_object_id` and continuing after `last_object_id` (the compound cursor that survives
    bulk imports stamping thousands of contacts with one time). A full sync keeps the list
    endpoint's `paging.next.after` token in `full_after`. `phase` is the sync layer's own
    word for which of the two is under way (e.g. "full", "incremental").
    """

    portal_id: int
    stream: str
    phase: str
    window_start: datetime | None = None
    last_object_id: int | None = None
    full_after: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class NewInboxEvent:
    """One webhook event as received, before it is stored."""

    portal_id: int
    subscription_id: int
    event_id: int
    subscription_type: str
    object_id: int
    occurred_at: datetime
    raw: dict[str, Any]
    attempt_number: int = 0
    property_name: str | None = None
    property_value: str | None = None
    change_source: str | None = None


@dataclass(frozen=True)
class InboxEvent:
    """A stored webhook event with its processing state."""

    id: int
    portal_id: int
    subscription_id: int
    event_id: int
    subscription_type: str
    object_id: int
    property_name: str | None
    property_value: str | None
    change_source: str | None
    occurred_at: datetime
    attempt_number: int
    raw: dict[str, Any]
    received_at: datetime
    status: InboxStatus
    attempts: int
    claimed_by: str | None
    processed_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class InboxClaim:
    """Events handed to one worker; `token` proves ownership when marking them done."""

    token: str
    events: list[InboxEvent]


@dataclass(frozen=True)
class ContactState:
    """What the connector knows about one contact, for every scoring model.

    `input_hash` fingerprints the scoring inputs, so a contact whose `lastmodifieddate` moved
    only because of our own write is recognised and skipped. `inputs` keeps the properties
    (with the account columns) and activities the daily decay rescore, training and the
    reports need without reading HubSpot.
    `written_values` are the property values HubSpot confirmed; `pending_values` are computed
    values not yet confirmed (pending or failed write, retried later).
    """

    portal_id: int
    contact_id: int
    input_hash: str
    inputs: StoredInputs
    written_values: dict[str, str] = field(default_factory=dict)
    pending_values: dict[str, str] | None = None
    write_status: WriteStatus = "pending"
    write_error: str | None = None
    write_attempts: int = 0
    scored_at: datetime | None = None
    written_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class RunCounters:
    """What one run did; the sync layer fills it in as it goes."""

    contacts_read: int = 0
    contacts_scored: int = 0
    contacts_written: int = 0
    contacts_unchanged: int = 0
    contacts_failed: int = 0
    rate_limited: int = 0
    errors: int = 0
    api_calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Run:
    """One entry of the run history."""

    id: int
    portal_id: int | None
    kind: RunKind
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    counters: RunCounters
    error: str | None


@dataclass(frozen=True)
class ModelArtifact:
    """A trained model's record; the bytes are read with `ModelRepository.blob`."""

    id: int
    portal_id: int | None
    scoring_model: str
    version: str
    meta: dict[str, Any]
    path: str | None
    size_bytes: int | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Lease:
    """Who holds a named job lease and until when."""

    name: str
    owner: str
    acquired_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ApiKey:
    """A scoring-API key's record; the plain key exists only at creation time."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        """True once the key was revoked."""
        return self.revoked_at is not None


@dataclass(frozen=True)
class DailyUsage:
    """API calls one portal made on one UTC day."""

    portal_id: int
    day: date
    calls: int


@dataclass(frozen=True)
class ExperimentArm:
    """The A/B arm a contact was put in when it was first scored during an experiment."""

    portal_id: int
    experiment: str
    contact_id: int
    arm: ArmName
    assigned_at: datetime


@dataclass(frozen=True)
class CompanyState:
    """A synced company: its properties and the score values the CRM confirmed."""

    portal_id: int
    company_id: int
    properties: dict[str, Any]
    written_values: dict[str, str]
    scored_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class DealRecord:
    """A synced deal: its properties and the contacts and companies it belongs to."""

    portal_id: int
    deal_id: int
    properties: dict[str, Any]
    contact_ids: tuple[int, ...] = ()
    company_ids: tuple[int, ...] = ()
