"""Webhook delivery the way HubSpot does it: batched, signed (v3), retried, concurrent, duplicated.

`WebhookDispatcher.emit` only appends to an inbox; a background thread running its own asyncio
loop groups events per portal over a short flush window, POSTs JSON arrays of at most 100
events with httpx, and retries failures on a growing schedule. A request counts as failed on a
connection error, a non-2xx answer, or an answer slower than the configured timeout (5 s at
HubSpot), exactly the cases in which HubSpot retries.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import hmac
import itertools
import json
import random
import threading
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

import httpx

from connector.sandbox.tokens import Clock

#: HubSpot caps a webhook request at 100 events.
MAX_EVENTS_PER_REQUEST = 100
#: HubSpot gives up on a batch after 10 attempts.
MAX_ATTEMPTS = 10
#: HubSpot sends at most 10 requests at a time to one account's endpoint.
MAX_CONCURRENT_PER_PORTAL = 10
#: How many recent delivery attempts the control endpoints can show.
DELIVERY_LOG_SIZE = 1000

# HubSpot's v3 signature is computed over the URI with these escapes decoded (its docs list
# them); a receiver that follows the docs decodes the same ones before checking.
_SIGNATURE_URI_DECODES = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}

T = TypeVar("T")

# Delivered without an explicit subscription (the sandbox's historical contact defaults).
_CONTACT_DEFAULTS = frozenset({"contact.creation", "contact.deletion", "contact.merge"})

DeliveryOutcome = Literal["ok", "http_error", "timeout", "connection_error"]


class WebhookSettings(Protocol):
    """The part of the sandbox configuration the dispatcher reads."""

    seed: int
    app_id: int
    client_secret: str
    webhook_target_url: str | None
    webhook_subscribed_properties: list[str]
    webhook_subscriptions: list[str]
    webhook_duplicate_rate: float
    webhook_retry_base_s: float
    webhook_timeout_s: float
    webhook_flush_window_s: float


@dataclass(frozen=True)
class WebhookEvent:
    """One CRM change, as the CRM side reports it to the dispatcher."""

    portal_id: int
    subscription_type: str
    object_id: int
    occurred_at_ms: int
    property_name: str | None = None
    property_value: str | None = None
    change_source: str = "CRM"
    source_id: str | None = None
    # Merge events only: the surviving record and the records folded into it.
    primary_object_id: int | None = None
    merged_object_ids: tuple[int, ...] = ()
    new_object_id: int | None = None
    properties_moved: int | None = None
    # associationChange events only: HubSpot names the link instead of one object.
    association_type: str | None = None  # e.g. CONTACT_TO_COMPANY
    from_object_id: int | None = None
    to_object_id: int | None = None
    association_removed: bool = False
    is_primary_association: bool = False


@dataclass(frozen=True)
class DeliveryRecord:
    """One POST the dispatcher made (kept in a bounded log for the control endpoints)."""

    at_ms: int  # sandbox time of the attempt
    portal_id: int
    events: int
    attempt: int
    outcome: DeliveryOutcome
    status_code: int | None
    duplicate: bool


@dataclass(frozen=True)
class _Stamped:
    """An accepted event with the ids HubSpot would have given it."""

    event: WebhookEvent
    event_id: int
    subscription_id: int

    def payload(self, app_id: int, attempt: int) -> dict[str, Any]:
        """The event as HubSpot's JSON object for delivery attempt `attempt`."""
        event = self.event
        body: dict[str, Any] = {
            "eventId": self.event_id,
            "subscriptionId": self.subscription_id,
            "portalId": event.portal_id,
            "appId": app_id,
            "occurredAt": event.occurred_at_ms,
            "subscriptionType": event.subscription_type,
            "attemptNumber": attempt,
            "changeSource": event.change_source,
        }
        if event.association_type is not None:
            # associationChange payloads carry no objectId, only the two ends of the link.
            body["associationType"] = event.association_type
            body["fromObjectId"] = event.from_object_id
            body["toObjectId"] = event.to_object_id
            body["associationRemoved"] = event.association_removed
            body["isPrimaryAssociation"] = event.is_primary_association
        else:
            body["objectId"] = event.object_id
        if event.property_name is not None:
            body["propertyName"] = event.property_name
            body["propertyValue"] = event.property_value
        if event.source_id is not None:
            body["sourceId"] = event.source_id
        if event.primary_object_id is not None:
            body["primaryObjectId"] = event.primary_object_id
            body["mergedObjectIds"] = list(event.merged_object_ids)
            body["newObjectId"] = event.new_object_id
            body["numberOfPropertiesMoved"] = event.properties_moved or 0
        return body


