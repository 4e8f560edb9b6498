"""Criteria conditions: their schema and how each evaluates itself over a whole batch.

Every condition type carries its behaviour: `evaluate` returns one value per lead as a
numpy array (nothing loops over leads; text tests run on a column's distinct values, see
`columns.TextColumn`), `properties` and `activity_kinds` list what it reads, so the sync
fetches exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, Discriminator, Field, Tag, field_validator, model_validator
from pydantic_core import PydanticCustomError

from connector.scoring.columns import BatchColumns
from connector.scoring.leads import ACCOUNT_PREFIX, ACCOUNT_SIGNALS, COMPANY_PREFIX, column_source
from connector.scoring.schema_base import Bounds, Scalar, StrictModel

ActivityKind = Literal["call", "email", "meeting", "note", "task"]

OPERATORS = ("equals", "in", "contains", "regex", "range", "exists", "days_since", "domain_in")


@dataclass(frozen=True)
class ActivityCounts:
    """Matching activities per lead: how many, and the age of the newest."""

    count: np.ndarray
    newest_age: np.ndarray
    """Age in days of the newest matching activity (NaN when none)."""


def in_bounds(values: np.ndarray, bounds: Bounds) -> np.ndarray:
    """Whether each value lies within the bounds (NaN never does)."""
    with np.errstate(invalid="ignore"):
        result = ~np.isnan(values)
        if bounds.gte is not None:
            result &= values >= bounds.gte
        if bounds.gt is not None:
            result &= values > bounds.gt
        if bounds.lte is not None:
            result &= values <= bounds.lte
        if bounds.lt is not None:
            result &= values < bounds.lt
    return result


class ConditionBase(StrictModel):
    """What every condition can do; subclasses override what applies to them."""

    def evaluate(self, columns: BatchColumns) -> np.ndarray:
        """Whether the condition holds, per lead (bool array)."""
        raise NotImplementedError

    def properties(self) -> frozenset[str]:
        """The batch columns (contact, `company.*`, `account.*` properties) it reads."""
        return frozenset()

    def activity_kinds(self) -> frozenset[str]:
        """The engagement object kinds it reads."""
        return frozenset()

    def signal_age(self, columns: BatchColumns) -> np.ndarray | None:
        """Age in days of the signal that makes it hold, when the condition itself knows it.

        Only an activity test does (its newest matching activity); a criterion without a
        `date` decays by this age.
        """
        return None


class PropertyCondition(ConditionBase):
    """A test on one property with exactly one operator.

    equals/in compare text case-insensitively (numbers compare as numbers, true/false as
    HubSpot's "true"/"false"); contains is a case-insensitive substring (any of a list);
    regex is a case-insensitive search; range compares the value as a number; exists is
    true when the value is present and not blank; days_since compares the age in days of
    a date/datetime value; domain_in matches an email's domain or any subdomain of it.

    `property` may name the contact's primary company (`company.industry`) or an account
    signal (`account.open_deals`); `fallback` names a contact property whose value is used
    where the property is empty (a lead without a company, or a company missing the value).
    """

    _key_kind: ClassVar[str] = "an operator, 'property' or 'fallback'"

    property: str = Field(min_length=1)
    fallback: str | None = Field(default=None, min_length=1)
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1)
    contains: str | list[str] | None = None
    regex: str | None = None
    range: Bounds | None = None
    exists: bool | None = None
    days_since: Bounds | None = None
    domain_in: list[str] | None = Field(default=None, min_length=1)

    @field_validator("property")
    @classmethod
    def _known_source(cls, value: str) -> str:
        # Plain names may contain dots (CSV columns such as `emp.var.rate`); only the two
        # prefixes the sync joins are checked, so a typo there is caught before a pass.
        if value.startswith(ACCOUNT_PREFIX) and value not in ACCOUNT_SIGNALS:
            raise PydanticCustomError(
                "property",
                "expected an account signal ({allowed}), found {value}",
                {"allowed": ", ".join(ACCOUNT_SIGNALS), "value": repr(value)},
            )
        if value == COMPANY_PREFIX:
            raise PydanticCustomError(
                "property",
                "expected a company property after 'company.', found {value}",
                {"value": repr(value)},
            )
        return value

    @field_validator("fallback")
    @classmethod
    def _contact_fallback(cls, value: str | None) -> str | None:
        if value is not None and column_source(value) != "contact":
            raise PydanticCustomError(
                "fallback",
                "expected a contact property (no company./account. prefix), found {value}",
                {"value": repr(value)},
            )
        return value

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise PydanticCustomError(
                    "regex",
                    "expected a valid regular expression, found {value} ({error})",
                    {"value": repr(value), "error": str(exc)},
                ) from exc
        return value

    @model_validator(mode="after")
    def _one_operator(self) -> PropertyCondition:
        present = [op for op in OPERATORS if getattr(self, _attr(op)) is not None]
        if len(present) != 1:
            found = "none" if not present else ", ".join(present)
            raise PydanticCustomError(
                "operator",
                "expected exactly one operator ({allowed}), found {found}",
                {"allowed": ", ".join(OPERATORS), "found": found},
            )
        if self.fallback is not None and self.fallback == self.property:
            raise PydanticCustomError(
                "fallback",
                "expected a fallback other than the property itself, found {value}",
                {"value": repr(self.fallback)},
            )
        return self

    # A method, not a property: the `property` field shadows the builtin in this class body.
    def operator(self) -> str:
        """The one operator this condition uses."""
        return next(op for op in OPERATORS if getattr(self, _attr(op)) is not None)

    def properties(self) -> frozenset[str]:
        """The property and its fallback."""
        return frozenset(n for n in (self.property, self.fallback) if n is not None)

    def column(self, columns: BatchColumns) -> str:
        """The batch column to test: the property, or it coalesced with its fallback."""
        if self.fallback is None:
            return self.property
        return columns.coalesce(self.property, self.fallback)

    def evaluate(self, columns: BatchColumns) -> np.ndarray:
        """Whether the property's value (or the fallback's) passes the operator, per lead."""
        name = self.column(columns)
        operator = self.operator()
        if self.range is not None:
            return in_bounds(columns.number(name), self.range)
        if self.days_since is not None:
            return in_bounds(columns.days_since(name), self.days_since)
        if self.equals is not None:
            return _matches_any(name, [self.equals], columns)
        if self.in_ is not None:
            return _matches_any(name, self.in_, columns)
        if self.domain_in is not None:
            return _domain_in(name, self.domain_in, columns)
        text = columns.text(name)
        if self.exists is not None:
            present = text.lookup(np.array([value != "" for value in text.uniques], dtype=bool))
            return present if self.exists else ~present
        if self.contains is not None:
            needles = [self.contains] if isinstance(self.contains, str) else self.contains
            lowered = [needle.lower() for needle in needles]
            hits = [any(needle in value for needle in lowered) for value in text.uniques]
            return text.lookup(np.array(hits, dtype=bool))
        if self.regex is not None:
            pattern = re.compile(self.regex, re.IGNORECASE)
            hits = [pattern.search(value) is not None for value in text.uniques]
            return text.lookup(np.array(hits, dtype=bool))
        raise ValueError(f"unknown operator {operator}")


def _attr(operator: str) -> str:
    return "in_" if operator == "in" else operator


def _domain_in(name: str, listed: list[str], columns: BatchColumns) -> np.ndarray:
    """An email's domain equals a listed domain or is a subdomain of one (`edu` → `x.edu`)."""
    domains = tuple(domain.strip().lower().lstrip("@.") for domain in listed)
    suffixes = tuple("." + domain for domain in domains)
    column = columns.domain(name)
    hits = [value in domains or value.endswith(suffixes) for value in column.uniques]
    return column.lookup(np.array(hits, dtype=bool))


