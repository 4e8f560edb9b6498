"""The PostgreSQL test server helper (tests/pg.py) and the store's health check."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from connector.store import Store
from tests.pg import PostgresUnavailable, find_pg_bin


def test_missing_binaries_are_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSCORE_PG_BIN", str(tmp_path))
    with pytest.raises(PostgresUnavailable, match=r"initdb, pg_ctl\) not found in .*apt-get"):
        find_pg_bin()


@pytest.mark.postgres
def test_fresh_schema_is_empty_and_isolated(fresh_postgres_url: str) -> None:
    libpq = fresh_postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq) as conn:
        schema = conn.execute("SELECT current_schema()").fetchone()
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchone()
    assert schema is not None and schema[0].startswith("t_")
    assert tables == (0,)


def test_ping(store: Store) -> None:
    assert store.ping()
    store.close()  # a closed pool reconnects on demand
    assert store.ping()
