"""Schema migrations, configured in code: `upgrade_to_head` brings a database up to date.

The Alembic scripts live in `connector/store/migrations/`. To add a revision after changing
`schema.py`, autogenerate it against an up-to-date database:
`alembic.command.revision(alembic_config(conn), message="...", autogenerate=True)`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text

from connector.errors import LeadscoreError
from connector.store.engine import write_tx

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Our own version table name, so a database shared with another Alembic app does not clash.
VERSION_TABLE = "leadscore_alembic_version"
# Any constant: the PostgreSQL advisory lock id that serialises concurrent upgrades.
_PG_MIGRATION_LOCK = 0x1EAD5C0


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for our scripts, bound to `connection` when given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migration scripts found in " + str(MIGRATIONS_DIR))
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None if it was never migrated)."""
    ctx = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return ctx.get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Migrate the database to the newest schema; safe when several workers start at once."""
    head = head_revision()
    scripts = ScriptDirectory.from_config(alembic_config())
    with write_tx(engine) as conn:
        if conn.dialect.name == "postgresql":
            # Held until commit: a second worker waits, then finds the schema current.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        current = current_revision(conn)
        if current == head:
            return
        if current is not None and _unknown(scripts, current):
            raise LeadscoreError(
                f"the database schema is at revision {current}, which this version of "
                f"leadscore does not know (newest known: {head}); upgrade leadscore"
            )
        command.upgrade(alembic_config(conn), "head")


def _unknown(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is None
    except (RevisionError, CommandError):
        return True
