"""Alembic environment: runs on the connection `connector.store.migrate` hands over."""

from __future__ import annotations

from alembic import context

from connector.store.migrate import VERSION_TABLE
from connector.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "connector.store migrations run only through connector.store.migrate "
        "(open_store upgrades automatically)"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
