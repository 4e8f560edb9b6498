"""Turning a lead table (CSV export or synced contacts) into the model's numeric features.

Values may arrive as strings (HubSpot sends every property as a string, `None` or `""` when
empty), so each column's kind is inferred from its values once, at training, and stored in
a `FeaturePlan`. The same plan transforms training tables and prediction batches, so the
model never sees a feature computed two different ways.

Every string operation works on a column's distinct values and is mapped back through
integer codes: a million rows with ten thousand job titles cost ten thousand string
operations, not a million.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel

from connector.scoring.leads import ACTIVITY_KINDS

Reference = datetime | pd.Series
"""When leads are looked at: one moment for every lead, or one per lead (a Series of UTC
timestamps aligned by position with the table's rows: point-in-time training looks at each
lead as it was at its own cutoff). Ages are measured from it; activities after it are not
counted."""

ACTIVITY_WINDOWS_DAYS = (30, 90, 365)
MAX_CATEGORIES = 40
MAX_TOKENS = 40
_TRUE_WORDS = frozenset({"true", "yes", "y", "t", "1", "on"})
_FALSE_WORDS = frozenset({"false", "no", "n", "f", "0", "off"})
_SENTINELS = (999.0, 9999.0, 99999.0, -1.0, -999.0, -9999.0)
_STOPWORDS = frozenset({"of", "and", "the", "at", "in", "for", "to", "a", "an", "on", "de"})
_DATE_NAME = re.compile(r"(date|_at$|timestamp|time$|_on$)")
_FRIENDLY_LABELS = {
    "jobtitle": "job title",
    "numemployees": "company size",
    "annualrevenue": "annual revenue",
    "hs_analytics_num_page_views": "page views",
    "hs_analytics_num_visits": "site visits",
    "hs_analytics_last_visit_timestamp": "last site visit",
    "num_conversion_events": "form submissions",
    "recent_conversion_event_name": "last form",
    "first_conversion_event_name": "first form",
    "hs_email_open": "email opens",
    "hs_email_click": "email clicks",
    "hs_email_replied": "email replies",
    "hs_email_bounce": "email bounces",
    "hs_analytics_source": "original source",
    "createdate": "created",
}


class ColumnKind(StrEnum):
    """How a source column is read into features."""

    NUMERIC = "numeric"
    BOOLEAN = "boolean"
    DATE = "date"
    CATEGORICAL = "categorical"
    TEXT = "text"
    ACTIVITY_COUNT = "activity_count"
    ACTIVITY_RECENCY = "activity_recency"


class ColumnPlan(BaseModel):
    """What the model learned about one source column at training time."""

    name: str
    kind: ColumnKind
    label: str
    categories: list[str] = []
    """CATEGORICAL: kept values; code i is categories[i], code len(categories) is "other"."""
    tokens: list[str] = []
    """TEXT: keywords that each become a 0/1 feature."""
    sentinel: float | None = None
    """NUMERIC: a code meaning "not set" (e.g. pdays=999), read as missing."""
    count_like: bool = False
    """NUMERIC: non-negative integers, so zero reads as "no <label>"."""
    activity_kind: str = ""
    window_days: int = 0


class FeaturePlan(BaseModel):
    """The fitted transformation from a lead table to the feature matrix."""

    columns: list[ColumnPlan]

    def features(self) -> list[FeatureSpec]:
        """The model features in matrix column order, each tied to its source column."""
        specs: list[FeatureSpec] = []
        for col in self.columns:
            if col.kind is ColumnKind.TEXT:
                specs.extend(
                    FeatureSpec(name=f"{col.name}~{tok}", column=col, token=tok)
                    for tok in col.tokens
                )
            else:
                specs.append(FeatureSpec(name=col.name, column=col, token=""))
        return specs

    @property
    def source_columns(self) -> list[str]:
        """Source column names, in plan order."""
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class FeatureSpec:
    """One column of the feature matrix."""

    name: str
    column: ColumnPlan
    token: str

    @property
    def is_categorical(self) -> bool:
        """True when the feature holds category codes (LightGBM splits it as a category)."""
        return self.column.kind is ColumnKind.CATEGORICAL


def friendly_label(column: str) -> str:
    """A short human label for a property name, used in reasons."""
    if column in _FRIENDLY_LABELS:
        return _FRIENDLY_LABELS[column]
    label = re.sub(r"^(hs_analytics_|hs_)", "", column)
    label = re.sub(r"^num_", "", label)
    return label.replace("_", " ").strip() or column


# ---------------------------------------------------------------- value cleaning


def _distinct_strings(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes into cleaned distinct string values; -1 marks missing (None, NaN, blank)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cleaned = pd.Index(uniques.astype(str)).str.strip()
    blank = np.flatnonzero(cleaned == "")
    if len(blank):
        codes = codes.copy()
        codes[np.isin(codes, blank)] = -1
    return codes, cleaned


def _to_float(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float).to_numpy()
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = _distinct_strings(series)
    parsed = pd.to_numeric(pd.Series(uniques), errors="coerce").to_numpy(dtype=float)
    return _take(parsed, codes)


def _take(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """values[codes] with NaN where code is -1."""
    if len(values) == 0:
        return np.full(len(codes), np.nan)
    out = values[np.where(codes < 0, 0, codes)].astype(float)
    out[codes < 0] = np.nan
    return out


def _to_datetime(series: pd.Series) -> pd.Series:
    """Datetimes (UTC) from datetime dtypes, ISO strings or epoch milliseconds."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(series):
        return series.dt.tz_localize("UTC")
    numeric_dtype = pd.api.types.is_numeric_dtype(series)
    if numeric_dtype:
        numbers = _to_float(series)
        present = ~np.isnan(numbers)
    else:
        # Text: factorize once and reuse the distinct values for both readings below.
        codes, uniques = _distinct_strings(series)
        numbers = _take(_unique_numbers(uniques), codes)
        present = ~pd.isna(series.to_numpy())
    if present.any() and (~np.isnan(numbers[present])).mean() >= 0.98:
        # HubSpot datetimes as numbers are epoch milliseconds; small values are seconds.
        unit: Literal["ms", "s"] = "ms" if np.nanmedian(numbers) > 1e11 else "s"
        return pd.Series(
            pd.to_datetime(numbers.astype(np.float64), unit=unit, utc=True), index=series.index
        )
    if numeric_dtype:
        codes, uniques = _distinct_strings(series)
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    parsed = pd.to_datetime(pd.Series(uniques), utc=True, errors="coerce", format="ISO8601")
    if parsed.isna().mean() > 0.1:
        parsed = pd.to_datetime(pd.Series(uniques), utc=True, errors="coerce", format="mixed")
    # Spread as naive UTC datetime64 values: `to_numpy()` of a tz-aware column would box
    # every value into a Timestamp object.
    naive = parsed.dt.tz_localize(None).to_numpy()
    spread = naive[np.where(codes < 0, 0, codes)]
    spread[codes < 0] = np.datetime64("NaT")
    return pd.Series(pd.DatetimeIndex(spread).tz_localize("UTC"), index=series.index)


