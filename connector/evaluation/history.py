"""The history the evaluations learn from: leads, whether each converted, and their scores.

Every evaluation takes a `History` and does not care where it came from: a CSV export
(`connector.reports.history_from_csv`) or a synced portal's stored contacts
(`connector.reports.load_portal_history`) both become this dataclass, the latter with the
scores it last wrote and the A/B arm it recorded, when it has them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from connector.errors import LeadscoreError
from connector.scoring.engine import ScoreFrame
from connector.scoring.leads import LeadFrame


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
