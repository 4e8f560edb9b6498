"""Client-side pacing so a steady run never meets a 429.

HubSpot's limits are rolling windows ("at most N requests in any 10 s"), so each allowance
is a sliding log of request times rather than a refilling token bucket: a classic bucket
lets a full burst through right after a full refill and can put 2N requests in one rolling
window. Limits start from the portal's kind (OAuth app or static-token tier) and are
corrected from the `X-HubSpot-RateLimit-*` headers of every response; a small safety margin
absorbs clock skew between us and HubSpot. One `Pacer` per portal, shared by its threads.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from connector.hubspot.errors import DailyLimitReached, next_utc_midnight
from connector.hubspot.paths import Bucket


@dataclass(frozen=True)
class WindowLimit:
    """At most `capacity` requests in any `interval_s` seconds."""

    capacity: int
    interval_s: float


@dataclass(frozen=True)
class PortalLimits:
    """A portal's allowances: general, search and associations windows plus a daily cap."""

    general: WindowLimit
    search: WindowLimit
    associations: WindowLimit
    daily: int | None

    def window(self, bucket: Bucket) -> WindowLimit:
        """The window limit of one bucket."""
        return {
            Bucket.GENERAL: self.general,
            Bucket.SEARCH: self.search,
            Bucket.ASSOCIATIONS: self.associations,
        }[bucket]


_SEARCH = WindowLimit(5, 1.0)
_ASSOCIATIONS = WindowLimit(150, 10.0)

PORTAL_KINDS: dict[str, PortalLimits] = {
    "oauth": PortalLimits(WindowLimit(110, 10.0), _SEARCH, _ASSOCIATIONS, None),
    "starter": PortalLimits(WindowLimit(100, 10.0), _SEARCH, _ASSOCIATIONS, 250_000),
    "pro": PortalLimits(WindowLimit(190, 10.0), _SEARCH, _ASSOCIATIONS, 625_000),
    "enterprise": PortalLimits(WindowLimit(190, 10.0), _SEARCH, _ASSOCIATIONS, 1_000_000),
}
"""HubSpot's published allowances: OAuth apps per installed account, static tokens by tier."""


def limits_for(kind: str) -> PortalLimits:
    """The starting limits for a portal kind: `oauth`, `starter`, `pro` or `enterprise`."""
    try:
        return PORTAL_KINDS[kind]
    except KeyError:
        known = ", ".join(PORTAL_KINDS)
        raise ValueError(f"unknown portal kind {kind!r}; expected one of {known}") from None


def usable(capacity: int, margin: float) -> int:
    """Requests we allow ourselves out of `capacity`: at least one fewer, never below one."""
    return max(1, capacity - max(1, math.ceil(capacity * margin)))


# Associations calls may also count against the general allowance (HubSpot does not say);
# drawing on both is safe either way.
_DRAWS: dict[Bucket, tuple[Bucket, ...]] = {
    Bucket.GENERAL: (Bucket.GENERAL,),
    Bucket.SEARCH: (Bucket.SEARCH,),
    Bucket.ASSOCIATIONS: (Bucket.ASSOCIATIONS, Bucket.GENERAL),
}


class _Window:
    """A sliding log of request times for one allowance (callers hold the pacer's lock)."""

    def __init__(self, limit: WindowLimit, margin: float) -> None:
        self.margin = margin
        self.limit = limit
        self.times: deque[float] = deque()

    @property
    def allowed(self) -> int:
        return usable(self.limit.capacity, self.margin)

    def _expire(self, now: float) -> None:
        horizon = now - self.limit.interval_s
        while self.times and self.times[0] <= horizon:
            self.times.popleft()

    def wait_s(self, now: float) -> float:
        self._expire(now)
        if len(self.times) < self.allowed:
            return 0.0
        # The request `allowed` places back from the newest must leave the window first.
        blocking = self.times[len(self.times) - self.allowed]
        return max(0.0, blocking + self.limit.interval_s - now)

    def take(self, now: float) -> None:
        self.times.append(now)

    def correct(self, server_max: int | None, remaining: int | None, interval_s: float | None,
                now: float) -> None:
        if server_max is not None and server_max > 0:
            interval = interval_s if interval_s and interval_s > 0 else self.limit.interval_s
            if (server_max, interval) != (self.limit.capacity, self.limit.interval_s):
                self.limit = WindowLimit(server_max, interval)
        if remaining is None:
            return
        self._expire(now)
        used_by_server = self.limit.capacity - max(0, remaining)
        # Someone else (another worker sharing an app-wide allowance) used part of the
        # window: count their requests as if they were ours, now, so we slow down.
        for _ in range(used_by_server - len(self.times)):
            self.times.append(now)


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            try:
                return int(value)
            except (TypeError, ValueError):
                return None
    return None