def _unique_numbers(uniques: pd.Index) -> np.ndarray:
    """Distinct text values read as numbers (NaN when not one), as `_to_float` reads them.

    Values holding a ':' (times) can never be numbers; they skip `pd.to_numeric`, which is
    slow to reject each of a date column's mostly distinct strings.
    """
    parsed = np.full(len(uniques), np.nan)
    candidates = ~np.asarray(uniques.str.contains(":", regex=False), dtype=bool)
    if candidates.any():
        parsed[candidates] = pd.to_numeric(
            pd.Series(uniques[candidates]), errors="coerce"
        ).to_numpy(dtype=float)
    return parsed


def _age_days(series: pd.Series, now: Reference) -> np.ndarray:
    stamps = _to_datetime(series)
    if isinstance(now, pd.Series):
        ref = pd.Series(pd.to_datetime(now.to_numpy(), utc=True), index=stamps.index)
        delta = (ref - stamps).dt.total_seconds()
    else:
        moment = pd.Timestamp(now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC))
        delta = (moment - stamps).dt.total_seconds()
    return delta.to_numpy(dtype=float, na_value=np.nan) / 86400.0


def _per_activity(now: Reference, positions: np.ndarray) -> Reference:
    """The reference of each activity's lead (`positions`: its row, -1 for no lead)."""
    if not isinstance(now, pd.Series):
        return now
    rows = pd.to_datetime(now.to_numpy(), utc=True)
    return pd.Series(rows[np.maximum(positions, 0)] if len(rows) else rows[:0])


