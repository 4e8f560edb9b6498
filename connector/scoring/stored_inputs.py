"""The stored form of leads' scoring inputs (`StoredInputs`), and the `LeadFrame` rebuilt
from it.

What the connector keeps per contact (`ContactState.inputs`) is enough to rescore it
(decay, inactivity), to train the portal's model and to evaluate the scoring without
reading the CRM again: its property values — the contact's own properties and the account
columns the sync joins in (`company.*`, `account.*`), all just columns — and its
activities. One record per contact serves every scoring model.

Its JSON document (schema version 1):

    {"version": 1,
     "properties": {name: str | null, ...},
     "activities": [{"kind": str, "timestamp": ISO 8601, "outcome": str | null,
                     "direction": str | null}, ...]}

A document without `"version"` (written before the field existed, same shape) reads as
version 1. `StoredInputs.from_json` validates and raises `StoredInputsError` naming what is
wrong; a newer version than this code knows is refused rather than guessed at.

Pure: the sync stores these records and reads them back; the reports read them.
`stored_inputs` (frame → records) and `lead_frame_from_states` (records → frame) work
column-wise: they run on every contact of a portal (20k–1M).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import accumulate, chain
from operator import itemgetter
from types import NoneType
from typing import Any, Literal, NamedTuple, Protocol

import numpy as np
import pandas as pd

from connector.errors import LeadscoreError
from connector.scoring.leads import ACTIVITY_COLUMNS, LeadFrame, empty_activities

STORED_INPUTS_VERSION = 1
"""The schema version `StoredInputs.to_json` writes (and the newest `from_json` reads)."""

_ACTIVITY_FIELDS = ("kind", "timestamp", "outcome", "direction")
_ACTIVITY_ROW = itemgetter(*_ACTIVITY_FIELDS)
_KIND, _STAMP = itemgetter(0), itemgetter(1)
_FIELDS = frozenset({"version", "properties", "activities"})
_TEXT_OR_NONE = frozenset({str, NoneType})
_TEXT = frozenset({str})


class StoredInputsError(LeadscoreError, ValueError):
    """A stored-inputs document that is not of a known shape."""


class StoredActivity(NamedTuple):
    """One engagement of a contact as stored (a row of `LeadFrame.activities`)."""

    kind: str
    """call, email, meeting, note or task."""
    timestamp: str
    """When it happened, ISO 8601 with offset (UTC)."""
    outcome: str | None = None
    direction: str | None = None


_new_activity = partial(tuple.__new__, StoredActivity)


@dataclass(frozen=True, slots=True)
class StoredInputs:
    """The scoring inputs of one contact as stored (treat `properties` as read-only)."""

    properties: Mapping[str, str | None]
    """Property values by column: contact properties, `company.*` and `account.*`."""
    activities: tuple[StoredActivity, ...] = ()
    version: int = STORED_INPUTS_VERSION

    def to_json(self) -> dict[str, Any]:
        """The JSON document (see the module's docstring)."""
        return {
            "version": self.version,
            "properties": dict(self.properties),
            "activities": [
                {"kind": kind, "timestamp": stamp, "outcome": outcome, "direction": direction}
                for kind, stamp, outcome, direction in self.activities
            ],
        }

    @classmethod
    def from_json(cls, document: Any) -> StoredInputs:
        """Validate and read a JSON document; an unversioned one is version 1.

        Raises `StoredInputsError` for anything else than a version-1 document.
        """
        if type(document) is not dict:
            raise StoredInputsError(
                f"stored inputs must be an object, not {type(document).__name__}"
            )
        version = document.get("version", 1)
        if version != STORED_INPUTS_VERSION or type(version) is not int:
            if type(version) is int and version > STORED_INPUTS_VERSION:
                raise StoredInputsError(
                    f"stored inputs of version {version}, newer than this code reads "
                    f"({STORED_INPUTS_VERSION}); upgrade leadscore"
                )
            raise StoredInputsError(
                f"stored inputs: 'version' must be {STORED_INPUTS_VERSION}, not {version!r}"
            )
        if not _FIELDS.issuperset(document):
            unknown = sorted(str(k) for k in document if k not in _FIELDS)
            raise StoredInputsError(f"stored inputs: unknown field(s) {unknown}")
        return cls(
            _properties(document.get("properties")),
            _activities(document.get("activities", [])),
            version,
        )

    @classmethod
    def from_json_batch(cls, documents: Sequence[Any]) -> list[StoredInputs]:
        """`from_json` of many documents (a store batch), validated column-wise at once.

        Raises the `StoredInputsError` of the first malformed document.
        """
        try:
            return _batch(cls, documents)
        except (_Malformed, KeyError, TypeError, ValueError):
            for document in documents:
                cls.from_json(document)
            raise  # pragma: no cover - from_json refuses what the batch refused


class _Malformed(Exception):
    """Something in a batch is not version 1; `from_json` of each document says what."""


def _batch(cls: type[StoredInputs], documents: Sequence[Any]) -> list[StoredInputs]:
    if not documents:
        return []
    if not {dict}.issuperset(map(type, documents)):
        raise _Malformed
    versions = [d.get("version", 1) for d in documents]
    if not (
        {int}.issuperset(map(type, versions))
        and {STORED_INPUTS_VERSION}.issuperset(versions)
        and _FIELDS.issuperset(chain.from_iterable(documents))
    ):
        raise _Malformed
    properties = [d["properties"] for d in documents]
    lists = [d.get("activities", _NO_ACTIVITIES) for d in documents]
    # Decoded JSON: object keys are text already, so only the values are checked.
    if not (
        {dict}.issuperset(map(type, properties))
        and {list}.issuperset(map(type, lists))
        and _TEXT_OR_NONE.issuperset(
            map(type, chain.from_iterable(map(dict.values, properties)))
        )
    ):
        raise _Malformed
    flat = list(map(_new_activity, map(_ACTIVITY_ROW, chain.from_iterable(lists))))
    if flat:
        stamps = list(map(_STAMP, flat))
        # Every field text or null, then no null kind or timestamp.
        if not _TEXT_OR_NONE.issuperset(map(type, chain.from_iterable(flat))) or (
            None in stamps or None in map(_KIND, flat)
        ):
            raise _Malformed
        deque(map(datetime.fromisoformat, stamps), maxlen=0)
    ends = list(accumulate(map(len, lists)))
    return [
        cls(props, tuple(flat[end - len(acts) : end]) if acts else ())
        for props, acts, end in zip(properties, lists, ends, strict=True)
    ]


_NO_ACTIVITIES: list[Any] = []


def _properties(raw: Any) -> dict[str, str | None]:
    if type(raw) is not dict:
        raise StoredInputsError(
            f"stored inputs: 'properties' must be an object, not {type(raw).__name__}"
        )
    if not (_TEXT.issuperset(map(type, raw)) and _TEXT_OR_NONE.issuperset(map(type, raw.values()))):
        name, value = next(
            (k, v) for k, v in raw.items() if type(k) is not str or not _text_or_none(v)
        )
        raise StoredInputsError(
            f"stored inputs: property {name!r} must be text or null, not {value!r}"
        )
    return raw


def _activities(raw: Any) -> tuple[StoredActivity, ...]:
    if type(raw) is not list:
        raise StoredInputsError(
            f"stored inputs: 'activities' must be a list, not {type(raw).__name__}"
        )
    if not raw:
        return ()
    try:
        # C-level: every activity as a `StoredActivity` without a Python call per row.
        parsed = tuple(map(_new_activity, map(_ACTIVITY_ROW, raw)))
    except (KeyError, TypeError):
        position, item = next((i, a) for i, a in enumerate(raw) if not _activity_like(a))
        raise StoredInputsError(
            f"stored inputs: activity {position} must be an object with "
            f"{', '.join(map(repr, _ACTIVITY_FIELDS))}, not {item!r}"
        ) from None
    kinds, stamps, outcomes, directions = zip(*parsed, strict=True)
    if not (
        _TEXT.issuperset(map(type, kinds))
        and _TEXT.issuperset(map(type, stamps))
        and _TEXT_OR_NONE.issuperset(map(type, outcomes))
        and _TEXT_OR_NONE.issuperset(map(type, directions))
    ):
        position, bad = next((i, a) for i, a in enumerate(parsed) if not _typed(a))
        raise StoredInputsError(
            f"stored inputs: activity {position} needs text 'kind' and 'timestamp' and "
            f"text or null 'outcome' and 'direction', not {bad._asdict()!r}"
        )
    try:
        deque(map(datetime.fromisoformat, stamps), maxlen=0)
    except ValueError:
        position, stamp = next((i, t) for i, t in enumerate(stamps) if not _iso(t))
        raise StoredInputsError(
            f"stored inputs: activity {position} has timestamp {stamp!r}, not ISO 8601"
        ) from None
    return parsed


def _iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _text_or_none(value: Any) -> bool:
    return value is None or type(value) is str


def _activity_like(item: Any) -> bool:
    return isinstance(item, Mapping) and all(name in item for name in _ACTIVITY_FIELDS)


def _typed(activity: StoredActivity) -> bool:
    return (
        type(activity.kind) is str
        and type(activity.timestamp) is str
        and _text_or_none(activity.outcome)
        and _text_or_none(activity.direction)
    )


class StoredContact(Protocol):
    """A contact as stored (e.g. `connector.store.ContactState`): its id and its inputs."""

    @property
    def contact_id(self) -> int:
        """The contact's id."""
        ...

    @property
    def inputs(self) -> StoredInputs:
        """The stored inputs."""
        ...


def _texts(column: pd.Series) -> list[str | None]:
    """A column's values as `str | None` (NaN/NaT/None → None, anything else → its text)."""
    values = column.to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = None
    if _TEXT_OR_NONE.issuperset(map(type, values)):
        return values.tolist()
    return [None if v is None else str(v) for v in values]


def _iso_utc(stamps: pd.Series) -> list[str]:
    """UTC datetimes as ISO 8601 text with offset, at the finest unit any of them needs."""
    nanos = stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
    ticks = nanos.astype(np.int64)
    unit: Literal["s", "ms", "us", "ns"] = "ns"
    steps: tuple[tuple[Literal["s", "ms", "us"], int], ...] = (
        ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)
    )
    for candidate, step in steps:
        if not np.any(ticks % step):
            unit = candidate
            break
    texts = np.datetime_as_string(nanos, unit=unit)
    return [t + "+00:00" for t in texts.tolist()]


