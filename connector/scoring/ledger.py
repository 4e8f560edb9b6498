"""The ledger of a scored batch: which criteria fired for each lead and their points.

It is wide and dense: one float32 points matrix and one boolean fired matrix, leads ×
entries, plus one `LedgerEntry` per column. Dense because a batch has tens of criteria
and a million leads: 40 MB per matrix, and a column slice answers "how often does this
criterion fire" in one vectorised pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

EntryKind = Literal["fit", "engagement", "exclusion"]


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger column: a criterion, an exclusion, or the inactivity penalty."""

    id: str
    label: str
    kind: EntryKind
    importance: str
    """critical, important, influencer or negative; `exclusion` for exclusions."""
    points: float
    """Nominal points (per occurrence for repeatable criteria); 0 for exclusions."""
    max_points: float
    """The most this entry can add for one lead before group and kind caps (≤ 0 for
    penalties, 0 for exclusions)."""


@dataclass(frozen=True)
class Ledger:
    """Fired criteria and their points after decay and caps, for every lead of a batch.

    `points[i, j]` is what entry j added to lead i's fit or engagement points (after decay
    and caps; penalties negative; 0 for exclusions), `fired[i, j]` whether its condition
    held (a fired criterion may hold ~0 points after decay). Rows follow `index`.
    """

    index: pd.Index
    entries: tuple[LedgerEntry, ...]
    points: np.ndarray
    fired: np.ndarray

    def entry_ids(self) -> list[str]:
        """The column ids, in order."""
        return [entry.id for entry in self.entries]

    def fired_frame(self) -> pd.DataFrame:
        """Fired flags as a DataFrame (index = contact ids, one bool column per entry id)."""
        return pd.DataFrame(self.fired, index=self.index, columns=self.entry_ids())

    def points_frame(self) -> pd.DataFrame:
        """Points as a DataFrame (index = contact ids, one float column per entry id)."""
        return pd.DataFrame(self.points, index=self.index, columns=self.entry_ids())

    def fire_rates(self) -> pd.Series:
        """The share of leads each entry fired for (0–1), by entry id."""
        rates = self.fired.mean(axis=0) if len(self.index) else np.zeros(len(self.entries))
        return pd.Series(rates, index=self.entry_ids(), dtype=np.float64)

    def long(self) -> pd.DataFrame:
        """Fired entries as a long table: contact_id, entry_id, points (one row per firing)."""
        rows, cols = np.nonzero(self.fired)
        ids = np.asarray(self.entry_ids(), dtype=object)
        return pd.DataFrame(
            {
                "contact_id": self.index.to_numpy()[rows],
                "entry_id": ids[cols],
                "points": self.points[rows, cols].astype(np.float64),
            }
        )
