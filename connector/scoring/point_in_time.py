"""Leads as they were: the training and grading rows of point-in-time learning.

A model that learns from every lead's values as they are *now* learns, for a lead that
converted months ago, what happened because it converted: the meetings after the deal was
opened, the fields sales filled in. Here each training row is the lead at a cutoff instead:

- a lead that converted by `as_of`: just before its conversion, or with a `lead_time`, at a
  moment drawn within that time before it (and after its creation; a lead converted before
  it was created, as a contact added to an account whose deal was already open, has no
  past to learn from and is left out). A forecast asks "will this open lead convert in
  the next N days?", and an open lead is anywhere in those N days before its conversion;
  looked at only at the last moment, converted leads all show the state of the very day
  they converted (last meeting yesterday), which open leads mostly do not show yet (on the
  synthetic portal of the tests, forward AUC 0.62 just before, 0.77 with N = 90 days,
  negatives at matched ages);
- any other lead that existed by `as_of`: at a moment drawn uniformly over its life up to
  `as_of`, as the open leads a forecast ranks are at any age. (`matched_ages=True` draws
  it from the converted leads' ages instead, so both classes have the same age
  distribution; measured on a 20,000-contact sandbox portal it ranks the leads open 90 days
  ago worse — forward AUC 0.670 against 0.722 drawn over the life — because how long an
  open lead has stayed open is itself a fair signal a forecast may use.)

At the cutoff, property values come from the property histories (`histories.values_as_of`)
and only earlier activities count (the features read ages and activities as of each row's
cutoff). A property whose past is unknown (read without history, and not a static column
such as the create date) cannot be looked at as it was, so it is left out and named.

`snapshot_rows` builds the naive alternative — every lead as it was at one moment, labelled
by what had happened by then — which is what training on current values does at `as_of` =
now; `open_rows` the leads still open at a moment with what happened in the next days.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel

from connector.errors import LeadscoreError
from connector.scoring.histories import ContactHistory, values_as_of
from connector.scoring.leads import COMPANY_PREFIX, LeadFrame
from connector.scoring.outcomes import utc_moments

CREATED = "createdate"
STATIC_COLUMNS = frozenset({CREATED, "hs_object_id"})
"""Contact columns whose value never changes after creation: known at any cutoff."""
_BEFORE_MS = 1
"""A converted lead is looked at this many milliseconds before its conversion."""
_MIN_LIFE = pd.Timedelta(minutes=1)
"""A lead converted within this time of its creation has no past to learn from."""


def static_without_history(
    columns: Collection[object], histories: Mapping[str, ContactHistory]
) -> list[str]:
    """The columns to take as they stand: none when histories were read, else all of them
    (a portal or file without any history is looked at with its current values)."""
    return [] if histories else [str(c) for c in columns]


@dataclass(frozen=True)
class TimedRows:
    """Leads as of their cutoffs, ready for `train_model(..., cutoffs=...)`.

    `leads.contacts` holds the values as of each row's cutoff (columns whose past is
    unknown removed: `unknown_past`), `leads.activities` only activities before the cutoffs;
    `target` and `cutoffs` (UTC) are aligned with `leads.contacts`.
    """

    leads: LeadFrame
    target: pd.Series
    cutoffs: pd.Series
    unknown_past: tuple[str, ...]
    without_history: int
    """Leads left out because their history was not read."""
    unknown_conversion_time: int
    """Converted leads left out because when they converted is not known."""
    converted_on_creation: int = 0
    """Converted leads left out because they converted before (or as) they were created."""


def _ms(moments: pd.Series) -> pd.Series:
    return pd.Series(
        moments.to_numpy(dtype="datetime64[ms]").astype(np.int64), index=moments.index
    )


def _known_past(
    columns: pd.Index, histories: Mapping[str, ContactHistory], static: Collection[str]
) -> tuple[list[str], tuple[str, ...]]:
    """The columns that can be read as of a cutoff, and those that cannot."""
    with_history = {name for h in histories.values() for name in h.properties}
    keep: list[str] = []
    unknown: list[str] = []
    for column in map(str, columns):
        known = (
            column in with_history or column in static or column in STATIC_COLUMNS
            or column.startswith(COMPANY_PREFIX)
        )
        (keep if known else unknown).append(column)
    return keep, tuple(unknown)


def _looked_at(
    leads: LeadFrame,
    histories: Mapping[str, ContactHistory],
    rows: pd.Index,
    cutoffs: pd.Series,
    static: Collection[str],
) -> tuple[LeadFrame, tuple[str, ...]]:
    contacts = leads.contacts.loc[rows]
    keep, unknown = _known_past(contacts.columns, histories, static)
    contacts = values_as_of(contacts[keep], histories, _ms(cutoffs))
    activities = leads.activities
    if not activities.empty:
        limit = cutoffs.reindex(activities["contact_id"].astype(str))
        stamps = activities["timestamp"].to_numpy(dtype="datetime64[ns]")
        # NaT (an activity of a lead not in the rows) compares False: dropped.
        before = stamps < limit.to_numpy(dtype="datetime64[ns]")
        activities = activities[before].reset_index(drop=True)
    return LeadFrame(contacts=contacts, activities=activities), unknown


def _created(leads: LeadFrame) -> pd.Series:
    if CREATED not in leads.contacts.columns:
        raise LeadscoreError(f"point-in-time rows need each lead's {CREATED!r}")
    created = utc_moments(leads.contacts[CREATED])
    created.index = leads.contacts.index
    return created


def _population(leads: LeadFrame, as_of: datetime) -> tuple[pd.Series, pd.Index]:
    created = _created(leads)
    return created, created.index[(created <= _utc(as_of)).to_numpy()]


def _utc(moment: datetime) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def point_in_time_rows(
    leads: LeadFrame,
    converted_at: pd.Series,
    histories: Mapping[str, ContactHistory],
    as_of: datetime,
    *,
    converted: pd.Series | None = None,
    static: Collection[str] = (),
    lead_time: timedelta | None = None,
    matched_ages: bool = False,
    seed: int = 0,
) -> TimedRows:
    """Every lead that existed by `as_of`, at its cutoff (see the module doc).

    `converted_at` (UTC, NaT for no conversion) is aligned with `leads.contacts`;
    `converted` marks converted leads whose time is unknown (they are left out and
    counted). Leads without a history in `histories` are left out when any lead has one.
    """
    created, population = _population(leads, as_of)
    moment = _utc(as_of)
    at = pd.to_datetime(converted_at.reindex(leads.contacts.index), utc=True)
    untimed = pd.Series(False, index=leads.contacts.index)
    if converted is not None:
        untimed = converted.reindex(leads.contacts.index).fillna(False).astype(bool) & at.isna()
    positive = at.notna() & (at <= moment)
    # Converted before (or as) the lead was created — a colleague's deal already open when
    # the contact was added: there is no "before" to learn from.
    on_creation = positive & (at <= created + _MIN_LIFE)
    rows = population[~(untimed | on_creation).loc[population].to_numpy()]
    without = 0
    if histories:
        read = rows.isin(list(histories))
        without = int((~read).sum())
        rows = rows[read]
    is_positive = positive.loc[rows].to_numpy()
    born = created.loc[rows]
    rng = np.random.default_rng(seed)
    converted_at_ = at.loc[rows][is_positive]
    life_ms = (converted_at_ - born[is_positive]).to_numpy(dtype="timedelta64[ms]").astype(
        np.int64)
    ahead_ms = np.full(len(life_ms), _BEFORE_MS, dtype=np.int64)
    if lead_time is not None:
        # Within the lead time, and within the lead's life before converting.
        window = np.minimum(int(lead_time.total_seconds() * 1000), life_ms - _BEFORE_MS)
        ahead_ms += (rng.random(len(ahead_ms)) * np.maximum(window, 0)).astype(np.int64)
    cut_positive = converted_at_ - pd.to_timedelta(ahead_ms, unit="ms")
    ages = np.sort((cut_positive - born[is_positive]).to_numpy(dtype="timedelta64[ms]"))
    reached = (moment - born[~is_positive]).to_numpy(dtype="timedelta64[ms]")
    if matched_ages:
        drawn = _matched_ages(ages, reached, rng)
    else:
        drawn = (rng.random(len(reached)) * reached.astype(np.int64)).astype("timedelta64[ms]")
    cut_negative = born[~is_positive] + pd.to_timedelta(drawn)
    cutoffs = pd.concat([cut_positive, cut_negative]).reindex(rows)
    looked, unknown = _looked_at(leads, histories, rows, cutoffs, static)
    return TimedRows(
        leads=looked,
        target=pd.Series(is_positive, index=rows),
        cutoffs=cutoffs,
        unknown_past=unknown,
        without_history=without,
        unknown_conversion_time=int(untimed.loc[population].sum()),
        converted_on_creation=int(on_creation.loc[population].sum()),
    )


def conversions_with_a_past(leads: LeadFrame, converted_at: pd.Series) -> pd.Series:
    """`converted_at` without the conversions at or before the lead's creation (NaT there):
    what judging a property "set before or after the conversion" may look at."""
    created = _created(leads)
    at = pd.to_datetime(converted_at.reindex(leads.contacts.index), utc=True)
    return at.where(at > created + _MIN_LIFE)


def _matched_ages(ages: np.ndarray, reached: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each age `reached`, one of `ages` not above it (drawn), or `reached` itself."""
    if len(ages) == 0:
        return reached
    fits = np.searchsorted(ages, reached, side="right")
    draw = np.floor(rng.random(len(reached)) * np.maximum(fits, 1))
    chosen = ages[np.minimum(draw.astype(np.int64), len(ages) - 1)]
    return np.where(fits > 0, chosen, reached)


