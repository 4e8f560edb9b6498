"""Companies and deals synced per portal: their properties, links and written scores, and
which contacts belong to which company (with each contact's last activity).

Revision ID: 0003_companies_deals
Revises: 0002_experiment_arms
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.columns import JsonDoc, UTCDateTime

revision = "0003_companies_deals"
down_revision = "0002_experiment_arms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `companies`, `company_members` and `deals`."""
    op.create_table(
        "companies",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("company_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("properties", JsonDoc, nullable=False),
        sa.Column("written_values", JsonDoc, nullable=False),
        sa.Column("scored_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portals.hub_id"],
                                name="fk_companies_portal_id_portals", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("portal_id", "company_id", name="pk_companies"),
    )
    op.create_table(
        "company_members",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("company_id", sa.BigInteger(), nullable=False),
        sa.Column("last_activity_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["portal_id"], ["portals.hub_id"],
                                name="fk_company_members_portal_id_portals",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("portal_id", "contact_id", name="pk_company_members"),
    )
    op.create_index("ix_company_members_portal_id_company_id", "company_members",
                    ["portal_id", "company_id"])
    op.create_table(
        "deals",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("deal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("properties", JsonDoc, nullable=False),
        sa.Column("contact_ids", JsonDoc, nullable=False),
        sa.Column("company_ids", JsonDoc, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portals.hub_id"],
                                name="fk_deals_portal_id_portals", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("portal_id", "deal_id", name="pk_deals"),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("deals")
    op.drop_index("ix_company_members_portal_id_company_id", table_name="company_members")
    op.drop_table("company_members")
    op.drop_table("companies")
