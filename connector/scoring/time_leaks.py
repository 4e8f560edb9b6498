"""Post-outcome properties found by time: what was first set at or after the conversion.

Name rules guess (`guards.post_outcome_rule`); property history knows. A property that, for
most converted leads that have it, first received a value at or after the lead's conversion
was filled in because of the conversion (sales qualifying the deal, the buying role, a phone
number taken on the first call): it is excluded from training and named with its evidence.
A property with history that was known before the conversion is judged by time alone, so
its name no longer excludes it (`guards.screen_columns(..., timed=...)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from connector.scoring.histories import ContactHistory

POST_OUTCOME_SHARE = 0.5
"""Set at or after the conversion for more than this share of converted leads: post-outcome."""
MIN_CONVERTED_WITH_VALUE = 20
"""Fewer converted leads with a value than this: too little evidence to judge by time."""


@dataclass(frozen=True)
class TimedVerdict:
    """When a property was first set, relative to the conversion, over converted leads."""

    column: str
    converted_with_value: int
    set_after: int

    @property
    def share_after(self) -> float:
        """The share of converted leads with a value that got it at or after converting."""
        return self.set_after / self.converted_with_value if self.converted_with_value else 0.0

    @property
    def post_outcome(self) -> bool:
        """True when the property is mostly filled in because of the conversion."""
        return (self.converted_with_value >= MIN_CONVERTED_WITH_VALUE
                and self.share_after > POST_OUTCOME_SHARE)

    def evidence(self) -> str:
        """The finding in words, for `model show` and the report."""
        return (
            f"first set at or after the conversion for {self.set_after} of "
            f"{self.converted_with_value} converted leads with a value "
            f"({self.share_after:.0%}; property history)"
        )


def timed_verdicts(
    histories: Mapping[str, ContactHistory], converted_at: pd.Series
) -> list[TimedVerdict]:
    """One verdict per property read with history, over the converted leads (those with a
    conversion time in `converted_at`, indexed by contact id) that ever had a value."""
    moments = pd.to_datetime(converted_at.dropna(), utc=True)
    at_ms = dict(zip(moments.index.astype(str),
                     moments.to_numpy(dtype="datetime64[ms]").astype(np.int64), strict=True))
    counts: dict[str, list[int]] = {}
    for cid, history in histories.items():
        converted = at_ms.get(cid)
        for name in history.properties:
            tally = counts.setdefault(name, [0, 0])
            if converted is None:
                continue
            first = history.first_set_ms(name)
            if first is None:
                continue
            tally[0] += 1
            tally[1] += int(first >= converted)
    return [TimedVerdict(name, n, after) for name, (n, after) in sorted(counts.items())]


def timed_exclusions(verdicts: list[TimedVerdict]) -> dict[str, str | None]:
    """The `timed=` mapping of the guards: evidence for post-outcome columns, None for
    columns history shows to be known before the outcome; too-thin evidence is left out
    (the name rules judge those)."""
    judged: dict[str, str | None] = {}
    for verdict in verdicts:
        if verdict.post_outcome:
            judged[verdict.column] = verdict.evidence()
        elif verdict.converted_with_value >= MIN_CONVERTED_WITH_VALUE:
            judged[verdict.column] = None
    return judged
