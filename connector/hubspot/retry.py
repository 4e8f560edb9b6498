"""Retry strategies (tenacity) for HubSpot calls.

- `RateLimited`: wait what the 429 asks (its policy's window: ~10 s for TEN_SECONDLY_ROLLING,
  ~1 s for SECONDLY, or `Retry-After`), plus a little jitter so threads do not stampede.
- `TransientError`: exponential backoff with full jitter, at least any `Retry-After`.
- `Unauthorized`: once, after asking the token provider for a fresh token.
- `DailyLimitReached` and everything else: no retry; the portal pauses until the reset.
The SDK's own urllib3 retry never covers POST/PATCH, so this policy owns all retrying.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import RetryCallState, Retrying, stop_after_attempt

from connector.hubspot.errors import RateLimited, TransientError, Unauthorized


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry: attempts per call and the backoff scale for transient failures."""

    max_attempts: int = 6
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    rate_limit_jitter_s: float = 0.25


def transient_wait(policy: RetryPolicy, attempt: int, retry_after_s: float | None,
                   rng: Callable[[], float] = random.random) -> float:
    """Backoff before retry number `attempt` (1-based) after a transient failure."""
    ceiling = min(policy.backoff_max_s, policy.backoff_base_s * 2 ** (attempt - 1))
    jittered = ceiling * rng()
    return max(jittered, retry_after_s or 0.0)


def rate_limit_wait(policy: RetryPolicy, error: RateLimited,
                    rng: Callable[[], float] = random.random) -> float:
    """Wait before retrying a rolling-window 429: the window it names, plus jitter."""
    return error.retry_after_s + policy.rate_limit_jitter_s * rng()


class _Decision:
    """Per-call retry state: which failures to retry, how long to wait, one 401 at most."""

    def __init__(self, policy: RetryPolicy, on_unauthorized: Callable[[], None]) -> None:
        self.policy = policy
        self.on_unauthorized = on_unauthorized
        self.unauthorized_seen = False

    def should_retry(self, state: RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None or not outcome.failed:
            return False
        error = outcome.exception()
        if isinstance(error, Unauthorized):
            if self.unauthorized_seen:
                return False
            self.unauthorized_seen = True
            self.on_unauthorized()
            return True
        return isinstance(error, (RateLimited, TransientError))

    def wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited):
            return rate_limit_wait(self.policy, error)
        if isinstance(error, TransientError):
            return transient_wait(self.policy, state.attempt_number, error.retry_after_s)
        return 0.0


def retrying(
    policy: RetryPolicy,
    *,
    on_unauthorized: Callable[[], None],
    sleep: Callable[[float], None] = time.sleep,
) -> Retrying:
    """A fresh tenacity `Retrying` for one logical call (it carries that call's 401 state).

    Use as `for attempt in retrying(...): with attempt: ...`; the last error is re-raised.
    """
    decision = _Decision(policy, on_unauthorized)
    return Retrying(
        retry=decision.should_retry,
        wait=decision.wait,
        stop=stop_after_attempt(policy.max_attempts),
        sleep=sleep,
        reraise=True,
    )
