"""A column with no value at all (a property nobody set by the cutoff) passes the guards."""

from __future__ import annotations

import numpy as np
import pandas as pd

from connector.scoring.guards import screen_columns


def test_an_all_empty_column_is_screened_without_error() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.3).astype(np.int8)
    table = pd.DataFrame({
        "budget_confirmed": pd.Series([None] * 200, dtype=object),
        "jobtitle": rng.choice(["CEO", "Analyst", "VP"], 200),
    })
    screening = screen_columns(table, y)
    assert "jobtitle" in screening.kept
    assert not [leak for leak in screening.leaks if leak.column == "budget_confirmed"]
