"""Serve an ASGI app with uvicorn on a background thread (tests, benchmarks and the demo).

The socket is bound here, before uvicorn starts, so port 0 yields a free port whose URL is
known at once and parallel test processes never collide.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from connector.errors import LeadscoreError

_START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ServedApp:
    """A running server: where to reach it."""

    url: str
    host: str
    port: int


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port` (0 = any free port), or a clear error."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise LeadscoreError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    return sock


@contextmanager
def serve_in_thread(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    sock: socket.socket | None = None,
) -> Iterator[ServedApp]:
    """Serve `app` until the block ends; yields the server's `url` once it accepts requests.

    Pass `sock` (from `bind_socket`) when the URL must be known before the app is built
    (settings.public_url feeds the OAuth redirect URI and the webhook signature URL); the
    socket is closed when the block ends. Lifespan events are off: whoever builds the app
    owns the services behind it.
    """
    if sock is None:
        sock = bind_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", http="h11")
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="leadscore-web", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise LeadscoreError(f"the web app failed to start on {bound_host}:{bound_port}")
            time.sleep(0.01)
        yield ServedApp(url=f"http://{bound_host}:{bound_port}", host=bound_host, port=bound_port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
