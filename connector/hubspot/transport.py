"""The seam between the SDK and the network.

The generated SDK clients send every request through `rest_client.pool_manager.request(...)`
(a urllib3 `PoolManager`). `SdkTransport` takes that place in each sub-client built for a
portal, so one object sees every request and response: it rewrites API paths to the
configured generation, attaches the current bearer token (so a refresh reaches every
sub-client at once and no token copy sits in SDK configuration), applies timeouts, and
reports each response's path, status and headers to an observer (pacing reads the
rate-limit headers there). The underlying pool is injectable for tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import urllib3
from hubspot.discovery.discovery_base import DiscoveryBase

from connector.hubspot.auth import TokenProvider
from connector.hubspot.paths import ApiPaths

ResponseObserver = Callable[[str, int, Mapping[str, str]], None]
"""Called with (path, status, headers) for every response, errors included."""


class HttpPool(Protocol):
    """What the SDK calls on its pool manager (urllib3's `PoolManager.request`)."""

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send one request and return a urllib3-style response."""
        ...


DEFAULT_TIMEOUT = urllib3.Timeout(connect=10.0, read=60.0)


class SdkTransport:
    """Stands in for the urllib3 pool manager inside every SDK sub-client of one portal."""

    def __init__(
        self,
        tokens: TokenProvider,
        *,
        paths: ApiPaths,
        observer: ResponseObserver,
        pool: HttpPool | None = None,
        timeout: urllib3.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._tokens = tokens
        self._paths = paths
        self._observer = observer
        # Retries are owned by tenacity one level up (the SDK's would skip POST/PATCH),
        # so the pool itself never retries.
        self._pool: HttpPool = pool or urllib3.PoolManager(maxsize=10, retries=False)
        self._timeout = timeout
        self.last_token = ""

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send one SDK request with the current token; report the response."""
        parts = urlsplit(url)
        path = self._paths.rewrite(parts.path)
        target = urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
        headers = dict(kwargs.pop("headers", None) or {})
        self.last_token = self._tokens.access_token()
        headers["Authorization"] = f"Bearer {self.last_token}"
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        response = self._pool.request(method, target, headers=headers, **kwargs)
        self._observer(path, int(response.status), dict(response.headers))
        return response

    def api_factory(self, package: Any, api_name: str, config: Mapping[str, Any]) -> Any:
        """`HubSpot(api_factory=...)` hook: build a sub-client the SDK's way, then route it here."""
        api = DiscoveryBase._default_api_factory(package, api_name, config)
        api.api_client.rest_client.pool_manager = self
        return api
