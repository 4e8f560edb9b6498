"""API call accounting per portal: how many calls of each kind, and how many 429s."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from connector.hubspot.paths import Bucket


class CallKind(StrEnum):
    """What a HubSpot call was for (benchmarks and run history report these)."""

    LIST = "list"
    SEARCH = "search"
    BATCH_READ = "batch_read"
    HISTORY = "history"
    """Batch reads with `propertiesWithHistory` (point-in-time training)."""
    BATCH_UPDATE = "batch_update"
    ASSOCIATIONS = "associations"
    ENGAGEMENTS = "engagements"
    PROPERTIES = "properties"
    OAUTH = "oauth"
    ACCOUNT = "account"

    @property
    def bucket(self) -> Bucket:
        """The rate-limit allowance calls of this kind draw on."""
        if self is CallKind.SEARCH:
            return Bucket.SEARCH
        if self is CallKind.ASSOCIATIONS:
            return Bucket.ASSOCIATIONS
        return Bucket.GENERAL


@dataclass(frozen=True)
class CallCounts:
    """A snapshot of a `CallCounter`."""

    calls: Mapping[CallKind, int]
    rate_limited: int

    @property
    def total(self) -> int:
        """All HTTP attempts, retries included."""
        return sum(self.calls.values())

    @property
    def billable(self) -> int:
        """Calls that count against the daily allowance (HubSpot does not count search)."""
        return sum(n for kind, n in self.calls.items() if kind.bucket is not Bucket.SEARCH)

    def as_dict(self) -> dict[str, int]:
        """Flat `{kind: calls, ..., "total": n, "rate_limited": n}` for JSON reports."""
        flat = {kind.value: count for kind, count in self.calls.items()}
        flat["total"] = self.total
        flat["rate_limited"] = self.rate_limited
        return flat


class CallCounter:
    """Thread-safe counts of HTTP attempts by kind (retries count) and of 429s seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls = dict.fromkeys(CallKind, 0)
        self._rate_limited = 0

    def record(self, kind: CallKind) -> None:
        """Count one HTTP attempt."""
        with self._lock:
            self._calls[kind] += 1

    def record_rate_limited(self) -> None:
        """Count one 429 answer."""
        with self._lock:
            self._rate_limited += 1

    def snapshot(self) -> CallCounts:
        """The counts so far."""
        with self._lock:
            return CallCounts(MappingProxyType(dict(self._calls)), self._rate_limited)
