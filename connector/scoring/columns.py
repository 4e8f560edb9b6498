"""Parsed views of a batch's columns, computed once per batch and shared by all criteria.

Property values arrive as text (or `None`/NaN). Every parse works on a column's distinct
values and is mapped back through integer codes from `pandas.factorize`: a million rows
with two hundred industries cost two hundred string operations, not a million. Results are
cached, so ten criteria on `jobtitle` factorize it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from connector.scoring.leads import LeadFrame

_NS_PER_DAY = 86_400 * 1_000_000_000
# Epoch-millisecond values this large are dates (2001-09-09 onwards), not small numbers.
_EPOCH_MS_MIN = 1_000_000_000_000
# HubSpot's head-count bands ("25-50", "1000+") read as their lower bound, so one `range`
# works on a company's number of employees and on a contact's band alike.
_BAND = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*\d+(?:\.\d+)?|\+)\s*$")


@dataclass(frozen=True)
class TextColumn:
    """A column as codes into its distinct values (`codes[i] == -1`: missing)."""

    codes: np.ndarray
    uniques: np.ndarray

    def lookup(self, unique_mask: np.ndarray) -> np.ndarray:
        """Spread a boolean per distinct value to a boolean per row (missing → False)."""
        return np.append(unique_mask, False)[self.codes]

    def matches(self, wanted: list[str]) -> np.ndarray:
        """Rows whose value is one of `wanted` (exact, on the stored uniques)."""
        return self.lookup(np.isin(self.uniques, wanted))


@dataclass(frozen=True)
class Activities:
    """The batch's activities, keyed to row positions, with lower-cased text fields."""

    row: np.ndarray
    """Position in `contacts` of each activity's lead (activities of unknown leads dropped)."""
    kind: TextColumn
    outcome: TextColumn
    direction: TextColumn
    age_days: np.ndarray
    """Days between the activity and `now` (negative for scheduled future meetings)."""


