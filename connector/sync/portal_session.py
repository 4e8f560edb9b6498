"""One portal's live HubSpot access: token provider, paced gateway, call counter.

OAuth portals get an `OAuthTokenProvider` that refreshes ahead of expiry and saves every new
grant to the store (whatever refresh token came back); static-token portals get a
`StaticTokenProvider` and their tier's allowance. A refused grant (`invalid_grant`) or a
refused static token marks the portal `needs_reconnect` with the reason, so its jobs stop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

from connector.errors import LeadscoreError
from connector.hubspot.auth import OAuthTokenProvider, StaticTokenProvider, TokenProvider
from connector.hubspot.counters import CallCounter
from connector.hubspot.errors import HubSpotError, MissingScopes, Unauthorized
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.oauth import OAuthClient, ReconnectRequired, TokenSet
from connector.hubspot.pacing import Pacer, PortalLimits, limits_for
from connector.hubspot.retry import RetryPolicy
from connector.settings import Settings
from connector.store import Portal, Store, Tokens

log = logging.getLogger(__name__)

PACING_MARGIN = 0.05
"""Share of each allowance left unused. The pacer also corrects itself from HubSpot's
rate-limit headers, so 5 % (6 of 110 requests per 10 s) is enough to stay clear of 429s
while keeping a long sync within ~5 % of what the limit allows."""

DEFAULT_STATIC_TIER = "starter"
"""The allowance assumed for a static token whose tier was not given: the smallest one."""


class PortalUnavailable(LeadscoreError):
    """The portal cannot be synced now (unknown, disconnected or needing reconnection)."""


@dataclass(frozen=True)
class SessionOptions:
    """Overrides for tests and benchmarks: pacing limits and the retry policy."""

    limits: PortalLimits | None = None
    retry_policy: RetryPolicy | None = None


def portal_limits(portal: Portal) -> PortalLimits:
    """HubSpot's allowance for the portal: OAuth app, or its static token's tier."""
    if portal.kind == "oauth":
        return limits_for("oauth")
    return limits_for(portal.tier or DEFAULT_STATIC_TIER)


def oauth_client(settings: Settings, counter: CallCounter | None = None) -> OAuthClient:
    """The app's OAuth client from settings (client id/secret, redirect URI, API URL)."""
    return OAuthClient(
        settings.hubspot_api_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        redirect_uri=settings.redirect_uri,
        counter=counter,
    )


class PortalSession:
    """A gateway bound to one connected portal; close it (or use `with`) when done."""

    def __init__(
        self, store: Store, settings: Settings, hub_id: int, options: SessionOptions | None = None
    ) -> None:
        """Load the portal and its tokens; raise `PortalUnavailable` if it cannot be synced."""
        opts = options or SessionOptions()
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
        self.store = store
        self.portal = portal
        self.counter = CallCounter()
        self._oauth: OAuthClient | None = None
        provider: TokenProvider
        if portal.kind == "oauth":
            if not tokens.refresh_token:
                raise PortalUnavailable(f"portal {hub_id} has no refresh token; reconnect it")
            self._oauth = oauth_client(settings, self.counter)
            grant = TokenSet(
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                # A grant saved without expiry is treated as expired: refresh first.
                expires_at=tokens.expires_at or datetime.now(UTC) - timedelta(seconds=1),
                hub_id=hub_id,
                scopes=portal.scopes,
            )
            provider = OAuthTokenProvider(self._oauth, grant, on_refresh=self._save_refreshed)
        else:
            provider = StaticTokenProvider(tokens.access_token)
        limits = opts.limits or portal_limits(portal)
        self.gateway = HubSpotGateway(
            settings.hubspot_api_url,
            provider,
            limits=limits,
            pacer=Pacer(limits, safety_margin=PACING_MARGIN),
            retry_policy=opts.retry_policy,
            counter=self.counter,
        )

    @property
    def hub_id(self) -> int:
        """The portal's hub id."""
        return self.portal.hub_id

    def _save_refreshed(self, tokens: TokenSet) -> None:
        # Persist at once: a crash right after a rotating refresh must not lose the grant.
        self.store.portals.save_tokens(
            self.hub_id, Tokens(tokens.access_token, tokens.refresh_token, tokens.expires_at)
        )
        log.info("portal %s: access token refreshed (expires %s)", self.hub_id,
                 tokens.expires_at.isoformat())

    def close(self) -> None:
        """Release the OAuth HTTP client."""
        if self._oauth is not None:
            self._oauth.close()

    def __enter__(self) -> PortalSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def needs_reconnect_reason(error: HubSpotError, portal: Portal) -> str | None:
    """Why an error means the portal must reconnect, or None if it does not."""
    if isinstance(error, ReconnectRequired):
        return str(error)
    if isinstance(error, MissingScopes):
        scopes = ", ".join(error.scopes) or "required scopes"
        return f"the token lacks {scopes}"
    if isinstance(error, Unauthorized) and portal.kind == "static":
        return "HubSpot refused the static token (revoked or expired)"
    return None


def mark_needs_reconnect(store: Store, hub_id: int, reason: str) -> None:
    """Stop syncing a portal until it is reconnected, and say so in the log."""
    store.portals.set_status(hub_id, "needs_reconnect", reason)
    log.warning("portal %s needs to be reconnected: %s; its sync jobs stop until then",
                hub_id, reason)
