"""Rules that keep a lead model honest: which input columns it must never learn from.

Three things ruin real lead models and are caught here:

- identifier-like columns (ids, emails, names, phones, nearly-unique strings): they let a
  model memorise leads instead of learning what converts;
- columns whose value is only set *after* the outcome (lifecycle dates, lead status,
  deal/customer fields): in history they encode the answer, at scoring time they are empty;
- any single column that predicts the outcome almost perfectly: reported as a suspected
  leak and excluded unless the user explicitly keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from connector.errors import LeadscoreError

LEAK_AUC_THRESHOLD = 0.95
"""A single column whose own AUC reaches this is almost certainly written after the outcome."""

NO_VERDICTS: Mapping[str, str | None] = MappingProxyType({})
"""The default of `timed`: no history verdicts, the name rules decide."""
_NEARLY_UNIQUE_RATIO = 0.9
_MIN_ROWS_FOR_UNIQUENESS = 20


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
class SuspectedLeak:
    """A column that on its own separates converted from not converted leads too well."""

    column: str
    auc: float
    kept: bool
    """True when the user forced the column in despite the warning."""


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

# Identifier-like names. Deliberately exact or suffix matches: `hs_email_open` is an
# engagement count, `recent_conversion_event_name` a form name; both are legitimate.
_IDENTIFIER_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"^(id|vid|uuid|guid|record_id|hs_object_id|object_id)$",
        r"_id$",
        r"(^|_)(uuid|guid)$",
        r"^(email|e_mail|email_address|work_email|hs_additional_emails)$",
        r"_email$",
        r"^(phone|mobilephone|phone_number|fax|hs_calculated_phone_number.*)$",
        r"_phone(_number)?$",
        r"^(firstname|lastname|first_name|last_name|name|full_name|fullname|contact_name)$",
        r"^(address|street|zip|postal_code|ip|hs_ip_address|ip_address)$",
        r"^(website|url|linkedin_url|twitterhandle|hs_linkedin_url)$",
        r"^unnamed(: | )?\d*$",
    )
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


def identifier_rule(column: str, values: pd.Series) -> str | None:
    """The reason `column` looks like an identifier (by name or by its values), or None."""
    lowered = column.lower().strip()
    for pattern in _IDENTIFIER_PATTERNS:
        if pattern.search(lowered):
            return f"identifier-like name /{pattern.pattern}/"
    present = values.dropna()
    if pd.api.types.is_object_dtype(present) or pd.api.types.is_string_dtype(present):
        present = present.astype(str).str.strip()
        present = present[present != ""]
    if len(present) < _MIN_ROWS_FOR_UNIQUENESS:
        return None
    if pd.api.types.is_float_dtype(present):
        # Continuous measurements are unique without identifying anyone.
        return None
    if pd.api.types.is_bool_dtype(present):
        return None
    unique_ratio = present.nunique() / len(present)
    if pd.api.types.is_integer_dtype(present):
        if unique_ratio >= 0.999:
            return "a distinct integer on every row (a row number or id)"
        return None
    if unique_ratio >= _NEARLY_UNIQUE_RATIO and not _measurement_like(present):
        return f"nearly unique values ({unique_ratio:.0%} distinct)"
    sample = present.head(2000).astype(str)
    if sample.str.contains("@", regex=False).mean() >= 0.5:
        return "values look like email addresses"
    return None


def _measurement_like(present: pd.Series) -> bool:
    """True for text that holds numbers or dates: unique, yet not identifying anyone.

    Whole numbers stay suspicious (ids arrive as digit strings); decimals and dates do not.
    """
    sample = present.head(2000).astype(str)
    numbers = pd.to_numeric(sample, errors="coerce")
    if numbers.notna().mean() >= 0.98:
        return bool((numbers.dropna() != numbers.dropna().round()).any())
    dates = pd.to_datetime(sample, utc=True, errors="coerce", format="ISO8601")
    return bool(dates.notna().mean() >= 0.9)


def single_column_auc(values: pd.Series, target: np.ndarray) -> float:
    """How well one raw column separates the classes on its own (0.5..1, orientation-free).

    Numbers are ranked directly (missing tried at both ends); anything else is turned into
    an out-of-fold per-value conversion rate so that many-valued columns cannot score well
    just by memorising rows.
    """
    if target.min() == target.max():
        return 0.5
    numeric = (
        pd.to_numeric(values, errors="coerce")
        if not pd.api.types.is_bool_dtype(values)
        else values.astype(float)
    )
    present = values.notna() & (values.astype(str).str.strip() != "")
    if present.any() and numeric[present].notna().mean() >= 0.98:
        x = numeric.to_numpy(dtype=float)
        missing = np.isnan(x)
        if missing.all():
            return 0.5
        lo, hi = np.nanmin(x) - 1.0, np.nanmax(x) + 1.0
        best = 0.5
        for fill in (lo, hi):
            auc = float(roc_auc_score(target, np.where(missing, fill, x)))
            best = max(best, auc, 1.0 - auc)
        return best
    codes, _ = pd.factorize(values.astype(str).where(present, "\x00missing"))
    encoded = _out_of_fold_rate(codes, target)
    auc = float(roc_auc_score(target, encoded))
    return max(auc, 1.0 - auc)


def _out_of_fold_rate(codes: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per-category conversion rate computed on the other half of the rows (2-fold)."""
    rng = np.random.default_rng(0)
    fold = rng.integers(0, 2, size=len(codes))
    n_codes = int(codes.max()) + 1
    prior = float(target.mean())
    encoded = np.empty(len(codes), dtype=float)
    for f in (0, 1):
        fit = fold != f
        hits = np.bincount(codes[fit], weights=target[fit], minlength=n_codes)
        counts = np.bincount(codes[fit], minlength=n_codes)
        # A light prior keeps a category seen once from scoring 0 or 1.
        rate = (hits + prior * 5.0) / (counts + 5.0)
        encoded[~fit] = rate[codes[~fit]]
    return encoded


