"""Initial schema: portals, cursors, webhook inbox, contact state, runs, models, leases,
API keys and daily API usage.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.columns import BigId, JsonDoc, UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "portals",
        sa.Column("hub_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tier", sa.String(32), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("scopes", JsonDoc, nullable=False),
        sa.Column("hub_domain", sa.String(255), nullable=True),
        sa.Column("access_token_enc", sa.Text(), nullable=True),
        sa.Column("refresh_token_enc", sa.Text(), nullable=True),
        sa.Column("token_expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hub_id", name="pk_portals"),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("stream", sa.String(64), nullable=False),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=True),
        sa.Column("last_object_id", sa.BigInteger(), nullable=True),
        sa.Column("full_after", sa.String(255), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.hub_id"],
            name="fk_sync_cursors_portal_id_portals",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("portal_id", "stream", name="pk_sync_cursors"),
    )
    op.create_table(
        "webhook_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_type", sa.String(128), nullable=False),
        sa.Column("object_id", sa.BigInteger(), nullable=False),
        sa.Column("property_name", sa.String(255), nullable=True),
        sa.Column("property_value", sa.Text(), nullable=True),
        sa.Column("change_source", sa.String(64), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("attempt_number", sa.Integer(), nullable=False),
        sa.Column("raw", JsonDoc, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("available_at", UTCDateTime(), nullable=False),
        sa.Column("claim_token", sa.String(64), nullable=True),
        sa.Column("claimed_by", sa.String(255), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_events"),
        sa.UniqueConstraint(
            "subscription_id",
            "event_id",
            "object_id",
            "occurred_at",
            name="uq_webhook_events_dedup",
        ),
    )
    op.create_index(
        "ix_webhook_events_status_available_at", "webhook_events", ["status", "available_at"]
    )
    op.create_index("ix_webhook_events_claim_token", "webhook_events", ["claim_token"])
    op.create_index(
        "ix_webhook_events_portal_id_received_at", "webhook_events", ["portal_id", "received_at"]
    )
    op.create_table(
        "contact_state",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("scoring_model", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("input_hash", sa.String(128), nullable=False),
        sa.Column("inputs", JsonDoc, nullable=False),
        sa.Column("written_values", JsonDoc, nullable=False),
        sa.Column("pending_values", JsonDoc, nullable=True),
        sa.Column("write_status", sa.String(16), nullable=False),
        sa.Column("write_error", sa.Text(), nullable=True),
        sa.Column("write_attempts", sa.Integer(), nullable=False),
        sa.Column("scored_at", UTCDateTime(), nullable=True),
        sa.Column("written_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.hub_id"],
            name="fk_contact_state_portal_id_portals",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "portal_id", "scoring_model", "contact_id", name="pk_contact_state"
        ),
    )
    op.create_index(
        "ix_contact_state_portal_id_scoring_model_write_status",
        "contact_state",
        ["portal_id", "scoring_model", "write_status"],
    )
    op.create_table(
        "runs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("contacts_read", sa.Integer(), nullable=False),
        sa.Column("contacts_scored", sa.Integer(), nullable=False),
        sa.Column("contacts_written", sa.Integer(), nullable=False),
        sa.Column("contacts_unchanged", sa.Integer(), nullable=False),
        sa.Column("contacts_failed", sa.Integer(), nullable=False),
        sa.Column("rate_limited", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("api_calls", JsonDoc, nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.hub_id"], name="fk_runs_portal_id_portals", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index(
        "ix_runs_portal_id_kind_started_at", "runs", ["portal_id", "kind", "started_at"]
    )
    op.create_table(
        "model_artifacts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=True),
        sa.Column("scoring_model", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("meta", JsonDoc, nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.hub_id"],
            name="fk_model_artifacts_portal_id_portals",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_model_artifacts"),
        sa.UniqueConstraint(
            "portal_id",
            "scoring_model",
            "version",
            name="uq_model_artifacts_portal_id_scoring_model_version",
        ),
    )
    op.create_index(
        "ix_model_artifacts_portal_id_scoring_model_active",
        "model_artifacts",
        ["portal_id", "scoring_model", "active"],
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])
    op.create_table(
        "api_usage",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.hub_id"],
            name="fk_api_usage_portal_id_portals",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("portal_id", "day", name="pk_api_usage"),
    )


def downgrade() -> None:
    """Drop every table (children first)."""
    for table in (
        "api_usage",
        "api_keys",
        "leases",
        "model_artifacts",
        "runs",
        "contact_state",
        "webhook_events",
        "sync_cursors",
        "portals",
    ):
        op.drop_table(table)
