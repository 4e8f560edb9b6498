"""HubSpot's rate limits per portal: a rolling 10-second bucket per caller kind, a daily cap
for static tokens, a separate 5-per-second search bucket and an associations bucket."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from connector.sandbox.config import RATE_LIMIT_POLICIES, RateLimitProfile

BucketKind = Literal["general", "search", "associations"]

_DAY_MS = 86_400_000


@dataclass(frozen=True)
class Decision:
    """The outcome of one admission check: refused (with a policy) or allowed (with headers)."""

    allowed: bool
    policy: str | None = None  # TEN_SECONDLY_ROLLING, SECONDLY or DAILY when refused
    headers: tuple[tuple[str, str], ...] = ()


class RollingWindow:
    """At most `limit` admissions in any `window_s` seconds (a sliding log of times)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._times: deque[float] = deque()

    def try_take(self, now: float) -> int | None:
        """Admit one request at `now` and return what remains, or None if full."""
        times = self._times
        edge = now - self.window_s
        while times and times[0] <= edge:
            times.popleft()
        if len(times) >= self.limit:
            return None
        times.append(now)
        return self.limit - len(times)

    def remaining(self, now: float) -> int:
        """Admissions left at `now`."""
        edge = now - self.window_s
        return self.limit - sum(1 for t in self._times if t > edge)


class PortalLimiter:
    """All buckets of one portal. Thread-safe; real monotonic time for the short windows,
    the sandbox clock for the daily cap (so advancing time by a day resets it)."""

    def __init__(
        self,
        profile: RateLimitProfile,
        search_per_second: int,
        associations_per_ten_seconds: int,
        sandbox_now_ms: Callable[[], int],
        enabled: bool = True,
    ) -> None:
        self.enabled = enabled
        self.profile = profile
        self._search_per_second = search_per_second
        self._associations_per_ten_seconds = associations_per_ten_seconds
        self._sandbox_now_ms = sandbox_now_ms
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Empty every bucket and the daily count."""
        oauth = RATE_LIMIT_POLICIES["oauth"]
        static = RATE_LIMIT_POLICIES[self.profile]
        with self._lock:
            self._general = {
                "oauth": RollingWindow(oauth.per_ten_seconds, 10.0),
                "static": RollingWindow(static.per_ten_seconds, 10.0),
            }
            self._daily_cap = static.daily
            self._daily_day = -1
            self._daily_used = 0
            self._search = RollingWindow(self._search_per_second, 1.0)
            self._associations = RollingWindow(self._associations_per_ten_seconds, 10.0)

    def admit(self, kind: BucketKind, token_kind: str) -> Decision:
        """Decide on one request of `kind` made with a token of `token_kind` (oauth/static)."""
        if not self.enabled:
            return Decision(True)
        now = time.monotonic()
        with self._lock:
            if kind == "search":
                # Search has its own per-second bucket and sends no rate-limit headers.
                if self._search.try_take(now) is None:
                    return Decision(False, "SECONDLY")
                return Decision(True)
            general = self._general["static" if token_kind == "static" else "oauth"]
            daily = self._daily_cap if token_kind == "static" else None
            if daily is not None:
                day = self._sandbox_now_ms() // _DAY_MS
                if day != self._daily_day:
                    self._daily_day, self._daily_used = day, 0
                if self._daily_used >= daily:
                    return Decision(False, "DAILY", self._headers(general, now, daily))
            if kind == "associations" and self._associations.remaining(now) <= 0:
                return Decision(False, "TEN_SECONDLY_ROLLING", self._headers(general, now, daily))
            if general.try_take(now) is None:
                return Decision(False, "TEN_SECONDLY_ROLLING", self._headers(general, now, daily))
            if kind == "associations":
                self._associations.try_take(now)
            if daily is not None:
                self._daily_used += 1
            return Decision(True, None, self._headers(general, now, daily))

    def _headers(
        self, general: RollingWindow, now: float, daily: int | None
    ) -> tuple[tuple[str, str], ...]:
        headers = [
            ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"),
            ("X-HubSpot-RateLimit-Max", str(general.limit)),
            ("X-HubSpot-RateLimit-Remaining", str(max(0, general.remaining(now)))),
        ]
        if daily is not None:
            headers.append(("X-HubSpot-RateLimit-Daily", str(daily)))
            headers.append(
                ("X-HubSpot-RateLimit-Daily-Remaining", str(max(0, daily - self._daily_used)))
            )
        return tuple(headers)
