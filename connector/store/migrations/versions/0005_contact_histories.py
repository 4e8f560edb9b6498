"""Contact property histories read for point-in-time training: one compact document per
(portal, contact), with the property set it was read for and when.

Revision ID: 0005_contact_histories
Revises: 0004_contact_inputs
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.columns import UTCDateTime

revision = "0005_contact_histories"
down_revision = "0004_contact_inputs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `contact_histories`."""
    op.create_table(
        "contact_histories",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("properties_key", sa.String(32), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portals.hub_id"],
                                name="fk_contact_histories_portal_id_portals",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("portal_id", "contact_id", name="pk_contact_histories"),
    )


def downgrade() -> None:
    """Drop `contact_histories`."""
    op.drop_table("contact_histories")