@dataclass(frozen=True)
class Screening:
    """The outcome of the guards over a training table."""

    kept: list[str]
    excluded: list[ExcludedColumn]
    leaks: list[SuspectedLeak]


def screen_columns(
    table: pd.DataFrame,
    target: np.ndarray,
    *,
    drop: Sequence[str] = (),
    keep_leaks: Sequence[str] = (),
    timed: Mapping[str, str | None] = NO_VERDICTS,
) -> Screening:
    """Apply every guard to the columns of `table` (the target column must not be in it).

    `timed` holds verdicts from property history, which beat the name rules: column → the
    evidence that it is set after the outcome (the column is excluded as POST_OUTCOME with
    that text), or None when history shows it is known before the outcome (the name-based
    post-outcome rule is then not applied; the identifier and leak guards still are).
    Columns of `timed` the table lacks are ignored: history may know more properties than
    the table holds. Raises `LeadscoreError` when `drop` or `keep_leaks` name a column the
    table lacks.
    """
    blank = sorted(n for n, text in timed.items() if text is not None and not text.strip())
    if blank:
        raise LeadscoreError(
            f"post-outcome verdict without evidence for column(s): {', '.join(blank)} "
            "(give the history that shows it, or None when the column is known before)"
        )
    columns = [str(c) for c in table.columns]
    for option, names in (("drop", drop), ("keep as leak", keep_leaks)):
        unknown = [n for n in names if n not in columns]
        if unknown:
            raise LeadscoreError(
                f"unknown column(s) to {option}: {', '.join(unknown)} "
                f"(the table has: {', '.join(columns[:30])}{', ...' if len(columns) > 30 else ''})"
            )
    excluded: list[ExcludedColumn] = []
    leaks: list[SuspectedLeak] = []
    kept: list[str] = []
    for name in columns:
        if name in drop:
            excluded.append(ExcludedColumn(name, ExclusionReason.DROPPED, "dropped on request"))
            continue
        rule = timed[name] if name in timed else post_outcome_rule(name)
        if rule:
            excluded.append(ExcludedColumn(name, ExclusionReason.POST_OUTCOME, rule))
            continue
        rule = identifier_rule(name, table[name])
        if rule:
            excluded.append(ExcludedColumn(name, ExclusionReason.IDENTIFIER, rule))
            continue
        auc = single_column_auc(table[name], target)
        if auc >= LEAK_AUC_THRESHOLD:
            keep = name in keep_leaks
            leaks.append(SuspectedLeak(name, round(auc, 4), kept=keep))
            if not keep:
                excluded.append(
                    ExcludedColumn(
                        name,
                        ExclusionReason.SUSPECTED_LEAK,
                        f"predicts the outcome alone (AUC {auc:.3f}); keep it only if it is "
                        "known before the outcome",
                    )
                )
                continue
        kept.append(name)
    return Screening(kept=kept, excluded=excluded, leaks=leaks)
