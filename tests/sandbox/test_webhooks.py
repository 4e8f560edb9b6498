"""The webhook dispatcher over real HTTP: a loopback receiver checks signatures with the SDK."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import httpx
import pytest
from hubspot.utils.signature import Signature

from connector.sandbox.clock import Clock
from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from connector.sandbox.values import iso_from_ms
from connector.sandbox.webhooks import MAX_ATTEMPTS, WebhookDispatcher, WebhookEvent

SECRET = "receiver-secret"
PORTAL_A = 1000001
PORTAL_B = 1000002

Action = Literal["ok", "fail", "drop", "slow"]


@dataclass
class Received:
    """One POST as the receiver saw it."""

    events: list[dict[str, Any]]
    signature_valid: bool
    action: Action


@dataclass
class Receiver:
    """A webhook endpoint on loopback whose answers a test scripts per request index."""

    plan: Callable[[int], Action]
    secret: str = SECRET
    slow_s: float = 1.0
    requests: list[Received] = field(default_factory=list)
    max_in_flight: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    _in_flight: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def handle(self, raw: bytes, headers: Any) -> tuple[Action, int]:
        body = raw.decode()
        events = json.loads(body)
        portal = events[0]["portalId"]
        with self._lock:
            action = self.plan(len(self.requests))
            self._in_flight[portal] += 1
            self.max_in_flight[portal] = max(self.max_in_flight[portal], self._in_flight[portal])
            self.requests.append(Received(events, False, action))
            index = len(self.requests) - 1
        try:
            if action == "slow":
                time.sleep(self.slow_s)
            valid = Signature.is_valid(
                signature=headers["X-HubSpot-Signature-v3"],
                client_secret=self.secret,
                request_body=body,
                http_uri=self.url,
                http_method="POST",
                signature_version="v3",
                timestamp=headers["X-HubSpot-Request-Timestamp"],
            )
            with self._lock:
                self.requests[index].signature_valid = valid
        finally:
            with self._lock:
                self._in_flight[portal] -= 1
        return action, 500 if action == "fail" else 200

    def answered_ok(self) -> list[Received]:
        """Requests the receiver accepted in time (what HubSpot counts as delivered)."""
        with self._lock:
            return [r for r in self.requests if r.action == "ok"]


class _ReceiverServer(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops simultaneous connects (the client then waits
    # a second to retry), which would hide the dispatcher's real concurrency.
    request_queue_size = 128
    daemon_threads = True


@pytest.fixture
def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    servers: list[ThreadingHTTPServer] = []

    def start(plan: Callable[[int], Action] = lambda _: "ok", **kwargs: Any) -> Receiver:
        receiver = Receiver(plan, **kwargs)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                action, status = receiver.handle(raw, self.headers)
                if action == "drop":
                    self.close_connection = True  # hang up without answering
                    return
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the dispatcher gave up on a slow answer and closed the socket

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = _ReceiverServer(("127.0.0.1", 0), Handler)
        # A short poll interval keeps `shutdown` (which waits one poll) quick at teardown.
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hubspot/webhooks?tenant=a"
        return receiver

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def dispatcher_factory() -> Iterator[Callable[..., WebhookDispatcher]]:
    started: list[WebhookDispatcher] = []

    def start(
        receiver: Receiver, clock: Clock | None = None, **overrides: Any
    ) -> WebhookDispatcher:
        settings: dict[str, Any] = {
            "client_secret": SECRET,
            "webhook_target_url": receiver.url,
            "webhook_subscribed_properties": ["leadscore_score"],
            "webhook_retry_base_s": 0.001,
            "webhook_flush_window_s": 0.05,
            **overrides,
        }
        dispatcher = WebhookDispatcher(SandboxConfig(**settings), clock or Clock())
        dispatcher.start()
        started.append(dispatcher)
        return dispatcher

    yield start
    for dispatcher in started:
        dispatcher.stop()


def creation(portal: int, object_id: int) -> WebhookEvent:
    return WebhookEvent(portal, "contact.creation", object_id, int(time.time() * 1000))


def delivered_ids(requests: list[Received]) -> list[int]:
    return sorted(e["objectId"] for r in requests for e in r.events)


def test_events_arrive_signed_in_batches_of_at_most_100_per_portal(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    receiver = receiver_factory()
    dispatcher = dispatcher_factory(receiver, webhook_flush_window_s=0.3)
    big_id = 2**33 + 5  # object ids may exceed 2^31
    expected = [*range(1, 251), big_id]
    for object_id in expected:
        dispatcher.emit(creation(PORTAL_A, object_id))
    for object_id in range(1001, 1006):
        dispatcher.emit(creation(PORTAL_B, object_id))

    assert dispatcher.wait_idle(10)
    requests = receiver.answered_ok()
    assert all(r.signature_valid for r in requests)
    assert all(1 <= len(r.events) <= 100 for r in requests)
    assert all(len({e["portalId"] for e in r.events}) == 1 for r in requests)
    by_portal = defaultdict(list)
    for r in requests:
        by_portal[r.events[0]["portalId"]].append(r)
    # Events emitted together were batched: 251 events → 3 requests, 5 events → 1.
    assert len(by_portal[PORTAL_A]) == 3
    assert len(by_portal[PORTAL_B]) == 1
    assert delivered_ids(by_portal[PORTAL_A]) == expected
    event = by_portal[PORTAL_B][0].events[0]
    assert set(event) == {
        "eventId", "subscriptionId", "portalId", "appId", "occurredAt",
        "subscriptionType", "attemptNumber", "objectId", "changeSource",
    }  # fmt: skip
    assert (event["subscriptionType"], event["attemptNumber"]) == ("contact.creation", 1)
    assert event["appId"] == SandboxConfig().app_id
    assert dispatcher.stats()["delivered_events"] == 256
    assert dispatcher.stats()["pending_events"] == 0


def test_only_subscribed_property_changes_are_delivered(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    receiver = receiver_factory()
    dispatcher = dispatcher_factory(receiver)
    now = int(time.time() * 1000)
    score_change = WebhookEvent(
        PORTAL_A, "contact.propertyChange", 7, now, "leadscore_score", "88", "INTEGRATION", "app-1"
    )
    dispatcher.emit(score_change)
    dispatcher.emit(WebhookEvent(PORTAL_A, "contact.propertyChange", 7, now, "firstname", "Ann"))
    dispatcher.emit(WebhookEvent(PORTAL_A, "contact.deletion", 8, now))

    assert dispatcher.wait_idle(10)
    events = [e for r in receiver.answered_ok() for e in r.events]
    assert sorted(e["subscriptionType"] for e in events) == [
        "contact.deletion",
        "contact.propertyChange",
    ]
    change = next(e for e in events if e["subscriptionType"] == "contact.propertyChange")
    assert change["propertyName"] == "leadscore_score"
    assert change["propertyValue"] == "88"
    assert change["changeSource"] == "INTEGRATION"
    assert change["sourceId"] == "app-1"
    assert change["occurredAt"] == now


def test_errors_and_hang_ups_are_retried_with_increasing_attempt_numbers(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    script: list[Action] = ["fail", "drop", "fail"]
    receiver = receiver_factory(lambda i: script[i] if i < len(script) else "ok")
    dispatcher = dispatcher_factory(receiver)
    for object_id in range(1, 11):
        dispatcher.emit(creation(PORTAL_A, object_id))

    assert dispatcher.wait_idle(10)
    attempts = [r.events[0]["attemptNumber"] for r in receiver.requests]
    assert attempts == [1, 2, 3, 4]
    assert delivered_ids(receiver.answered_ok()) == list(range(1, 11))
    outcomes = [d.outcome for d in dispatcher.deliveries()]
    assert outcomes == ["http_error", "connection_error", "http_error", "ok"]
    stats = dispatcher.stats()
    assert (stats["retries"], stats["failed_attempts"], stats["delivered_events"]) == (3, 3, 10)


def test_a_slow_answer_counts_as_failed_and_is_retried(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    receiver = receiver_factory(lambda i: "slow" if i == 0 else "ok", slow_s=1.0)
    dispatcher = dispatcher_factory(receiver, webhook_timeout_s=0.3)
    dispatcher.emit(creation(PORTAL_A, 42))

    assert dispatcher.wait_idle(10)
    assert [d.outcome for d in dispatcher.deliveries()] == ["timeout", "ok"]
    ok = receiver.answered_ok()
    assert [r.events[0]["attemptNumber"] for r in ok] == [2]
    assert delivered_ids(ok) == [42]


def test_gives_up_after_ten_attempts_and_counts_the_drop(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    receiver = receiver_factory(lambda _: "fail")
    dispatcher = dispatcher_factory(receiver)
    for object_id in range(1, 4):
        dispatcher.emit(creation(PORTAL_A, object_id))

    assert dispatcher.wait_idle(10)
    assert [r.events[0]["attemptNumber"] for r in receiver.requests] == list(
        range(1, MAX_ATTEMPTS + 1)
    )
    stats = dispatcher.stats()
    assert stats["dropped_events"] == 3
    assert stats["failed_attempts"] == MAX_ATTEMPTS
    assert stats["retries"] == MAX_ATTEMPTS - 1
    assert stats["delivered_events"] == 0


def test_at_most_ten_requests_in_flight_per_portal(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    # Every answer takes 0.5 s (within the timeout), so 15 ready batches pile up.
    receiver = receiver_factory(lambda _: "slow", slow_s=0.5)
    dispatcher = dispatcher_factory(receiver, webhook_timeout_s=5.0)
    for object_id in range(1, 1501):
        dispatcher.emit(creation(PORTAL_A, object_id))

    assert dispatcher.wait_idle(20)
    assert receiver.max_in_flight[PORTAL_A] == 10
    assert delivered_ids(receiver.requests) == list(range(1, 1501))
    assert dispatcher.stats()["delivered_events"] == 1500


def test_duplicates_resend_delivered_batches_with_the_same_event_ids(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    receiver = receiver_factory()
    dispatcher = dispatcher_factory(receiver, webhook_duplicate_rate=1.0)
    for object_id in range(1, 6):
        dispatcher.emit(creation(PORTAL_A, object_id))

    assert dispatcher.wait_idle(10)
    event_ids = [e["eventId"] for r in receiver.answered_ok() for e in r.events]
    assert len(event_ids) == 10
    assert len(set(event_ids)) == 5
    assert dispatcher.stats()["duplicates_sent"] == 5
    assert dispatcher.stats()["delivered_events"] == 5


def test_signature_stays_valid_after_the_sandbox_clock_jumps(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    receiver = receiver_factory()
    clock = Clock()
    dispatcher = dispatcher_factory(receiver, clock=clock)
    clock.advance(6 * 3600)  # the SDK rejects timestamps older than 5 minutes of real time
    dispatcher.emit(WebhookEvent(PORTAL_A, "contact.creation", 5, clock.now_ms()))

    assert dispatcher.wait_idle(10)
    [request] = receiver.answered_ok()
    assert request.signature_valid
    assert request.events[0]["occurredAt"] >= clock.now_ms() - 60_000


def test_set_target_switches_url_and_secret_and_none_stops_accepting(
    receiver_factory: Callable[..., Receiver],
    dispatcher_factory: Callable[..., WebhookDispatcher],
) -> None:
    first = receiver_factory()
    second = receiver_factory(secret="rotated-secret")
    dispatcher = dispatcher_factory(first)
    dispatcher.set_target(second.url, "rotated-secret")
    dispatcher.emit(creation(PORTAL_A, 1))
    assert dispatcher.wait_idle(10)
    assert first.requests == []
    assert [r.signature_valid for r in second.requests] == [True]

    dispatcher.set_target(None, "rotated-secret")
    dispatcher.emit(creation(PORTAL_A, 2))
    assert dispatcher.stats()["accepted_events"] == 1


def test_events_emitted_before_start_go_out_and_a_restart_works(
    receiver_factory: Callable[..., Receiver],
) -> None:
    receiver = receiver_factory()
    config = SandboxConfig(
        client_secret=SECRET, webhook_target_url=receiver.url, webhook_flush_window_s=0.01
    )
    dispatcher = WebhookDispatcher(config, Clock())
    dispatcher.emit(creation(PORTAL_A, 1))
    dispatcher.start()
    try:
        assert dispatcher.wait_idle(10)
        dispatcher.stop()
        dispatcher.start()
        dispatcher.emit(creation(PORTAL_A, 2))
        assert dispatcher.wait_idle(10)
    finally:
        dispatcher.stop()
    assert delivered_ids(receiver.answered_ok()) == [1, 2]


def test_crm_changes_through_the_api_reach_the_app_signed(
    receiver_factory: Callable[..., Receiver],
) -> None:
    receiver = receiver_factory()
    config = SandboxConfig(
        contacts_per_portal=0,
        client_secret=SECRET,
        webhook_target_url=receiver.url,
        webhook_subscribed_properties=["jobtitle"],
        webhook_retry_base_s=0.001,
        webhook_flush_window_s=0.01,
    )
    with SandboxServer(config) as server:
        token = server.sandbox.static_tokens[PORTAL_A]
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            created = http.post(
                "/crm/v3/objects/contacts", json={"properties": {"email": "a@b.test"}}
            )
            assert created.status_code == 201
            contact_id = created.json()["id"]
            # The connector's own batch writes raise propertyChange too, as at HubSpot.
            updated = http.post(
                "/crm/v3/objects/contacts/batch/update",
                json={"inputs": [{"id": contact_id, "properties": {"jobtitle": "CTO"}}]},
            )
            assert updated.status_code == 200
            assert http.delete(f"/crm/v3/objects/contacts/{contact_id}").status_code == 204
        assert server.sandbox.webhooks.wait_idle(10)

    events = [e for r in receiver.answered_ok() for e in r.events]
    assert all(r.signature_valid for r in receiver.requests)
    assert {e["objectId"] for e in events} == {int(contact_id)}
    kinds = sorted(e["subscriptionType"] for e in events)
    assert kinds == ["contact.creation", "contact.deletion", "contact.propertyChange"]
    change = next(e for e in events if e["subscriptionType"] == "contact.propertyChange")
    assert (change["propertyName"], change["propertyValue"]) == ("jobtitle", "CTO")


def _crm_server(receiver: Receiver, subscribed: list[str]) -> SandboxServer:
    return SandboxServer(
        SandboxConfig(
            contacts_per_portal=0,
            client_secret=SECRET,
            webhook_target_url=receiver.url,
            webhook_subscribed_properties=subscribed,
            search_consistency_delay_s=0.0,
            webhook_retry_base_s=0.001,
            webhook_flush_window_s=0.01,
        )
    )


def test_logging_engagements_recalculates_the_contacts_activity_summary(
    receiver_factory: Callable[..., Receiver],
) -> None:
    receiver = receiver_factory()
    subscribed = ["notes_last_contacted", "num_contacted_notes", "engagements_last_meeting_booked"]
    with _crm_server(receiver, subscribed) as server:
        token = server.sandbox.static_tokens[PORTAL_A]
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            contact_id = http.post(
                "/crm/v3/objects/contacts", json={"properties": {"email": "a@b.test"}}
            ).json()["id"]
            server.sandbox.clock.advance(60)
            now = http.get("/_sandbox/time").json()["now_ms"]
            logged = http.post(
                f"/_sandbox/portals/{PORTAL_A}/engagements",
                json=[
                    {"type": "calls", "contact_id": contact_id, "timestamp_ms": now - 3000},
                    {"type": "meetings", "contact_id": contact_id, "timestamp_ms": now - 2000},
                    # A note is activity, not contact; a future task is nothing yet.
                    {"type": "notes", "contact_id": contact_id, "timestamp_ms": now - 1000},
                    {"type": "tasks", "contact_id": contact_id, "timestamp_ms": now + 86_400_000},
                ],
            )
            assert logged.status_code == 201
            names = [
                "notes_last_updated",
                "hs_last_sales_activity_timestamp",
                "notes_last_contacted",
                "num_contacted_notes",
                "engagements_last_meeting_booked",
                "lastmodifieddate",
            ]
            contact = http.get(
                f"/crm/v3/objects/contacts/{contact_id}", params={"properties": ",".join(names)}
            ).json()
            # Incremental sync finds the contact by its new modification time.
            found = http.post(
                "/crm/v3/objects/contacts/search",
                json={
                    "filterGroups": [
                        {
                            "filters": [
                                {
                                    "propertyName": "lastmodifieddate",
                                    "operator": "GTE",
                                    "value": str(now),
                                }
                            ]
                        }
                    ]
                },
            ).json()
        assert server.sandbox.webhooks.wait_idle(10)

    props = contact["properties"]
    meeting, note = iso_from_ms(now - 2000), iso_from_ms(now - 1000)
    assert props["num_contacted_notes"] == "2"  # the call and the meeting
    assert props["notes_last_updated"] == note
    assert props["hs_last_sales_activity_timestamp"] == meeting  # the meeting, not the note
    assert props["notes_last_contacted"] == meeting
    assert props["engagements_last_meeting_booked"] == meeting
    assert props["lastmodifieddate"] >= iso_from_ms(now)
    assert [r["id"] for r in found["results"]] == [contact_id]

    changes = [
        e
        for r in receiver.answered_ok()
        for e in r.events
        if e["subscriptionType"] == "contact.propertyChange"
    ]
    assert {e["changeSource"] for e in changes} == {"CALCULATED"}
    assert {e["objectId"] for e in changes} == {int(contact_id)}
    counts = [e["propertyValue"] for e in changes if e["propertyName"] == "num_contacted_notes"]
    assert sorted(counts) == ["1", "2"]
    assert {e["propertyName"] for e in changes} == set(subscribed)


def test_merging_contacts_sends_one_merge_event_naming_both(
    receiver_factory: Callable[..., Receiver],
) -> None:
    receiver = receiver_factory()
    with _crm_server(receiver, []) as server:
        token = server.sandbox.static_tokens[PORTAL_A]
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            primary = http.post(
                "/crm/v3/objects/contacts",
                json={"properties": {"email": "keep@b.test", "firstname": "Kept"}},
            ).json()["id"]
            merged = http.post(
                "/crm/v3/objects/contacts",
                json={
                    "properties": {"email": "old@b.test", "firstname": "Lost", "jobtitle": "CTO"}
                },
            ).json()["id"]
            http.post(
                f"/_sandbox/portals/{PORTAL_A}/engagements",
                json={"type": "meetings", "contact_id": merged},
            )
            response = http.post(
                "/crm/v3/objects/contacts/merge",
                json={"primaryObjectId": primary, "objectIdToMerge": merged},
            )
            gone = http.get(f"/crm/v3/objects/contacts/{merged}")
            meetings = http.get(
                f"/crm/v3/objects/contacts/{primary}", params={"associations": "meetings"}
            ).json()
        assert server.sandbox.webhooks.wait_idle(10)

    assert response.status_code == 200 and gone.status_code == 404
    props = response.json()["properties"]
    # The primary's values win; values only the merged contact had are moved over.
    assert (props["email"], props["firstname"], props["jobtitle"]) == ("keep@b.test", "Kept", "CTO")
    assert len(meetings["associations"]["meetings"]["results"]) == 1
    events = [
        e
        for r in receiver.answered_ok()
        for e in r.events
        if e["subscriptionType"] == "contact.merge"
    ]
    assert len(events) == 1
    event = events[0]
    assert event["objectId"] == event["primaryObjectId"] == event["newObjectId"] == int(primary)
    assert event["mergedObjectIds"] == [int(merged)]
    assert event["numberOfPropertiesMoved"] >= 1


def test_company_and_deal_events_reach_subscribed_apps_signed(
    receiver_factory: Callable[..., Receiver],
) -> None:
    receiver = receiver_factory()
    config = SandboxConfig(
        contacts_per_portal=0,
        client_secret=SECRET,
        webhook_target_url=receiver.url,
        webhook_subscriptions=[
            "company.creation",
            "company.propertyChange:name",
            "company.deletion",
            "company.merge",
            "deal.creation",
            "deal.propertyChange:dealstage",
            "deal.deletion",
            "contact.associationChange",
            "company.associationChange",
        ],
        webhook_retry_base_s=0.001,
        webhook_flush_window_s=0.01,
    )
    with SandboxServer(config) as server:
        token = server.sandbox.static_tokens[PORTAL_A]
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            company = http.post(
                "/crm/v3/objects/companies",
                json={"properties": {"name": "Acme", "domain": "acme.example", "city": "Oslo"}},
            ).json()["id"]
            twin = http.post(
                "/crm/v3/objects/companies", json={"properties": {"name": "Acme Inc"}}
            ).json()["id"]
            contact = http.post(
                "/crm/v3/objects/contacts", json={"properties": {"email": "a@acme.example"}}
            ).json()["id"]
            linked = http.put(
                f"/crm/v4/objects/contacts/{contact}/associations/default/companies/{company}"
            )
            assert linked.status_code == 200
            deal = http.post(
                "/crm/v3/objects/deals",
                json={"properties": {"dealname": "Acme", "dealstage": "appointmentscheduled"}},
            ).json()["id"]
            http.patch(
                f"/crm/v3/objects/deals/{deal}", json={"properties": {"dealstage": "closedwon"}}
            )
            merged = http.post(
                "/crm/v3/objects/companies/merge",
                json={"primaryObjectId": company, "objectIdToMerge": twin},
            )
            assert merged.status_code == 200
            assert http.delete(f"/crm/v3/objects/deals/{deal}").status_code == 204
        assert server.sandbox.webhooks.wait_idle(10)

    assert receiver.requests and all(r.signature_valid for r in receiver.requests)
    events = [e for r in receiver.answered_ok() for e in r.events]
    kinds = sorted({e["subscriptionType"] for e in events})
    assert kinds == [
        "company.associationChange", "company.creation", "company.merge",
        "company.propertyChange", "contact.associationChange", "contact.creation",
        "deal.creation", "deal.deletion", "deal.propertyChange",
    ]  # fmt: skip
    changes = {
        (e["subscriptionType"], e["objectId"], e["propertyName"], e["propertyValue"])
        for e in events
        if e["subscriptionType"].endswith("propertyChange")
    }
    # Only the subscribed properties: the company's name (not its city), the deal's stage.
    assert changes == {
        ("company.propertyChange", int(company), "name", "Acme"),
        ("company.propertyChange", int(twin), "name", "Acme Inc"),
        ("deal.propertyChange", int(deal), "dealstage", "appointmentscheduled"),
        ("deal.propertyChange", int(deal), "dealstage", "closedwon"),
    }
    created = {
        (e["subscriptionType"], e["objectId"])
        for e in events
        if "creation" in e["subscriptionType"]
    }
    assert {("company.creation", int(company)), ("deal.creation", int(deal))} <= created
    [merge] = [e for e in events if e["subscriptionType"] == "company.merge"]
    assert (merge["primaryObjectId"], merge["mergedObjectIds"]) == (int(company), [int(twin)])
    links = [e for e in events if e["subscriptionType"].endswith("associationChange")]
    assert all("objectId" not in e for e in links)
    sides = {
        (e["associationType"], e["fromObjectId"], e["toObjectId"], e["isPrimaryAssociation"])
        for e in links
    }
    assert {
        ("CONTACT_TO_COMPANY_UNLABELED", int(contact), int(company), False),
        ("COMPANY_TO_CONTACT_UNLABELED", int(company), int(contact), False),
        ("CONTACT_TO_COMPANY", int(contact), int(company), True),
        ("COMPANY_TO_CONTACT", int(company), int(contact), True),
    } <= sides
    assert not any(e["associationRemoved"] for e in links)


def test_company_events_need_a_subscription_which_control_can_add(
    receiver_factory: Callable[..., Receiver],
) -> None:
    receiver = receiver_factory()
    with _crm_server(receiver, []) as server:
        token = server.sandbox.static_tokens[PORTAL_A]
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            http.post("/crm/v3/objects/companies", json={"properties": {"name": "Quiet"}})
            assert server.sandbox.webhooks.wait_idle(10)
            assert receiver.requests == []
            subscribed = http.put(
                "/_sandbox/webhooks/subscriptions", json={"subscriptions": ["company.creation"]}
            )
            assert subscribed.status_code == 200
            loud = http.post("/crm/v3/objects/companies", json={"properties": {"name": "Loud"}})
        assert server.sandbox.webhooks.wait_idle(10)
    events = [e for r in receiver.answered_ok() for e in r.events]
    assert [(e["subscriptionType"], e["objectId"]) for e in events] == [
        ("company.creation", int(loud.json()["id"]))
    ]
