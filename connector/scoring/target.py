"""Building the "converted" outcome a model learns from: a CSV column or portal history."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from connector.errors import LeadscoreError
from connector.scoring.config import HUBSPOT_DEFAULT_STAGES

DEFAULT_LIFECYCLE_ORDER = tuple(s for s in HUBSPOT_DEFAULT_STAGES if s != "other")
"""HubSpot's default funnel. `other` is deliberately absent: it is not a step forward."""

_POSITIVE_WORDS = ("yes", "true", "1", "y", "t", "converted", "won", "1.0")
_NEGATIVE_WORDS = ("no", "false", "0", "n", "f", "not converted", "lost", "0.0")


def binary_target(
    table: pd.DataFrame, column: str, positive: str | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Split `table` into its input columns and a boolean outcome from `column`.

    `positive` is the value meaning "converted"; without it a yes/no, true/false or 1/0
    column is understood. Rows whose outcome is empty are left out (nothing to learn).
    Raises `LeadscoreError` for a missing column, a single outcome value, an unknown
    `positive` value, or an outcome that is not two-valued without `positive`.
    """
    if column not in table.columns:
        names = [str(c) for c in table.columns]
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        raise LeadscoreError(f"target column '{column}' not found (columns: {shown})")
    raw = table[column]
    text = raw.astype("string").str.strip()
    known = text.notna() & (text != "")
    values = text[known]
    distinct = sorted(values.unique().tolist())
    if len(distinct) < 2:
        seen = f"'{distinct[0]}'" if distinct else "no value"
        raise LeadscoreError(
            f"target column '{column}' has a single outcome ({seen}): a model needs both "
            "converted and not converted leads"
        )
    if positive is None:
        positive = _guess_positive(column, distinct)
    elif positive not in distinct:
        raise LeadscoreError(
            f"--positive '{positive}' is not a value of '{column}' "
            f"(values: {', '.join(distinct[:20])})"
        )
    features = table.loc[known.to_numpy()].drop(columns=[column])
    return features, (values == positive).astype(bool)


def _guess_positive(column: str, distinct: list[str]) -> str:
    lowered = {v.lower(): v for v in distinct}
    if len(distinct) == 2:
        for word in _POSITIVE_WORDS:
            other = set(lowered) - {word}
            if word in lowered and other and other.pop() in _NEGATIVE_WORDS:
                return lowered[word]
    raise LeadscoreError(
        f"cannot tell which value of '{column}' means converted "
        f"(values: {', '.join(distinct[:20])}); pass --positive VALUE"
    )


def outcome_from_lifecycle(
    stages: pd.Series,
    *,
    stage_order: Sequence[str] = DEFAULT_LIFECYCLE_ORDER,
    converted_from: str = "opportunity",
) -> pd.Series:
    """Whether each contact's lifecycle stage reached `converted_from` or later.

    `stage_order` is the portal's funnel in order (read from the `lifecyclestage` property's
    options when the portal customised it). Empty stages and stages outside the order (such
    as `other`) count as not converted. Raises `LeadscoreError` when `converted_from` is not
    in `stage_order`.
    """
    order = [s.lower() for s in stage_order]
    if converted_from.lower() not in order:
        raise LeadscoreError(
            f"lifecycle stage '{converted_from}' is not in the stage order ({', '.join(order)})"
        )
    reached = set(order[order.index(converted_from.lower()) :])
    lowered = stages.astype("string").str.strip().str.lower()
    return lowered.isin(reached).fillna(False).astype(bool)
