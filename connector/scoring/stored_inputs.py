"""The stored form of leads' scoring inputs, and the `LeadFrame` rebuilt from it.

The stored inputs of a contact (`ContactState.inputs`) are
`{"properties": {name: str | None}, "activities": [{"kind", "timestamp", "outcome",
"direction"}]}` with ISO 8601 UTC timestamps: enough to rescore a contact (decay,
inactivity), to train the portal's model and to evaluate the scoring without reading the
CRM again. They are kept once per contact for all scoring models, under the model key
`STATE_MODEL`: every model reads the same inputs.

Pure: the sync writes these dicts to the store and reads them back; the reports read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from connector.scoring.leads import ACTIVITY_COLUMNS, LeadFrame, empty_activities

STATE_MODEL = "*"
"""`ContactState.scoring_model` of the per-contact input rows (never a valid model name)."""


class StoredContact(Protocol):
    """A contact as stored (e.g. `connector.store.ContactState`): its id and its inputs."""

    @property
    def contact_id(self) -> int:
        """The contact's id."""
        ...

    @property
    def inputs(self) -> Mapping[str, Any]:
        """The stored inputs (see the module's docstring)."""
        ...


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    return str(value)


def _iso(value: Any) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    return pd.Timestamp(value).tz_convert("UTC").isoformat()


def stored_inputs(frame: LeadFrame, properties: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored-inputs dict of every contact of `frame`, by contact id."""
    table = frame.contacts.reindex(columns=list(properties))
    activities: dict[str, list[dict[str, Any]]] = {}
    for row in frame.activities.itertuples(index=False):
        activities.setdefault(str(row.contact_id), []).append(
            {
                "kind": _text(row.kind),
                "timestamp": _iso(row.timestamp),
                "outcome": _text(row.outcome),
                "direction": _text(row.direction),
            }
        )
    result: dict[str, dict[str, Any]] = {}
    for contact_id, values in zip(table.index, table.itertuples(index=False), strict=True):
        result[str(contact_id)] = {
            "properties": {
                name: _text(value) for name, value in zip(properties, values, strict=True)
            },
            "activities": activities.get(str(contact_id), []),
        }
    return result


def properties_of(state: StoredContact) -> Mapping[str, str | None]:
    """The stored property values of a contact (empty for a malformed row)."""
    props = state.inputs.get("properties") if isinstance(state.inputs, dict) else None
    return props if isinstance(props, dict) else {}


def lead_frame_from_states(states: Sequence[StoredContact]) -> LeadFrame:
    """Rebuild the `LeadFrame` of stored contacts (daily rescore, training, history).

    Contacts are indexed by `str(contact_id)` with one column per stored property (the union
    over the states; values `str | None`); activities are in `ACTIVITY_COLUMNS` form.
    """
    ids = [str(s.contact_id) for s in states]
    rows = [properties_of(s) for s in states]
    columns = sorted({name for row in rows for name in row})
    index = pd.Index(ids, dtype="object", name="id")
    contacts = pd.DataFrame(
        {c: pd.Series([row.get(c) for row in rows], index=index, dtype="object") for c in columns},
        index=index,
    )
    owners: list[str] = []
    kinds: list[Any] = []
    stamps: list[Any] = []
    outcomes: list[Any] = []
    directions: list[Any] = []
    for contact_id, state in zip(ids, states, strict=True):
        raw = state.inputs.get("activities") if isinstance(state.inputs, dict) else None
        for activity in raw or []:
            owners.append(contact_id)
            kinds.append(activity.get("kind"))
            stamps.append(activity.get("timestamp"))
            outcomes.append(activity.get("outcome"))
            directions.append(activity.get("direction"))
    if not owners:
        return LeadFrame(contacts=contacts, activities=empty_activities())
    activities = pd.DataFrame(
        {
            "contact_id": pd.Series(owners, dtype="object"),
            "kind": pd.Series(kinds, dtype="object"),
            "timestamp": pd.to_datetime(pd.Series(stamps, dtype="object"), utc=True,
                                        format="ISO8601", errors="coerce"),
            "outcome": pd.Series(outcomes, dtype="object"),
            "direction": pd.Series(directions, dtype="object"),
        }
    )
    activities = activities[activities["timestamp"].notna()].reset_index(drop=True)
    return LeadFrame(contacts=contacts, activities=activities[list(ACTIVITY_COLUMNS)])
