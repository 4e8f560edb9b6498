"""HubSpot-side records that never cross the CRM port (engagements and their links)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class EngagementRecord:
    """One engagement object (call, email, meeting, note, task) and its properties."""

    id: str
    kind: str
    properties: Mapping[str, str | None]


@dataclass(frozen=True)
class ActivityLinks:
    """Which engagements of one kind belong to which contact."""

    kind: str
    by_contact: Mapping[str, Sequence[str]]
