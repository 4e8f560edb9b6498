"""Where the gateway gets its bearer token: a static token or a self-refreshing OAuth grant."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from connector.hubspot.oauth import OAuthClient, TokenSet


class TokenProvider(Protocol):
    """Supplies a valid access token for every request."""

    def access_token(self) -> str:
        """A token good for the next request (refreshing first if it is about to expire)."""
        ...

    def invalidate(self) -> None:
        """The current token was refused (401): the next `access_token()` must get a new one."""
        ...


class StaticTokenProvider:
    """A private-app or service-key token: nothing to refresh (a 401 stays a 401)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("a static HubSpot token must not be empty")
        self._token = token

    def __repr__(self) -> str:
        return "StaticTokenProvider(token=[redacted])"

    def access_token(self) -> str:
        """The configured token."""
        return self._token

    def invalidate(self) -> None:
        """Static tokens cannot be renewed; the retry after a 401 fails again and surfaces it."""


class OAuthTokenProvider:
    """An OAuth grant that refreshes itself ahead of expiry.

    Refreshes when fewer than `refresh_margin_s` seconds remain (HubSpot's `expires_in` is
    obeyed, never assumed), or at once after `invalidate()`. Each new `TokenSet` (with
    whatever refresh token came back) goes to `on_refresh` so the store can persist it.
    `ReconnectRequired` from the refresh propagates: the portal must be reconnected.
    Thread-safe: concurrent callers share one refresh.
    """

    def __init__(
        self,
        oauth: OAuthClient,
        tokens: TokenSet,
        *,
        on_refresh: Callable[[TokenSet], None],
        refresh_margin_s: float = 120.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._oauth = oauth
        self._tokens = tokens
        self._on_refresh = on_refresh
        self._margin = refresh_margin_s
        self._now = now
        self._stale = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OAuthTokenProvider(hub_id={self._tokens.hub_id})"

    @property
    def tokens(self) -> TokenSet:
        """The current grant."""
        with self._lock:
            return self._tokens

    def access_token(self) -> str:
        """A token valid for at least the refresh margin."""
        with self._lock:
            if self._stale or self._tokens.expires_within(self._margin, self._now()):
                fresh = self._oauth.refresh(self._tokens.refresh_token)
                if fresh.hub_id is None and self._tokens.hub_id is not None:
                    fresh = TokenSet(fresh.access_token, fresh.refresh_token, fresh.expires_at,
                                     self._tokens.hub_id, fresh.scopes)
                self._tokens = fresh
                self._stale = False
                self._on_refresh(fresh)
            return self._tokens.access_token

    def invalidate(self) -> None:
        """Force a refresh before the next request."""
        with self._lock:
            self._stale = True
