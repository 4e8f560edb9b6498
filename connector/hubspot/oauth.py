"""OAuth against HubSpot's v3 token endpoints (httpx; the SDK only wraps the sunsetting v1).

- `authorize_url` builds the install link; `StateSigner` issues and checks the signed,
  short-lived `state` that ties the callback to a link we made.
- `OAuthClient` exchanges codes, refreshes, introspects and revokes, all form-encoded.
- `TokenSet` is what the store keeps; `ReconnectRequired` means the grant is gone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from connector.errors import LeadscoreError
from connector.hubspot.counters import CallCounter, CallKind
from connector.hubspot.errors import HubSpotError, error_from_response, scrub, translate
from connector.hubspot.paths import CRM_V3, ApiPaths

REQUIRED_SCOPES: tuple[str, ...] = (
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.schemas.contacts.write",
    "oauth",
)
"""Scopes the connector needs: read/write contacts, create its properties, OAuth itself."""

OPTIONAL_SCOPES: tuple[str, ...] = (
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.schemas.companies.write",
    "crm.objects.deals.read",
)
"""Scopes asked as optional: with them, scoring sees each contact's company and deals and
writes the account score to companies; without them (an older install) contacts are scored
on their own properties."""


class ReconnectRequired(HubSpotError):
    """The refresh token or code is no longer valid (uninstalled, revoked): reconnect."""

    def reconnect_reason(self, *, static_token: bool) -> str | None:
        """HubSpot refused the grant itself: only a new install helps."""
        return str(self)


class InvalidState(LeadscoreError):
    """An OAuth callback's `state` is missing, forged or expired."""


@dataclass(frozen=True)
class TokenSet:
    """One portal's OAuth grant. `repr` hides the tokens."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    hub_id: int | None = None
    scopes: tuple[str, ...] = ()

    def expires_within(self, seconds: float, now: datetime | None = None) -> bool:
        """Whether the access token expires in less than `seconds` from `now`."""
        moment = now or datetime.now(UTC)
        return self.expires_at - moment < timedelta(seconds=seconds)


@dataclass(frozen=True)
class TokenIntrospection:
    """What HubSpot says about a token: whose it is and what it may do."""

    active: bool
    hub_id: int | None
    app_id: int | None
    scopes: tuple[str, ...]
    expires_in: int | None
    hub_domain: str | None


def authorize_url(
    app_url: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    scopes: Sequence[str] = REQUIRED_SCOPES,
    optional_scopes: Sequence[str] = (),
) -> str:
    """HubSpot's install link: the user picks a portal and approves `scopes`."""
    query = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
    }
    if optional_scopes:
        query["optional_scope"] = " ".join(optional_scopes)
    return f"{app_url.rstrip('/')}/oauth/authorize?{urlencode(query)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class StateSigner:
    """Signed, expiring OAuth `state` values: `nonce.expiry.hmac`.

    Stateless on purpose: any worker can check a callback without a shared session store.
    The key is derived from a secret in settings (see `from_secret`).
    """

    def __init__(self, key: bytes, *, ttl_s: int = 600) -> None:
        if not key:
            raise LeadscoreError("OAuth state signing needs a non-empty key")
        self._key = key
        self._ttl_s = ttl_s

    @classmethod
    def from_secret(cls, secret: str, *, ttl_s: int = 600) -> StateSigner:
        """A signer keyed by a purpose-bound derivation of `secret` (e.g. the client secret)."""
        if not secret:
            raise LeadscoreError(
                "OAuth state signing needs a secret: set LEADSCORE_CLIENT_SECRET"
            )
        key = hmac.new(secret.encode(), b"leadscore-oauth-state", hashlib.sha256).digest()
        return cls(key, ttl_s=ttl_s)

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def issue(self, now: float | None = None) -> str:
        """A fresh state value valid for the signer's time-to-live."""
        expiry = int((time.time() if now is None else now) + self._ttl_s)
        payload = f"{_b64(secrets.token_bytes(16))}.{expiry}"
        return f"{payload}.{self._sign(payload)}"

    def verify(self, state: str | None, now: float | None = None) -> None:
        """Raise `InvalidState` unless `state` is ours and unexpired."""
        if not state:
            raise InvalidState("OAuth callback without state: start the connection again")
        parts = state.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            raise InvalidState("OAuth state is malformed: start the connection again")
        payload = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(payload), parts[2]):
            raise InvalidState("OAuth state signature does not match: start the connection again")
        if int(parts[1]) < (time.time() if now is None else now):
            raise InvalidState("OAuth state expired: start the connection again")