class BatchColumns:
    """Cached parses of one batch's columns at one instant `now`."""

    def __init__(self, leads: LeadFrame, now: datetime) -> None:
        self.contacts = leads.contacts
        self.size = len(leads.contacts)
        self.now = pd.Timestamp(now).tz_localize("UTC") if now.tzinfo is None else pd.Timestamp(now)
        self._activities_source = leads.activities
        self._coalesced: dict[str, pd.Series] = {}
        self._raw: dict[str, TextColumn] = {}
        self._text: dict[str, TextColumn] = {}
        self._number: dict[str, np.ndarray] = {}
        self._days: dict[str, np.ndarray] = {}
        self._activities: Activities | None = None

    def has(self, name: str) -> bool:
        """Whether the batch carries the property (or a column made by `coalesce`) at all."""
        return name in self._coalesced or name in self.contacts.columns

    def coalesce(self, name: str, fallback: str) -> str:
        """Make the column "`name`, or `fallback` where `name` is empty"; return its key.

        Empty is missing or blank text. The key works with every other method (`text`,
        `number`, `days_since`, ...), so a condition with a fallback is evaluated exactly
        like one without. Column-wise: blankness is decided once per distinct value.
        """
        key = f"{name}\0or\0{fallback}"
        if key not in self._coalesced:
            primary = self.raw(name)
            blank = np.append(_normalise(primary.uniques) == "", True)[primary.codes]
            values = self._series(name).where(~blank, self._series(fallback))
            self._coalesced[key] = values
        return key

    def _series(self, name: str) -> pd.Series:
        if name in self._coalesced:
            return self._coalesced[name]
        if name in self.contacts.columns:
            return self.contacts[name]
        return pd.Series(None, index=self.contacts.index, dtype=object)

    def raw(self, name: str) -> TextColumn:
        """The property's distinct values as given (for numbers and dates); absent = missing."""
        if name not in self._raw:
            if not self.has(name):
                empty = np.array([], dtype=object)
                self._raw[name] = TextColumn(np.full(self.size, -1, dtype=np.intp), empty)
            else:
                codes, uniques = pd.factorize(self._series(name), use_na_sentinel=True)
                as_text = np.asarray(pd.Index(uniques).astype(str), dtype=object)
                self._raw[name] = TextColumn(np.asarray(codes), as_text)
        return self._raw[name]

    def text(self, name: str) -> TextColumn:
        """The property's distinct values trimmed and lower-cased, for text comparisons."""
        if name not in self._text:
            raw = self.raw(name)
            self._text[name] = TextColumn(raw.codes, _normalise(raw.uniques))
        return self._text[name]

    def domain(self, name: str) -> TextColumn:
        """The domain part (after the last @) of an email property, lower-cased."""
        key = f"{name}\0domain"
        if key not in self._text:
            raw = self.raw(name)
            # Plain comprehensions: pandas' .str methods cost ten times more on object arrays.
            domains = np.array([value.rpartition("@")[2] for value in raw.uniques], dtype=object)
            codes, uniques = pd.factorize(domains)
            spread = np.append(np.asarray(codes), -1)[raw.codes]
            self._text[key] = TextColumn(spread, _normalise(np.asarray(uniques, dtype=object)))
        return self._text[key]

    def number(self, name: str) -> np.ndarray:
        """The property as float64 (NaN when missing or not a number).

        A head-count band such as `50-100` or `1000+` reads as its lower bound (50, 1000).
        """
        if name not in self._number:
            column = self.raw(name)
            parsed = pd.to_numeric(pd.Series(column.uniques, dtype=object), errors="coerce")
            unique_numbers = parsed.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
            for position in np.flatnonzero(np.isnan(unique_numbers)):
                band = _BAND.match(str(column.uniques[position]))
                if band is not None:
                    unique_numbers[position] = float(band.group(1))
            self._number[name] = np.append(unique_numbers, np.nan)[column.codes]
        return self._number[name]

    def days_since(self, name: str) -> np.ndarray:
        """Days from the property's date/datetime to `now` (NaN when missing or unparsable).

        Accepts what HubSpot and its exports write: ISO 8601 dates and datetimes and
        epoch milliseconds.
        """
        if name not in self._days:
            column = self.raw(name)
            unique_days = _days_before(column.uniques, self.now)
            self._days[name] = np.append(unique_days, np.nan)[column.codes]
        return self._days[name]

    def activities(self) -> Activities:
        """The batch's activities aligned to row positions, parsed once."""
        if self._activities is None:
            table = self._activities_source
            row = self.contacts.index.get_indexer(pd.Index(table["contact_id"].astype(str)))
            stamps = pd.to_datetime(table["timestamp"], utc=True, errors="coerce")
            delta = (self.now - stamps).to_numpy(dtype="timedelta64[ns]")
            age = np.where(np.isnat(delta), np.nan, delta.astype(np.int64) / _NS_PER_DAY)
            keep = (row >= 0) & ~np.isnan(age)
            self._activities = Activities(
                row=row[keep],
                kind=_factorize_lower(table["kind"], keep),
                outcome=_factorize_lower(table["outcome"], keep),
                direction=_factorize_lower(table["direction"], keep),
                age_days=age[keep],
            )
        return self._activities


def _factorize_lower(column: pd.Series, keep: np.ndarray) -> TextColumn:
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return TextColumn(np.asarray(codes)[keep], _normalise(np.asarray(uniques, dtype=object)))


def _normalise(values: np.ndarray) -> np.ndarray:
    return np.array([str(value).strip().lower() for value in values], dtype=object)


def _days_before(values: np.ndarray, now: pd.Timestamp) -> np.ndarray:
    """Age in days of each distinct text value read as a date, NaN when it is not one."""
    if len(values) == 0:
        return np.array([], dtype=np.float64)
    text = pd.Series(values, dtype=object)
    # ISO first: it is what the API sends, and numeric parsing of dates is slow to fail.
    stamps = pd.Series(pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601"))
    rest = stamps.isna()
    if rest.any():
        numeric = pd.to_numeric(text[rest], errors="coerce")
        epoch = numeric[numeric.abs() >= _EPOCH_MS_MIN]
        if len(epoch):
            stamps[epoch.index] = pd.to_datetime(epoch.astype(np.int64), unit="ms", utc=True)
    delta = (now - stamps).to_numpy(dtype="timedelta64[ns]")
    days = delta.astype(np.int64) / _NS_PER_DAY
    return np.where(np.isnat(delta), np.nan, days)
