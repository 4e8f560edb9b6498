"""Serialising insight results (dataclasses, pydantic models, numpy values) to JSON.

JSON has no NaN: undefined statistics (an AUC without conversions) become `null`.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np
from pydantic import BaseModel


def to_jsonable(value: Any) -> Any:
    """Plain JSON-ready data from dataclasses, pydantic models, numpy scalars and arrays."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(value: Any) -> str:
    """JSON text of `value` (see `to_jsonable`), indented for people and diffs."""
    return json.dumps(to_jsonable(value), indent=2, allow_nan=False)
