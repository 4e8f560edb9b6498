"""`SandboxServer`: the sandbox served by uvicorn on a background thread, on its own socket."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from connector.sandbox.app import create_app
from connector.sandbox.config import SandboxConfig
from connector.sandbox.core import Sandbox

_START_TIMEOUT_S = 30.0


class SandboxServer:
    """Run a sandbox over HTTP until `stop()` (or the end of a `with` block).

    The socket is bound here (port 0 = a free port), so parallel tests never collide and
    `.url` is known before the first request.
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.sandbox = Sandbox(self.config)
        self.app = create_app(self.sandbox)
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> SandboxServer:
        """Bind, start serving in a background thread and wait until it accepts requests."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.config.host, self.config.port))
        except OSError:
            sock.close()
            raise
        sock.listen(2048)
        host, port = sock.getsockname()[:2]
        self._socket = sock
        self.url = f"http://{host}:{port}"
        server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                log_level="warning",
                access_log=False,
                lifespan="off",
                http="h11",
                timeout_keep_alive=30,
            )
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="hubspot-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the HubSpot sandbox server failed to start")
            time.sleep(0.01)
        # Dropped-connection faults need uvicorn's live connections (see faults.py).
        self.sandbox.dropper.attach(server.server_state.connections)
        self.sandbox.webhooks.start()
        return self

    def stop(self) -> None:
        """Stop serving, stop webhook delivery and release the socket."""
        self.sandbox.webhooks.stop()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
