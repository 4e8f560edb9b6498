"""Synthetic lead tables with a known signal, plus a bank-data subsample, for model tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
BANK_CSV = Path("/work/shared/data/bank-additional-full.csv")

_TITLES = (
    "Marketing Director",
    "Director of Sales",
    "VP Engineering",
    "Software Engineer",
    "Student",
    "Intern",
    "Sales Manager",
    "Account Executive",
    "Office Manager",
    "Chief Executive Officer",
    "Head of Growth",
    "Data Analyst",
)


def synthetic_leads(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """A HubSpot-like table (every value a string, None when empty) and its outcome.

    Conversion depends on page views, job title (directors, VPs), industry and recency of
    the last visit. The table also carries what the guards must catch: identifiers
    (`hs_object_id`, `email`, `firstname`), post-outcome columns
    (`hs_lifecyclestage_customer_date`, `hs_lead_status`) and `outcome_copy`, a perfect
    leak whose name looks innocent.
    """
    rng = np.random.default_rng(seed)
    views = rng.poisson(4, n)
    titles = rng.choice(_TITLES, n)
    # Many distinct job titles: the same words with company-specific suffixes.
    titles = np.array([f"{t} {rng.integers(0, 300)}" if rng.random() < 0.5 else t for t in titles])
    industry = rng.choice(["software", "retail", "finance", "education"], n, p=[0.4, 0.2, 0.3, 0.1])
    last_visit = [NOW - timedelta(days=float(d)) for d in rng.exponential(40, n)]
    senior = np.char.find(np.char.lower(titles.astype(str)), "director") >= 0
    senior |= np.char.find(titles.astype(str), "VP") >= 0
    logit = (
        -3.0
        + 0.4 * views
        + 2.0 * senior
        + 0.8 * (industry == "software")
        - 0.01 * np.array([(NOW - v).days for v in last_visit])
    )
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    table = pd.DataFrame(
        {
            "hs_object_id": [str(100000 + i) for i in range(n)],
            "email": [f"lead{i}@example{i % 97}.com" for i in range(n)],
            "firstname": [f"Name{i}" for i in range(n)],
            "hs_analytics_num_page_views": [str(v) for v in views],
            "jobtitle": titles,
            "industry": industry,
            "hs_analytics_last_visit_timestamp": [v.isoformat() for v in last_visit],
            "newsletter": rng.choice(["true", "false"], n),
            "annualrevenue": [
                None if rng.random() < 0.3 else f"{rng.lognormal(13, 1):.0f}" for _ in range(n)
            ],
            "hs_lifecyclestage_customer_date": [NOW.isoformat() if c else None for c in converted],
            "hs_lead_status": np.where(converted, "CONNECTED", "NEW"),
            "outcome_copy": np.where(converted, "A", "B"),
        }
    )
    table.index = table["hs_object_id"]
    return table, pd.Series(converted, index=table.index)


def bank_sample(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """A stratified-enough random subsample of the bank marketing CSV, all columns as text."""
    table = pd.read_csv(BANK_CSV, sep=";", dtype=str)
    return table.sample(n=n, random_state=seed).reset_index(drop=True)
