"""A history read from a CSV export with one row per lead and an outcome column.

Headers that are HubSpot's labels of its default contact properties ("Job Title") are read
as their internal names (`jobtitle`, see `property_labels.py`), so an export scores like a
synced portal; `input_coverage` tells how many of a config's properties a history has.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from connector.errors import LeadscoreError
from connector.evaluation import History
from connector.reports.property_labels import ColumnRecognition, recognise_columns
from connector.scoring.config import ScoringConfig
from connector.scoring.leads import LeadFrame
from connector.scoring.needs import properties_needed
from connector.tables import read_table

ID_COLUMNS = ("hs_object_id", "Record ID", "contact_id", "id", "vid")
"""Columns taken as the contact id, in this order, when the caller names none."""

POSITIVE_WORDS = ("yes", "true", "1", "y", "converted", "won", "closed won", "customer")
"""Target values read as "converted" when the caller gives no `--positive`."""


def history_from_csv(
    path: Path,
    target: str,
    now: datetime,
    positive: str | None = None,
    id_column: str | None = None,
) -> History:
    """Read a CSV export with one row per lead and an outcome column.

    The outcome column is removed from the lead properties, so no criterion or model can
    see the answer. Without `positive`, a two-valued column whose values include a usual
    "yes" word (see `POSITIVE_WORDS`) is understood; anything else asks for `--positive`.
    The id comes from `id_column`, else the first of `ID_COLUMNS` present, else the row
    number (1-based). `target` and `id_column` name the file's own headers; the other
    headers that are HubSpot labels become internal names.
    """
    table = read_table(path)
    if target not in table.columns:
        raise LeadscoreError(
            f"{path}: no target column {target!r} (columns: {_column_list(table)})"
        )
    outcome = table[target]
    if outcome.isna().any():
        first = int(np.flatnonzero(outcome.isna().to_numpy())[0]) + 2
        raise LeadscoreError(
            f"{path}: target column {target!r} is empty on line {first}; "
            "every lead needs a known outcome"
        )
    values = outcome.str.strip()
    label = positive.strip() if positive is not None else _infer_positive(path, target, values)
    converted = (values.str.casefold() == label.casefold()).to_numpy(dtype=bool)
    if positive is not None and not converted.any():
        seen = ", ".join(sorted(values.unique())[:10])
        raise LeadscoreError(f"{path}: no row has {target} = {positive!r} (values seen: {seen})")
    contacts = table.drop(columns=[target])
    contacts.index = _ids(path, contacts, id_column)
    contacts.index.name = "contact_id"
    contacts = contacts.rename(columns=recognise_columns(contacts.columns, (), path.name).renamed)
    return History(
        leads=LeadFrame.from_table(contacts),
        converted=converted,
        now=now,
        source=f"{path.name} ({target} = {label})",
    )


def input_coverage(
    columns: Collection[str], config: ScoringConfig, source: str
) -> ColumnRecognition:
    """Which contact properties `config` reads are among `columns` (a loaded history's).

    Works on a file's raw headers (its `renamed` then says which labels stand for which
    property) and on a loaded history's columns (`history.leads.contacts.columns`, whose
    labels are internal names already).
    """
    return recognise_columns(columns, properties_needed(config).contact, source)


def _infer_positive(path: Path, target: str, values: pd.Series) -> str:
    # Outcomes compare case-insensitively, so "Yes" and "yes" are one value.
    distinct = sorted({str(v).casefold() for v in values.unique()})
    if len(distinct) == 2:
        for value in distinct:
            if value in POSITIVE_WORDS:
                return value
    shown = ", ".join(distinct[:10]) + (", ..." if len(distinct) > 10 else "")
    raise LeadscoreError(
        f"{path}: cannot tell which value of {target!r} means converted (values: {shown}); "
        "pass --positive VALUE"
    )


def _ids(path: Path, table: pd.DataFrame, id_column: str | None) -> pd.Index:
    if id_column is not None and id_column not in table.columns:
        raise LeadscoreError(f"{path}: no id column {id_column!r} (columns: {_column_list(table)})")
    column = id_column or next((c for c in ID_COLUMNS if c in table.columns), None)
    if column is None:
        return pd.Index([str(i) for i in range(1, len(table) + 1)])
    ids = table[column]
    if ids.isna().any():
        raise LeadscoreError(f"{path}: id column {column!r} has empty cells")
    duplicated = ids[ids.duplicated()]
    if not duplicated.empty:
        raise LeadscoreError(f"{path}: id column {column!r} repeats id {duplicated.iloc[0]!r}")
    return pd.Index(ids.astype(str))


def _column_list(table: pd.DataFrame) -> str:
    names = [str(c) for c in table.columns]
    return ", ".join(names[:15]) + (", ..." if len(names) > 15 else "")
