"""Moving `lifecyclestage` forward only.

HubSpot's stage only moves forward (going back needs clearing it first), and a scorer must
never pull a contact back or touch a deal-stage contact. The rules, given the portal's
ordered stage list:

- no target → leave the stage;
- opportunity, customer, evangelist and any stage the user protects are never written,
  and a contact in one of them is never moved;
- a contact without a stage gets the target;
- a stage the list does not know (a custom stage removed since) is left alone, since its
  direction cannot be told;
- otherwise the target is written only when it lies strictly after the current stage and
  no protected stage lies between them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from connector.scoring.config import ALWAYS_PROTECTED_STAGES


def forward_stage(
    current: str | None,
    target: str | None,
    stages: Sequence[str],
    protected: Collection[str],
) -> str | None:
    """The stage to write for one contact, or `None` to leave its stage as it is."""
    result = forward_stages(
        pd.Series([current], dtype=object), pd.Series([target], dtype=object), stages, protected
    )
    value = result.iloc[0]
    return None if value is None else str(value)


def forward_stages(
    current: pd.Series,
    target: pd.Series,
    stages: Sequence[str],
    protected: Collection[str],
) -> pd.Series:
    """The vectorised `forward_stage`: a stage to write per contact, or `None` to leave it.

    `current` and `target` are aligned Series of stage names (missing = `None`/NaN/"").
    The result has `current`'s index and object dtype.
    """
    order = {stage: position for position, stage in enumerate(stages)}
    blocked = set(protected) | set(ALWAYS_PROTECTED_STAGES)
    missing = len(stages)
    current_pos = _positions(current, order, unknown=-2, missing=-1)
    target_pos = _positions(target, order, unknown=missing, missing=missing)
    # The first protected position at or after each position: a move may not reach or cross it.
    protected_pos = sorted(order[stage] for stage in blocked if stage in order)
    next_protected = np.searchsorted(np.asarray(protected_pos, dtype=np.int64), current_pos + 1)
    barrier = np.append(np.asarray(protected_pos, dtype=np.int64), missing)[next_protected]
    in_protected = np.isin(current_pos, [order[stage] for stage in blocked if stage in order])
    move = (
        (target_pos < missing)
        & (current_pos != -2)
        & ~in_protected
        & (target_pos > current_pos)
        & (target_pos < barrier)
    )
    values = target.astype(object).to_numpy(copy=True)
    values[~move] = None
    return pd.Series(values, index=current.index, dtype=object)


def _positions(
    stages: pd.Series, order: dict[str, int], *, unknown: int, missing: int
) -> np.ndarray:
    """Each stage's position in `order`; `missing` for empty values, `unknown` for others."""
    text = stages.astype(object).where(stages.notna(), "").astype(str).str.strip().to_numpy()
    positions = np.array([order.get(value, unknown) for value in text], dtype=np.int64)
    positions[text == ""] = missing
    return positions
