"""Token bookkeeping for the HubSpot sandbox: auth codes, OAuth and static tokens.

The registry is the single authority the CRM routes ask (`resolve`) and the OAuth routes drive
(`issue_code`, `exchange_code`, `refresh`, revocation). Expiry is measured on the sandbox clock
so tests can jump past the 30-minute lifetime with `/_sandbox/time/advance`.
"""

from __future__ import annotations

import base64
import secrets
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Literal, Protocol

#: Every scope the sandbox knows; static tokens get all of them unless told otherwise.
ALL_SCOPES: tuple[str, ...] = (
    "oauth",
    *(
        f"crm.{kind}.{family}.{access}"
        for family in ("contacts", "companies", "deals")
        for kind in ("objects", "schemas")
        for access in ("read", "write")
    ),
)

TokenKind = Literal["oauth", "static"]

# HubSpot's 401 message when no usable credentials came with the request.
_INVALID_AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


class Clock(Protocol):
    """The sandbox clock as this module needs it (milliseconds since the epoch)."""

    def now_ms(self) -> int:
        """Current sandbox time in epoch milliseconds."""
        ...


@dataclass(frozen=True)
class TokenInfo:
    """What a valid bearer token grants: which portal, which kind, which scopes."""

    hub_id: int
    kind: TokenKind
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Grant:
    """One approval of the app by a user of a portal (what an installation carries)."""

    hub_id: int
    client_id: str
    scopes: tuple[str, ...]
    user: str
    user_id: int


@dataclass(frozen=True)
class IssuedTokens:
    """A token-endpoint answer: a fresh access token and the refresh token to keep."""

    access_token: str
    refresh_token: str
    expires_in: int
    grant: Grant


@dataclass(frozen=True)
class AccessTokenDetails:
    """A live OAuth access token's metadata, for the info and introspection endpoints."""

    token: str
    grant: Grant
    expires_in: int


