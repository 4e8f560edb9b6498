"""One-click connection (OAuth) and static-token connection, shared by the web app and CLI.

`authorize_url()` builds the CRM's install link with a signed, short-lived `state`;
`complete(code, state)` is the callback: the CRM connector checks the state, exchanges the
code and learns the hub id, domain and scopes; here the tokens are stored encrypted,
provision every model's properties, read the portal's lifecycle stages, and leave the first
full sync queued: a portal without a sync cursor gets a full pass as its next pass, which
the scheduler runs as soon as it notices the portal (within `PORTAL_POLL_S`), and
`leadscore connect --sync` runs at once. The callback never waits for a sync.

A static token (private app or service key) has no introspection: its portal id comes from
HubSpot's account details (`GET /account-info/v3/details`), which also proves the token
works; a portal id given by the user (`--portal`) is only checked against it. Static
portals get scheduled syncs only: service keys do not support webhooks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from connector.crm import CrmError, ProvisioningReport
from connector.errors import LeadscoreError
from connector.settings import Settings
from connector.store import Portal, Store, Tokens
from connector.store.records import PortalKind
from connector.sync.portal_session import mark_needs_reconnect, needs_reconnect_reason
from connector.sync.pull import CONTACTS_STREAM
from connector.sync.service import SyncService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectResult:
    """What connecting did, for the callback page and the CLI."""

    hub_id: int
    hub_domain: str | None
    kind: PortalKind
    tier: str | None
    scopes: tuple[str, ...]
    reconnected: bool
    provisioning: ProvisioningReport | None
    stages: tuple[str, ...]
    first_sync_queued: bool
    """True when the next pass of this portal is its first full sync."""


class ConnectionService:
    """Connect portals (OAuth or static token) and disconnect them."""

    def __init__(self, settings: Settings, store: Store, sync: SyncService) -> None:
        """Bind settings (OAuth app, URLs), the store and the sync service (provisioning)."""
        self.settings = settings
        self.store = store
        self.sync = sync
        self.crm = sync.crm

    def authorize_url(self) -> str:
        """The CRM's install link for this app, carrying a fresh signed state."""
        return self.crm.authorize_url()

    def complete(self, code: str | None, state: str | None) -> ConnectResult:
        """Finish the one-click connection from the callback's `code` and `state`."""
        grant = self.crm.authorize(code, state)
        hub_id = grant.hub_id
        if hub_id is None:
            raise LeadscoreError("the CRM did not say which portal was connected; try again")
        previous = self.store.portals.get(hub_id)
        self.store.portals.connect(
            hub_id,
            kind="oauth",
            tokens=Tokens(grant.access_token, grant.refresh_token, grant.expires_at),
            scopes=grant.scopes,
            hub_domain=grant.hub_domain,
        )
        log.info("portal %s (%s) connected by OAuth", hub_id, grant.hub_domain or "no domain")
        return self._prepare(hub_id, previous)

    def connect_static_token(self, token: str, *, portal_id: int | None = None,
                             tier: str = "starter") -> ConnectResult:
        """Connect a portal by private-app / service-key token (scheduled sync only).

        HubSpot says which portal the token is for; `portal_id`, when given, must match it
        (a token pasted from the wrong portal is refused before anything is stored).
        """
        if tier not in self.crm.static_tiers:
            raise LeadscoreError(
                f"unknown tier {tier!r}; expected one of {', '.join(self.crm.static_tiers)}"
            )
        token = token.strip()
        if not token:
            raise LeadscoreError("the static token is empty")
        hub_id = self.crm.static_token_portal(token, tier)
        if portal_id is not None and portal_id != hub_id:
            raise LeadscoreError(
                f"the token belongs to portal {hub_id}, not {portal_id}: "
                "check --portal or use that portal's token"
            )
        previous = self.store.portals.get(hub_id)
        self.store.portals.connect(hub_id, kind="static", tokens=Tokens(token), tier=tier)
        try:
            return self._prepare(hub_id, previous)
        except CrmError:
            if previous is None:
                # Nothing worked with this token: leave no half-connected portal behind.
                self.store.portals.delete(hub_id)
            raise

    def _prepare(self, hub_id: int, previous: Portal | None) -> ConnectResult:
        """Provision properties and read stages; queue the first sync of a new portal."""
        with self.sync.session(hub_id) as session:
            try:
                report = self.sync.ensure_properties(session, force=True)
                stages = self.sync.stages(session)
            except CrmError as exc:
                reason = needs_reconnect_reason(exc, session.portal)
                if reason is not None:
                    mark_needs_reconnect(self.store, hub_id, reason)
                raise
        portal = self.store.portals.require(hub_id)
        first_sync = self.store.cursors.get(hub_id, CONTACTS_STREAM) is None
        return ConnectResult(
            hub_id=hub_id,
            hub_domain=portal.hub_domain,
            kind=portal.kind,
            tier=portal.tier,
            scopes=portal.scopes,
            reconnected=previous is not None,
            provisioning=report,
            stages=stages,
            first_sync_queued=first_sync,
        )

    def disconnect(self, hub_id: int) -> bool:
        """Revoke the OAuth grant (best effort) and erase the portal's tokens; history stays."""
        portal = self.store.portals.get(hub_id)
        if portal is None:
            return False
        tokens = self.store.portals.get_tokens(hub_id)
        if portal.kind == "oauth" and tokens is not None and tokens.refresh_token:
            try:
                self.crm.revoke(tokens.refresh_token)
            except CrmError as exc:
                log.warning("portal %s: revoking the grant failed (%s); tokens erased anyway",
                            hub_id, exc)
        return self.store.portals.disconnect(hub_id, "disconnected by the user")
