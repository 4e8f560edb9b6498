"""Webhook signature verification (v3, and the older v1/v2 some sources still send).

v3 is computed over the *configured* public URL (behind a proxy the Host header is not
what HubSpot signed), the raw body bytes and the timestamp header, and expires after
5 minutes. All comparisons are constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping

from connector.errors import LeadscoreError

MAX_AGE_MS = 5 * 60 * 1000

# HubSpot decodes exactly these escapes in the URI before signing (v3).
_DECODED = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
    "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}
_ESCAPE = re.compile("|".join(re.escape(k) for k in _DECODED), re.IGNORECASE)


class InvalidSignature(LeadscoreError):
    """A webhook request whose signature is missing, wrong or too old."""


def decode_uri(uri: str) -> str:
    """Decode the URI escapes HubSpot decodes before computing a v3 signature."""
    return _ESCAPE.sub(lambda m: _DECODED[m.group(0).upper()], uri)


def compute_v3(client_secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """base64(HMAC-SHA256(secret, METHOD + decoded URI + body + timestamp))."""
    source = method.upper().encode() + decode_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(client_secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def compute_v1(client_secret: str, body: bytes) -> str:
    """hex(SHA-256(secret + body))."""
    return hashlib.sha256(client_secret.encode() + body).hexdigest()


def compute_v2(client_secret: str, method: str, uri: str, body: bytes) -> str:
    """hex(SHA-256(secret + METHOD + URI + body))."""
    return hashlib.sha256(
        client_secret.encode() + method.upper().encode() + uri.encode() + body
    ).hexdigest()


def verify_v3(
    client_secret: str,
    *,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now_ms: int | None = None,
) -> None:
    """Raise `InvalidSignature` unless the v3 signature matches and is under 5 minutes old."""
    if not signature or not timestamp:
        raise InvalidSignature("webhook lacks X-HubSpot-Signature-v3 or its timestamp")
    if not timestamp.isdigit():
        raise InvalidSignature("webhook timestamp is not epoch milliseconds")
    current = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(current - int(timestamp)) > MAX_AGE_MS:
        raise InvalidSignature("webhook timestamp is more than 5 minutes away from now")
    expected = compute_v3(client_secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise InvalidSignature("webhook v3 signature does not match")


def verify_legacy(
    client_secret: str, *, version: str, method: str, uri: str, body: bytes, signature: str | None
) -> None:
    """Raise `InvalidSignature` unless a v1 or v2 signature matches."""
    if not signature:
        raise InvalidSignature("webhook lacks X-HubSpot-Signature")
    if version == "v1":
        expected = compute_v1(client_secret, body)
    elif version == "v2":
        expected = compute_v2(client_secret, method, uri, body)
    else:
        raise InvalidSignature(f"unsupported webhook signature version {version!r}")
    if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
        raise InvalidSignature(f"webhook {version} signature does not match")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def verify_request(
    client_secret: str,
    *,
    method: str,
    uri: str,
    body: bytes,
    headers: Mapping[str, str],
    now_ms: int | None = None,
) -> str:
    """Verify whichever signature a request carries (v3 preferred); return its version.

    `uri` must be the configured public URL of the endpoint plus the request's query string.
    """
    v3 = _header(headers, "X-HubSpot-Signature-v3")
    if v3 is not None:
        verify_v3(client_secret, method=method, uri=uri, body=body, signature=v3,
                  timestamp=_header(headers, "X-HubSpot-Request-Timestamp"), now_ms=now_ms)
        return "v3"
    version = (_header(headers, "X-HubSpot-Signature-Version") or "v1").lower()
    verify_legacy(client_secret, version=version, method=method, uri=uri, body=body,
                  signature=_header(headers, "X-HubSpot-Signature"))
    return version