def _scopes(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        return tuple(raw.split())
    if isinstance(raw, Iterable):
        return tuple(str(s) for s in raw)
    return ()


def _optional_int(raw: Any) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


class OAuthClient:
    """HubSpot's v3 OAuth token endpoints for one app.

    `http` may be passed (tests, shared pools); otherwise the client owns one; `counter`
    counts each call as `oauth`. Every call is
    form-encoded; errors map to `ReconnectRequired` (`invalid_grant`) or `HubSpotError`s, with
    secrets and tokens scrubbed from messages.
    """

    def __init__(
        self,
        api_url: str,
        *,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        paths: ApiPaths = CRM_V3,
        http: httpx.Client | None = None,
        timeout_s: float = 30.0,
        counter: CallCounter | None = None,
    ) -> None:
        self._counter = counter
        self._base = api_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._redirect_uri = redirect_uri
        self._paths = paths
        self._http = http or httpx.Client(timeout=timeout_s)
        self._owns_http = http is None

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> OAuthClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, path: str, form: Mapping[str, str], hidden: Sequence[str]) -> dict[str, Any]:
        body = {**form, "client_id": self._client_id, "client_secret": self._client_secret}
        secrets_ = (self._client_secret, *hidden)
        if self._counter is not None:
            self._counter.record(CallKind.OAUTH)
        try:
            response = self._http.post(self._base + path, data=body)
        except httpx.HTTPError as exc:
            mapped = translate(exc, secrets=secrets_)
            raise (mapped or HubSpotError("HubSpot OAuth call failed")) from None
        if response.is_success:
            if not response.content:
                return {}  # revoke answers 200 with no body
            try:
                parsed = response.json()
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise HubSpotError(f"HubSpot OAuth {path} answered a non-JSON-object body")
            return parsed
        raise self._error_for(response, secrets_)

    @staticmethod
    def _error_for(response: httpx.Response, secrets_: Sequence[str]) -> HubSpotError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("error") == "invalid_grant":
            reason = scrub(str(body.get("error_description") or body.get("status") or ""),
                           secrets_)
            return ReconnectRequired(
                f"HubSpot refused the grant ({reason or 'invalid_grant'}): reconnect the portal",
                status=response.status_code,
                category=str(body.get("status") or "invalid_grant"),
            )
        if isinstance(body, dict) and body.get("error") and not body.get("message"):
            description = scrub(str(body.get("error_description") or body["error"]), secrets_)
            return HubSpotError(
                f"HubSpot OAuth {response.status_code}: {description}",
                status=response.status_code,
                category=str(body.get("status") or body["error"]),
            )
        return error_from_response(
            response.status_code, response.content, dict(response.headers), secrets=secrets_
        )

    def _token_set(self, body: Mapping[str, Any], previous_refresh: str | None) -> TokenSet:
        try:
            access = str(body["access_token"])
            expires_in = int(body["expires_in"])
        except (KeyError, TypeError, ValueError):
            raise HubSpotError("HubSpot token response lacks access_token/expires_in") from None
        # Refresh-token rotation is unverified: keep what came back, else the one we sent.
        refresh = body.get("refresh_token") or previous_refresh
        if not refresh:
            raise HubSpotError("HubSpot token response lacks a refresh_token")
        return TokenSet(
            access_token=access,
            refresh_token=str(refresh),
            expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
            hub_id=_optional_int(body.get("hub_id")),
            scopes=_scopes(body.get("scopes") or body.get("scope")),
        )

    def exchange_code(self, code: str) -> TokenSet:
        """Trade an authorization code for tokens; hub id and scopes are filled in."""
        body = self._post(
            self._paths.token,
            {"grant_type": "authorization_code", "code": code,
             "redirect_uri": self._redirect_uri},
            hidden=(code,),
        )
        tokens = self._token_set(body, None)
        return self._completed(tokens)

    def refresh(self, refresh_token: str) -> TokenSet:
        """A new access token (and whatever refresh token HubSpot returns)."""
        body = self._post(
            self._paths.token,
            {"grant_type": "refresh_token", "refresh_token": refresh_token,
             "redirect_uri": self._redirect_uri},
            hidden=(refresh_token,),
        )
        return self._completed(self._token_set(body, refresh_token))

    def _completed(self, tokens: TokenSet) -> TokenSet:
        # Older responses carry no hub id / scopes: introspection supplies them.
        if tokens.hub_id is not None and tokens.scopes:
            return tokens
        info = self.introspect(tokens.access_token)
        return TokenSet(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            hub_id=tokens.hub_id if tokens.hub_id is not None else info.hub_id,
            scopes=tokens.scopes or info.scopes,
        )

    def introspect(self, token: str, *, hint: str = "access_token") -> TokenIntrospection:
        """Whose token this is (hub id, domain), its scopes and remaining lifetime."""
        body = self._post(
            self._paths.introspect, {"token": token, "token_type_hint": hint}, hidden=(token,)
        )
        return TokenIntrospection(
            active=bool(body.get("active", False)),
            hub_id=_optional_int(body.get("hub_id")),
            app_id=_optional_int(body.get("app_id")),
            scopes=_scopes(body.get("scopes") or body.get("scope")),
            expires_in=_optional_int(body.get("expires_in")),
            hub_domain=str(body["hub_domain"]) if body.get("hub_domain") else None,
        )

    def revoke(self, token: str, *, hint: str = "refresh_token") -> None:
        """Revoke a token (disconnect); revoking an already-dead token is not an error."""
        try:
            self._post(self._paths.revoke, {"token": token, "token_type_hint": hint},
                       hidden=(token,))
        except ReconnectRequired:
            return
