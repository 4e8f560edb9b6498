"""The schema comes from the migrations, on an empty database of each backend."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text

from connector.errors import LeadscoreError
from connector.store import Store, open_store
from connector.store.engine import normalise_url
from connector.store.migrate import VERSION_TABLE, head_revision
from connector.store.schema import metadata

TABLES = {
    "portals",
    "sync_cursors",
    "webhook_events",
    "contact_state",
    "runs",
    "model_artifacts",
    "leases",
    "api_keys",
    "api_usage",
    "experiments",
    "experiment_arms",
    VERSION_TABLE,
}


def _open(url: str) -> Store:
    return open_store(url, encryption_key=Fernet.generate_key().decode())


def test_open_creates_every_table_from_empty(db_url: str) -> None:
    with _open(db_url) as store:
        assert set(inspect(store.engine).get_table_names()) == TABLES
        with store.engine.connect() as conn:
            version = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one()
        assert version == head_revision()


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    with _open(db_url) as store, store.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(ctx, metadata) == []


def test_reopening_keeps_data(db_url: str) -> None:
    key = Fernet.generate_key().decode()
    with open_store(db_url, encryption_key=key) as store:
        store.leases.try_acquire("job", "me", ttl=timedelta(hours=1))
    with open_store(db_url, encryption_key=key) as store:
        lease = store.leases.get("job")
        assert lease is not None and lease.owner == "me"


def test_database_from_a_newer_release_is_refused(db_url: str) -> None:
    with _open(db_url) as store, store.engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 'ffff_future'"))
    with pytest.raises(LeadscoreError, match=r"ffff_future.*upgrade leadscore"):
        _open(db_url)


def test_postgres_urls_use_psycopg3() -> None:
    assert normalise_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


def test_unsupported_or_malformed_urls_are_clear_errors() -> None:
    with pytest.raises(LeadscoreError, match="unsupported database URL scheme 'mysql'"):
        normalise_url("mysql://u@h/db")
    with pytest.raises(LeadscoreError, match="not valid"):
        normalise_url("not a url")
    with pytest.raises(LeadscoreError, match="in-memory SQLite"):
        _open("sqlite://")


def test_unreachable_postgres_is_a_clear_error_without_the_password() -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(LeadscoreError) as info:
        _open(f"postgresql://leadscore:s3cret-pw@127.0.0.1:{port}/db")
    message = str(info.value)
    assert f"cannot open database postgresql+psycopg://leadscore:***@127.0.0.1:{port}/db" in message
    assert "s3cret-pw" not in message


def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "state.db"
    with _open(f"sqlite:///{path}"):
        pass
    assert path.exists()


def test_concurrent_first_opens_migrate_once(db_url: str) -> None:
    # Several workers starting together on an empty database must not trip over each other.
    key = Fernet.generate_key().decode()

    def open_and_close(_: int) -> str:
        with open_store(db_url, encryption_key=key) as store:
            return store.dialect

    with ThreadPoolExecutor(4) as pool:
        assert len(list(pool.map(open_and_close, range(4)))) == 4
    engine = create_engine(normalise_url(db_url))
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar_one() == 1
    engine.dispose()