class Pacer:
    """Per-portal pacing across the general, search and associations allowances.

    `acquire(bucket)` blocks until a request may go out; `observe(headers)` corrects
    the limits from a response. Thread-safe. `clock`/`sleep`/`wall_clock` are injectable so
    the arithmetic is testable without waiting.
    """

    def __init__(
        self,
        limits: PortalLimits,
        *,
        safety_margin: float = 0.1,
        daily_margin: float = 0.002,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._windows = {
            bucket: _Window(limits.window(bucket), safety_margin) for bucket in Bucket
        }
        self._daily_cap = limits.daily
        self._daily_margin = daily_margin
        self._daily_used = 0
        self._day = wall_clock().astimezone(UTC).date()

    def limit(self, bucket: Bucket) -> WindowLimit:
        """The current (possibly header-corrected) window limit of a bucket."""
        with self._lock:
            return self._windows[bucket].limit

    def allowed(self, bucket: Bucket) -> int:
        """Requests per window this pacer lets through for a bucket (limit minus margin)."""
        with self._lock:
            return self._windows[bucket].allowed

    @property
    def daily_used(self) -> int:
        """Requests counted against today's (UTC) daily cap."""
        with self._lock:
            return self._daily_used

    def acquire(self, bucket: Bucket) -> None:
        """Block until a request on `bucket` is allowed, then count it.

        Raises `DailyLimitReached` instead of blocking for hours when the daily cap is spent.
        """
        draws = _DRAWS[bucket]
        while True:
            with self._lock:
                self._check_daily(bucket)
                now = self._clock()
                wait = max(self._windows[b].wait_s(now) for b in draws)
                if wait <= 0:
                    for b in draws:
                        self._windows[b].take(now)
                    if bucket is not Bucket.SEARCH:
                        self._daily_used += 1
                    return
            self._sleep(wait)

    def _check_daily(self, bucket: Bucket) -> None:
        today = self._wall_clock().astimezone(UTC).date()
        if today != self._day:
            self._day, self._daily_used = today, 0
        if self._daily_cap is None or bucket is Bucket.SEARCH:
            return
        reserve = max(1, math.ceil(self._daily_cap * self._daily_margin))
        if self._daily_used >= self._daily_cap - reserve:
            reset = next_utc_midnight(self._wall_clock())
            raise DailyLimitReached(
                f"daily HubSpot API allowance ({self._daily_cap}) used up; resumes at "
                f"{reset.isoformat()}",
                status=429,
                reset_at=reset,
            )

    def observe(self, headers: Mapping[str, str]) -> None:
        """Correct limits from a response's `X-HubSpot-RateLimit-*` headers (if any).

        The headers describe the general allowance whichever endpoint answered (search
        sends none; associations report the general window they also draw on).
        """
        server_max = _int_header(headers, "X-HubSpot-RateLimit-Max")
        remaining = _int_header(headers, "X-HubSpot-RateLimit-Remaining")
        interval_ms = _int_header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
        daily = _int_header(headers, "X-HubSpot-RateLimit-Daily")
        daily_remaining = _int_header(headers, "X-HubSpot-RateLimit-Daily-Remaining")
        if server_max is None and remaining is None and daily is None:
            return
        with self._lock:
            now = self._clock()
            self._windows[Bucket.GENERAL].correct(
                server_max, remaining, interval_ms / 1000 if interval_ms else None, now
            )
            if daily is not None and daily > 0:
                self._daily_cap = daily
                if daily_remaining is not None:
                    # The server's count is authoritative (other clients share the cap).
                    self._daily_used = max(0, daily - daily_remaining)