def stored_inputs(frame: LeadFrame, columns: Sequence[str]) -> dict[str, StoredInputs]:
    """The stored inputs of every contact of `frame` (its `columns`), by contact id.

    Activities without a timestamp are left out (they cannot be decayed, and a frame
    rebuilt from stored inputs never had them).
    """
    names = list(columns)
    table = frame.contacts.reindex(columns=names)
    ids = [str(i) for i in table.index]
    rows = zip(*(_texts(table[c]) for c in names), strict=True) if names else (
        () for _ in ids
    )
    per_contact: dict[str, list[StoredActivity]] = {}
    acts = frame.activities
    acts = acts[acts["timestamp"].notna() & acts["kind"].notna()]
    if len(acts):
        made = map(
            StoredActivity._make,
            zip(
                _texts(acts["kind"]),
                _iso_utc(acts["timestamp"]),
                _texts(acts["outcome"]),
                _texts(acts["direction"]),
                strict=True,
            ),
        )
        for owner, activity in zip(acts["contact_id"].astype(str).tolist(), made, strict=True):
            per_contact.setdefault(owner, []).append(activity)
    return {
        cid: StoredInputs(dict(zip(names, values, strict=True)), tuple(per_contact.get(cid, ())))
        for cid, values in zip(ids, rows, strict=True)
    }


