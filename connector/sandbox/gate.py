"""The gate in front of every CRM and account-info route: fault injection, bearer
authentication, rate limits (with HubSpot's headers and 429 bodies) and request counters.

A pure ASGI middleware: it runs before FastAPI routing, so a refused request costs no
routing or body parsing, and it sees the final status of every answered one.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.sandbox.api_errors import correlation_id
from connector.sandbox.paths import (
    ASSOCIATIONS_PREFIXES,
    CRM_ROUTER_PREFIXES,
    GATED_PREFIXES,
    RECORD_ASSOCIATIONS_PREFIXES,
)
from connector.sandbox.ratelimit import BucketKind
from connector.sandbox.tokens import TokenError, TokenInfo

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox

TOKEN_SCOPE_KEY = "sandbox.token"

_RATE_LIMIT_MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


def bucket_for(path: str) -> BucketKind:
    """Which rate-limit bucket a CRM path draws from."""
    if path.endswith("/search"):
        return "search"
    if path.startswith(ASSOCIATIONS_PREFIXES) or (
        path.startswith(RECORD_ASSOCIATIONS_PREFIXES) and "/associations/" in path
    ):
        return "associations"
    return "general"


def endpoint_template(path: str, route: Any) -> str:
    """The route template a path matched, with its mount prefix (`/crm/v3/objects/{object_type}`).

    Routers are included under several prefixes, and the matched route only knows its own
    part, so the prefix comes from the path.
    """
    template = getattr(route, "path", None)
    if template is None:
        return path
    prefix = next((p for p in CRM_ROUTER_PREFIXES if path.startswith(p + "/")), "")
    return prefix + template


def rate_limit_body(policy: str) -> dict[str, Any]:
    """HubSpot's 429 JSON for a policy."""
    return {
        "status": "error",
        "message": _RATE_LIMIT_MESSAGES[policy],
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
    }


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()
) -> None:
    payload = json.dumps(body, separators=(",", ":")).encode()
    raw_headers = [
        (b"content-type", b"application/json;charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class CrmGate:
    """ASGI middleware guarding `/crm/` and `/account-info/` paths; everything else passes
    straight through."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(GATED_PREFIXES):
            await self.app(scope, receive, send)
            return
        sandbox = self.sandbox
        method: str = scope["method"]
        path: str = scope["path"]
        info: TokenInfo | None = None
        token_error: TokenError | None = None
        try:
            info = sandbox.tokens.resolve(_bearer(scope))
        except TokenError as exc:
            token_error = exc
        portal = sandbox.portals.get(info.hub_id) if info is not None else None
        counters = portal.counters if portal is not None else sandbox.unauthenticated

        fault = sandbox.faults.draw()
        if fault is not None:
            counters.record_fault(fault)
            if fault == "drop" and await sandbox.dropper.drop(scope.get("client")):
                counters.record(f"{method} {path}", 0)
                return
            if fault == "error":
                status, body = sandbox.faults.error_response()
                counters.record(f"{method} {path}", status)
                await _send_json(send, status, body)
                return
            if fault == "slow":
                await asyncio.sleep(sandbox.faults.rates.slow_s)

        if token_error is not None or info is None or portal is None:
            error = token_error or TokenError.invalid()
            counters.record(f"{method} {path}", error.status)
            await _send_json(send, error.status, error.body)
            return

        decision = portal.limiter.admit(bucket_for(path), info.kind)
        if not decision.allowed:
            policy = decision.policy or "TEN_SECONDLY_ROLLING"
            counters.record_rate_limited(policy)
            counters.record(f"{method} {path}", 429)
            await _send_json(send, 429, rate_limit_body(policy), decision.headers)
            return

        scope[TOKEN_SCOPE_KEY] = info
        extra = [(k.lower().encode(), v.encode()) for k, v in decision.headers]
        status_seen = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status_seen
            if message["type"] == "http.response.start":
                status_seen = message["status"]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            counters.record(f"{method} {endpoint_template(path, scope.get('route'))}", status_seen)


def _bearer(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            text = value.decode("latin-1")
            if text[:7].lower() == "bearer ":
                return text[7:].strip()
            return ""
    return ""