def _tokenize(text: str) -> set[str]:
    return {
        t for t in re.split(r"[^a-z0-9+#]+", text.lower()) if len(t) >= 2 and t not in _STOPWORDS
    }


# ---------------------------------------------------------------- inference


def _bool_word_share(uniques: pd.Index) -> bool:
    lowered = set(uniques.str.lower())
    return bool(lowered) and lowered <= (_TRUE_WORDS | _FALSE_WORDS) and len(lowered) <= 2


def _looks_like_dates(series: pd.Series, name: str, numbers: np.ndarray) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    present = numbers[~np.isnan(numbers)]
    if len(present):
        # Numbers are dates only when named like one and in the epoch-milliseconds range.
        return bool(_DATE_NAME.search(name.lower())) and bool(
            np.median(present) > 1e11 and present.min() > 0
        )
    _, uniques = _distinct_strings(series)
    if len(uniques) == 0:
        return False
    sample = pd.Series(uniques[:500])
    parsed = pd.to_datetime(sample, utc=True, errors="coerce", format="ISO8601")
    if parsed.notna().mean() < 0.9:
        parsed = pd.to_datetime(sample, utc=True, errors="coerce", format="mixed")
    # Require a date-ish shape too so that words like "may" never pass as dates.
    shaped = sample.str.contains(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", regex=True)
    return bool(parsed.notna().mean() >= 0.9 and shaped.mean() >= 0.9)


def infer_column(name: str, series: pd.Series) -> ColumnPlan | None:
    """Learn how to read one column, or None when it carries no information (empty/constant)."""
    label = friendly_label(name)
    if pd.api.types.is_bool_dtype(series):
        return ColumnPlan(name=name, kind=ColumnKind.BOOLEAN, label=label)
    codes, uniques = (
        _distinct_strings(series)
        if not pd.api.types.is_numeric_dtype(series)
        else (np.zeros(0, dtype=np.intp), pd.Index([]))
    )
    numbers = _to_float(series)
    n_present = (
        int((~np.isnan(numbers)).sum())
        if pd.api.types.is_numeric_dtype(series)
        else int((codes >= 0).sum())
    )
    if n_present == 0:
        return None
    if _looks_like_dates(series, name, numbers):
        return ColumnPlan(name=name, kind=ColumnKind.DATE, label=label)
    if not pd.api.types.is_numeric_dtype(series) and _bool_word_share(uniques):
        return ColumnPlan(name=name, kind=ColumnKind.BOOLEAN, label=label)
    parsed_share = (~np.isnan(numbers)).sum() / n_present
    if parsed_share >= 0.98:
        return _numeric_plan(name, label, numbers)
    return _string_plan(name, label, codes, uniques)


def _numeric_plan(name: str, label: str, numbers: np.ndarray) -> ColumnPlan | None:
    present = numbers[~np.isnan(numbers)]
    if np.unique(present).size < 2:
        return None
    sentinel = None
    for code in _SENTINELS:
        share = float((present == code).mean())
        rest = present[present != code]
        if (
            share >= 0.01
            and rest.size
            and ((code > 0 and code > 3 * max(rest.max(), 1.0)) or (code < 0 and rest.min() >= 0))
        ):
            # A "not set" code far outside the real range (pdays=999, -1 for unknown).
            sentinel = code
            present = rest
            break
    count_like = bool(present.size and present.min() >= 0 and np.all(present == np.round(present)))
    return ColumnPlan(
        name=name, kind=ColumnKind.NUMERIC, label=label, sentinel=sentinel, count_like=count_like
    )


def _string_plan(name: str, label: str, codes: np.ndarray, uniques: pd.Index) -> ColumnPlan | None:
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    # Merge values that only differ by surrounding whitespace (already stripped).
    per_value = pd.Series(counts, index=uniques).groupby(level=0).sum()
    per_value = per_value[per_value > 0].sort_values(ascending=False, kind="stable")
    if len(per_value) < 2:
        return None
    total = int(per_value.sum())
    min_count = max(10, math.ceil(0.002 * total))
    kept = per_value[per_value >= min_count].head(MAX_CATEGORIES)
    coverage = kept.sum() / total
    words = np.array([len(_tokenize(v)) for v in per_value.index])
    mean_words = float(np.average(words, weights=per_value.to_numpy()))
    if len(per_value) > MAX_CATEGORIES and coverage < 0.9 and mean_words >= 1.3:
        doc_freq: dict[str, int] = {}
        for value, count in per_value.items():
            for tok in _tokenize(str(value)):
                doc_freq[tok] = doc_freq.get(tok, 0) + int(count)
        tokens = sorted(
            (t for t, c in doc_freq.items() if c >= min_count), key=lambda t: (-doc_freq[t], t)
        )[:MAX_TOKENS]
        if not tokens:
            return None
        return ColumnPlan(name=name, kind=ColumnKind.TEXT, label=label, tokens=tokens)
    if kept.empty:
        return None
    return ColumnPlan(
        name=name, kind=ColumnKind.CATEGORICAL, label=label, categories=[str(v) for v in kept.index]
    )


def activity_plans() -> list[ColumnPlan]:
    """The engagement aggregates built from `LeadFrame.activities`."""
    plans = [
        ColumnPlan(
            name=f"activity_{kind}_{days}d",
            kind=ColumnKind.ACTIVITY_COUNT,
            label=f"{kind}s in the last {days} days",
            activity_kind=kind,
            window_days=days,
            count_like=True,
        )
        for kind in ACTIVITY_KINDS
        for days in ACTIVITY_WINDOWS_DAYS
    ]
    plans.append(
        ColumnPlan(
            name="activity_days_since_last",
            kind=ColumnKind.ACTIVITY_RECENCY,
            label="last activity",
        )
    )
    return plans


# ---------------------------------------------------------------- transformation


def _activity_columns(
    index: pd.Index, activities: pd.DataFrame | None, now: Reference
) -> dict[str, np.ndarray]:
    n = len(index)
    out: dict[str, np.ndarray] = {}
    if activities is None or activities.empty:
        for plan in activity_plans():
            empty = plan.kind is ColumnKind.ACTIVITY_RECENCY
            out[plan.name] = np.full(n, np.nan) if empty else np.zeros(n)
        return out
    pos = pd.Index(index.astype(str)).get_indexer(activities["contact_id"].astype(str))
    age = _age_days(activities["timestamp"].reset_index(drop=True), _per_activity(now, pos))
    known = (pos >= 0) & ~np.isnan(age) & (age >= 0)
    pos, age = pos[known], age[known]
    kinds = activities["kind"].astype(str).str.lower().to_numpy()[known]
    for kind in ACTIVITY_KINDS:
        of_kind = kinds == kind
        for days in ACTIVITY_WINDOWS_DAYS:
            hit = of_kind & (age <= days)
            out[f"activity_{kind}_{days}d"] = np.bincount(pos[hit], minlength=n).astype(float)
    last = np.full(n, np.inf)
    np.minimum.at(last, pos, age)
    last[np.isinf(last)] = np.nan
    out["activity_days_since_last"] = last
    return out


def build_matrix(
    plan: FeaturePlan,
    table: pd.DataFrame,
    now: Reference,
    activities: pd.DataFrame | None = None,
) -> np.ndarray:
    """The float32 feature matrix (rows aligned with `table`) for a fitted plan.

    Columns the plan knows but the table lacks are read as missing, so a batch without some
    property still scores.
    """
    n = len(table)
    specs = plan.features()
    matrix = np.empty((n, len(specs)), dtype=np.float32)
    needs_activity = any(
        c.kind in (ColumnKind.ACTIVITY_COUNT, ColumnKind.ACTIVITY_RECENCY) for c in plan.columns
    )
    activity = _activity_columns(table.index, activities, now) if needs_activity else {}
    j = 0
    for col in plan.columns:
        if col.kind in (ColumnKind.ACTIVITY_COUNT, ColumnKind.ACTIVITY_RECENCY):
            matrix[:, j] = activity[col.name]
            j += 1
            continue
        series = (
            table[col.name]
            if col.name in table.columns
            else pd.Series([None] * n, index=table.index, dtype=object)
        )
        if col.kind is ColumnKind.TEXT:
            block = _text_block(col, series)
            matrix[:, j : j + block.shape[1]] = block
            j += block.shape[1]
            continue
        matrix[:, j] = _column_values(col, series, now)
        j += 1
    return matrix


def _column_values(col: ColumnPlan, series: pd.Series, now: Reference) -> np.ndarray:
    if col.kind is ColumnKind.NUMERIC:
        values = _to_float(series)
        if col.sentinel is not None:
            values[values == col.sentinel] = np.nan
        return values
    if col.kind is ColumnKind.DATE:
        return _age_days(series, now)
    if col.kind is ColumnKind.BOOLEAN:
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            return _to_float(series)
        codes, uniques = _distinct_strings(series)
        lowered = uniques.str.lower()
        mapped = np.where(
            lowered.isin(_TRUE_WORDS), 1.0, np.where(lowered.isin(_FALSE_WORDS), 0.0, np.nan)
        )
        return _take(mapped, codes)
    codes, uniques = _distinct_strings(series)
    lookup = {v: i for i, v in enumerate(col.categories)}
    other = float(len(col.categories))
    mapped = np.array([lookup.get(v, other) for v in uniques], dtype=float)
    return _take(mapped, codes)


def _text_block(col: ColumnPlan, series: pd.Series) -> np.ndarray:
    codes, uniques = _distinct_strings(series)
    token_sets = [_tokenize(v) for v in uniques]
    present = np.array(
        [[tok in toks for tok in col.tokens] for toks in token_sets], dtype=float
    ).reshape(len(uniques), len(col.tokens))
    block = np.full((len(codes), len(col.tokens)), np.nan)
    has = codes >= 0
    block[has] = present[codes[has]]
    return block


def activity_table(
    index: pd.Index, activities: pd.DataFrame | None, now: Reference
) -> pd.DataFrame:
    """Engagement aggregates per lead (columns named as in `activity_plans`), aligned with
    `index` (contact ids): counts per kind in the last 30/90/365 days and days since the
    last activity. Training screens these like any other column."""
    return pd.DataFrame(_activity_columns(index, activities, now), index=index)


def fit_plan(table: pd.DataFrame, columns: list[str]) -> tuple[FeaturePlan, list[str]]:
    """Infer a plan for `columns` of `table`; also returns the columns that carry nothing.

    Columns named like the `activity_table` aggregates get their activity plan, so that
    prediction recomputes them from `LeadFrame.activities`.
    """
    by_activity_name = {p.name: p for p in activity_plans()}
    plans: list[ColumnPlan] = []
    empty: list[str] = []
    for name in columns:
        if name in by_activity_name:
            values = table[name].to_numpy(dtype=float)
            informative = np.unique(values[~np.isnan(values)]).size >= 2
            plan: ColumnPlan | None = by_activity_name[name] if informative else None
        else:
            plan = infer_column(name, table[name])
        if plan is None:
            empty.append(name)
        else:
            plans.append(plan)
    return FeaturePlan(columns=plans), empty
