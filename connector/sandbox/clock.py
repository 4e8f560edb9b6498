"""The sandbox's notion of "now": real time plus an offset that only moves forward."""

from __future__ import annotations

import threading
import time


class Clock:
    """Wall-clock milliseconds shifted by an offset that `/_sandbox/time/advance` grows.

    Everything time-stamped in the sandbox (createdAt, lastmodifieddate, token expiry,
    webhook occurredAt, the daily rate-limit window) reads this clock, so a test can jump
    days ahead without sleeping.
    """

    def __init__(self, offset_ms: int = 0) -> None:
        self._offset_ms = offset_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        """Current sandbox time in epoch milliseconds."""
        return int(time.time() * 1000) + self._offset_ms

    @property
    def offset_ms(self) -> int:
        """How far the sandbox clock runs ahead of real time."""
        return self._offset_ms

    def advance(self, seconds: float) -> int:
        """Move the clock forward by `seconds` (never backward) and return the new now_ms."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset_ms += int(seconds * 1000)
        return self.now_ms()