def _column(rows: Sequence[Mapping[str, str | None]], name: str) -> list[str | None]:
    """One property over the rows (None where a row lacks it), at C speed when none does."""
    try:
        return list(map(itemgetter(name), rows))
    except KeyError:
        return [row.get(name) for row in rows]


def lead_frame_from_states(states: Sequence[StoredContact]) -> LeadFrame:
    """Rebuild the `LeadFrame` of stored contacts (daily rescore, training, history).

    Contacts are indexed by `str(contact_id)` with one column per stored property (the union
    over the states, sorted; values `str | None`); activities are in `ACTIVITY_COLUMNS` form.
    """
    ids = [str(s.contact_id) for s in states]
    inputs = [s.inputs for s in states]
    rows = [i.properties for i in inputs]
    columns = sorted(set(chain.from_iterable(rows)))
    index = pd.Index(ids, dtype="object", name="id")
    contacts = pd.DataFrame({c: _column(rows, c) for c in columns}, index=index, dtype="object")
    counts = [len(i.activities) for i in inputs]
    if not any(counts):
        return LeadFrame(contacts=contacts, activities=empty_activities())
    flat = list(chain.from_iterable(i.activities for i in inputs))
    kinds, stamps, outcomes, directions = (list(map(itemgetter(k), flat)) for k in range(4))
    activities = pd.DataFrame(
        {
            "contact_id": pd.Series(np.repeat(np.array(ids, dtype=object), counts),
                                    dtype="object"),
            "kind": pd.Series(kinds, dtype="object"),
            "timestamp": pd.to_datetime(pd.Series(stamps, dtype="object"), utc=True,
                                        format="ISO8601", errors="coerce"),
            "outcome": pd.Series(outcomes, dtype="object"),
            "direction": pd.Series(directions, dtype="object"),
        }
    )
    activities = activities[activities["timestamp"].notna()].reset_index(drop=True)
    return LeadFrame(contacts=contacts, activities=activities[list(ACTIVITY_COLUMNS)])
