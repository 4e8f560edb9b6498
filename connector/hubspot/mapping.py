"""HubSpot records ⇄ scoring input, and scores → contact property values.

- `lead_frame` turns contact records and engagement rows into a `LeadFrame`.
- `input_hashes` fingerprints what feeds scoring per contact, so a pass recognises its own
  echoes (our writes bump `lastmodifieddate`) by comparing inputs, not timestamps.
- `score_updates` renders scores as the strings HubSpot wants for a model's properties.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from connector.hubspot.records import ActivityLinks, ContactRecord, ContactUpdate, EngagementRecord
from connector.scoring.leads import ACTIVITY_COLUMNS, LeadFrame, empty_activities
from connector.scoring.properties import ModelProperties

ENGAGEMENT_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "call": ("hs_timestamp", "hs_call_status", "hs_call_direction", "hs_call_duration"),
    "email": ("hs_timestamp", "hs_email_direction"),
    "meeting": ("hs_timestamp", "hs_meeting_outcome", "hs_meeting_start_time"),
    "note": ("hs_timestamp",),
    "task": ("hs_timestamp", "hs_task_status"),
}
"""Properties to read per engagement kind for `lead_frame`."""

_OUTCOME = {"call": "hs_call_status", "meeting": "hs_meeting_outcome", "task": "hs_task_status"}
_DIRECTION = {"call": "hs_call_direction", "email": "hs_email_direction"}

VOLATILE_PROPERTIES = frozenset({"lastmodifieddate", "hs_lastmodifieddate", "createdate",
                                 "hs_object_id"})
"""Properties that change without the lead changing (or never change); not hashed."""

SCORE_COLUMNS = ("score", "fit", "engagement", "likelihood", "tier", "reasons", "segment")
"""Columns `score_updates` reads from a score table (missing ones are written as empty)."""


def _record_parts(record: ContactRecord | Mapping[str, Any] | Any) -> tuple[str, Mapping[str, Any]]:
    if isinstance(record, ContactRecord):
        return record.id, record.properties
    if isinstance(record, Mapping):
        return str(record["id"]), record.get("properties") or {}
    return str(record.id), record.properties or {}


def contacts_frame(
    records: Iterable[ContactRecord | Mapping[str, Any] | Any],
    properties: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A property table indexed by contact id from records (ours, SDK objects or dicts).

    With `properties`, exactly those columns (absent values are None); otherwise the union.
    Later duplicates of an id replace earlier ones.
    """
    rows: dict[str, Mapping[str, Any]] = {}
    for record in records:
        contact_id, values = _record_parts(record)
        rows[contact_id] = values
    columns = list(properties) if properties is not None else sorted(
        {name for values in rows.values() for name in values}
    )
    index = pd.Index(list(rows), dtype="object", name="id")
    return pd.DataFrame(
        {c: pd.Series([rows[i].get(c) for i in rows], index=index, dtype="object")
         for c in columns},
        index=index,
    )


def _timestamps(raw: Sequence[Any]) -> pd.Series:
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
        for contact_id, engagement_ids in link.by_contact.items():
            for engagement_id in engagement_ids:
                engagement = by_key.get((link.kind, str(engagement_id)))
                if engagement is None:
                    continue
                props = engagement.properties
                contact_ids.append(str(contact_id))
                kinds.append(link.kind)
                stamps.append(props.get("hs_timestamp"))
                outcomes.append(_lower(props.get(_OUTCOME.get(link.kind, ""))))
                direction = props.get(_DIRECTION.get(link.kind, ""))
                directions.append(str(direction) if direction else None)
    if not contact_ids:
        return empty_activities()
    frame = pd.DataFrame(
        {
            "contact_id": pd.Series(contact_ids, dtype="object"),
            "kind": pd.Series(kinds, dtype="object"),
            "timestamp": _timestamps(stamps),
            "outcome": pd.Series(outcomes, dtype="object"),
            "direction": pd.Series(directions, dtype="object"),
        }
    )
    frame = frame[frame["timestamp"].notna()].reset_index(drop=True)
    return frame[list(ACTIVITY_COLUMNS)]


