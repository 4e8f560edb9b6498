"""Neutral records crossing the CRM port: what a CRM holds, not how its API spells it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CrmRecord:
    """One object (contact, company, deal): its id and property values.

    Values are text as the CRM sends them (numbers `"17"`, dates ISO or epoch-ms), `None`
    for a defined but empty property; properties the CRM did not send are absent.
    """

    id: str
    properties: Mapping[str, str | None]
    updated_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ListPage:
    """A page of a full listing: `after` fetched it, `next_after` the next one (None: last)."""

    records: tuple[CrmRecord, ...]
    after: str | None
    next_after: str | None


@dataclass(frozen=True)
class ModifiedPage:
    """A page of records modified in a window, ordered by id.

    `last_id` is where the next page continues (`id > last_id`); `has_more` says whether
    the window holds more records past it.
    """

    records: tuple[CrmRecord, ...]
    last_id: str | None
    has_more: bool


@dataclass(frozen=True)
class RecordUpdate:
    """Property values to write to one record (`""` clears a value)."""

    id: str
    properties: Mapping[str, str]


@dataclass(frozen=True)
class BatchFailure:
    """Records a batch write could not update, and the CRM's reason.

    `category` is `NOT_FOUND` when the record no longer exists (see `RECORD_GONE`).
    """

    ids: tuple[str, ...]
    message: str
    category: str | None = None


RECORD_GONE = "OBJECT_NOT_FOUND"
"""`BatchFailure.category` of a record the CRM no longer has."""


@dataclass(frozen=True)
class BatchWriteResult:
    """Outcome of a batch update: what was written and what failed."""

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
class AccountDetails:
    """The account (portal) a credential belongs to."""

    portal_id: int
    account_type: str
    time_zone: str
    company_currency: str
    ui_domain: str | None = None
    data_hosting_location: str | None = None


@dataclass(frozen=True)
class ProvisioningReport:
    """What provisioning the connector's own properties did, by property name."""

    group_created: bool
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether anything was created or updated."""
        return self.group_created or bool(self.created or self.updated)


@dataclass(frozen=True)
class CallTally:
    """API calls a session made: by kind (retries count), 429s seen, and calls that count
    against the portal's daily allowance."""

    calls: Mapping[str, int]
    rate_limited: int
    billable: int

    @property
    def total(self) -> int:
        """Every HTTP attempt."""
        return sum(self.calls.values())
