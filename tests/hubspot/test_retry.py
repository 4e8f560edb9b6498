"""Retry decisions and waits, with a recording sleep."""

from __future__ import annotations

import pytest

from connector.hubspot.errors import (
    DailyLimitReached,
    NotFound,
    RateLimited,
    TransientError,
    Unauthorized,
)
from connector.hubspot.retry import RetryPolicy, retrying, transient_wait
from tests.hubspot.test_errors import NOW


class Script:
    """Raises the scripted errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def run(script: Script, policy: RetryPolicy = RetryPolicy(max_attempts=4)
        ) -> tuple[str, list[float], int]:
    slept: list[float] = []
    refreshed: list[int] = []
    strategy = retrying(policy, on_unauthorized=lambda: refreshed.append(1), sleep=slept.append)
    result = strategy(script)
    return result, slept, len(refreshed)


def test_rate_limited_waits_the_window_then_succeeds() -> None:
    script = Script(RateLimited("429", policy="TEN_SECONDLY_ROLLING", retry_after_s=10.0))
    result, slept, _ = run(script, RetryPolicy(max_attempts=3, rate_limit_jitter_s=0.0))
    assert result == "ok"
    assert slept == [10.0]


def test_secondly_waits_about_a_second() -> None:
    script = Script(RateLimited("429", policy="SECONDLY", retry_after_s=1.0))
    _, slept, _ = run(script, RetryPolicy(max_attempts=3, rate_limit_jitter_s=0.25))
    assert 1.0 <= slept[0] <= 1.25


def test_transient_backs_off_and_gives_up_after_max_attempts() -> None:
    script = Script(*[TransientError("503", status=503) for _ in range(10)])
    with pytest.raises(TransientError):
        run(script, RetryPolicy(max_attempts=4, backoff_base_s=0.1))
    assert script.calls == 4


def test_transient_wait_is_exponential_with_jitter_and_respects_retry_after() -> None:
    policy = RetryPolicy(backoff_base_s=0.5, backoff_max_s=4.0)
    assert transient_wait(policy, 1, None, rng=lambda: 1.0) == 0.5
    assert transient_wait(policy, 3, None, rng=lambda: 1.0) == 2.0
    assert transient_wait(policy, 10, None, rng=lambda: 1.0) == 4.0
    assert transient_wait(policy, 3, None, rng=lambda: 0.0) == 0.0
    assert transient_wait(policy, 1, 2.0, rng=lambda: 0.5) == 2.0


def test_unauthorized_refreshes_once_then_retries() -> None:
    script = Script(Unauthorized("401", status=401))
    result, _, refreshed = run(script)
    assert result == "ok"
    assert refreshed == 1


def test_second_unauthorized_is_raised() -> None:
    script = Script(Unauthorized("401", status=401), Unauthorized("401", status=401))
    with pytest.raises(Unauthorized):
        run(script)
    assert script.calls == 2


def test_daily_limit_is_never_retried() -> None:
    script = Script(DailyLimitReached("daily", reset_at=NOW, status=429))
    with pytest.raises(DailyLimitReached):
        run(script)
    assert script.calls == 1


def test_not_found_is_not_retried() -> None:
    script = Script(NotFound("404", status=404))
    with pytest.raises(NotFound):
        run(script)
    assert script.calls == 1
