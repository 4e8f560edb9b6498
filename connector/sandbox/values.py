"""Property values on the wire: HubSpot sends and accepts every value as a string.

Parsing, validation and normalisation of one value against its definition, and the
epoch-ms ⇄ ISO conversions HubSpot applies to date and datetime properties.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from functools import lru_cache

from connector.sandbox.api_errors import PropertyValueError
from connector.sandbox.property_catalog import PropertyDef

_DAY_MS = 86_400_000


def iso_from_ms(ms: int) -> str:
    """HubSpot's datetime rendering: `2024-03-01T12:00:00.123Z`."""
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


@lru_cache(maxsize=1 << 18)
def parse_time_ms(value: str) -> int | None:
    """Epoch milliseconds of an epoch-ms string, an ISO datetime or an ISO date; else None.

    Cached because search compares the same stored timestamps over and over.
    """
    text = value.strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return round(dt.timestamp() * 1000)


def parse_number(value: str) -> float | None:
    """The float of a HubSpot number string, or None if it is not a finite number."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def normalize_value(prop: PropertyDef, raw: object) -> str | PropertyValueError:
    """Validate one written value and return what HubSpot would store (or the error).

    `""` is always accepted: it clears the value. Numbers, booleans and datetimes may
    arrive as JSON numbers/booleans; HubSpot coerces them to strings.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    elif isinstance(raw, int | float):
        text = repr(raw) if isinstance(raw, float) else str(raw)
    elif isinstance(raw, str):
        text = raw
    else:
        return PropertyValueError(
            prop.name, "INVALID_TYPE", f"{raw!r} is not a valid value for {prop.name}"
        )
    if text == "":
        return ""
    if prop.type == "number":
        if parse_number(text) is None:
            return PropertyValueError(
                prop.name, "INVALID_DECIMAL", f"{text} was not a valid number."
            )
        return text
    if prop.type == "datetime":
        ms = parse_time_ms(text)
        if ms is None:
            return PropertyValueError(
                prop.name, "INVALID_DATE", f"{text} was not a valid datetime (epoch ms or ISO)."
            )
        return iso_from_ms(ms)
    if prop.type == "date":
        ms = parse_time_ms(text)
        if ms is None or ms % _DAY_MS:
            return PropertyValueError(
                prop.name,
                "INVALID_DATE",
                f"{text} is not a valid date: use midnight UTC (epoch ms) or YYYY-MM-DD.",
            )
        return iso_from_ms(ms)[:10]
    if prop.type == "bool" or prop.field_type == "booleancheckbox":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            return PropertyValueError(
                prop.name,
                "INVALID_OPTION",
                f"{text} was not one of the allowed options: [true, false]",
            )
        return lowered
    if prop.type == "enumeration" and prop.options:
        chosen = text.split(";") if prop.field_type == "checkbox" else [text]
        unknown = [v for v in chosen if v not in prop.option_values]
        if unknown:
            allowed = ", ".join(o.value for o in prop.options)
            return PropertyValueError(
                prop.name,
                "INVALID_OPTION",
                f"{unknown[0]} was not one of the allowed options: [{allowed}]",
            )
    return text
