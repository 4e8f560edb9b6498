"""Typed HubSpot errors, and the one place raw SDK / HTTP failures are translated into them.

Every generated SDK sub-package (contacts, properties, associations, objects, ...) has its own
`ApiException` with no common base class, so `API_EXCEPTIONS` lists the ones the gateway
uses and `translate` maps them, urllib3 and httpx failures alike, onto `HubSpotError`
subclasses. Messages come from HubSpot's `message` field with anything token-like scrubbed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import urllib3.exceptions
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.contacts.exceptions import ApiException as ContactsApiException
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException

from connector.crm.errors import CrmError

API_EXCEPTIONS: tuple[type[Exception], ...] = (
    ContactsApiException,
    PropertiesApiException,
    AssociationsApiException,
    ObjectsApiException,
)
"""The SDK exception classes the gateway can meet (one per generated sub-package)."""

# Statuses HubSpot documents as temporary: locked (423), "too many concurrent" (477),
# gateway and Cloudflare origin failures. Every other 5xx is treated the same way.
TRANSIENT_STATUSES = frozenset({423, 477, 502, 503, 504, 521, 523, 524})

_BEARER = re.compile(r"(?i)bearer\s+\S+")
# Private-app/service-key tokens (`pat-na1-<uuid>`) and long opaque OAuth tokens.
_TOKENISH = re.compile(r"\bpat-[a-z0-9]+-[0-9a-f\-]{36}\b|[A-Za-z0-9_\-~+=]{40,}")


class HubSpotError(CrmError):
    """A failed HubSpot call. `status` is the HTTP status (0 when none came back)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        category: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, category=category)
        self.correlation_id = correlation_id


