"""The demo's side of the sandbox: its `/_sandbox/*` control endpoints, over HTTP.

The demo adds leads, reads the hidden ground truth and reads the request counters the way
tests do, through the control API rather than the sandbox's Python objects, so it works the
same against a sandbox in another process (`leadscore sandbox`). Control calls are not
CRM calls: they spend no rate limit and appear in no request counter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
import numpy as np
import pandas as pd

from connector.errors import LeadscoreError

_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SandboxPortal:
    """One sandbox portal as the control API describes it."""

    hub_id: int
    name: str
    contacts: int
    static_token: str = field(repr=False)
    """A private-app token of the portal (its own rate-limit allowance, not the OAuth app's)."""


@dataclass(frozen=True)
class GroundTruth:
    """The generator's hidden outcome per contact, indexed by str(contact id).

    `converted` says whether the contact becomes an opportunity, already or in the future
    (past conversions also show in HubSpot as the lifecycle stage; future ones only here).
    """

    converted: pd.Series


@dataclass(frozen=True)
class EndpointCount:
    """Requests the sandbox answered on one route, by status code."""

    endpoint: str
    """"METHOD /route/template"."""
    by_status: dict[int, int]

    @property
    def total(self) -> int:
        """Every request on this route."""
        return sum(self.by_status.values())


@dataclass(frozen=True)
class RequestCounts:
    """What the sandbox saw of one portal: requests by route and status, 429s by policy."""

    total: int
    endpoints: list[EndpointCount]
    rate_limited: dict[str, int]

    @property
    def rate_limited_total(self) -> int:
        """All 429 answers, whatever the policy."""
        return sum(self.rate_limited.values())


class SandboxControl:
    """An HTTP client of one sandbox's control endpoints. Use as a context manager."""

    def __init__(self, base_url: str) -> None:
        """Talk to the sandbox at `base_url` (e.g. `http://127.0.0.1:54321`)."""
        self._http = httpx.Client(base_url=base_url, timeout=_TIMEOUT_S)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> SandboxControl:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        try:
            response = self._http.request(method, path, json=json)
        except httpx.HTTPError as exc:
            raise LeadscoreError(f"sandbox control {method} {path} failed: {exc}") from exc
        if response.status_code >= 400:
            raise LeadscoreError(
                f"sandbox control {method} {path} answered {response.status_code}: "
                f"{response.text[:200]}"
            )
        return response.json()

    def portals(self) -> list[SandboxPortal]:
        """Every portal of the sandbox."""
        body = self._call("GET", "/_sandbox/portals")
        return [
            SandboxPortal(
                hub_id=int(p["hub_id"]),
                name=str(p["name"]),
                contacts=int(p["contacts"]),
                static_token=str(p["static_token"]),
            )
            for p in body["results"]
        ]

    def add_leads(self, hub_id: int, count: int, seed: int) -> list[int]:
        """Create `count` realistic new leads (each fires `contact.creation`); their ids."""
        body = self._call(
            "POST", f"/_sandbox/portals/{hub_id}/leads", {"count": count, "seed": seed}
        )
        return [int(i) for i in body["ids"]]

    def ground_truth(self, hub_id: int) -> GroundTruth:
        """The hidden outcome of every contact the generator made."""
        rows = self._call("GET", f"/_sandbox/portals/{hub_id}/truth")["results"]
        index = pd.Index([str(r["contact_id"]) for r in rows], dtype="object", name="contact_id")
        converted = np.array([bool(r["converted"]) for r in rows], dtype=bool)
        return GroundTruth(converted=pd.Series(converted, index=index))

    def request_counts(self, hub_id: int) -> RequestCounts:
        """The portal's request counters."""
        body = self._call("GET", f"/_sandbox/portals/{hub_id}/counters")
        endpoints = [
            EndpointCount(endpoint, {int(status): int(n) for status, n in statuses.items()})
            for endpoint, statuses in body["requests"].items()
        ]
        return RequestCounts(
            total=int(body["total_requests"]),
            endpoints=endpoints,
            rate_limited={str(k): int(v) for k, v in body["rate_limited"].items()},
        )

    def webhook_stats(self) -> dict[str, int]:
        """The webhook dispatcher's counters (delivered events, retries, failures...)."""
        body = self._call("GET", "/_sandbox/webhooks")
        return {str(k): int(v) for k, v in body.items()}
