"""The tables, as SQLAlchemy Core metadata.

The migrations in `connector/store/migrations/versions/` create exactly this schema; a test
compares the two on SQLite and PostgreSQL so they cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from connector.store.columns import BigId, JsonDoc, UTCDateTime

# Named constraints so migrations can refer to them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

portals = Table(
    "portals",
    metadata,
    Column("hub_id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("tier", String(32), nullable=True),
    Column("status", String(32), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("scopes", JsonDoc, nullable=False),
    Column("hub_domain", String(255), nullable=True),
    # Fernet tokens (urlsafe base64 text); NULL once the portal is disconnected.
    Column("access_token_enc", Text, nullable=True),
    Column("refresh_token_enc", Text, nullable=True),
    Column("token_expires_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column(
        "portal_id",
        BigInteger,
        ForeignKey("portals.hub_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("stream", String(64), primary_key=True),
    Column("phase", String(32), nullable=False),
    Column("window_start", UTCDateTime, nullable=True),
    Column("last_object_id", BigInteger, nullable=True),
    Column("full_after", String(255), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("portal_id", BigInteger, nullable=False),
    Column("subscription_id", BigInteger, nullable=False),
    Column("event_id", BigInteger, nullable=False),
    Column("subscription_type", String(128), nullable=False),
    Column("object_id", BigInteger, nullable=False),
    Column("property_name", String(255), nullable=True),
    Column("property_value", Text, nullable=True),
    Column("change_source", String(64), nullable=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("attempt_number", Integer, nullable=False),
    Column("raw", JsonDoc, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("available_at", UTCDateTime, nullable=False),
    Column("claim_token", String(64), nullable=True),
    Column("claimed_by", String(255), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("processed_at", UTCDateTime, nullable=True),
    Column("error", Text, nullable=True),
    # HubSpot's eventId alone is not unique; this tuple is (HUBSPOT.md, Webhooks).
    UniqueConstraint(
        "subscription_id", "event_id", "object_id", "occurred_at", name="uq_webhook_events_dedup"
    ),
    Index(None, "status", "available_at"),
    Index(None, "claim_token"),
    Index(None, "portal_id", "received_at"),
)

contact_state = Table(
    "contact_state",
    metadata,
    Column(
        "portal_id",
        BigInteger,
        ForeignKey("portals.hub_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("contact_id", BigInteger, primary_key=True, autoincrement=False),
    Column("input_hash", String(128), nullable=False),
    Column("inputs", JsonDoc, nullable=False),
    Column("written_values", JsonDoc, nullable=False),
    Column("pending_values", JsonDoc, nullable=True),
    Column("write_status", String(16), nullable=False),
    Column("write_error", Text, nullable=True),
    Column("write_attempts", Integer, nullable=False),
    Column("scored_at", UTCDateTime, nullable=True),
    Column("written_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "portal_id", "write_status"),
)

experiments = Table(
    "experiments",
    metadata,
    Column(
        "portal_id",
        BigInteger,
        ForeignKey("portals.hub_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The experiment's salt: a new salt is a new experiment with fresh arms.
    Column("name", String(255), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
)

experiment_arms = Table(
    "experiment_arms",
    metadata,
    Column("portal_id", BigInteger, primary_key=True),
    Column("experiment", String(255), primary_key=True),
    Column("contact_id", BigInteger, primary_key=True, autoincrement=False),
    Column("arm", String(16), nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["portal_id", "experiment"],
        ["experiments.portal_id", "experiments.name"],
        ondelete="CASCADE",
    ),
)

runs = Table(
    "runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "portal_id",
        BigInteger,
        ForeignKey("portals.hub_id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("contacts_read", Integer, nullable=False),
    Column("contacts_scored", Integer, nullable=False),
    Column("contacts_written", Integer, nullable=False),
    Column("contacts_unchanged", Integer, nullable=False),
    Column("contacts_failed", Integer, nullable=False),
    Column("rate_limited", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("api_calls", JsonDoc, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("error", Text, nullable=True),
    Index(None, "portal_id", "kind", "started_at"),
)

model_artifacts = Table(
    "model_artifacts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "portal_id",
        BigInteger,
        ForeignKey("portals.hub_id", ondelete="CASCADE"),
        nullable=True,
    ),
    Column("scoring_model", String(64), nullable=False),
    Column("version", String(64), nullable=False),
    Column("meta", JsonDoc, nullable=False),
    Column("blob", LargeBinary, nullable=True),
    Column("path", Text, nullable=True),
    Column("size_bytes", BigInteger, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("portal_id", "scoring_model", "version"),
    Index(None, "portal_id", "scoring_model", "active"),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("owner", String(255), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("prefix", String(32), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    UniqueConstraint("key_hash"),
    Index(None, "prefix"),
)

api_usage = Table(
    "api_usage",
    metadata,
    Column(
        "portal_id",
        BigInteger,
        ForeignKey("portals.hub_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("day", Date, primary_key=True),
    Column("calls", BigInteger, nullable=False),
)

def _portal_key() -> Column[int]:
    """The `portal_id` that starts the primary key of a portal's rows (gone with the portal)."""
    return Column("portal_id", BigInteger, ForeignKey("portals.hub_id", ondelete="CASCADE"),
                  primary_key=True)


companies = Table(
    "companies",
    metadata,
    _portal_key(),
    Column("company_id", BigInteger, primary_key=True, autoincrement=False),
    Column("properties", JsonDoc, nullable=False),
    Column("written_values", JsonDoc, nullable=False),
    Column("scored_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

company_members = Table(
    "company_members",
    metadata,
    _portal_key(),
    Column("contact_id", BigInteger, primary_key=True, autoincrement=False),
    Column("company_id", BigInteger, nullable=False),
    Column("last_activity_at", UTCDateTime, nullable=True),
    Index("ix_company_members_portal_id_company_id", "portal_id", "company_id"),
)

deals = Table(
    "deals",
    metadata,
    _portal_key(),
    Column("deal_id", BigInteger, primary_key=True, autoincrement=False),
    Column("properties", JsonDoc, nullable=False),
    Column("contact_ids", JsonDoc, nullable=False),
    Column("company_ids", JsonDoc, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

contact_histories = Table(
    "contact_histories",
    metadata,
    _portal_key(),
    Column("contact_id", BigInteger, primary_key=True, autoincrement=False),
    # `ContactHistory.to_json()`: compact text, read whole, never queried inside.
    Column("document", Text, nullable=False),
    # Which property set was read (`store.histories.properties_key`): another set is stale.
    Column("properties_key", String(32), nullable=False),
    Column("read_at", UTCDateTime, nullable=False),
)
