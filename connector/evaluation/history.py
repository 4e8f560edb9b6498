"""The history insights learn from: leads, whether each converted, and optionally their scores.

Every insights command takes a `History` and does not care where it came from. The CSV
path is `history_from_csv`; the synced portal's history is built by the sync layer into the
same dataclass (with the scores it last wrote and the A/B arm it recorded, when it has them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from connector.errors import LeadscoreError
from connector.scoring.engine import ScoreFrame
from connector.scoring.leads import LeadFrame
from connector.tables import read_table

ID_COLUMNS = ("hs_object_id", "contact_id", "id", "vid")
"""Columns taken as the contact id, in this order, when the caller names none."""

POSITIVE_WORDS = ("yes", "true", "1", "y", "converted", "won", "closed won", "customer")
"""Target values read as "converted" when the caller gives no `--positive`."""


@dataclass(frozen=True)
class History:
    """Leads with known outcomes.

    `converted[i]` is the outcome of `leads.contacts.index[i]`. `scores`, when given, are the
    score frames already computed for these leads (model name → frame), so an evaluation need
    not re-score; `arms`, when given, is the A/B arm ("champion"/"challenger") per lead.
    `now` is the moment the leads are scored as of (engagement decay is relative to it).
    """

    leads: LeadFrame
    converted: NDArray[np.bool_]
    now: datetime
    source: str
    scores: dict[str, ScoreFrame] | None = None
    arms: NDArray[np.object_] | None = None

    def __post_init__(self) -> None:
        if len(self.converted) != len(self.leads):
            raise LeadscoreError(
                f"{self.source}: {len(self.converted)} outcomes for {len(self.leads)} leads"
            )
        if self.arms is not None and len(self.arms) != len(self.leads):
            raise LeadscoreError(
                f"{self.source}: {len(self.arms)} A/B arms for {len(self.leads)} leads"
            )

    def without_scores(self) -> History:
        """The same history with its stored scores dropped, so it gets scored afresh."""
        return replace(self, scores=None)

    @property
    def conversions(self) -> int:
        """Number of converted leads."""
        return int(self.converted.sum())


HistorySource = Callable[[], History]
"""Where a command's history comes from: the CSV loader, or the portal loader of the sync."""


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
    number (1-based).
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
    return History(
        leads=LeadFrame.from_table(contacts),
        converted=converted,
        now=now,
        source=f"{path.name} ({target} = {label})",
    )


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