def _matches_any(name: str, wanted: list[Scalar], columns: BatchColumns) -> np.ndarray:
    """equals/in: numbers compare as numbers, true/false as HubSpot's text, text without case."""
    numbers = [float(v) for v in wanted if isinstance(v, int | float) and not isinstance(v, bool)]
    words = {
        ("true" if v else "false") if isinstance(v, bool) else str(v).strip().lower()
        for v in wanted
        if isinstance(v, str | bool)
    }
    result = np.zeros(columns.size, dtype=bool)
    if numbers:
        result |= np.isin(columns.number(name), numbers)
    if words:
        text = columns.text(name)
        result |= text.lookup(np.array([value in words for value in text.uniques], dtype=bool))
    return result


class ActivityFilter(StrictModel):
    """Which engagement objects count: kinds, outcomes, directions, and how recent."""

    activity: ActivityKind | list[ActivityKind]
    outcome: list[str] | None = Field(default=None, min_length=1)
    direction: list[str] | None = Field(default=None, min_length=1)
    within_days: float | None = Field(default=None, gt=0)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The activity kinds as a tuple."""
        return (self.activity,) if isinstance(self.activity, str) else tuple(self.activity)

    def mask(self, columns: BatchColumns) -> np.ndarray:
        """Which of the batch's activities match the filter (bool per activity row)."""
        acts = columns.activities()
        mask = acts.kind.matches(list(self.kinds))
        if self.outcome is not None:
            mask &= acts.outcome.matches([value.strip().lower() for value in self.outcome])
        if self.direction is not None:
            mask &= acts.direction.matches([value.strip().lower() for value in self.direction])
        if self.within_days is not None:
            # Scheduled (future) activities have negative ages and count as recent.
            mask &= acts.age_days <= self.within_days
        return mask

    def counts(self, columns: BatchColumns) -> ActivityCounts:
        """Count the matching activities of each lead and the age of the newest one."""
        acts = columns.activities()
        mask = self.mask(columns)
        rows = acts.row[mask]
        count = np.bincount(rows, minlength=columns.size).astype(np.float64)
        newest = np.full(columns.size, np.inf)
        np.minimum.at(newest, rows, acts.age_days[mask])
        newest[np.isinf(newest)] = np.nan
        return ActivityCounts(count=count, newest_age=newest)


