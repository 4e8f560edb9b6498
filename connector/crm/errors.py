"""Errors crossing the CRM port: the sync reacts to these, never to API-specific types."""

from __future__ import annotations

from connector.errors import LeadscoreError


class CrmError(LeadscoreError):
    """A failed CRM call. `status` is the HTTP status (0 when none came back)."""

    def __init__(self, message: str, *, status: int = 0, category: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.category = category

    def reconnect_reason(self, *, static_token: bool) -> str | None:
        """Why this error means the portal must be reconnected, or None if it does not."""
        return None
