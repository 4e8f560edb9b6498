"""Per-portal request counters for `/_sandbox/counters`: what the connector really sent."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Counters:
    """Requests by endpoint and status, and 429s by policy. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, int]] = Counter()
        self._rate_limited: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()

    def reset(self) -> None:
        """Forget everything counted so far."""
        with self._lock:
            self._requests.clear()
            self._rate_limited.clear()
            self._faults.clear()

    def record(self, endpoint: str, status: int) -> None:
        """Count one answered request (`endpoint` is "METHOD /route/template")."""
        with self._lock:
            self._requests[(endpoint, status)] += 1

    def record_rate_limited(self, policy: str) -> None:
        """Count one 429 issued under `policy` (TEN_SECONDLY_ROLLING, SECONDLY, DAILY)."""
        with self._lock:
            self._rate_limited[policy] += 1

    def record_fault(self, kind: str) -> None:
        """Count one injected fault (error, slow, drop)."""
        with self._lock:
            self._faults[kind] += 1

    def to_json(self) -> dict[str, Any]:
        """The counters as JSON: totals, by endpoint → status → count, 429s, faults."""
        with self._lock:
            by_endpoint: dict[str, dict[str, int]] = {}
            for (endpoint, status), n in sorted(self._requests.items()):
                by_endpoint.setdefault(endpoint, {})[str(status)] = n
            return {
                "total_requests": sum(self._requests.values()),
                "requests": by_endpoint,
                "rate_limited": dict(self._rate_limited),
                "faults": dict(self._faults),
            }
