"""Fault injection: HubSpot-like 5xx answers, slow answers and connections dropped unanswered."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from connector.sandbox.api_errors import correlation_id

FaultKind = Literal["error", "slow", "drop"]

# HubSpot's edge and gateway answers (retryable per HUBSPOT.md).
_ERROR_BODIES: dict[int, tuple[str, str]] = {
    502: ("Bad Gateway", "The server returned an invalid response; try again."),
    503: ("SERVICE_UNAVAILABLE", "The service is temporarily unavailable; try again later."),
    504: ("GATEWAY_TIMEOUT", "The request timed out upstream; try again."),
}


@dataclass
class FaultRates:
    """Shares of CRM requests that fail, slow down or lose their connection."""

    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_s: float = 2.0
    drop_rate: float = 0.0


class FaultInjector:
    """Draws faults at the configured rates from a seeded generator (reproducible runs)."""

    def __init__(self, rates: FaultRates, seed: int) -> None:
        self.rates = rates
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self) -> FaultKind | None:
        """The fault to inject into the next CRM request, if any."""
        r = self.rates
        if r.error_rate <= 0 and r.slow_rate <= 0 and r.drop_rate <= 0:
            return None
        with self._lock:
            x = self._rng.random()
        if x < r.drop_rate:
            return "drop"
        if x < r.drop_rate + r.error_rate:
            return "error"
        if x < r.drop_rate + r.error_rate + r.slow_rate:
            return "slow"
        return None

    def error_response(self) -> tuple[int, dict[str, Any]]:
        """A 502/503/504 status and HubSpot-like JSON body."""
        with self._lock:
            status = self._rng.choice(tuple(_ERROR_BODIES))
        category, message = _ERROR_BODIES[status]
        return status, {
            "status": "error",
            "message": message,
            "correlationId": correlation_id(),
            "category": category,
        }


class ConnectionDropper:
    """Closes the TCP connection of a request without answering it.

    uvicorn turns an exception or a missing response into a 500, so a real drop needs the
    socket itself: the server hands us its live connections (uvicorn's server_state) and we
    abort the one whose peer address matches the request's client.
    """

    def __init__(self) -> None:
        self._connections: Collection[Any] | None = None

    def attach(self, connections: Collection[Any]) -> None:
        """Give the dropper uvicorn's set of live protocol objects."""
        self._connections = connections

    async def drop(self, client: tuple[str, int] | None) -> bool:
        """Abort the connection of `client`; True if one was found and aborted."""
        if self._connections is None or client is None:
            return False
        for conn in list(self._connections):
            if tuple(getattr(conn, "client", None) or ()) == tuple(client):
                conn.transport.abort()
                # Let the loop run connection_lost so uvicorn marks the cycle disconnected
                # and does not try to send its "no response" 500.
                for _ in range(3):
                    await asyncio.sleep(0)
                return True
        return False
