"""The CRM port: what the sync asks of a CRM, as Protocols over neutral records.

`CrmConnector` is the app-wide side (opening sessions, the install flow, classifying
notifications, allowances); `CrmSession` is one connected portal's paced, retried access.
The HubSpot adapter (`connector.hubspot.HubSpotConnector`) implements both; the sync only
ever sees these types, so a new object type or another CRM plugs in behind them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

import pandas as pd

from connector.crm.events import Change, Ignored
from connector.crm.objects import ObjectType
from connector.crm.records import (
    AccountDetails,
    BatchWriteResult,
    CallTally,
    CrmRecord,
    ListPage,
    ModifiedPage,
    ProvisioningReport,
    RecordUpdate,
)
from connector.scoring.histories import ContactHistory

AccessKind = Literal["oauth", "static"]


@dataclass(frozen=True)
class PortalAccess:
    """The stored credentials of one connected portal."""

    hub_id: int
    kind: AccessKind
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    tier: str | None = None


@dataclass(frozen=True)
class TokenGrant:
    """Tokens a code exchange or refresh produced (store them whole: refresh may rotate)."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    hub_id: int | None = None
    scopes: tuple[str, ...] = ()
    hub_domain: str | None = None


@dataclass(frozen=True)
class Allowance:
    """A portal's request allowance: sustained requests per second and a daily cap."""

    requests_per_second: float
    daily: int | None


@dataclass(frozen=True)
class Notification:
    """A stored CRM notification (webhook event), as the sync hands it to the connector."""

    subscription_type: str
    object_id: int
    property_name: str | None
    raw: Mapping[str, object]


@dataclass(frozen=True)
class ReadVocabulary:
    """Contact properties the sync reads beyond what the rules use, and ones it ignores.

    `always`: read whatever the rules use (the lifecycle stage, the summaries the CRM keeps
    up to date when an engagement is logged, a few model features); `volatile`: properties
    that change without the lead changing, never part of the inputs.
    """

    always: tuple[str, ...]
    volatile: frozenset[str]
    stage: str
    """The lifecycle stage property (moved forward only)."""
    own_prefix: str
    """Prefix of the connector's own properties (changes to them are our echoes)."""


class CrmSession(Protocol):
    """One connected portal: every read and write, paced, retried and counted."""

    @property
    def hub_id(self) -> int:
        """The portal's id."""
        ...

    def list_pages(
        self, object_type: ObjectType, properties: Sequence[str], after: str | None = None
    ) -> Iterator[ListPage]:
        """Every record of a type, page by page, from the page cursor `after`."""
        ...

    def modified_pages(
        self,
        object_type: ObjectType,
        since_ms: int,
        properties: Sequence[str],
        after_id: str | None = None,
    ) -> Iterator[ModifiedPage]:
        """Records modified at or after `since_ms`, by ascending id after `after_id`."""
        ...

    def read(
        self, object_type: ObjectType, ids: Sequence[str], properties: Sequence[str]
    ) -> list[CrmRecord]:
        """The given records (ids the CRM no longer has are left out)."""
        ...

    def histories(
        self, object_type: ObjectType, ids: Sequence[int], properties: Sequence[str]
    ) -> Iterator[Mapping[int, ContactHistory]]:
        """The property histories of these records, one mapping per batch read (store each
        as it comes). Every asked property is present, empty when it never held a value;
        ids the CRM no longer has are left out. Lazy: each step makes the next call."""
        ...

    def update(self, object_type: ObjectType, updates: Sequence[RecordUpdate]) -> BatchWriteResult:
        """Write property values; partial failures come back in the result, not raised."""
        ...

    def associations(
        self, from_type: ObjectType, to_type: ObjectType, ids: Sequence[str]
    ) -> dict[str, list[str]]:
        """Ids of `to_type` records linked to each `from_type` record (primary first)."""
        ...

    def activities(self, contact_ids: Sequence[str], kinds: Sequence[str]) -> pd.DataFrame:
        """The engagements of these contacts, in `scoring.leads.ACTIVITY_COLUMNS` form."""
        ...

    def lifecycle_stages(self) -> list[str]:
        """The portal's lifecycle stages in order."""
        ...

    def can_read(self, object_type: ObjectType) -> bool:
        """Whether the portal's grant covers reading this object type."""
        ...

    def can_write(self, object_type: ObjectType) -> bool:
        """Whether the portal's grant covers writing this object type and its properties."""
        ...

    def provision_companies(self) -> ProvisioningReport:
        """Create or update the company score's properties (idempotent)."""
        ...

    def provision(
        self, models: Sequence[str], segment_options: Sequence[str]
    ) -> ProvisioningReport:
        """Create or update the connector's own properties (idempotent)."""
        ...

    def account(self) -> AccountDetails:
        """The account the credentials belong to."""
        ...

    def calls(self) -> CallTally:
        """The API calls made so far."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class CrmConnector(Protocol):
    """The CRM as the whole app sees it: sessions, installs, notifications, allowances."""

    vocabulary: ReadVocabulary
    static_tiers: tuple[str, ...]
    """Tiers a static token may be connected with (they set its allowance)."""

    def open(self, access: PortalAccess, on_grant: Callable[[TokenGrant], None]) -> CrmSession:
        """A session on one portal; `on_grant` receives every refreshed grant to persist."""
        ...

    def allowance(self, kind: AccessKind, tier: str | None) -> Allowance:
        """The request allowance of a portal connected this way."""
        ...

    def authorize_url(self) -> str:
        """The one-click install link, carrying a fresh signed state."""
        ...

    def authorize(self, code: str | None, state: str | None) -> TokenGrant:
        """Finish an install: check the state, exchange the code, learn the portal."""
        ...

    def static_token_portal(self, token: str, tier: str) -> int:
        """Which portal a static token belongs to (also proves it works)."""
        ...

    def revoke(self, refresh_token: str) -> None:
        """Revoke a grant (best effort is the caller's choice)."""
        ...

    def classify(
        self, notification: Notification, relevant: Mapping[ObjectType, Collection[str]]
    ) -> list[Change] | Ignored:
        """What a notification asks for; `relevant` are the properties scoring reads per type."""
        ...