def retry_delay_s(attempt: int, base_s: float) -> float:
    """Wait after failed attempt `attempt` (1-based): doubling from `base_s`.

    HubSpot spreads its 10 attempts over about a day; the sandbox keeps the growing shape
    and lets `base_s` shrink it so tests see every retry in milliseconds.
    """
    return float(base_s * 2 ** (attempt - 1))


def signature_uri(url: str) -> str:
    """The URI as HubSpot signs it: the target URL with HubSpot's listed escapes decoded."""
    for escaped, plain in _SIGNATURE_URI_DECODES.items():
        url = url.replace(escaped, plain).replace(escaped.lower(), plain)
    return url


def sign_v3(client_secret: str, method: str, uri: str, body: str, timestamp_ms: int) -> str:
    """HubSpot's `X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of method+URI+body+timestamp."""
    source = f"{method}{uri}{body}{timestamp_ms}".encode()
    digest = hmac.new(client_secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_v1(client_secret: str, body: str) -> str:
    """HubSpot's legacy `X-HubSpot-Signature` (v1): hex SHA-256 of secret+body."""
    return hashlib.sha256(f"{client_secret}{body}".encode()).hexdigest()


def batches(items: Sequence[T]) -> list[list[T]]:
    """Split `items` into request-sized chunks of at most 100, keeping their order."""
    return [
        list(items[i : i + MAX_EVENTS_PER_REQUEST])
        for i in range(0, len(items), MAX_EVENTS_PER_REQUEST)
    ]


class WebhookDispatcher:
    """Delivers CRM events to the app's webhook URL in the background.

    Thread-safe: `emit` may be called from any request thread and returns at once.
    """

    def __init__(self, config: WebhookSettings, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._target: str | None = config.webhook_target_url
        self._secret = config.client_secret
        self._subscribed = frozenset(config.webhook_subscribed_properties)
        self._subscriptions = frozenset(config.webhook_subscriptions)
        self._inbox: collections.deque[WebhookEvent] = collections.deque()
        self._pending = 0  # events accepted and not yet delivered or dropped
        self._stats = {
            "accepted_events": 0,
            "delivered_events": 0,
            "requests_ok": 0,
            "failed_attempts": 0,
            "retries": 0,
            "dropped_events": 0,
            "duplicates_sent": 0,
        }
        self._log: collections.deque[DeliveryRecord] = collections.deque(maxlen=DELIVERY_LOG_SIZE)
        # Ids look like HubSpot's (large, increasing) and are reproducible from the seed.
        rng = random.Random(config.seed)
        self._event_ids = itertools.count(rng.randrange(10**8, 10**9))
        self._subscription_ids: dict[tuple[str, str | None], int] = {}
        self._next_subscription_id = itertools.count(rng.randrange(10**6, 10**7))
        self._duplicate_rng = random.Random(config.seed + 1)
        # Loop-thread state, created by `start`.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None
        self._buffers: dict[int, list[_Stamped]] = {}
        self._flush_handles: dict[int, asyncio.TimerHandle] = {}
        self._semaphores: dict[int, asyncio.Semaphore] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- public API ------------------------------------------------------------------------

    def set_target(self, url: str | None, client_secret: str) -> None:
        """Point delivery at `url` (None stops delivery) signed with `client_secret`."""
        with self._lock:
            self._target = url
            self._secret = client_secret

    def set_subscriptions(self, subscriptions: list[str]) -> None:
        """Replace the subscriptions beyond the contact defaults (see `is_subscribed`)."""
        with self._lock:
            self._subscriptions = frozenset(subscriptions)

    def is_subscribed(self, event: WebhookEvent) -> bool:
        """Whether the app subscribed to `event`.

        Contact creation, deletion and merge always are, contact property changes for the
        properties in `webhook_subscribed_properties`. Everything else needs an entry in
        `webhook_subscriptions`: the subscription type (`company.creation`,
        `deal.deletion`, `contact.associationChange`) or, for property changes, the type
        and the property (`company.propertyChange:name`), as HubSpot subscribes to one
        property per propertyChange subscription.
        """
        kind = event.subscription_type
        if kind == "contact.propertyChange":
            return event.property_name in self._subscribed
        if kind in _CONTACT_DEFAULTS:
            return True
        if kind.endswith(".propertyChange"):
            return f"{kind}:{event.property_name}" in self._subscriptions
        return kind in self._subscriptions

    def emit(self, event: WebhookEvent) -> None:
        """Queue `event` for delivery; never blocks. Dropped if nobody subscribed to it."""
        with self._lock:
            if self._target is None or not self.is_subscribed(event):
                return
            self._inbox.append(event)
            self._pending += 1
            self._stats["accepted_events"] += 1
            loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._drain_inbox)

    def start(self) -> None:
        """Start the delivery thread; events emitted before `start` are delivered now."""
        if self._loop is not None:
            return
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="sandbox-webhooks", daemon=True)
        thread.start()
        asyncio.run_coroutine_threadsafe(self._open_client(), loop).result()
        with self._lock:
            self._loop = loop
            self._thread = thread
        loop.call_soon_threadsafe(self._drain_inbox)

    def stop(self) -> None:
        """Stop the delivery thread; batches still waiting or retrying are abandoned."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        with self._lock:
            self._pending = 0
            self._idle.notify_all()

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until every accepted event was delivered or dropped; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout_s)

    def stats(self) -> dict[str, int]:
        """Counters for the control endpoint (JSON-ready)."""
        with self._lock:
            return {**self._stats, "pending_events": self._pending}

    def deliveries(self) -> list[DeliveryRecord]:
        """The most recent delivery attempts, oldest first."""
        with self._lock:
            return list(self._log)

    # ---- loop-thread side ------------------------------------------------------------------

    async def _open_client(self) -> None:
        # No pool cap: concurrency is bounded per portal by the semaphores instead.
        self._client = httpx.AsyncClient(limits=httpx.Limits(max_connections=None))

    async def _shutdown(self) -> None:
        for handle in self._flush_handles.values():
            handle.cancel()
        self._flush_handles.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        # Buffers and semaphores belong to this loop; a later `start` builds fresh ones.
        self._buffers.clear()
        self._semaphores.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _drain_inbox(self) -> None:
        with self._lock:
            events = list(self._inbox)
            self._inbox.clear()
        loop = asyncio.get_running_loop()
        for event in events:
            buffer = self._buffers.setdefault(event.portal_id, [])
            buffer.append(self._stamp(event))
            if len(buffer) >= MAX_EVENTS_PER_REQUEST:
                self._flush(event.portal_id)
            elif event.portal_id not in self._flush_handles:
                self._flush_handles[event.portal_id] = loop.call_later(
                    self._config.webhook_flush_window_s, self._flush, event.portal_id
                )

    def _stamp(self, event: WebhookEvent) -> _Stamped:
        # HubSpot gives each subscription (type, and property for propertyChange) its own id.
        key = (event.subscription_type, event.property_name)
        if key not in self._subscription_ids:
            self._subscription_ids[key] = next(self._next_subscription_id)
        return _Stamped(event, next(self._event_ids), self._subscription_ids[key])

    def _flush(self, portal_id: int) -> None:
        handle = self._flush_handles.pop(portal_id, None)
        if handle is not None:
            handle.cancel()
        events = self._buffers.pop(portal_id, [])
        for batch in batches(events):
            self._spawn(self._deliver(portal_id, batch, duplicate=False))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, portal_id: int, batch: list[_Stamped], *, duplicate: bool) -> None:
        semaphore = self._semaphores.setdefault(
            portal_id, asyncio.Semaphore(MAX_CONCURRENT_PER_PORTAL)
        )
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with self._lock:
                target, secret = self._target, self._secret
            if target is None:
                break
            async with semaphore:
                outcome, status = await self._post(target, secret, batch, attempt)
            self._record(portal_id, len(batch), attempt, outcome, status, duplicate)
            if outcome == "ok":
                self._finish(batch, delivered=True, duplicate=duplicate)
                if not duplicate and self._should_duplicate():
                    with self._lock:
                        self._pending += len(batch)
                    self._spawn(self._deliver(portal_id, batch, duplicate=True))
                return
            if attempt < MAX_ATTEMPTS:
                with self._lock:
                    self._stats["retries"] += 1
                await asyncio.sleep(retry_delay_s(attempt, self._config.webhook_retry_base_s))
        self._finish(batch, delivered=False, duplicate=duplicate)

    def _should_duplicate(self) -> bool:
        # HubSpot occasionally sends a delivered batch again; receivers must de-duplicate.
        return self._duplicate_rng.random() < self._config.webhook_duplicate_rate

    async def _post(
        self, target: str, secret: str, batch: list[_Stamped], attempt: int
    ) -> tuple[DeliveryOutcome, int | None]:
        assert self._client is not None  # opened by `start` before any delivery runs
        body = json.dumps(
            [stamped.payload(self._config.app_id, attempt) for stamped in batch],
            separators=(",", ":"),
        )
        # Receivers check freshness against their own wall clock (the SDK does), so the
        # timestamp is real time even when the sandbox clock has been advanced.
        timestamp = int(time.time() * 1000)
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": sign_v3(
                secret, "POST", signature_uri(target), body, timestamp
            ),
            "X-HubSpot-Request-Timestamp": str(timestamp),
            "X-HubSpot-Signature": sign_v1(secret, body),
            "X-HubSpot-Signature-Version": "v1",
        }
        try:
            response = await asyncio.wait_for(
                self._client.post(target, content=body.encode(), headers=headers),
                timeout=self._config.webhook_timeout_s,
            )
        except TimeoutError:
            return "timeout", None
        except httpx.HTTPError:
            return "connection_error", None
        if 200 <= response.status_code < 300:
            return "ok", response.status_code
        return "http_error", response.status_code

    def _record(
        self,
        portal_id: int,
        events: int,
        attempt: int,
        outcome: DeliveryOutcome,
        status: int | None,
        duplicate: bool,
    ) -> None:
        record = DeliveryRecord(
            self._clock.now_ms(), portal_id, events, attempt, outcome, status, duplicate
        )
        with self._lock:
            self._log.append(record)
            if outcome != "ok":
                self._stats["failed_attempts"] += 1

    def _finish(self, batch: list[_Stamped], *, delivered: bool, duplicate: bool) -> None:
        with self._lock:
            if delivered and duplicate:
                self._stats["duplicates_sent"] += len(batch)
            elif delivered:
                self._stats["delivered_events"] += len(batch)
                self._stats["requests_ok"] += 1
            elif not duplicate:  # a lost duplicate loses nothing: the original arrived
                self._stats["dropped_events"] += len(batch)
            self._pending -= len(batch)
            if self._pending == 0:
                self._idle.notify_all()
