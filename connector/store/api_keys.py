"""API keys of the scoring API: only a hash is stored; the plain key is shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Engine, Row, select, update

from connector.errors import LeadscoreError
from connector.store.clock import Clock
from connector.store.engine import read_tx, write_tx
from connector.store.records import ApiKey
from connector.store.schema import api_keys

KEY_SCHEME = "lsk_"
# Scheme + this many characters of the random part are stored in clear for display/lookup.
_PREFIX_CHARS = 8
_COLUMNS = [c for c in api_keys.c if c.name != "key_hash"]


def _hash(plain: str) -> str:
    # A 256-bit random key needs no slow hash: brute force is out of reach either way.
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


class ApiKeyRepository:
    """Create, verify, list and revoke scoring-API keys."""

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def create(self, name: str) -> tuple[str, ApiKey]:
        """A new key: the plain key (show it once, it is not stored) and its record."""
        if not name.strip():
            raise LeadscoreError("an API key needs a non-empty name")
        plain = KEY_SCHEME + secrets.token_urlsafe(32)
        prefix = plain[: len(KEY_SCHEME) + _PREFIX_CHARS]
        with write_tx(self._engine) as conn:
            row = conn.execute(
                api_keys.insert()
                .values(
                    name=name.strip(),
                    prefix=prefix,
                    key_hash=_hash(plain),
                    created_at=self._clock(),
                )
                .returning(*_COLUMNS)
            ).one()
        return plain, _key(row)

    def verify(self, plain: str) -> ApiKey | None:
        """The key's record if `plain` is a valid, unrevoked key; else None.

        Candidates are found by their display prefix and compared by hash in constant time,
        so the lookup reveals nothing about how much of a guessed key was right.
        """
        if not plain.startswith(KEY_SCHEME) or len(plain) <= len(KEY_SCHEME) + _PREFIX_CHARS:
            return None
        digest = _hash(plain)
        prefix = plain[: len(KEY_SCHEME) + _PREFIX_CHARS]
        with read_tx(self._engine) as conn:
            candidates = conn.execute(
                select(api_keys.c.id, api_keys.c.key_hash).where(
                    api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None)
                )
            ).all()
        match = None
        for candidate in candidates:
            if hmac.compare_digest(candidate.key_hash, digest):
                match = candidate.id
        if match is None:
            return None
        with write_tx(self._engine) as conn:
            row = conn.execute(
                update(api_keys)
                .where(api_keys.c.id == match, api_keys.c.revoked_at.is_(None))
                .values(last_used_at=self._clock())
                .returning(*_COLUMNS)
            ).one_or_none()
        return _key(row) if row is not None else None

    def all(self, *, include_revoked: bool = False) -> list[ApiKey]:
        """Keys by creation, without their secrets."""
        stmt = select(*_COLUMNS).order_by(api_keys.c.id)
        if not include_revoked:
            stmt = stmt.where(api_keys.c.revoked_at.is_(None))
        with read_tx(self._engine) as conn:
            return [_key(r) for r in conn.execute(stmt)]

    def revoke(self, key_id: int) -> bool:
        """Revoke a key; True if it was live."""
        with write_tx(self._engine) as conn:
            return (
                conn.execute(
                    update(api_keys)
                    .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                    .values(revoked_at=self._clock())
                ).rowcount
                == 1
            )


def _key(row: Row[Any]) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
