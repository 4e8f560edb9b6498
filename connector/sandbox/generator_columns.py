"""Column-building helpers shared by the portal generator's modules.

Every generated column is a numpy object array of `str | None` (HubSpot's wire format);
these helpers build such columns from numeric arrays without a Python loop per row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

ObjArray = NDArray[np.object_]
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

DAY_MS = 86_400_000


PropertyType = Literal["string", "number", "enumeration", "datetime", "date", "bool"]
FieldType = Literal[
    "text", "textarea", "number", "select", "date", "booleancheckbox", "phonenumber"
]


@dataclass(frozen=True)
class PropertySpec:
    """Definition of one property as HubSpot's properties API describes it."""

    name: str
    label: str
    type: PropertyType
    field_type: FieldType
    options: tuple[str, ...] = ()
    post_outcome: bool = False
    """True when the value reveals (or is written because of) the outcome to predict."""


# Shorthand kind → (type, fieldType), HubSpot's valid pairs; phone numbers are strings.
_KINDS: dict[str, tuple[PropertyType, FieldType]] = {
    "string": ("string", "text"),
    "number": ("number", "number"),
    "enumeration": ("enumeration", "select"),
    "datetime": ("datetime", "date"),
    "bool": ("bool", "booleancheckbox"),
    "phone": ("string", "phonenumber"),
}


def spec(
    name: str, label: str, kind: str, options: tuple[str, ...] = (), post_outcome: bool = False
) -> PropertySpec:
    type_, field = _KINDS[kind]
    return PropertySpec(name, label, type_, field, options, post_outcome)


def obj(values: tuple[str, ...] | list[str]) -> ObjArray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


@functools.cache
def _small_int_strings() -> ObjArray:
    # Counts are small: one shared str object per value saves memory at a million rows.
    return obj([str(i) for i in range(10_000)])


def int_str(values: IntArray, missing: BoolArray | None = None) -> ObjArray:
    values = np.asarray(values, dtype=np.int64)
    if values.size and values.min() >= 0 and values.max() < 10_000:
        out: ObjArray = _small_int_strings()[values]
    else:
        out = obj([str(v) for v in values.tolist()])
    if missing is not None:
        out[missing] = None
    return out


def only(mask: BoolArray, values: ObjArray) -> ObjArray:
    """`values` where `mask` holds, None elsewhere."""
    out: ObjArray = np.full(len(mask), None, dtype=object)
    out[mask] = values[mask]
    return out


def iso(ms: IntArray) -> ObjArray:
    """Epoch-ms → ISO 8601 UTC with milliseconds; negative values → None."""
    ms = np.asarray(ms, dtype=np.int64)
    out: ObjArray = np.full(len(ms), None, dtype=object)
    present = np.flatnonzero(ms >= 0)  # many datetime columns are mostly empty
    text = np.datetime_as_string(ms[present].astype("datetime64[ms]"), unit="ms", timezone="UTC")
    out[present] = text.astype(object)
    return out


def draw(rng: np.random.Generator, weights: tuple[float, ...] | FloatArray, size: int) -> IntArray:
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int64)


def sigmoid(x: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-x))


def pick(rng: np.random.Generator, choices: ObjArray, size: int) -> ObjArray:
    return choices[rng.integers(0, len(choices), size)]
