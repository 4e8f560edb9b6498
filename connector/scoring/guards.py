"""Rules that keep a lead model honest: which input columns it must never learn from.

Three things ruin real lead models and are caught here:

- identifier-like columns (ids, emails, names, phones, nearly-unique strings; `identifiers.py`):
  they let a model memorise leads instead of learning what converts;
- columns whose value is only set *after* the outcome (lifecycle dates, lead status,
  deal/customer fields): in history they encode the answer, at scoring time they are empty.
  Property history decides where it exists (`timed` verdicts); names decide elsewhere;
- any single column that gives the outcome away on its own (`leak_measures.py`): an AUC of
  `LEAK_AUC_THRESHOLD`, or a `PURITY_THRESHOLD` share of rows on values that decide the
  outcome alone. Reported as a suspected leak with both figures.

A flagged column can be kept on request (`keep`): the user vouches that it is known before
the outcome. It is recorded as kept, never silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import pandas as pd

from connector.errors import LeadscoreError
from connector.scoring.identifiers import identifier_rule
from connector.scoring.leak_measures import Purity, leak_figures

LEAK_AUC_THRESHOLD = 0.95
"""A single column whose own AUC reaches this is almost certainly written after the outcome."""
PURITY_THRESHOLD = 0.2
"""A column with this share of rows on pure values is a suspected leak, whatever its AUC.