class RateLimited(HubSpotError):
    """A 429 for a rolling window (`TEN_SECONDLY_ROLLING`, `SECONDLY`): wait and retry."""

    def __init__(self, message: str, *, policy: str, retry_after_s: float, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.policy = policy
        self.retry_after_s = retry_after_s


class DailyLimitReached(HubSpotError):
    """The portal's daily allowance is spent: pause the portal until `reset_at` (UTC)."""

    def __init__(self, message: str, *, reset_at: datetime, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.reset_at = reset_at


class Unauthorized(HubSpotError):
    """The access token is expired, revoked or invalid (401)."""

    def reconnect_reason(self, *, static_token: bool) -> str | None:
        """A refused static token cannot renew itself; an OAuth grant refreshes instead."""
        return "HubSpot refused the static token (revoked or expired)" if static_token else None


class MissingScopes(HubSpotError):
    """The token lacks scopes the call needs (403 `MISSING_SCOPES`); reconnect with them."""

    def __init__(self, message: str, *, scopes: tuple[str, ...], **kw: Any) -> None:
        super().__init__(message, **kw)
        self.scopes = scopes

    def reconnect_reason(self, *, static_token: bool) -> str | None:
        """Only a new install can grant the missing scopes."""
        return f"the token lacks {', '.join(self.scopes) or 'required scopes'}"


class Forbidden(HubSpotError):
    """A 403 other than missing scopes (e.g. the portal's subscription lacks the feature)."""


class NotFound(HubSpotError):
    """The object or property does not exist (404)."""


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of HubSpot's `errors` list: what was wrong and where."""

    message: str
    code: str | None = None
    context: Mapping[str, tuple[str, ...]] | None = None


class ValidationFailed(HubSpotError):
    """HubSpot rejected the request's content (400/422); `details` says what."""

    def __init__(self, message: str, *, details: tuple[ErrorDetail, ...] = (), **kw: Any) -> None:
        super().__init__(message, **kw)
        self.details = details


class Conflict(HubSpotError):
    """The thing being created already exists (409)."""


class TransientError(HubSpotError):
    """A failure worth retrying: 5xx, 423, 477, timeouts, dropped connections."""

    def __init__(self, message: str, *, retry_after_s: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after_s = retry_after_s


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove bearer headers, the given secrets and token-shaped strings from `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = _BEARER.sub("Bearer [redacted]", text)
    return _TOKENISH.sub("[redacted]", text)


def _parse_body(body: bytes | str | None) -> dict[str, Any]:
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    raw = _header(headers, "Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def _details(body: Mapping[str, Any]) -> tuple[ErrorDetail, ...]:
    found = []
    for item in body.get("errors") or []:
        if not isinstance(item, Mapping):
            continue
        raw_context = item.get("context")
        context = None
        if isinstance(raw_context, Mapping):
            context = {
                str(k): tuple(str(v) for v in (vs if isinstance(vs, list) else [vs]))
                for k, vs in raw_context.items()
            }
        found.append(
            ErrorDetail(
                message=str(item.get("message", "")),
                code=item.get("code") if isinstance(item.get("code"), str) else None,
                context=context,
            )
        )
    return tuple(found)


def _missing_scopes(details: tuple[ErrorDetail, ...]) -> tuple[str, ...]:
    scopes: list[str] = []
    for detail in details:
        for key, values in (detail.context or {}).items():
            if "scope" in key.lower():
                scopes.extend(v for v in values if v not in scopes)
    return tuple(scopes)


def next_utc_midnight(now: datetime) -> datetime:
    """Start of the next UTC day: when HubSpot's daily allowance resets."""
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def error_from_response(
    status: int,
    body: bytes | str | None,
    headers: Mapping[str, str] | None,
    *,
    secrets: Iterable[str] = (),
    now: datetime | None = None,
) -> HubSpotError:
    """The typed error for a non-2xx HubSpot response."""
    parsed = _parse_body(body)
    category = parsed.get("category") if isinstance(parsed.get("category"), str) else None
    correlation = parsed.get("correlationId")
    common: dict[str, Any] = {
        "status": status,
        "category": category,
        "correlation_id": correlation if isinstance(correlation, str) else None,
    }
    raw_message = parsed.get("message")
    message = scrub(str(raw_message), secrets) if raw_message else f"HTTP {status}"
    message = f"HubSpot {status}: {message}"
    retry_after = _retry_after(headers)

    if status == 429:
        policy = str(parsed.get("policyName") or "TEN_SECONDLY_ROLLING").upper()
        if policy == "DAILY":
            moment = now or datetime.now(UTC)
            reset = (
                moment + timedelta(seconds=retry_after)
                if retry_after is not None
                else next_utc_midnight(moment)
            )
            return DailyLimitReached(message, reset_at=reset, **common)
        if retry_after is None:
            retry_after = _policy_wait(policy, headers)
        return RateLimited(message, policy=policy, retry_after_s=retry_after, **common)
    if status == 401:
        return Unauthorized(message, **common)
    if status == 403:
        details = _details(parsed)
        if category == "MISSING_SCOPES":
            return MissingScopes(message, scopes=_missing_scopes(details), **common)
        return Forbidden(message, **common)
    if status == 404:
        return NotFound(message, **common)
    if status == 409:
        return Conflict(message, **common)
    if status in (400, 422):
        return ValidationFailed(message, details=_details(parsed), **common)
    if status in TRANSIENT_STATUSES or status >= 500:
        if status == 423 and (retry_after is None or retry_after < 2.0):
            retry_after = 2.0  # HubSpot asks for at least 2 s after a 423
        return TransientError(message, retry_after_s=retry_after, **common)
    return HubSpotError(message, **common)


def _policy_wait(policy: str, headers: Mapping[str, str] | None) -> float:
    """How long a rolling-window 429 asks us to wait when no Retry-After came."""
    if policy == "SECONDLY":
        return 1.0
    interval = _header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
    try:
        return int(interval) / 1000 if interval else 10.0
    except ValueError:
        return 10.0


def translate(
    exc: BaseException, *, secrets: Iterable[str] = (), now: datetime | None = None
) -> HubSpotError | None:
    """The typed error for an SDK, urllib3 or httpx failure; None if `exc` is none of those."""
    if isinstance(exc, HubSpotError):
        return exc
    if isinstance(exc, API_EXCEPTIONS):
        status = int(getattr(exc, "status", 0) or 0)
        if status == 0:
            # The SDK raises status-0 ApiExceptions for TLS failures: a network problem.
            return TransientError("HubSpot unreachable: TLS failure", status=0)
        headers = getattr(exc, "headers", None)
        return error_from_response(
            status,
            getattr(exc, "body", None),
            dict(headers) if headers else None,
            secrets=secrets,
            now=now,
        )
    if isinstance(exc, httpx.HTTPStatusError):
        response = exc.response
        return error_from_response(
            response.status_code,
            response.content,
            dict(response.headers),
            secrets=secrets,
            now=now,
        )
    if isinstance(exc, (httpx.TimeoutException, urllib3.exceptions.TimeoutError)):
        return TransientError(f"HubSpot timed out ({type(exc).__name__})")
    if isinstance(exc, (httpx.TransportError, urllib3.exceptions.HTTPError)):
        return TransientError(f"HubSpot connection failed ({type(exc).__name__})")
    return None
