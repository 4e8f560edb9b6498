"""Which columns identify a lead instead of describing it.

A model that learns from an identifier memorises leads instead of learning what converts.
Two kinds of names are watched:

- personal data (email, phone, person's name, street address, IP, web address): excluded by
  name, even where values repeat (first names do), since they describe a person, not a
  segment;
- key-like names (`id`, `..._id`, `Record ID`, uuid, zip): the name is only a hint. A key
  whose values repeat like a category (`campaign_id`, `country_id`: hundreds of values, each
  on many rows) is a feature; it is an identifier only when its values are nearly unique
  or too few to tell.

By value alone, nearly-unique text, a distinct integer on every row and email addresses
are identifiers; decimals and dates are unique without identifying anyone.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

NEARLY_UNIQUE_RATIO = 0.9
"""Share of distinct values (among present ones) from which text identifies rows."""
MIN_ROWS_FOR_UNIQUENESS = 20
"""Fewer present values than this tell nothing about uniqueness."""
CATEGORY_MAX_RATIO = 0.1
"""A repeated category has at most one distinct value per ten present rows..."""
CATEGORY_MIN_REPEATS = 5
CATEGORY_REPEATED_SHARE = 0.9
"""...and at least 90 % of its rows carry a value seen on `CATEGORY_MIN_REPEATS` rows or more."""

# Names are matched after `_normal_name`: lower case, every run of other characters one "_",
# so "Record ID", "record-id" and "record_id" read alike. Deliberately exact or suffix
# matches: `hs_email_open` is an engagement count, `hs_email_bad_address` a flag,
# `recent_conversion_event_name` a form name; all are legitimate.
_PERSONAL_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"^(email|e_mail|email_address|work_email|hs_additional_emails)$",
        r"_email$",
        r"^(phone|mobilephone|phone_number|fax|fax_number|hs_calculated_phone_number.*)$",
        r"_phone(_number)?$",
        r"^(firstname|lastname|first_name|last_name|name|full_name|fullname|contact_name)$",
        r"^(address|street|street_address|address_line_?\d|ip|hs_ip_address|ip_address)$",
        r"^(website|website_url|url|linkedin_url|twitterhandle|hs_linkedin_url)$",
        # An account's name or web domain names the account, not a trait of it: learned,
        # it memorises which accounts already bought (a colleague's deal) instead.
        r"^(company|company_name|company_domain|domain|company_website)$",
    )
)
_KEY_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"^(id|vid|uuid|guid|record_id|hs_object_id|object_id)$",
        r"_id$",
        r"(^|_)(uuid|guid)$",
        r"^(lead|contact|record|row|prospect|customer)_?(number|no)$",
        r"^(zip|zip_code|postal_code)$",
        r"^unnamed(_\d+)?$",
    )
)


def _normal_name(column: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")


def _present_values(values: pd.Series) -> pd.Series:
    """The non-blank values, text stripped (the stripping runs on distinct values only)."""
    present = values.dropna()
    if pd.api.types.is_object_dtype(present) or pd.api.types.is_string_dtype(present):
        codes, uniques = pd.factorize(present)
        stripped = np.asarray(pd.Index(uniques.astype(str)).str.strip(), dtype=object)
        present = pd.Series(stripped[codes], index=present.index, dtype=object)
        present = present[present != ""]
    return present


def is_repeated_category(values: pd.Series) -> bool:
    """True when the present values repeat like a category: few distinct, each on many rows."""
    present = _present_values(values)
    if len(present) < MIN_ROWS_FOR_UNIQUENESS:
        return False
    counts = present.value_counts()
    if len(counts) / len(present) > CATEGORY_MAX_RATIO:
        return False
    repeated_rows = int(counts[counts >= CATEGORY_MIN_REPEATS].sum())
    return repeated_rows / len(present) >= CATEGORY_REPEATED_SHARE


def identifier_rule(column: str, values: pd.Series) -> str | None:
    """The reason `column` identifies leads (by its name or its values), or None."""
    name = _normal_name(column)
    for pattern in _PERSONAL_PATTERNS:
        if pattern.search(name):
            return f"personal data by name /{pattern.pattern}/"
    by_values = _identifier_by_values(values)
    if by_values:
        return by_values
    for pattern in _KEY_PATTERNS:
        if pattern.search(name):
            if is_repeated_category(values):
                return None
            return f"identifier-like name /{pattern.pattern}/ and values that do not repeat"
    return None


def _identifier_by_values(values: pd.Series) -> str | None:
    present = _present_values(values)
    if len(present) < MIN_ROWS_FOR_UNIQUENESS:
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
    if unique_ratio >= NEARLY_UNIQUE_RATIO and not _measurement_like(present):
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
