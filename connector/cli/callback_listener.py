"""A one-shot local HTTP listener for the OAuth redirect (terminal one-click connection).

`leadscore connect` without the web app: listen on the redirect URI's host and port, wait
for HubSpot to send the browser back with `?code=&state=`, hand them to a callback and show
the browser a short page saying how it went.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from connector.errors import LeadscoreError


@dataclass(frozen=True)
class CallbackOutcome:
    """What the callback handler made of the redirect: a message, and an error if it failed."""

    message: str
    error: LeadscoreError | None = None


Handler = Callable[[str | None, str | None], str]
"""Called with (code, state); returns the success message or raises `LeadscoreError`."""


def wait_for_callback(redirect_uri: str, handle: Handler, *, timeout_s: float = 300.0
                      ) -> CallbackOutcome:
    """Serve the redirect URI until one callback arrives (or `timeout_s` passes)."""
    parts = urlsplit(redirect_uri)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    outcome: list[CallbackOutcome] = []
    done = threading.Event()

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            request = urlsplit(self.path)
            if request.path != path or done.is_set():
                self.send_error(404)
                return
            query = parse_qs(request.query)
            error = query.get("error", [None])[0]
            try:
                if error:
                    raise LeadscoreError(f"HubSpot refused the installation: {error}")
                result = CallbackOutcome(handle(query.get("code", [None])[0],
                                                query.get("state", [None])[0]))
            except LeadscoreError as exc:
                result = CallbackOutcome(str(exc), exc)
            status = 200 if result.error is None else 400
            body = (f"<!doctype html><title>leadscore</title><h1>"
                    f"{'Connected' if result.error is None else 'Connection failed'}</h1>"
                    f"<p>{html.escape(result.message)}</p><p>You can close this tab.</p>")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())
            outcome.append(result)
            done.set()

        def log_message(self, format: str, *args: object) -> None:
            # The query string carries the one-time code: keep it out of the terminal.
            return

    try:
        server = HTTPServer((host, port), _Handler)
    except OSError as exc:
        raise LeadscoreError(
            f"cannot listen on {host}:{port} for the OAuth redirect ({exc.strerror}); "
            "stop what uses that port or set LEADSCORE_PUBLIC_URL"
        ) from None
    server.timeout = 0.5
    try:
        waited = 0.0
        while not done.is_set():
            server.handle_request()
            waited += server.timeout
            if waited >= timeout_s and not done.is_set():
                raise LeadscoreError(
                    f"no OAuth callback within {int(timeout_s)} s; run `leadscore connect` again"
                )
    finally:
        server.server_close()
    return outcome[0]
