"""Signatures and event parsing on real deliveries from the sandbox's webhook dispatcher."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connector.hubspot.events import parse_webhook_body
from connector.hubspot.signatures import InvalidSignature, verify_request
from tests.hubspot.conftest import Sandbox

Delivery = tuple[str, dict[str, str], bytes]


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[Delivery]]]:
    """A loopback HTTP server that records every POST and answers 204."""
    received: list[Delivery] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append((self.path, dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def _created_ids(received: list[Delivery]) -> int:
    ids = {e.object_id for _, _, body in list(received) for e in parse_webhook_body(body)
           if e.subscription_type == "contact.creation"}
    return len(ids)


def test_deliveries_verify_and_parse(sandbox_factory: Callable[..., Sandbox],
                                     receiver: tuple[str, list[Delivery]]) -> None:
    base, received = receiver
    # As behind a proxy: the configured public URL is what HubSpot signs; the query string
    # carries characters HubSpot decodes before signing.
    target = f"{base}/webhooks/hubspot?tag=a%3Ab"
    box = sandbox_factory(contacts_per_portal=0, webhook_target_url=target,
                          webhook_flush_window_s=0.0)
    box.control("POST", f"/portals/{box.hub_id}/leads",
                json={"leads": [{"email": f"w{i}@hooks.example"} for i in range(3)]})
    # With no flush window the three creations may come in one request or in several.
    deadline = time.monotonic() + 20
    while _created_ids(received) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert received, "the sandbox delivered nothing"
    secret = box.server.config.client_secret
    events = []
    for path, headers, body in received:
        assert path.startswith("/webhooks/hubspot")
        assert verify_request(secret, method="POST", uri=target, body=body,
                              headers=headers) == "v3"
        with pytest.raises(InvalidSignature):
            verify_request("another-secret", method="POST", uri=target, body=body,
                           headers=headers)
        events.extend(parse_webhook_body(body))
    creations = [e for e in events if e.subscription_type == "contact.creation"]
    assert len({e.object_id for e in creations}) == 3
    assert all(e.portal_id == box.hub_id for e in creations)
