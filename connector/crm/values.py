"""Scores rendered as CRM property values: every value is text, `""` clears one."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from connector.crm.records import RecordUpdate
from connector.scoring.properties import CompanyProperties, ModelProperties
from connector.scoring.score_columns import WRITTEN_COLUMNS, CompanyScoreColumn, ScoreColumn

SCORE_COLUMNS = WRITTEN_COLUMNS
"""Columns `score_updates` reads from a score table (missing ones are written as empty)."""


def text(value: Any) -> str | None:
    """A value as property text (`None` for missing, NaN and NaT; timestamps ISO 8601)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def format_number(value: Any) -> str:
    """A score as a number property: `"73.5"`, `"100"`; `""` when missing."""
    if value is None:
        return ""
    number = float(value)
    if math.isnan(number):
        return ""
    rounded = round(number, 1)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"


def format_datetime(moment: datetime) -> str:
    """A datetime property value: ISO 8601 in UTC with milliseconds."""
    if moment.tzinfo is None:
        raise ValueError("scored_at must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text_or_empty(value: Any) -> str:
    rendered = text(value)
    return rendered if rendered is not None else ""


def score_updates(
    scores: pd.DataFrame,
    names: ModelProperties,
    *,
    scored_at: datetime,
    version: str,
    lifecycle_column: str = "lifecyclestage",
) -> list[RecordUpdate]:
    """Property updates for one model from a score table indexed by record id.

    Reads `SCORE_COLUMNS` (numbers 0-100, tier/segment values, reasons text) and, when
    present and non-empty, `lifecycle_column` (the forward-only stage decided by scoring).
    """
    stamp = format_datetime(scored_at)
    present = {c for c in SCORE_COLUMNS if c in scores.columns}
    with_stage = lifecycle_column in scores.columns
    updates: list[RecordUpdate] = []
    for record_id, row in scores.iterrows():
        def get(column: str, row: pd.Series = row) -> Any:
            return row[column] if column in present else None

        values = {
            names.score: format_number(get(ScoreColumn.SCORE)),
            names.fit: format_number(get(ScoreColumn.FIT)),
            names.engagement: format_number(get(ScoreColumn.ENGAGEMENT)),
            names.likelihood: format_number(get(ScoreColumn.LIKELIHOOD)),
            names.tier: _text_or_empty(get(ScoreColumn.TIER)),
            names.reasons: _text_or_empty(get(ScoreColumn.REASONS)),
            names.segment: _text_or_empty(get(ScoreColumn.SEGMENT)),
            names.scored_at: stamp,
            names.version: version,
        }
        # Only models with the grade enabled have the column; others leave the property alone.
        if ScoreColumn.GRADE in present:
            values[names.grade] = _text_or_empty(get(ScoreColumn.GRADE))
        if with_stage and _text_or_empty(row[lifecycle_column]):
            values["lifecyclestage"] = _text_or_empty(row[lifecycle_column])
        updates.append(RecordUpdate(id=str(record_id), properties=values))
    return updates


def company_score_updates(
    scores: pd.DataFrame, names: CompanyProperties, *, scored_at: datetime, version: str
) -> list[RecordUpdate]:
    """Company property updates from a company score frame indexed by company id."""
    stamp = format_datetime(scored_at)
    updates: list[RecordUpdate] = []
    for company_id, row in scores.iterrows():
        values = {
            names.score: format_number(row[CompanyScoreColumn.SCORE]),
            names.fit: format_number(row[CompanyScoreColumn.FIT]),
            names.engagement: format_number(row[CompanyScoreColumn.ENGAGEMENT]),
            names.tier: _text_or_empty(row[CompanyScoreColumn.TIER]),
            names.reasons: _text_or_empty(row[CompanyScoreColumn.REASONS]),
            names.engaged_contacts: format_number(row[CompanyScoreColumn.ENGAGED_CONTACTS]),
            names.scored_at: stamp,
            names.version: version,
        }
        updates.append(RecordUpdate(id=str(company_id), properties=values))
    return updates
