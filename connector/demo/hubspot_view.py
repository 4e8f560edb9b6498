"""Looking at the portal from outside the connector: what a HubSpot user would see.

The demo checks that new leads really got their scores *in HubSpot* by reading the contacts
through HubSpot's public CRM API with the portal's own private-app token, as any other
integration would, rather than by asking the connector. That token has its own rate-limit
allowance, so watching never slows the connector down; the calls it makes are counted here
so the summary can tell them apart from the connector's in the sandbox's request counters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from connector.errors import LeadscoreError

_TIMEOUT_S = 30.0
BATCH_READ_MAX = 100
"""HubSpot's batch read takes at most 100 ids per call."""


@dataclass(frozen=True)
class SeenContact:
    """A contact's current values of the properties asked for."""

    contact_id: int
    properties: dict[str, str | None]


@dataclass(frozen=True)
class PropertyInfo:
    """One contact property definition of the portal."""

    name: str
    group: str
    type: str


class PortalViewer:
    """Reads one portal's contacts and properties over HubSpot's CRM API (v3 paths)."""

    def __init__(self, api_url: str, token: str) -> None:
        """Read from `api_url` (HubSpot or the sandbox) with a private-app `token`."""
        self._http = httpx.Client(
            base_url=api_url,
            timeout=_TIMEOUT_S,
            headers={"Authorization": f"Bearer {token}"},
        )
        self.requests = 0
        """Every HTTP request this viewer made (the sandbox counts them with the rest)."""

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> PortalViewer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        self.requests += 1
        try:
            response = self._http.request(method, path, json=json)
        except httpx.HTTPError as exc:
            raise LeadscoreError(f"reading the portal ({method} {path}) failed: {exc}") from exc
        if response.status_code >= 400:
            raise LeadscoreError(
                f"reading the portal ({method} {path}) answered {response.status_code}: "
                f"{response.text[:200]}"
            )
        return response.json()

    def read_contacts(
        self, contact_ids: Sequence[int], properties: Sequence[str]
    ) -> list[SeenContact]:
        """Current values of `properties` for these contacts (ones HubSpot lacks are left out)."""
        seen: list[SeenContact] = []
        for start in range(0, len(contact_ids), BATCH_READ_MAX):
            chunk = contact_ids[start : start + BATCH_READ_MAX]
            body = self._call(
                "POST",
                "/crm/v3/objects/contacts/batch/read",
                {"inputs": [{"id": str(i)} for i in chunk], "properties": list(properties)},
            )
            seen.extend(
                SeenContact(
                    contact_id=int(r["id"]),
                    properties={name: r["properties"].get(name) for name in properties},
                )
                for r in body.get("results", [])
            )
        return seen

    def properties(self, group: str | None = None) -> list[PropertyInfo]:
        """The portal's contact property definitions (of one group, when given)."""
        body = self._call("GET", "/crm/v3/properties/contacts")
        found = [
            PropertyInfo(name=str(p["name"]), group=str(p.get("groupName")), type=str(p["type"]))
            for p in body["results"]
        ]
        return [p for p in found if group is None or p.group == group]