def lead_frame(
    contacts: Iterable[ContactRecord | Mapping[str, Any] | Any],
    properties: Sequence[str] | None = None,
    engagements: Iterable[EngagementRecord] = (),
    links: Iterable[ActivityLinks] = (),
) -> LeadFrame:
    """The scoring input for a page of contacts and their engagements."""
    return LeadFrame.from_table(contacts_frame(contacts, properties),
                                activities_frame(engagements, links))


def _canonical(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def input_hashes(frame: LeadFrame, columns: Sequence[str] | None = None) -> pd.Series:
    """A stable SHA-256 per contact over the properties and activities that feed scoring.

    `columns` defaults to every column except our own `leadscore_*` outputs and
    `VOLATILE_PROPERTIES`. Activities are hashed in a canonical order, so the same inputs
    give the same hash in any run, process or row order.
    """
    chosen = sorted(
        columns if columns is not None else [
            c for c in frame.contacts.columns
            if not str(c).startswith("leadscore_") and c not in VOLATILE_PROPERTIES
        ]
    )
    activity_rows: dict[str, list[list[str | None]]] = {}
    for row in frame.activities.itertuples(index=False):
        activity_rows.setdefault(str(row.contact_id), []).append(
            [_canonical(row.kind), _canonical(row.timestamp), _canonical(row.outcome),
             _canonical(row.direction)]
        )
    table = frame.contacts.reindex(columns=chosen)
    hashes = []
    for contact_id, values in zip(table.index, table.itertuples(index=False), strict=True):
        payload = {
            "p": [[c, _canonical(v)] for c, v in zip(chosen, values, strict=True)],
            "a": sorted(activity_rows.get(str(contact_id), []), key=lambda r: [x or "" for x in r]),
        }
        encoded = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        hashes.append(hashlib.sha256(encoded).hexdigest())
    return pd.Series(hashes, index=table.index, dtype="object", name="input_hash")


def format_number(value: Any) -> str:
    """A score as HubSpot wants a number property: `"73.5"`, `"100"`; `""` when missing."""
    if value is None:
        return ""
    number = float(value)
    if math.isnan(number):
        return ""
    rounded = round(number, 1)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"


def format_datetime(moment: datetime) -> str:
    """A datetime property value: ISO 8601 in UTC with milliseconds."""
    if moment.tzinfo is None:
        raise ValueError("scored_at must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(value: Any) -> str:
    canonical = _canonical(value)
    return canonical if canonical is not None else ""


def score_updates(
    scores: pd.DataFrame,
    names: ModelProperties,
    *,
    scored_at: datetime,
    version: str,
    lifecycle_column: str = "lifecyclestage",
) -> list[ContactUpdate]:
    """Property updates for one model from a score table indexed by contact id.

    Reads `SCORE_COLUMNS` (numbers 0-100, tier/segment values, reasons text) and, when
    present and non-empty, `lifecycle_column` (the forward-only stage decided by scoring).
    """
    stamp = format_datetime(scored_at)
    present = {c for c in SCORE_COLUMNS if c in scores.columns}
    with_stage = lifecycle_column in scores.columns
    updates: list[ContactUpdate] = []
    for contact_id, row in scores.iterrows():
        def get(column: str, row: pd.Series = row) -> Any:
            return row[column] if column in present else None

        values = {
            names.score: format_number(get("score")),
            names.fit: format_number(get("fit")),
            names.engagement: format_number(get("engagement")),
            names.likelihood: format_number(get("likelihood")),
            names.tier: _text(get("tier")),
            names.reasons: _text(get("reasons")),
            names.segment: _text(get("segment")),
            names.scored_at: stamp,
            names.version: version,
        }
        if with_stage and _text(row[lifecycle_column]):
            values["lifecyclestage"] = _text(row[lifecycle_column])
        updates.append(ContactUpdate(id=str(contact_id), properties=values))
    return updates
