"""Pacing under the sandbox's real rate limits, and retries through injected faults."""

from __future__ import annotations

from collections.abc import Callable

from connector.crm import ObjectType
from connector.hubspot.counters import CallKind
from tests.hubspot.conftest import UNPACED, Sandbox


def test_search_burst_is_paced_below_the_secondly_limit(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(rate_limits_enabled=True, rate_limit_profile="pro")
    gateway = box.gateway(kind="pro")
    for _ in range(14):
        next(gateway.modified_pages(ObjectType.CONTACTS, 0, ["email"], page_size=5))
    counts = gateway.counter.snapshot()
    assert counts.calls[CallKind.SEARCH] == 14  # no attempt was repeated
    assert counts.rate_limited == 0


def test_headers_from_a_shared_allowance_keep_a_burst_free_of_429s(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(rate_limits_enabled=True, rate_limit_profile="starter")
    token = box.static_token()
    # Another client of the same app spends most of the portal's 100 / 10 s first.
    for _ in range(70):
        response = box.http.get("/crm/v3/properties/contacts/email",
                                headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
    gateway = box.gateway(kind="starter", token=token)
    for _ in range(45):
        gateway.get_property("email")
    counts = gateway.counter.snapshot()
    assert counts.rate_limited == 0
    assert counts.calls[CallKind.PROPERTIES] == 45


def test_without_header_correction_the_same_burst_would_hit_429(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(rate_limits_enabled=True, rate_limit_profile="starter")
    token = box.static_token()
    for _ in range(70):
        box.http.get("/crm/v3/properties/contacts/email",
                     headers={"Authorization": f"Bearer {token}"})
    statuses = [
        box.http.get("/crm/v3/properties/contacts/email",
                     headers={"Authorization": f"Bearer {token}"}).status_code
        for _ in range(45)
    ]
    assert 429 in statuses  # the sandbox really enforces what the previous test avoids


def test_retries_through_injected_5xx_and_dropped_connections(sandbox: Sandbox) -> None:
    sandbox.control("PUT", "/faults", json={"error_rate": 0.3, "drop_rate": 0.1})
    gateway = sandbox.gateway(limits=UNPACED)
    pages = list(gateway.list_pages(ObjectType.CONTACTS, ["email"], page_size=5))
    for _ in range(20):
        assert gateway.get_property("email").name == "email"
    assert sum(len(p.records) for p in pages) == 30
    counts = gateway.counter.snapshot()
    assert counts.total > len(pages) + 20  # some attempts failed and were retried


def test_rate_limited_answers_are_retried_and_counted(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    box = sandbox_factory(rate_limits_enabled=True, rate_limit_profile="pro")
    # A pacer that believes in a far bigger search allowance meets the real 5/s.
    gateway = box.gateway(limits=UNPACED)
    for _ in range(8):
        next(gateway.modified_pages(ObjectType.CONTACTS, 0, ["email"], page_size=5))
    counts = gateway.counter.snapshot()
    assert counts.rate_limited >= 1
    assert counts.calls[CallKind.SEARCH] == 8 + counts.rate_limited
