"""Pacing arithmetic with a fake clock (no waiting)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from connector.hubspot.errors import DailyLimitReached
from connector.hubspot.pacing import Pacer, PortalLimits, WindowLimit, limits_for, usable
from connector.hubspot.paths import Bucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make(limits: PortalLimits, fake: FakeTime, **kw: object) -> Pacer:
    return Pacer(limits, clock=fake.clock, sleep=fake.sleep, **kw)  # type: ignore[arg-type]


def test_usable_leaves_a_margin_of_at_least_one() -> None:
    assert usable(110, 0.1) == 99
    assert usable(5, 0.1) == 4
    assert usable(190, 0.1) == 171
    assert usable(1, 0.1) == 1


def test_limits_for_kinds() -> None:
    assert limits_for("oauth").general == WindowLimit(110, 10.0)
    assert limits_for("oauth").daily is None
    assert limits_for("starter").general.capacity == 100
    assert limits_for("pro").daily == 625_000
    assert limits_for("enterprise").search == WindowLimit(5, 1.0)
    with pytest.raises(ValueError, match="unknown portal kind"):
        limits_for("platinum")


def test_burst_within_allowance_does_not_wait() -> None:
    fake = FakeTime()
    pacer = make(limits_for("oauth"), fake)
    for _ in range(99):
        pacer.acquire(Bucket.GENERAL)
    assert fake.slept == []


def test_request_past_allowance_waits_for_the_window() -> None:
    fake = FakeTime()
    pacer = make(limits_for("oauth"), fake)
    for _ in range(99):
        pacer.acquire(Bucket.GENERAL)
    pacer.acquire(Bucket.GENERAL)
    assert fake.slept == [pytest.approx(10.0)]


def test_no_rolling_window_ever_exceeds_the_allowance() -> None:
    fake = FakeTime()
    pacer = make(limits_for("oauth"), fake)
    stamps = []
    for i in range(400):
        pacer.acquire(Bucket.GENERAL)
        stamps.append(fake.now)
        fake.now += 0.013 * (i % 7)
    for i, start in enumerate(stamps):
        in_window = sum(1 for s in stamps[i:] if s < start + 10.0)
        assert in_window <= 99


def test_search_bucket_is_separate_and_secondly() -> None:
    fake = FakeTime()
    pacer = make(limits_for("pro"), fake)
    for _ in range(4):
        pacer.acquire(Bucket.SEARCH)
    pacer.acquire(Bucket.GENERAL)
    assert fake.slept == []
    pacer.acquire(Bucket.SEARCH)
    assert fake.slept == [pytest.approx(1.0)]


def test_associations_draw_on_general_too() -> None:
    fake = FakeTime()
    limits = PortalLimits(WindowLimit(10, 10.0), WindowLimit(5, 1.0), WindowLimit(100, 10.0), None)
    pacer = make(limits, fake)
    for _ in range(usable(10, 0.1)):
        pacer.acquire(Bucket.ASSOCIATIONS)
    pacer.acquire(Bucket.GENERAL)
    assert fake.slept == [pytest.approx(10.0)]


def test_headers_correct_the_limit() -> None:
    fake = FakeTime()
    pacer = make(limits_for("oauth"), fake)
    pacer.observe({
        "X-HubSpot-RateLimit-Max": "50",
        "X-HubSpot-RateLimit-Remaining": "49",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "5000",
    })
    assert pacer.limit(Bucket.GENERAL) == WindowLimit(50, 5.0)
    assert pacer.allowed(Bucket.GENERAL) == 45


def test_low_remaining_from_other_clients_slows_us_down() -> None:
    fake = FakeTime()
    pacer = make(limits_for("oauth"), fake)
    pacer.observe({
        "x-hubspot-ratelimit-max": "110",
        "x-hubspot-ratelimit-remaining": "12",
        "x-hubspot-ratelimit-interval-milliseconds": "10000",
    })
    # 98 used elsewhere: one more fits our 99, the next waits for the window.
    pacer.acquire(Bucket.GENERAL)
    assert fake.slept == []
    pacer.acquire(Bucket.GENERAL)
    assert fake.slept == [pytest.approx(10.0)]


def test_headers_absent_change_nothing() -> None:
    fake = FakeTime()
    pacer = make(limits_for("oauth"), fake)
    pacer.observe({"Content-Type": "application/json"})
    assert pacer.limit(Bucket.SEARCH) == WindowLimit(5, 1.0)


def test_daily_cap_raises_instead_of_blocking() -> None:
    fake = FakeTime()
    limits = PortalLimits(WindowLimit(1000, 10.0), WindowLimit(5, 1.0), WindowLimit(150, 10.0),
                          daily=1000)
    wall = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    pacer = make(limits, fake, wall_clock=lambda: wall)
    pacer.observe({"X-HubSpot-RateLimit-Daily": "1000",
                                   "X-HubSpot-RateLimit-Daily-Remaining": "3"})
    pacer.acquire(Bucket.GENERAL)
    with pytest.raises(DailyLimitReached) as caught:
        pacer.acquire(Bucket.GENERAL)
    assert caught.value.reset_at == datetime(2026, 11, 23, tzinfo=UTC)


def test_daily_count_resets_at_utc_midnight() -> None:
    fake = FakeTime()
    limits = PortalLimits(WindowLimit(1000, 10.0), WindowLimit(5, 1.0), WindowLimit(150, 10.0),
                          daily=600)
    moments = [datetime(2026, 11, 22, 23, 59, tzinfo=UTC)]
    pacer = make(limits, fake, wall_clock=lambda: moments[0])
    for _ in range(598):
        pacer.acquire(Bucket.GENERAL)
        fake.now += 1
    with pytest.raises(DailyLimitReached):
        pacer.acquire(Bucket.GENERAL)
    moments[0] = datetime(2026, 11, 23, 0, 0, 1, tzinfo=UTC)
    pacer.acquire(Bucket.GENERAL)
    assert pacer.daily_used == 1


def test_thread_safe_counting() -> None:
    pacer = Pacer(PortalLimits(WindowLimit(100_000, 10.0), WindowLimit(5, 1.0),
                               WindowLimit(150, 10.0), daily=None))
    def work() -> None:
        for _ in range(500):
            pacer.acquire(Bucket.GENERAL)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert pacer.daily_used == 4000
