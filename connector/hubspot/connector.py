"""`HubSpotConnector`: HubSpot behind the CRM port, and `open_gateway`, which builds one
portal's auth + pacing + gateway in one place.

App wiring (`connector.wiring`) builds one connector from settings and hands it to the
sync; the sync sees only `connector.crm` types.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connector.crm.events import Change, Ignored
from connector.crm.objects import ObjectType
from connector.crm.port import (
    AccessKind,
    Allowance,
    Notification,
    PortalAccess,
    ReadVocabulary,
    TokenGrant,
)
from connector.errors import LeadscoreError
from connector.hubspot.auth import OAuthTokenProvider, StaticTokenProvider, TokenProvider
from connector.hubspot.counters import CallCounter
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.notifications import classify_notification
from connector.hubspot.oauth import (
    OPTIONAL_SCOPES,
    REQUIRED_SCOPES,
    OAuthClient,
    StateSigner,
    TokenSet,
    authorize_url,
)
from connector.hubspot.pacing import PORTAL_KINDS, Pacer, PortalLimits, limits_for
from connector.hubspot.paths import CRM_V3, ApiPaths
from connector.hubspot.retry import RetryPolicy

PACING_MARGIN = 0.05
"""Share of each allowance left unused. The pacer also corrects itself from HubSpot's
rate-limit headers, so 5 % (6 of 110 requests per 10 s) is enough to stay clear of 429s
while keeping a long sync within ~5 % of what the limit allows."""

DEFAULT_STATIC_TIER = "starter"
"""The allowance assumed for a static token whose tier was not given: the smallest one."""

STATE_TTL_S = 600

VOCABULARY = ReadVocabulary(
    always=(
        "lifecyclestage",
        # Summaries HubSpot updates when an engagement is logged: a new call or meeting is
        # then visible as a property change, so an unchanged contact is recognised without
        # reading its engagements.
        "hs_last_sales_activity_timestamp",
        "notes_last_contacted",
        "notes_last_updated",
        "num_contacted_notes",
        "engagements_last_meeting_booked",
        # Profile properties the predictive model may learn from beyond the rules' inputs.
        "annualrevenue",
        "hs_analytics_source",
        "first_conversion_event_name",
        "hs_lead_status",
        # Never changes; point-in-time training measures each lead's age at its cutoff.
        "createdate",
    ),
    volatile=frozenset({"lastmodifieddate", "hs_lastmodifieddate", "hs_object_id"}),
    stage="lifecyclestage",
    own_prefix="leadscore_",
)


@dataclass(frozen=True)
class HubSpotApp:
    """The HubSpot app the connector is: its URLs and OAuth credentials."""

    api_url: str
    app_url: str
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class GatewayOptions:
    """Overrides for tests and benchmarks: pacing limits, retry policy, API paths."""

    limits: PortalLimits | None = None
    retry_policy: RetryPolicy | None = None
    paths: ApiPaths = CRM_V3


def portal_limits(kind: AccessKind, tier: str | None) -> PortalLimits:
    """HubSpot's allowance for a portal: OAuth app, or its static token's tier."""
    return limits_for("oauth" if kind == "oauth" else tier or DEFAULT_STATIC_TIER)


def _grant(tokens: TokenSet, hub_domain: str | None = None) -> TokenGrant:
    return TokenGrant(access_token=tokens.access_token, refresh_token=tokens.refresh_token,
                      expires_at=tokens.expires_at, hub_id=tokens.hub_id, scopes=tokens.scopes,
                      hub_domain=hub_domain)


def open_gateway(
    app: HubSpotApp,
    access: PortalAccess,
    on_grant: Callable[[TokenGrant], None],
    options: GatewayOptions | None = None,
) -> HubSpotGateway:
    """One portal's gateway: its token provider (self-refreshing for OAuth), its pacer
    (HubSpot's allowance for the portal, 5 % kept in reserve) and its call counter."""
    opts = options or GatewayOptions()
    counter = CallCounter()
    provider: TokenProvider
    closers: list[Callable[[], None]] = []
    if access.kind == "oauth":
        if not access.refresh_token:
            raise LeadscoreError(f"portal {access.hub_id} has no refresh token; reconnect it")
        oauth = OAuthClient(app.api_url, client_id=app.client_id,
                            client_secret=app.client_secret, redirect_uri=app.redirect_uri,
                            paths=opts.paths, counter=counter)
        closers.append(oauth.close)
        grant = TokenSet(
            access_token=access.access_token,
            refresh_token=access.refresh_token,
            # A grant saved without expiry is treated as expired: refresh first.
            expires_at=access.expires_at or datetime.now(UTC) - timedelta(seconds=1),
            hub_id=access.hub_id,
            scopes=access.scopes,
        )
        provider = OAuthTokenProvider(oauth, grant,
                                      on_refresh=lambda tokens: on_grant(_grant(tokens)))
    else:
        provider = StaticTokenProvider(access.access_token)
    limits = opts.limits or portal_limits(access.kind, access.tier)
    return HubSpotGateway(
        app.api_url,
        provider,
        limits=limits,
        paths=opts.paths,
        pacer=Pacer(limits, safety_margin=PACING_MARGIN),
        retry_policy=opts.retry_policy,
        counter=counter,
        hub_id=access.hub_id,
        on_close=closers,
        scopes=access.scopes,
    )


class HubSpotConnector:
    """HubSpot as the CRM port (`connector.crm.CrmConnector`)."""

    vocabulary: ReadVocabulary = VOCABULARY
    static_tiers: tuple[str, ...] = tuple(kind for kind in PORTAL_KINDS if kind != "oauth")

    def __init__(self, app: HubSpotApp, options: GatewayOptions | None = None) -> None:
        """Bind the app's URLs and credentials; `options` override pacing and retries."""
        self.app = app
        self.options = options or GatewayOptions()

    def open(self, access: PortalAccess,
             on_grant: Callable[[TokenGrant], None]) -> HubSpotGateway:
        """A paced, retried, counted session on one portal."""
        return open_gateway(self.app, access, on_grant, self.options)

    def allowance(self, kind: AccessKind, tier: str | None) -> Allowance:
        """Sustained requests per second and the daily cap of a portal connected this way."""
        limits = self.options.limits or portal_limits(kind, tier)
        return Allowance(limits.general.capacity / limits.general.interval_s, limits.daily)

    def _oauth(self) -> OAuthClient:
        return OAuthClient(self.app.api_url, client_id=self.app.client_id,
                           client_secret=self.app.client_secret,
                           redirect_uri=self.app.redirect_uri, paths=self.options.paths)

    def _signer(self) -> StateSigner:
        # The client secret keys the state: every worker of the app knows it, nobody else.
        return StateSigner.from_secret(self.app.client_secret, ttl_s=STATE_TTL_S)

    def authorize_url(self) -> str:
        """HubSpot's install link for this app, carrying a fresh signed state."""
        if not self.app.client_id:
            raise LeadscoreError("set LEADSCORE_CLIENT_ID (the HubSpot app's client id)")
        return authorize_url(self.app.app_url, client_id=self.app.client_id,
                             redirect_uri=self.app.redirect_uri, state=self._signer().issue(),
                             optional_scopes=OPTIONAL_SCOPES)

    def authorize(self, code: str | None, state: str | None) -> TokenGrant:
        """Check the callback's state, exchange its code, learn hub id, domain and scopes."""
        self._signer().verify(state)
        if not code:
            raise LeadscoreError("OAuth callback without a code: start the connection again")
        with self._oauth() as oauth:
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
        return TokenGrant(tokens.access_token, tokens.refresh_token, tokens.expires_at,
                          hub_id=hub_id, scopes=scopes, hub_domain=info.hub_domain)

    def static_token_portal(self, token: str, tier: str) -> int:
        """The hub id of a static token's portal, from HubSpot's account details."""
        gateway = HubSpotGateway(self.app.api_url, StaticTokenProvider(token),
                                 limits=limits_for(tier), paths=self.options.paths)
        return gateway.account().portal_id

    def revoke(self, refresh_token: str) -> None:
        """Revoke an OAuth grant."""
        with self._oauth() as oauth:
            oauth.revoke(refresh_token)

    def classify(
        self, notification: Notification, relevant: Mapping[ObjectType, Collection[str]]
    ) -> list[Change] | Ignored:
        """What a webhook event asks for (see `connector.hubspot.notifications`)."""
        return classify_notification(notification, relevant, VOCABULARY.own_prefix)
