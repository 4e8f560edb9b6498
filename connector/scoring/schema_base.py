"""Building blocks shared by every part of the scoring configuration schema."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

Scalar = str | int | float | bool


class StrictModel(BaseModel):
    """Base for every schema object: unknown keys are errors that name the allowed keys."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    _key_kind: ClassVar[str] = "key"

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        # A typo such as `greater:` should say which keys exist, not just "extra input".
        if isinstance(data, dict):
            allowed = [field.alias or name for name, field in cls.model_fields.items()]
            unknown = [key for key in data if key not in allowed]
            if unknown:
                raise PydanticCustomError(
                    "unknown_key",
                    "expected {kind} (one of {allowed}), found unknown key {key}",
                    {"kind": cls._key_kind, "allowed": ", ".join(allowed), "key": repr(unknown[0])},
                )
        return data


class Bounds(StrictModel):
    """A numeric range: any of gte, gt, lte, lt (at least one)."""

    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> Bounds:
        if self.gte is None and self.gt is None and self.lte is None and self.lt is None:
            raise PydanticCustomError(
                "bounds", "expected at least one of gte, gt, lte, lt, found an empty range"
            )
        return self
