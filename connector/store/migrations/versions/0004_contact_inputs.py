"""Contact state without the scoring-model dimension: one row per (portal, contact).

The sync always kept a contact's inputs once for every scoring model, under the model key
"*"; the key column goes away. Rows under any other key (never written by the sync) are
dropped, and the primary key becomes (portal_id, contact_id). The `inputs` documents are
left as they are: `StoredInputs.from_json` reads the unversioned ones as version 1.
SQLite rebuilds the table (batch mode); PostgreSQL alters it in place.

Revision ID: 0004_contact_inputs
Revises: 0003_companies_deals
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_contact_inputs"
down_revision = "0003_companies_deals"
branch_labels = None
depends_on = None

STATE_MODEL = "*"
"""The scoring-model key the sync stored every contact's inputs under."""


def upgrade() -> None:
    """Keep the "*" rows, drop the column, key by (portal_id, contact_id)."""
    op.execute(
        sa.text("DELETE FROM contact_state WHERE scoring_model <> :model").bindparams(
            model=STATE_MODEL
        )
    )
    op.drop_index("ix_contact_state_portal_id_scoring_model_write_status", "contact_state")
    with op.batch_alter_table("contact_state") as batch:
        batch.drop_constraint("pk_contact_state", type_="primary")
        batch.drop_column("scoring_model")
        batch.create_primary_key("pk_contact_state", ["portal_id", "contact_id"])
    op.create_index(
        "ix_contact_state_portal_id_write_status", "contact_state", ["portal_id", "write_status"]
    )


def downgrade() -> None:
    """Put every row back under the "*" key."""
    op.drop_index("ix_contact_state_portal_id_write_status", "contact_state")
    with op.batch_alter_table("contact_state") as batch:
        batch.add_column(
            sa.Column("scoring_model", sa.String(64), nullable=False,
                      server_default=STATE_MODEL)
        )
        batch.drop_constraint("pk_contact_state", type_="primary")
        batch.create_primary_key(
            "pk_contact_state", ["portal_id", "scoring_model", "contact_id"]
        )
    with op.batch_alter_table("contact_state") as batch:
        batch.alter_column("scoring_model", server_default=None)
    op.create_index(
        "ix_contact_state_portal_id_scoring_model_write_status",
        "contact_state",
        ["portal_id", "scoring_model", "write_status"],
    )
