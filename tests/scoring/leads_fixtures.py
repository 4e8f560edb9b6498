"""A lead file in the style of the public "Leads" dataset (an online-education company).

Each column is drawn given the outcome so that its values keep the shares of rows and the
conversion rates of the public data (9,240 leads, 38.5 % converted), rounded. "Tags" is the
sales team's note on the lead: several of its values decide the outcome alone. "Lead
Origin", "Lead Source", the occupation and "Total Time Spent on Website" are the
legitimate strong features of that data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# value: (share of rows, conversion rate)
TAGS: dict[str | None, tuple[float, float]] = {
    None: (0.363, 0.25),
    "Will revert after reading the email": (0.224, 0.97),
    "Ringing": (0.130, 0.027),
    "Interested in other courses": (0.056, 0.025),
    "Already a student": (0.050, 0.006),
    "Closed by Horizzon": (0.039, 0.995),
    "switched off": (0.026, 0.017),
    "Busy": (0.020, 0.56),
    "Lost to EINS": (0.019, 0.977),
    "Not doing further education": (0.016, 0.007),
    "Interested  in full time MBA": (0.013, 0.026),
    "Graduation in progress": (0.012, 0.06),
    "invalid number": (0.009, 0.012),
    "Diploma holder (Not Eligible)": (0.007, 0.016),
    "wrong number given": (0.005, 0.0),
    "opp hangup": (0.004, 0.09),
    "number not provided": (0.003, 0.0),
    "in touch with EINS": (0.004, 0.25),
}
LEAD_ORIGIN: dict[str | None, tuple[float, float]] = {
    "Landing Page Submission": (0.529, 0.36),
    "API": (0.387, 0.31),
    "Lead Add Form": (0.077, 0.924),
    "Lead Import": (0.007, 0.24),
}
LEAD_SOURCE: dict[str | None, tuple[float, float]] = {
    "Google": (0.311, 0.40),
    "Direct Traffic": (0.275, 0.32),
    "Olark Chat": (0.190, 0.255),
    "Organic Search": (0.125, 0.38),
    "Reference": (0.058, 0.92),
    "Welingak Website": (0.015, 0.986),
    "Referral Sites": (0.014, 0.25),
    "Facebook": (0.006, 0.29),
    None: (0.006, 0.25),
}
OCCUPATION: dict[str | None, tuple[float, float]] = {
    "Unemployed": (0.606, 0.435),
    None: (0.291, 0.137),
    "Working Professional": (0.076, 0.916),
    "Student": (0.023, 0.371),
    "Other": (0.004, 0.60),
}
BASE_RATE = 0.385


def _given_outcome(
    rng: np.random.Generator, table: dict[str | None, tuple[float, float]], y: np.ndarray
) -> list[str | None]:
    """Values drawn given each row's outcome, so each value keeps its share and its rate."""
    values = list(table)
    share = np.array([table[v][0] for v in values])
    rate = np.array([table[v][1] for v in values])
    if_converted = share * rate
    if_not = share * (1.0 - rate)
    drawn = np.where(
        y == 1,
        rng.choice(len(values), size=len(y), p=if_converted / if_converted.sum()),
        rng.choice(len(values), size=len(y), p=if_not / if_not.sum()),
    )
    return [values[i] for i in drawn]


def _time_on_site(rng: np.random.Generator, y: np.ndarray) -> list[str]:
    """Seconds on the website: a quarter never visited; converted leads stay longer."""
    never = rng.random(len(y)) < np.where(y == 1, 0.18, 0.28)
    seconds = np.exp(rng.normal(np.where(y == 1, 6.6, 5.6), 0.8))
    return ["0" if n else str(int(s)) for n, s in zip(never, seconds, strict=True)]


def leads_dataset(n: int = 9240, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """The Leads-style table (every value text, None when empty) and its 0/1 outcome."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < BASE_RATE).astype(np.int8)
    table = pd.DataFrame(
        {
            "Prospect ID": [f"{rng.integers(0, 16**12):012x}" for _ in range(n)],
            "Lead Number": [str(660_000 - 7 * i) for i in range(n)],
            "Lead Origin": _given_outcome(rng, LEAD_ORIGIN, y),
            "Lead Source": _given_outcome(rng, LEAD_SOURCE, y),
            "Total Time Spent on Website": _time_on_site(rng, y),
            "What is your current occupation": _given_outcome(rng, OCCUPATION, y),
            "Tags": _given_outcome(rng, TAGS, y),
        }
    )
    return table, y
