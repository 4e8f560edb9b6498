"""The connector's state: portals and encrypted tokens, sync cursors, the webhook inbox,
per-contact scoring state and property histories, run history, trained models, leases, API
keys and API usage.

SQLAlchemy 2 on a SQLite file by default, PostgreSQL by URL; the schema is migrated by
Alembic when the store is opened. Everything crossing this boundary is a dataclass from
`connector.store.records`.
"""

from connector.store.crypto import TokenCipher, load_or_create_key
from connector.store.histories import properties_key
from connector.store.leases import lease_name
from connector.store.records import (
    ApiKey,
    CompanyState,
    ContactState,
    DailyUsage,
    DealRecord,
    ExperimentArm,
    InboxClaim,
    InboxEvent,
    Lease,
    ModelArtifact,
    NewInboxEvent,
    Portal,
    Run,
    RunCounters,
    SyncCursor,
    Tokens,
)
from connector.store.store import Store, open_store

__all__ = [
    "ApiKey",
    "CompanyState",
    "ContactState",
    "DailyUsage",
    "DealRecord",
    "ExperimentArm",
    "InboxClaim",
    "InboxEvent",
    "Lease",
    "ModelArtifact",
    "NewInboxEvent",
    "Portal",
    "Run",
    "RunCounters",
    "Store",
    "SyncCursor",
    "TokenCipher",
    "Tokens",
    "lease_name",
    "load_or_create_key",
    "open_store",
    "properties_key",
]
