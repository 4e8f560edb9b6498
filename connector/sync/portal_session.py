"""One portal's live CRM access: a `CrmSession` opened from the portal's stored tokens.

Every refreshed grant is saved at once (whatever refresh token came back). A refused grant
or a refused static token marks the portal `needs_reconnect` with the reason, so its jobs
stop until it is reconnected.
"""

from __future__ import annotations

import logging
from types import TracebackType

from connector.crm import CrmConnector, CrmError, CrmSession, PortalAccess, TokenGrant
from connector.errors import LeadscoreError
from connector.store import Portal, Store, Tokens

log = logging.getLogger(__name__)


class PortalUnavailable(LeadscoreError):
    """The portal cannot be synced now (unknown, disconnected or needing reconnection)."""


class PortalSession:
    """A CRM session bound to one connected portal; close it (or use `with`) when done."""

    def __init__(self, store: Store, crm: CrmConnector, hub_id: int) -> None:
        """Load the portal and its tokens; raise `PortalUnavailable` if it cannot be synced."""
        portal = store.portals.get(hub_id)
        if portal is None:
            raise PortalUnavailable(f"portal {hub_id} is not connected; run `leadscore connect`")
        if portal.status != "connected":
            reason = f" ({portal.status_reason})" if portal.status_reason else ""
            raise PortalUnavailable(
                f"portal {hub_id} is {portal.status.replace('_', ' ')}{reason}; "
                "run `leadscore connect` again"
            )
        tokens = store.portals.get_tokens(hub_id)
        if tokens is None:
            raise PortalUnavailable(f"portal {hub_id} has no stored tokens; reconnect it")
        if portal.kind == "oauth" and not tokens.refresh_token:
            raise PortalUnavailable(f"portal {hub_id} has no refresh token; reconnect it")
        self.store = store
        self.portal = portal
        access = PortalAccess(
            hub_id=hub_id,
            kind=portal.kind,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            scopes=portal.scopes,
            tier=portal.tier,
        )
        self.crm: CrmSession = crm.open(access, self._save_refreshed)

    @property
    def hub_id(self) -> int:
        """The portal's hub id."""
        return self.portal.hub_id

    def _save_refreshed(self, grant: TokenGrant) -> None:
        # Persist at once: a crash right after a rotating refresh must not lose the grant.
        self.store.portals.save_tokens(
            self.hub_id, Tokens(grant.access_token, grant.refresh_token, grant.expires_at)
        )
        log.info("portal %s: access token refreshed (expires %s)", self.hub_id,
                 grant.expires_at.isoformat())

    def close(self) -> None:
        """Release the session's connections."""
        self.crm.close()

    def __enter__(self) -> PortalSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def needs_reconnect_reason(error: CrmError, portal: Portal) -> str | None:
    """Why an error means the portal must reconnect, or None if it does not."""
    return error.reconnect_reason(static_token=portal.kind == "static")


def mark_needs_reconnect(store: Store, hub_id: int, reason: str) -> None:
    """Stop syncing a portal until it is reconnected, and say so in the log."""
    store.portals.set_status(hub_id, "needs_reconnect", reason)
    log.warning("portal %s needs to be reconnected: %s; its sync jobs stop until then",
                hub_id, reason)
