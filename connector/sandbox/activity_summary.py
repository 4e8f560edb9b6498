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
"""

from __future__ import annotations

from collections.abc import Mapping

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
