"""Reading the hot read paths' JSON straight into the gateway's records.

The SDK's generated models cost most of a sync's CPU: every object builds a `Configuration`
(which calls `logging.setLevel`) and every `createdAt`/`updatedAt` goes through dateutil.
The gateway therefore calls the SDK with `_preload_content=False` on list, search, batch
and association reads (the SDK still builds the request, sends it through the transport
and raises `ApiException` for non-2xx statuses before returning) and parses the body here.
Values are read as the SDK models would give them: property values as text or None.
Property histories (`propertiesWithHistory`) become `ContactHistory` records here too: with
the SDK's models a batch of 50 contacts × 12 properties × 5 versions took 16x the CPU
(558 ms against 34 ms).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from dateutil import parser as dateutil_parser

from connector.crm.records import CrmRecord
from connector.scoring.histories import ContactHistory, ValueChange

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
UNKNOWN_SOURCE = "UNKNOWN"
"""The source of a version HubSpot sent without a `sourceType` (it always sends one)."""


class RawResponse(Protocol):
    """What the SDK returns with `_preload_content=False`: a urllib3 response."""

    @property
    def data(self) -> bytes:
        """The whole (decoded) body, read on first access."""
        ...

    def release_conn(self) -> None:
        """Give the connection back to the pool."""
        ...


def read_json(response: RawResponse) -> dict[str, Any]:
    """The body of a raw SDK response as a JSON object (connection released)."""
    try:
        body = response.data
    finally:
        response.release_conn()
    parsed = json.loads(body) if body else {}
    return parsed if isinstance(parsed, dict) else {}


def parse_datetime(value: object) -> datetime | None:
    """HubSpot's ISO 8601 timestamps (`2026-11-22T12:00:00.123Z`); None when absent or bad.

    `fromisoformat` reads the API's own format in C; dateutil (what the SDK uses) takes the
    rarer shapes.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return dateutil_parser.parse(value)
    except (ValueError, OverflowError):
        return None


def properties_of(item: Mapping[str, Any]) -> dict[str, str | None]:
    """An object's property values as text (the SDK's `dict(str, str)`), None = empty."""
    raw = item.get("properties") or {}
    # The SDK deserialises a declared str with `str(value)`: numbers and booleans become text.
    return {
        name: value if value is None or isinstance(value, str) else str(value)
        for name, value in raw.items()
    }


def crm_record(item: Mapping[str, Any]) -> CrmRecord:
    """One `SimplePublicObject` JSON object as a `CrmRecord`."""
    return CrmRecord(
        id=str(item["id"]),
        properties=properties_of(item),
        updated_at=parse_datetime(item.get("updatedAt")),
        created_at=parse_datetime(item.get("createdAt")),
    )



def epoch_ms(value: object) -> int | None:
    """A version's `timestamp` (ISO 8601, or epoch ms) as epoch ms; None when unusable."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    # Integer arithmetic on timedeltas: `timestamp() * 1000` can be off by a millisecond.
    return (parsed - _EPOCH) // _MS


def _changes(versions: object) -> Iterator[ValueChange]:
    for version in versions if isinstance(versions, list) else ():
        if not isinstance(version, Mapping):
            continue
        at_ms = epoch_ms(version.get("timestamp"))
        if at_ms is None:
            # A version that cannot be placed in time cannot answer "what was it then".
            continue
        value = version.get("value")
        source = version.get("sourceType")
        yield ValueChange(
            at_ms=at_ms,
            value=value if value is None or isinstance(value, str) else str(value),
            source=source if isinstance(source, str) and source else UNKNOWN_SOURCE,
        )


def contact_history(item: Mapping[str, Any], names: Sequence[str]) -> ContactHistory:
    """The `propertiesWithHistory` of one object for the properties asked, oldest first.

    Only `value`, `timestamp` and `sourceType` are read (HubSpot also sends `sourceId`,
    `sourceLabel`, `updatedByUserId`, …). Every asked property is present: one HubSpot sent
    no versions for (never set, or not defined) reads as an empty history.
    """
    raw = item.get("propertiesWithHistory") or {}
    return ContactHistory.from_versions({name: _changes(raw.get(name)) for name in names})
