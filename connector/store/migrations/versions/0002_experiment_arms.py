"""Live A/B experiments: when each started per portal, and the arm recorded per contact.

Revision ID: 0002_experiment_arms
Revises: 0001_initial
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.columns import UTCDateTime

revision = "0002_experiment_arms"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `experiments` and `experiment_arms`."""
    op.create_table(
        "experiments",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.hub_id"],
            name="fk_experiments_portal_id_portals",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("portal_id", "name", name="pk_experiments"),
    )
    op.create_table(
        "experiment_arms",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("experiment", sa.String(255), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("arm", sa.String(16), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id", "experiment"],
            ["experiments.portal_id", "experiments.name"],
            name="fk_experiment_arms_portal_id_experiments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "portal_id", "experiment", "contact_id", name="pk_experiment_arms"
        ),
    )


def downgrade() -> None:
    """Drop both tables (arms first)."""
    op.drop_table("experiment_arms")
    op.drop_table("experiments")