class TokenError(Exception):
    """A bearer token the CRM API must refuse; `status` and `body` are HubSpot's 401 answer."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", "authentication failed"))
        self.status = status
        self.body = body

    @classmethod
    def invalid(cls) -> TokenError:
        """Unknown, revoked or malformed token (`INVALID_AUTHENTICATION`)."""
        return cls(401, _error_body("INVALID_AUTHENTICATION", _INVALID_AUTH_MESSAGE))

    @classmethod
    def expired(cls, expired_for_ms: int) -> TokenError:
        """A token past its lifetime (`EXPIRED_AUTHENTICATION`), worded as HubSpot does."""
        message = f"The OAuth token used to make this call expired {_ago(expired_for_ms)} ago."
        return cls(401, _error_body("EXPIRED_AUTHENTICATION", message))


class GrantError(Exception):
    """A token-endpoint refusal in HubSpot's OAuth error shape (`error`, `status`, ...)."""

    def __init__(self, error: str, status: str, description: str, http_status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.status = status
        self.description = description
        self.http_status = http_status

    def body(self) -> dict[str, str]:
        """The JSON body HubSpot returns for this refusal."""
        return {
            "status": self.status,
            "message": self.description,
            "correlationId": str(uuid.uuid4()),
            "error": self.error,
            "error_description": self.description,
        }


@dataclass(frozen=True)
class _AuthCode:
    grant: Grant
    redirect_uri: str
    expires_at_ms: int


@dataclass(frozen=True)
class _AccessToken:
    info: TokenInfo
    grant: Grant | None  # None for static tokens, which no user approved through OAuth
    expires_at_ms: int | None  # static tokens never expire


class TokenRegistry:
    """Thread-safe store of every code and token the sandbox has issued.

    Refresh tokens do not rotate by default (HubSpot's behaviour is unverified, so the
    connector must cope with both); `rotate_refresh_tokens=True` makes each refresh return a
    new refresh token and retire the old one.
    """

    def __init__(
        self,
        clock: Clock,
        access_token_lifetime_s: int = 1800,
        *,
        code_lifetime_s: int = 600,
        rotate_refresh_tokens: bool = False,
    ) -> None:
        self._clock = clock
        self.access_token_lifetime_s = access_token_lifetime_s
        self.code_lifetime_s = code_lifetime_s
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self._lock = threading.Lock()
        self._codes: dict[str, _AuthCode] = {}
        self._access: dict[str, _AccessToken] = {}
        self._refresh: dict[str, Grant] = {}

    # ---- static (private-app style) tokens -------------------------------------------------

    def add_static_token(self, hub_id: int, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
        """Mint a never-expiring private-app token for `hub_id` and return it."""
        token = f"pat-na1-{uuid.uuid4()}"
        with self._lock:
            self._access[token] = _AccessToken(TokenInfo(hub_id, "static", scopes), None, None)
        return token

    # ---- the authorization-code flow -------------------------------------------------------

    def issue_code(self, grant: Grant, redirect_uri: str) -> str:
        """Record an approval and return the single-use, short-lived code for the callback."""
        code = str(uuid.uuid4())
        expires_at = self._clock.now_ms() + self.code_lifetime_s * 1000
        with self._lock:
            self._codes[code] = _AuthCode(grant, redirect_uri, expires_at)
        return code

    def exchange_code(self, code: str, client_id: str, redirect_uri: str) -> IssuedTokens:
        """Trade an authorization code for tokens; the code is consumed on success.

        Raises `GrantError` (`BAD_AUTH_CODE`, `BAD_REDIRECT_URI`) when the code is unknown,
        used, expired, issued to another client or bound to another redirect URI.
        """
        now = self._clock.now_ms()
        with self._lock:
            issued = self._codes.get(code)
            if issued is None or issued.grant.client_id != client_id:
                raise GrantError("invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code")
            if issued.expires_at_ms <= now:
                del self._codes[code]
                raise GrantError("invalid_grant", "BAD_AUTH_CODE", "auth code is expired")
            if issued.redirect_uri != redirect_uri:
                raise GrantError(
                    "invalid_grant",
                    "BAD_REDIRECT_URI",
                    "redirect_uri does not match the one used to obtain the auth code",
                )
            del self._codes[code]
            refresh_token = self._new_refresh_token(issued.grant)
            return self._issue_access(issued.grant, refresh_token, now)

    def install(self, grant: Grant) -> IssuedTokens:
        """Issue tokens for `grant` directly, as if the user had just completed the flow."""
        now = self._clock.now_ms()
        with self._lock:
            return self._issue_access(grant, self._new_refresh_token(grant), now)

    def refresh(self, refresh_token: str, client_id: str) -> IssuedTokens:
        """Mint a new access token from a refresh token issued to `client_id`.

        Raises `GrantError` (`invalid_grant` / `BAD_REFRESH_TOKEN`) for an unknown, revoked,
        rotated-away or foreign refresh token: the portal has to reconnect.
        """
        now = self._clock.now_ms()
        with self._lock:
            grant = self._refresh.get(refresh_token)
            if grant is None or grant.client_id != client_id:
                raise GrantError(
                    "invalid_grant", "BAD_REFRESH_TOKEN", "missing or unknown refresh token"
                )
            if self.rotate_refresh_tokens:
                del self._refresh[refresh_token]
                refresh_token = self._new_refresh_token(grant)
            return self._issue_access(grant, refresh_token, now)

    # ---- lookups ---------------------------------------------------------------------------

    def resolve(self, token: str) -> TokenInfo:
        """Return what `token` grants, or raise `TokenError` (HubSpot's 401) if unusable."""
        record = self._access.get(token)
        if record is None:
            raise TokenError.invalid()
        if record.expires_at_ms is not None:
            now = self._clock.now_ms()
            if record.expires_at_ms <= now:
                raise TokenError.expired(now - record.expires_at_ms)
        return record.info

    def describe_access_token(self, token: str) -> AccessTokenDetails:
        """Metadata of a live OAuth access token; raises `TokenError` otherwise.

        Static tokens are not OAuth tokens, so they are reported as unknown here just as
        HubSpot's OAuth metadata endpoints do not know private-app tokens.
        """
        self.resolve(token)
        record = self._access.get(token)  # may have been revoked since `resolve`
        if record is None or record.grant is None or record.expires_at_ms is None:
            raise TokenError.invalid()
        remaining_ms = record.expires_at_ms - self._clock.now_ms()
        return AccessTokenDetails(token, record.grant, max(0, remaining_ms // 1000))

    def describe_refresh_token(self, token: str) -> Grant | None:
        """The grant behind a live refresh token, or None if unknown or revoked."""
        return self._refresh.get(token)

    # ---- revocation ------------------------------------------------------------------------

    def revoke_refresh_token(self, token: str) -> bool:
        """Delete a refresh token (later refreshes get `BAD_REFRESH_TOKEN`); False if unknown.

        Access tokens already minted stay valid until they expire: deleting a refresh token
        stops future refreshes, it is not an uninstall (`revoke_portal` is).
        """
        with self._lock:
            return self._refresh.pop(token, None) is not None

    def revoke_access_token(self, token: str) -> bool:
        """Invalidate one OAuth access token at once; False if it was not a live OAuth token."""
        with self._lock:
            record = self._access.get(token)
            if record is None or record.info.kind != "oauth":
                return False
            del self._access[token]
            return True

    def revoke_portal(self, hub_id: int) -> None:
        """Uninstall the OAuth app from `hub_id`: its codes, refresh and access tokens all die.

        Static tokens belong to a private app, a separate installation that an OAuth
        uninstall does not touch, so they keep working.
        """
        with self._lock:
            self._codes = {c: v for c, v in self._codes.items() if v.grant.hub_id != hub_id}
            self._refresh = {t: g for t, g in self._refresh.items() if g.hub_id != hub_id}
            self._access = {
                t: r
                for t, r in self._access.items()
                if r.info.hub_id != hub_id or r.info.kind == "static"
            }

    # ---- internals (callers hold the lock) -------------------------------------------------

    def _new_refresh_token(self, grant: Grant) -> str:
        token = f"na1-{uuid.uuid4()}"
        self._refresh[token] = grant
        return token

    def _issue_access(self, grant: Grant, refresh_token: str, now_ms: int) -> IssuedTokens:
        token = _new_access_token()
        expires_at = now_ms + self.access_token_lifetime_s * 1000
        info = TokenInfo(grant.hub_id, "oauth", grant.scopes)
        self._access[token] = _AccessToken(info, grant, expires_at)
        return IssuedTokens(token, refresh_token, self.access_token_lifetime_s, grant)


def _new_access_token() -> str:
    """A HubSpot-looking opaque access token (they start with 'C' and run to ~200+ chars)."""
    body = base64.urlsafe_b64encode(secrets.token_bytes(156)).decode().rstrip("=")
    return f"C{body}"


def _error_body(category: str, message: str) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }


def _ago(duration_ms: int) -> str:
    """HubSpot words token age coarsely: hours when it can, else minutes, else seconds."""
    seconds = duration_ms // 1000
    if seconds >= 3600:
        return f"{seconds // 3600} hour(s)"
    if seconds >= 60:
        return f"{seconds // 60} minute(s)"
    return f"{seconds} second(s)"