A fifth of the leads on values that decide the outcome alone means the column carries the
answer for them. A table drawn with the value shares and rates of the public Leads data
(tests/scoring/leads_fixtures.py) puts its sales-written "Tags" at 0.36-0.39 (AUC 0.92, under
`LEAK_AUC_THRESHOLD`), while its legitimate strong columns stay at 0.02 or less ("Lead
Origin" 0, "Lead Source" 0.015, "Total Time Spent on Website" 0, the occupation 0). On the
real bank-marketing data every column but one is at 0; `duration`, the documented leak of
that data (a call's length is known only once the call that decides the outcome ended),
reaches 0.15 (AUC 0.82) and is not caught: without history, such a column is the user's to
`--drop`.
"""

NO_VERDICTS: Mapping[str, str | None] = MappingProxyType({})
"""The default of `timed`: no history verdicts, the name rules decide."""


class ExclusionReason(StrEnum):
    """Why a column was left out of the model."""

    DROPPED = "dropped"
    IDENTIFIER = "identifier"
    POST_OUTCOME = "post_outcome"
    SUSPECTED_LEAK = "suspected_leak"
    CONSTANT = "constant"


@dataclass(frozen=True)
class ExcludedColumn:
    """A column the model does not use, with the rule that excluded it and a human detail."""

    column: str
    reason: ExclusionReason
    detail: str


@dataclass(frozen=True)
class KeptColumn:
    """A column a guard flagged that the user kept on request, with the flag it overrode."""

    column: str
    reason: ExclusionReason
    detail: str


@dataclass(frozen=True)
class SuspectedLeak:
    """A column that on its own separates converted from not converted leads too well."""

    column: str
    auc: float
    kept: bool
    """True when the user forced the column in despite the warning."""
    purity: float | None = None
    """Share of rows on values that decide the outcome alone (`leak_measures`); None in
    models trained before purity was measured."""


# Post-outcome columns: HubSpot stamps these when a contact moves through the funnel or
# gets a deal, i.e. after (or because of) the conversion the model is meant to predict.
_POST_OUTCOME_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"^hs_lifecyclestage_.*_date$",
        r"^hs_(v2_)?date_(entered|exited)_",
        r"^hs_(v2_)?(cumulative_)?time_in_",
        r"^hs_(v2_)?latest_time_in_",
        r"^lifecyclestage$",
        r"^hs_lead_status$",
        r"^recent_deal_",
        r"^(hs_)?num_associated_deals$",
        r"^first_deal_created_date$",
        r"^days_to_close$",
        r"^total_revenue$",
        r"became",
    )
)
_POST_OUTCOME_TOKENS = frozenset(
    {
        "deal",
        "deals",
        "customer",
        "customers",
        "closed",
        "closedate",
        "won",
        "lost",
        "churn",
        "churned",
        "opportunity",
        "revenue",
        "converted",
    }
)


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", name.lower()) if t]


def post_outcome_rule(column: str) -> str | None:
    """The reason `column` is set after the outcome, judged by its name, or None."""
    lowered = column.lower()
    for pattern in _POST_OUTCOME_PATTERNS:
        if pattern.search(lowered):
            return f"name matches post-outcome rule /{pattern.pattern}/"
    hit = _POST_OUTCOME_TOKENS.intersection(_tokens(lowered))
    if hit:
        return f"name mentions '{sorted(hit)[0]}' (set after the outcome)"
    return None


@dataclass(frozen=True)
class Screening:
    """The outcome of the guards over a training table."""

    kept: list[str]
    excluded: list[ExcludedColumn]
    leaks: list[SuspectedLeak]
    kept_on_request: list[KeptColumn]
    """Flagged columns the user kept (`keep`), one entry per flag overridden."""


def screen_columns(
    table: pd.DataFrame,
    target: np.ndarray,
    *,
    drop: Sequence[str] = (),
    keep: Sequence[str] = (),
    timed: Mapping[str, str | None] = NO_VERDICTS,
) -> Screening:
    """Apply every guard to the columns of `table` (the target column must not be in it).

    `drop` removes columns on request. `keep` keeps columns the guards flag (identifiers,
    post-outcome names, suspected leaks) that the user vouches for; each override is in
    `kept_on_request`, and a kept leak is still reported with its figures.
    `timed` holds verdicts from property history, which beat the name rules: column → the
    evidence that it is set after the outcome (the column is excluded as POST_OUTCOME with
    that text, and cannot be kept), or None when history shows it is known before the
    outcome (the name-based post-outcome rule is then not applied; the identifier and leak
    guards still are). Columns of `timed` the table lacks are ignored: history may know more
    properties than the table holds. Raises `LeadscoreError` when `drop` or `keep` name a
    column the table lacks, or `keep` one that history shows is set after the outcome.
    """
    columns = [str(c) for c in table.columns]
    _check_options(columns, drop, keep, timed)
    excluded: list[ExcludedColumn] = []
    leaks: list[SuspectedLeak] = []
    overridden: list[KeptColumn] = []
    kept: list[str] = []
    for name in columns:
        if name in drop:
            excluded.append(ExcludedColumn(name, ExclusionReason.DROPPED, "dropped on request"))
            continue
        evidence = timed.get(name)
        if evidence is not None:
            excluded.append(ExcludedColumn(name, ExclusionReason.POST_OUTCOME, evidence))
            continue
        flags = _name_and_value_flags(name, table[name], known_before=name in timed)
        if flags and name not in keep:
            excluded.append(flags[0])
            continue
        overridden.extend(KeptColumn(f.column, f.reason, f.detail) for f in flags)
        check = _leak_check(name, table[name], target, kept=name in keep)
        if check is not None:
            leak, detail = check
            leaks.append(leak)
            if not leak.kept:
                excluded.append(ExcludedColumn(name, ExclusionReason.SUSPECTED_LEAK, detail))
                continue
            overridden.append(KeptColumn(name, ExclusionReason.SUSPECTED_LEAK, detail))
        kept.append(name)
    return Screening(kept=kept, excluded=excluded, leaks=leaks, kept_on_request=overridden)


def _check_options(
    columns: list[str],
    drop: Sequence[str],
    keep: Sequence[str],
    timed: Mapping[str, str | None],
) -> None:
    blank = sorted(n for n, text in timed.items() if text is not None and not text.strip())
    if blank:
        raise LeadscoreError(
            f"post-outcome verdict without evidence for column(s): {', '.join(blank)} "
            "(give the history that shows it, or None when the column is known before)"
        )
    for option, names in (("drop", drop), ("keep", keep)):
        unknown = [n for n in names if n not in columns]
        if unknown:
            raise LeadscoreError(
                f"unknown column(s) to {option}: {', '.join(unknown)} "
                f"(the table has: {', '.join(columns[:30])}{', ...' if len(columns) > 30 else ''})"
            )
    after = [n for n in keep if timed.get(n) is not None and n not in drop]
    if after:
        raise LeadscoreError(
            f"cannot keep {after[0]}: its history shows it is set after the outcome "
            f"({timed[after[0]]})"
        )


def _name_and_value_flags(
    name: str, values: pd.Series, *, known_before: bool
) -> list[ExcludedColumn]:
    """What the post-outcome name rule and the identifier rule say about one column."""
    flags: list[ExcludedColumn] = []
    rule = None if known_before else post_outcome_rule(name)
    if rule:
        flags.append(ExcludedColumn(name, ExclusionReason.POST_OUTCOME, rule))
    rule = identifier_rule(name, values)
    if rule:
        flags.append(ExcludedColumn(name, ExclusionReason.IDENTIFIER, rule))
    return flags


def _leak_check(
    name: str, values: pd.Series, target: np.ndarray, *, kept: bool
) -> tuple[SuspectedLeak, str] | None:
    """The column as a suspected leak, and why, when its AUC or its purity gives it away."""
    figures = leak_figures(values, target)
    auc, purity = figures.auc, figures.purity
    if auc < LEAK_AUC_THRESHOLD and purity.share < PURITY_THRESHOLD:
        return None
    leak = SuspectedLeak(name, round(auc, 4), kept=kept, purity=purity.share)
    return leak, _leak_detail(auc, purity)


def _leak_detail(auc: float, purity: Purity) -> str:
    if purity.share < PURITY_THRESHOLD:
        evidence = f"predicts the outcome alone (AUC {auc:.3f})"
    else:
        shown = ", ".join(f"{v.value!r} {v.rate:.0%} converted" for v in purity.values[:3])
        more = ", ..." if len(purity.values) > 3 else ""
        evidence = (
            f"{purity.share:.0%} of the rows have a value that decides the outcome alone "
            f"({shown}{more}; AUC {auc:.3f})"
        )
    return f"{evidence}; keep it only if it is known before the outcome"
