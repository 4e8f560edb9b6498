"""Portals (connected HubSpot accounts) and their encrypted tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, Row, delete, select, update

from connector.errors import LeadscoreError
from connector.store.clock import Clock
from connector.store.crypto import TokenCipher
from connector.store.engine import dialect_insert, read_tx, write_tx
from connector.store.records import Portal, PortalKind, PortalStatus, Tokens
from connector.store.schema import portals

_PORTAL_COLUMNS = [c for c in portals.c if c.name not in ("access_token_enc", "refresh_token_enc")]


class PortalRepository:
    """Connect, look up, re-status and disconnect portals; tokens stay encrypted at rest."""

    def __init__(self, engine: Engine, cipher: TokenCipher, clock: Clock):
        """Bind to an engine, the token cipher and the store's clock."""
        self._engine = engine
        self._cipher = cipher
        self._clock = clock

    def connect(
        self,
        hub_id: int,
        *,
        kind: PortalKind,
        tokens: Tokens,
        scopes: Sequence[str] = (),
        hub_domain: str | None = None,
        tier: str | None = None,
    ) -> Portal:
        """Record a (re)connection: store encrypted tokens and mark the portal connected.

        Reconnecting an existing portal keeps its history (cursors, contact state, runs).
        """
        now = self._clock()
        values: dict[str, Any] = {
            "kind": kind,
            "tier": tier,
            "status": "connected",
            "status_reason": None,
            "scopes": list(scopes),
            "hub_domain": hub_domain,
            "access_token_enc": self._cipher.encrypt(tokens.access_token),
            "refresh_token_enc": (
                self._cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None
            ),
            "token_expires_at": tokens.expires_at,
            "updated_at": now,
        }
        stmt = dialect_insert(self._engine, portals).values(hub_id=hub_id, created_at=now, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[portals.c.hub_id], set_=values)
        with write_tx(self._engine) as conn:
            conn.execute(stmt)
            row = conn.execute(
                select(*_PORTAL_COLUMNS, *_token_flags()).where(portals.c.hub_id == hub_id)
            ).one()
        return _portal(row)

    def get(self, hub_id: int) -> Portal | None:
        """The portal, or None if it was never connected."""
        with read_tx(self._engine) as conn:
            row = conn.execute(
                select(*_PORTAL_COLUMNS, *_token_flags()).where(portals.c.hub_id == hub_id)
            ).one_or_none()
        return _portal(row) if row is not None else None

    def require(self, hub_id: int) -> Portal:
        """The portal, or a clear error naming the unknown hub id."""
        portal = self.get(hub_id)
        if portal is None:
            raise LeadscoreError(f"portal {hub_id} is not connected; run `leadscore connect`")
        return portal

    def all(self, status: PortalStatus | None = None) -> list[Portal]:
        """All portals (optionally of one status), by hub id."""
        stmt = select(*_PORTAL_COLUMNS, *_token_flags()).order_by(portals.c.hub_id)
        if status is not None:
            stmt = stmt.where(portals.c.status == status)
        with read_tx(self._engine) as conn:
            return [_portal(r) for r in conn.execute(stmt)]

    def get_tokens(self, hub_id: int) -> Tokens | None:
        """The decrypted tokens, or None if the portal has none (unknown or disconnected)."""
        with read_tx(self._engine) as conn:
            row = conn.execute(
                select(
                    portals.c.access_token_enc,
                    portals.c.refresh_token_enc,
                    portals.c.token_expires_at,
                ).where(portals.c.hub_id == hub_id)
            ).one_or_none()
        if row is None or row.access_token_enc is None:
            return None
        what = f"the stored tokens of portal {hub_id}"
        return Tokens(
            access_token=self._cipher.decrypt(row.access_token_enc, what=what),
            refresh_token=(
                self._cipher.decrypt(row.refresh_token_enc, what=what)
                if row.refresh_token_enc
                else None
            ),
            expires_at=row.token_expires_at,
        )

    def save_tokens(self, hub_id: int, tokens: Tokens) -> None:
        """Store refreshed tokens (whatever came back: the refresh token may rotate).

        A `None` refresh token keeps the stored one, since a refresh response may omit it.
        """
        values: dict[str, Any] = {
            "access_token_enc": self._cipher.encrypt(tokens.access_token),
            "token_expires_at": tokens.expires_at,
            "updated_at": self._clock(),
        }
        if tokens.refresh_token:
            values["refresh_token_enc"] = self._cipher.encrypt(tokens.refresh_token)
        with write_tx(self._engine) as conn:
            result = conn.execute(update(portals).where(portals.c.hub_id == hub_id).values(values))
        if result.rowcount == 0:
            raise LeadscoreError(f"portal {hub_id} is not connected; cannot store its tokens")

    def set_status(self, hub_id: int, status: PortalStatus, reason: str | None = None) -> bool:
        """Change a portal's status (e.g. `needs_reconnect` after `BAD_REFRESH_TOKEN`)."""
        with write_tx(self._engine) as conn:
            result = conn.execute(
                update(portals)
                .where(portals.c.hub_id == hub_id)
                .values(status=status, status_reason=reason, updated_at=self._clock())
            )
        return result.rowcount > 0

    def disconnect(self, hub_id: int, reason: str | None = None) -> bool:
        """Mark the portal disconnected and erase its tokens; its history stays."""
        with write_tx(self._engine) as conn:
            result = conn.execute(
                update(portals)
                .where(portals.c.hub_id == hub_id)
                .values(
                    status="disconnected",
                    status_reason=reason,
                    access_token_enc=None,
                    refresh_token_enc=None,
                    token_expires_at=None,
                    updated_at=self._clock(),
                )
            )
        return result.rowcount > 0

    def delete(self, hub_id: int) -> bool:
        """Forget a portal and everything stored for it (cursors, contacts, models, usage)."""
        with write_tx(self._engine) as conn:
            result = conn.execute(delete(portals).where(portals.c.hub_id == hub_id))
        return result.rowcount > 0


def _token_flags() -> list[Any]:
    return [portals.c.access_token_enc.is_not(None).label("has_tokens")]


def _portal(row: Row[Any]) -> Portal:
    return Portal(
        hub_id=row.hub_id,
        kind=row.kind,
        tier=row.tier,
        status=row.status,
        status_reason=row.status_reason,
        scopes=tuple(row.scopes or ()),
        hub_domain=row.hub_domain,
        token_expires_at=row.token_expires_at,
        has_tokens=bool(row.has_tokens),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
