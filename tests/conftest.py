"""Shared fixtures: a real PostgreSQL server per test process (see tests/pg.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg import PostgresServer, PostgresUnavailable, create_schema, drop_schema


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of a throwaway PostgreSQL server's admin database.

    Fails (never skips) when PostgreSQL cannot be started: CI installs it, and a silently
    skipped database test would hide exactly the bugs it exists for.
    """
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """SQLAlchemy URL of an empty PostgreSQL schema for one test, dropped afterwards.

    To the code under test it is an empty database (its connections' search_path is the
    schema), made in milliseconds rather than the second a `CREATE DATABASE` takes.
    """
    url = create_schema(postgres_url)
    yield url
    drop_schema(url)
