"""`open_store`: one object giving every repository over one migrated database."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from connector.errors import LeadscoreError
from connector.settings import Settings, get_settings
from connector.store.accounts import CompanyRepository, DealRepository, MemberRepository
from connector.store.api_keys import ApiKeyRepository
from connector.store.budget import BudgetRepository
from connector.store.clock import Clock, utc_now
from connector.store.contacts import ContactStateRepository
from connector.store.crypto import TokenCipher, load_or_create_key
from connector.store.cursors import CursorRepository
from connector.store.engine import create_store_engine, normalise_url, safe_url
from connector.store.experiments import ExperimentRepository
from connector.store.histories import HistoryRepository
from connector.store.inbox import InboxRepository
from connector.store.leases import LeaseRepository
from connector.store.migrate import upgrade_to_head
from connector.store.models import ModelRepository
from connector.store.portals import PortalRepository
from connector.store.runs import RunRepository


class Store:
    """The connector's state: one engine, one repository per kind of record.

    Repositories are thread-safe (each call uses its own pooled connection and transaction)
    and so is the store; share one per process. Close it when done (or use `with`).
    """

    def __init__(self, engine: Engine, cipher: TokenCipher, clock: Clock = utc_now):
        """Wrap an engine whose schema is already current (use `open_store` normally)."""
        self.engine = engine
        self.portals = PortalRepository(engine, cipher, clock)
        self.cursors = CursorRepository(engine, clock)
        self.inbox = InboxRepository(engine, clock)
        self.contacts = ContactStateRepository(engine, clock)
        self.runs = RunRepository(engine, clock)
        self.models = ModelRepository(engine, clock)
        self.leases = LeaseRepository(engine, clock)
        self.api_keys = ApiKeyRepository(engine, clock)
        self.budget = BudgetRepository(engine, clock)
        self.experiments = ExperimentRepository(engine, clock)
        self.companies = CompanyRepository(engine, clock)
        self.deals = DealRepository(engine, clock)
        self.members = MemberRepository(engine, clock)
        self.histories = HistoryRepository(engine)

    def __repr__(self) -> str:
        return f"Store({safe_url(self.engine.url)})"

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    def ping(self) -> bool:
        """True if the database answers (for `/healthz`)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_store(
    url: str | None = None,
    *,
    settings: Settings | None = None,
    encryption_key: str | None = None,
    clock: Clock = utc_now,
) -> Store:
    """Open (creating if needed) and migrate the database, and return the store.

    `url` defaults to the settings' database (a SQLite file in `data_dir`); `postgresql://`
    URLs use psycopg 3. The token key is `encryption_key` if given, else the settings' key or
    the generated key file (`load_or_create_key`). Fails with a `LeadscoreError` naming the
    database (password masked) if it cannot be reached or migrated.
    """

    def current_settings() -> Settings:
        return settings if settings is not None else get_settings()

    resolved = normalise_url(url if url is not None else current_settings().resolved_database_url)
    key = encryption_key if encryption_key is not None else load_or_create_key(current_settings())
    cipher = TokenCipher(key)
    engine = create_store_engine(resolved)
    try:
        upgrade_to_head(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise LeadscoreError(f"cannot open database {safe_url(resolved)}: {reason}") from None
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, cipher, clock)
