"""Who may see the dashboard: one shared token, exchanged for a signed session cookie.

The token comes from `settings.dashboard_token`; when that is empty a random one is made at
start-up and shown to whoever started the service. Visiting any dashboard page with
`?token=...`, or typing the token into the login form, sets an HttpOnly cookie holding the
issue time and an HMAC of it keyed by the token, so changing the token logs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from connector.settings import Settings

COOKIE_NAME = "leadscore_dashboard"
SESSION_SECONDS = 7 * 24 * 3600
"""How long a login lasts."""


@dataclass(frozen=True)
class DashboardAccess:
    """The dashboard token (never printed by `repr`) and whether it was generated."""

    token: str = field(repr=False)
    generated: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> DashboardAccess:
        """The configured token, or a fresh random one when the setting is empty."""
        configured = settings.dashboard_token.get_secret_value().strip()
        if configured:
            return cls(configured, generated=False)
        return cls(secrets.token_urlsafe(24), generated=True)

    def url(self, public_url: str) -> str:
        """The dashboard address that logs its visitor in (print it only to the operator)."""
        return f"{public_url.rstrip('/')}/dashboard?{urlencode({'token': self.token})}"

    def accepts(self, candidate: str) -> bool:
        """True if `candidate` is the token (constant-time comparison)."""
        return hmac.compare_digest(candidate.strip().encode(), self.token.encode())

    def session_cookie(self, now: int) -> str:
        """A session cookie value issued at `now` (epoch seconds)."""
        return f"{now}.{self._signature(str(now))}"

    def valid_session(self, cookie: str | None, now: int) -> bool:
        """True for a cookie this token signed that has not expired."""
        if not cookie or "." not in cookie:
            return False
        issued, signature = cookie.split(".", 1)
        if not issued.isdigit() or not hmac.compare_digest(signature, self._signature(issued)):
            return False
        return 0 <= now - int(issued) <= SESSION_SECONDS

    def _signature(self, issued: str) -> str:
        message = f"leadscore-dashboard-session:{issued}".encode()
        return hmac.new(self.token.encode(), message, hashlib.sha256).hexdigest()
