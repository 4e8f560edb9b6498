"""Engines for SQLite and PostgreSQL, set up so concurrent workers behave."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from connector.errors import LeadscoreError

# How long a SQLite writer waits for another writer before giving up (seconds).
SQLITE_BUSY_TIMEOUT_S = 30


def normalise_url(url: str) -> URL:
    """Parse a database URL, pointing PostgreSQL URLs at the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise LeadscoreError(
            "database URL is not valid; expected e.g. sqlite:///path/leadscore.db or "
            "postgresql://user:pass@host/dbname"
        ) from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise LeadscoreError(
            f"unsupported database URL scheme {parsed.drivername!r}; "
            "use sqlite:///... or postgresql://..."
        )
    return parsed


def safe_url(url: URL) -> str:
    """The URL for messages and logs, password masked."""
    return url.render_as_string(hide_password=True)


def create_store_engine(url: URL) -> Engine:
    """An engine for the URL: SQLite in WAL mode with a busy timeout, PostgreSQL pooled."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(url: URL) -> Engine:
    if not url.database or url.database == ":memory:":
        # Each pooled connection would see its own empty in-memory database.
        raise LeadscoreError("an in-memory SQLite database cannot hold state; give a file path")
    Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Write transactions take the write lock up front (BEGIN IMMEDIATE): a deferred
        # transaction that reads and then writes can fail with "database is locked" without
        # waiting, when another writer committed in between.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: serialised up front on SQLite, plain on PostgreSQL."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (a consistent snapshot for multi-statement reads)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def dialect_insert(engine: Engine, table: Table) -> sqlite.Insert | postgresql.Insert:
    """`INSERT` with the backend's `ON CONFLICT` support (same API on both backends)."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
