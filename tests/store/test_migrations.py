"""The schema comes from the migrations, on an empty database of each backend."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text

from connector.errors import LeadscoreError
from connector.scoring.stored_inputs import StoredInputs
from connector.store import Store, open_store
from connector.store.columns import JsonDoc, UTCDateTime
from connector.store.engine import normalise_url
from connector.store.migrate import VERSION_TABLE, alembic_config, head_revision
from connector.store.schema import metadata

TABLES = {
    "portals",
    "sync_cursors",
    "webhook_events",
    "contact_state",
    "contact_histories",
    "companies",
    "company_members",
    "deals",
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


def _old_shape_rows(url: str) -> None:
    """A database at revision 0003 holding contact state in the old shape: every contact
    under the "*" key, plus a stray row under another model key."""
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003_companies_deals")
    portals = sa.table("portals", *(sa.column(c) for c in (
        "hub_id", "kind", "status", "created_at", "updated_at")), sa.column("scopes", JsonDoc))
    state = sa.table(
        "contact_state",
        *(sa.column(c) for c in ("portal_id", "scoring_model", "contact_id", "input_hash",
                                 "write_status", "write_attempts", "write_error")),
        *(sa.column(c, JsonDoc) for c in ("inputs", "written_values", "pending_values")),
        *(sa.column(c, UTCDateTime) for c in ("scored_at", "updated_at")),
    )
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(portals.insert().values(
            hub_id=77, kind="static", status="connected", scopes=[],
            created_at=now.replace(tzinfo=None), updated_at=now.replace(tzinfo=None)))
        conn.execute(state.insert(), [
            {"portal_id": 77, "scoring_model": model, "contact_id": cid, "input_hash": f"h{cid}",
             "inputs": inputs, "written_values": {"leadscore_score": "40"},
             "pending_values": None, "write_status": "written", "write_attempts": 0,
             "write_error": None, "scored_at": now, "updated_at": now}
            for model, cid, inputs in [
                ("*", 1, LEGACY_INPUTS),
                ("*", 2, {"properties": {"jobtitle": "Student"}, "activities": []}),
                ("default", 1, {"properties": {"jobtitle": "stray"}, "activities": []}),
            ]
        ])
    engine.dispose()


LEGACY_INPUTS = {
    "properties": {"jobtitle": "CTO", "company.industry": "SOFTWARE"},
    "activities": [{"kind": "call", "timestamp": "2026-11-20T09:30:00+00:00",
                    "outcome": "completed", "direction": None}],
}


def test_contact_state_loses_the_model_key_and_keeps_the_rows(db_url: str) -> None:
    _old_shape_rows(db_url)
    with _open(db_url) as store:
        columns = {c["name"] for c in inspect(store.engine).get_columns("contact_state")}
        pk = inspect(store.engine).get_pk_constraint("contact_state")
        states = store.contacts.get_many(77, [1, 2])
        counts = store.contacts.counts(77)
    assert "scoring_model" not in columns
    assert pk["constrained_columns"] == ["portal_id", "contact_id"]
    assert counts == {"written": 2}
    assert states[1].inputs == StoredInputs.from_json(LEGACY_INPUTS)
    assert states[1].inputs.version == 1 and states[1].input_hash == "h1"
    assert states[1].inputs.activities[0].outcome == "completed"
    assert states[2].inputs.properties == {"jobtitle": "Student"}
    assert states[1].written_values == {"leadscore_score": "40"}


def test_contact_inputs_migration_downgrades(db_url: str) -> None:
    _old_shape_rows(db_url)
    _open(db_url).close()
    engine = create_engine(normalise_url(db_url))
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003_companies_deals")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT scoring_model, contact_id FROM contact_state ORDER BY contact_id")
        ).all()
    assert [tuple(r) for r in rows] == [("*", 1), ("*", 2)]
    assert inspect(engine).get_pk_constraint("contact_state")["constrained_columns"] == [
        "portal_id", "scoring_model", "contact_id",
    ]
    engine.dispose()
    with _open(db_url) as store:
        assert set(store.contacts.get_many(77, [1, 2])) == {1, 2}
