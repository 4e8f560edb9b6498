"""The contact summary properties HubSpot recalculates when an engagement is logged.

The rules match the generator's (`generator.py`), so contacts that gain activity while the
sandbox runs look like seeded ones:

- any past engagement → `notes_last_updated` (Last Activity Date);
- past calls, emails and meetings → `hs_last_sales_activity_timestamp`;
- past calls, outgoing emails and meetings → `notes_last_contacted`, `num_contacted_notes` +1;
- past incoming emails (replies) → `hs_sales_email_last_replied`;
- meetings, even scheduled ones → `engagements_last_meeting_booked` (when it was booked:
  now, or the meeting's time if that already passed).

Dates only move forward: an engagement back-dated before the current value changes nothing.

Their history is not stored: `summary_history` replays a contact's engagement objects into
one version per change when `propertiesWithHistory` asks, so seeding stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from connector.sandbox.history import Version
from connector.sandbox.values import iso_from_ms, parse_time_ms

SALES_ACTIVITY_TYPES = frozenset({"calls", "emails", "meetings"})
INCOMING_EMAIL = "INCOMING_EMAIL"
FORWARDED_EMAIL = "FORWARDED_EMAIL"


def summary_updates(
    contact: Mapping[str, str],
    object_type: str,
    engagement: Mapping[str, str],
    timestamp_ms: int,
    now_ms: int,
) -> dict[str, str]:
    """The contact's summary properties after logging `engagement`: changed values only."""
    updates: dict[str, str] = {}

    def later(name: str, ms: int) -> None:
        current = parse_time_ms(contact.get(name, ""))
        if current is None or ms > current:
            updates[name] = iso_from_ms(ms)

    if object_type == "meetings":
        later("engagements_last_meeting_booked", min(timestamp_ms, now_ms))
    if timestamp_ms > now_ms:
        # A scheduled engagement is not activity yet.
        return updates
    later("notes_last_updated", timestamp_ms)
    if object_type in SALES_ACTIVITY_TYPES:
        later("hs_last_sales_activity_timestamp", timestamp_ms)
    direction = engagement.get("hs_email_direction")
    if object_type == "emails" and direction == INCOMING_EMAIL:
        later("hs_sales_email_last_replied", timestamp_ms)
    contacted = object_type in ("calls", "meetings") or (
        object_type == "emails" and direction not in (INCOMING_EMAIL, FORWARDED_EMAIL)
    )
    if contacted:
        later("notes_last_contacted", timestamp_ms)
        times = contact.get("num_contacted_notes", "")
        updates["num_contacted_notes"] = str((int(times) if times.isdigit() else 0) + 1)
    return updates


SUMMARY_PROPERTIES = frozenset(
    {
        "notes_last_updated",
        "hs_last_sales_activity_timestamp",
        "hs_sales_email_last_replied",
        "notes_last_contacted",
        "num_contacted_notes",
        "engagements_last_meeting_booked",
    }
)
"""The contact properties `summary_updates` keeps: their history is derived, not stored."""


@dataclass(frozen=True)
class LoggedEngagement:
    """What the summary reads of one engagement of a contact."""

    object_type: str
    timestamp_ms: int
    direction: str | None  # emails only: hs_email_direction
    booked_ms: int  # meetings: when it was booked (its creation); others: its timestamp


def summary_history(
    engagements: Iterable[LoggedEngagement], now_ms: int
) -> dict[str, list[Version]]:
    """The versions each summary property went through, oldest first, replayed from the
    contact's engagements with the rules of `summary_updates` (one version per change;
    source CALCULATED, at the instant the engagement happened or the meeting was booked)."""
    events: list[tuple[int, str, str]] = []  # (at, property, "date" | "count")
    for e in engagements:
        if e.object_type == "meetings":
            events.append((min(e.booked_ms, now_ms), "engagements_last_meeting_booked", "date"))
        if e.timestamp_ms > now_ms:
            continue
        events.append((e.timestamp_ms, "notes_last_updated", "date"))
        if e.object_type in SALES_ACTIVITY_TYPES:
            events.append((e.timestamp_ms, "hs_last_sales_activity_timestamp", "date"))
        if e.object_type == "emails" and e.direction == INCOMING_EMAIL:
            events.append((e.timestamp_ms, "hs_sales_email_last_replied", "date"))
        if e.object_type in ("calls", "meetings") or (
            e.object_type == "emails" and e.direction not in (INCOMING_EMAIL, FORWARDED_EMAIL)
        ):
            events.append((e.timestamp_ms, "notes_last_contacted", "date"))
            events.append((e.timestamp_ms, "num_contacted_notes", "count"))
    out: dict[str, list[Version]] = {}
    counts: dict[str, int] = {}
    latest: dict[str, int] = {}
    for at, name, kind in sorted(events):
        if kind == "count":
            counts[name] = counts.get(name, 0) + 1
            value = str(counts[name])
        elif at > latest.get(name, -1):
            latest[name] = at
            value = iso_from_ms(at)
        else:
            continue
        versions = out.setdefault(name, [])
        if versions and versions[-1].timestamp_ms == at:
            versions[-1] = Version(value, at, "CALCULATED")
        else:
            versions.append(Version(value, at, "CALCULATED"))
    return out