def snapshot_rows(
    leads: LeadFrame,
    converted_at: pd.Series,
    histories: Mapping[str, ContactHistory],
    as_of: datetime,
    *,
    static: Collection[str] = (),
) -> TimedRows:
    """Every lead that existed by `as_of`, as it was at `as_of`, labelled converted if it
    had converted by then: training "on current values" as it would have run at `as_of`."""
    _, population = _population(leads, as_of)
    moment = _utc(as_of)
    at = pd.to_datetime(converted_at.reindex(leads.contacts.index), utc=True)
    cutoffs = pd.Series(moment, index=population)
    looked, unknown = _looked_at(leads, histories, population, cutoffs, static)
    target = (at.notna() & (at <= moment)).loc[population]
    return TimedRows(looked, target, cutoffs, unknown, 0, 0)


def open_rows(
    leads: LeadFrame,
    converted_at: pd.Series,
    histories: Mapping[str, ContactHistory],
    as_of: datetime,
    until: datetime,
    *,
    converted: pd.Series | None = None,
    static: Collection[str] = (),
) -> TimedRows:
    """The leads open at `as_of` (existing, not converted by then), as they were then;
    `target`: converted after `as_of` and by `until`. A lead converted at an unknown time
    cannot be placed and is left out."""
    _, population = _population(leads, as_of)
    moment = _utc(as_of)
    end = _utc(until)
    at = pd.to_datetime(converted_at.reindex(leads.contacts.index), utc=True)
    untimed = pd.Series(False, index=leads.contacts.index)
    if converted is not None:
        untimed = converted.reindex(leads.contacts.index).fillna(False).astype(bool) & at.isna()
    still_open = ~(at.notna() & (at <= moment)) & ~untimed
    rows = population[still_open.loc[population].to_numpy()]
    cutoffs = pd.Series(moment, index=rows)
    looked, unknown = _looked_at(leads, histories, rows, cutoffs, static)
    target = (at.notna() & (at > moment) & (at <= end)).loc[rows]
    return TimedRows(looked, target, cutoffs, unknown, 0, int(untimed.loc[population].sum()))


class TrainingWindow(BaseModel):
    """How a model's training rows were looked at, kept in its metadata for `model show`."""

    method: Literal["point_in_time", "current_values"]
    lead_time_days: float | None = None
    """Converted leads were looked at within this many days before converting."""
    properties_as_of: bool = False
    """Property values were read as of each cutoff from property history."""
    unknown_past: list[str] = []
    """Columns left out: their value at a past cutoff is not known."""
    post_outcome: list[str] = []
    """Columns property history shows were set at or after the conversion."""
    without_history: int = 0
    unknown_conversion_time: int = 0
    converted_on_creation: int = 0
