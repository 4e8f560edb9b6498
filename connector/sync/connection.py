"""One-click connection (OAuth) and static-token connection, shared by the web app and CLI.

`authorize_url()` builds HubSpot's install link with a signed, short-lived `state`;
`complete(code, state)` is the callback: check the state, exchange the code on the v3 token
endpoint, learn the hub id, domain and scopes (introspection), store the tokens encrypted,
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

from connector.errors import LeadscoreError
from connector.hubspot.auth import StaticTokenProvider
from connector.hubspot.errors import HubSpotError
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.oauth import REQUIRED_SCOPES, StateSigner, authorize_url
from connector.hubspot.pacing import PORTAL_KINDS, limits_for
from connector.hubspot.provisioning import ProvisioningReport
from connector.settings import Settings
from connector.store import Portal, Store, Tokens
from connector.store.records import PortalKind
from connector.sync.portal_session import (
    mark_needs_reconnect,
    needs_reconnect_reason,
    oauth_client,
)
from connector.sync.pull import CONTACTS_STREAM
from connector.sync.service import SyncService

log = logging.getLogger(__name__)

STATE_TTL_S = 600
STATIC_TIERS: tuple[str, ...] = tuple(kind for kind in PORTAL_KINDS if kind != "oauth")


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

    def _signer(self) -> StateSigner:
        # The client secret keys the state: every worker of the app knows it, nobody else.
        return StateSigner.from_secret(self.settings.client_secret.get_secret_value(),
                                       ttl_s=STATE_TTL_S)

    def authorize_url(self) -> str:
        """HubSpot's install link for this app, carrying a fresh signed state."""
        if not self.settings.client_id:
            raise LeadscoreError("set LEADSCORE_CLIENT_ID (the HubSpot app's client id)")
        return authorize_url(
            self.settings.hubspot_app_url,
            client_id=self.settings.client_id,
            redirect_uri=self.settings.redirect_uri,
            state=self._signer().issue(),
        )

    def complete(self, code: str | None, state: str | None) -> ConnectResult:
        """Finish the one-click connection from the callback's `code` and `state`."""
        self._signer().verify(state)
        if not code:
            raise LeadscoreError("OAuth callback without a code: start the connection again")
        with oauth_client(self.settings) as oauth:
            tokens = oauth.exchange_code(code)
            info = oauth.introspect(tokens.access_token)
        hub_id = tokens.hub_id if tokens.hub_id is not None else info.hub_id
        if hub_id is None:
            raise LeadscoreError("HubSpot did not say which portal was connected; try again")
        scopes = tokens.scopes or info.scopes
        missing = [s for s in REQUIRED_SCOPES if s not in scopes]
        if missing:
            raise LeadscoreError(
                f"portal {hub_id} granted too few scopes (missing {', '.join(missing)}); "
                "install the app again and approve every scope"
            )
        previous = self.store.portals.get(hub_id)
        self.store.portals.connect(
            hub_id,
            kind="oauth",
            tokens=Tokens(tokens.access_token, tokens.refresh_token, tokens.expires_at),
            scopes=scopes,
            hub_domain=info.hub_domain,
        )
        log.info("portal %s (%s) connected by OAuth", hub_id, info.hub_domain or "no domain")
        return self._prepare(hub_id, previous)

    def connect_static_token(self, token: str, *, portal_id: int | None = None,
                             tier: str = "starter") -> ConnectResult:
        """Connect a portal by private-app / service-key token (scheduled sync only).

        HubSpot says which portal the token is for; `portal_id`, when given, must match it
        (a token pasted from the wrong portal is refused before anything is stored).
        """
        if tier not in STATIC_TIERS:
            raise LeadscoreError(
                f"unknown tier {tier!r}; expected one of {', '.join(STATIC_TIERS)}"
            )
        token = token.strip()
        if not token:
            raise LeadscoreError("the static token is empty")
        hub_id = self._static_token_portal(token, tier)
        if portal_id is not None and portal_id != hub_id:
            raise LeadscoreError(
                f"the token belongs to portal {hub_id}, not {portal_id}: "
                "check --portal or use that portal's token"
            )
        previous = self.store.portals.get(hub_id)
        self.store.portals.connect(hub_id, kind="static", tokens=Tokens(token), tier=tier)
        try:
            return self._prepare(hub_id, previous)
        except HubSpotError:
            if previous is None:
                # Nothing worked with this token: leave no half-connected portal behind.
                self.store.portals.delete(hub_id)
            raise

    def _static_token_portal(self, token: str, tier: str) -> int:
        """The hub id of the token's portal, from HubSpot's account details."""
        gateway = HubSpotGateway(self.settings.hubspot_api_url, StaticTokenProvider(token),
                                 limits=limits_for(tier))
        return gateway.account_details().portal_id

    def _prepare(self, hub_id: int, previous: Portal | None) -> ConnectResult:
        """Provision properties and read stages; queue the first sync of a new portal."""
        with self.sync.session(hub_id) as session:
            try:
                report = self.sync.ensure_properties(session, force=True)
                stages = self.sync.stages(session)
            except HubSpotError as exc:
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
                with oauth_client(self.settings) as oauth:
                    oauth.revoke(tokens.refresh_token)
            except HubSpotError as exc:
                log.warning("portal %s: revoking the grant failed (%s); tokens erased anyway",
                            hub_id, exc)
        return self.store.portals.disconnect(hub_id, "disconnected by the user")
