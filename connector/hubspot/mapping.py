"""HubSpot engagement objects → the activity rows scoring reads.

Which property is an engagement's outcome or direction is HubSpot's vocabulary
(`connector.hubspot.objects.ENGAGEMENTS`); the rows are `scoring.leads.ACTIVITY_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from connector.hubspot.objects import TIMESTAMP_PROPERTY, engagement
from connector.hubspot.records import ActivityLinks, EngagementRecord
from connector.scoring.leads import ACTIVITY_COLUMNS, empty_activities


def parse_timestamps(raw: Sequence[Any]) -> pd.Series:
    """HubSpot timestamps (epoch-ms text or ISO 8601) as UTC datetimes (NaT when unreadable)."""
    values = pd.Series(list(raw), dtype="object")
    numeric = pd.to_numeric(values, errors="coerce")
    from_ms = pd.to_datetime(numeric, unit="ms", utc=True, errors="coerce")
    from_iso = pd.to_datetime(values.where(numeric.isna()), utc=True, errors="coerce",
                              format="ISO8601")
    return from_ms.fillna(from_iso).astype("datetime64[ns, UTC]")


def _lower(value: Any) -> str | None:
    return str(value).lower() if value not in (None, "") else None


def activities_frame(engagements: Iterable[EngagementRecord],
                     links: Iterable[ActivityLinks]) -> pd.DataFrame:
    """One activity row per (contact, engagement) pair, in `ACTIVITY_COLUMNS` form.

    Engagements without a parsable `hs_timestamp` are dropped (they cannot be decayed).
    """
    by_key = {(e.kind, e.id): e for e in engagements}
    contact_ids: list[str] = []
    kinds: list[str] = []
    stamps: list[Any] = []
    outcomes: list[str | None] = []
    directions: list[str | None] = []
    for link in links:
        spec = engagement(link.kind)
        for contact_id, engagement_ids in link.by_contact.items():
            for engagement_id in engagement_ids:
                record = by_key.get((link.kind, str(engagement_id)))
                if record is None:
                    continue
                props = record.properties
                contact_ids.append(str(contact_id))
                kinds.append(link.kind)
                stamps.append(props.get(TIMESTAMP_PROPERTY))
                outcome = props.get(spec.outcome_property) if spec.outcome_property else None
                outcomes.append(_lower(outcome))
                direction = (props.get(spec.direction_property)
                             if spec.direction_property else None)
                directions.append(str(direction) if direction else None)
    if not contact_ids:
        return empty_activities()
    frame = pd.DataFrame(
        {
            "contact_id": pd.Series(contact_ids, dtype="object"),
            "kind": pd.Series(kinds, dtype="object"),
            "timestamp": parse_timestamps(stamps),
            "outcome": pd.Series(outcomes, dtype="object"),
            "direction": pd.Series(directions, dtype="object"),
        }
    )
    frame = frame[frame["timestamp"].notna()].reset_index(drop=True)
    return frame[list(ACTIVITY_COLUMNS)]