class ActivityCondition(ActivityFilter, ConditionBase):
    """True when the number of matching engagement objects lies in `count` (default ≥ 1)."""

    count: Bounds = Bounds(gte=1)

    def evaluate(self, columns: BatchColumns) -> np.ndarray:
        """Whether each lead's number of matching activities is within `count`."""
        return in_bounds(self.counts(columns).count, self.count)

    def activity_kinds(self) -> frozenset[str]:
        """The kinds the filter counts."""
        return frozenset(self.kinds)

    def signal_age(self, columns: BatchColumns) -> np.ndarray | None:
        """Age of each lead's newest matching activity."""
        return self.counts(columns).newest_age


class AllCondition(ConditionBase):
    """True when every sub-condition is true."""

    all: list[Condition] = Field(min_length=1)

    def evaluate(self, columns: BatchColumns) -> np.ndarray:
        """The conjunction of the parts."""
        result = np.ones(columns.size, dtype=bool)
        for part in self.all:
            result &= part.evaluate(columns)
        return result

    def properties(self) -> frozenset[str]:
        """Every part's properties."""
        return frozenset().union(*(part.properties() for part in self.all))

    def activity_kinds(self) -> frozenset[str]:
        """Every part's activity kinds."""
        return frozenset().union(*(part.activity_kinds() for part in self.all))


class AnyCondition(ConditionBase):
    """True when at least one sub-condition is true."""

    any: list[Condition] = Field(min_length=1)

    def evaluate(self, columns: BatchColumns) -> np.ndarray:
        """The disjunction of the parts."""
        result = np.zeros(columns.size, dtype=bool)
        for part in self.any:
            result |= part.evaluate(columns)
        return result

    def properties(self) -> frozenset[str]:
        """Every part's properties."""
        return frozenset().union(*(part.properties() for part in self.any))

    def activity_kinds(self) -> frozenset[str]:
        """Every part's activity kinds."""
        return frozenset().union(*(part.activity_kinds() for part in self.any))


class NotCondition(ConditionBase):
    """True when the sub-condition is false."""

    not_: Condition = Field(alias="not")

    def evaluate(self, columns: BatchColumns) -> np.ndarray:
        """The negation of the part."""
        return ~self.not_.evaluate(columns)

    def properties(self) -> frozenset[str]:
        """The part's properties."""
        return self.not_.properties()

    def activity_kinds(self) -> frozenset[str]:
        """The part's activity kinds."""
        return self.not_.activity_kinds()


_CONDITION_KEYS = {"property": "property", "activity": "activity", "all": "all", "any": "any"}
_CONDITION_CLASSES: dict[type[BaseModel], str] = {
    PropertyCondition: "property",
    ActivityCondition: "activity",
    AllCondition: "all",
    AnyCondition: "any",
    NotCondition: "not",
}


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, tag in _CONDITION_KEYS.items():
            if key in value:
                return tag
        if "not" in value:
            return "not"
        return None
    if isinstance(value, BaseModel):
        return _CONDITION_CLASSES.get(type(value))
    return None


Condition = Annotated[
    Annotated[PropertyCondition, Tag("property")]
    | Annotated[ActivityCondition, Tag("activity")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message=(
            "expected a condition: a mapping with one of the keys property, activity, all, any, not"
        ),
    ),
]
CONDITION_TAGS = frozenset(("property", "activity", "all", "any", "not"))

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()
