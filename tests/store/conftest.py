"""Every store test runs on a SQLite file and on a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from connector.store import Store, Tokens, open_store


class ManualClock:
    """A clock tests move by hand, so expiry is tested without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(db_url: str, key: str, clock: ManualClock) -> Iterator[Store]:
    with open_store(db_url, encryption_key=key, clock=clock) as opened:
        yield opened


@pytest.fixture
def portal_id(store: Store) -> int:
    """A connected portal (most tables hang off one)."""
    store.portals.connect(
        4_000_001, kind="oauth", tokens=Tokens(access_token="at", refresh_token="rt")
    )
    return 4_000_001
