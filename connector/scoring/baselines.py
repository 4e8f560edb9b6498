"""Plain baselines the lead model is measured against, fitted on the raw columns of a table.

A baseline that shared the product's feature plan would inherit its choices (sentinels read
as missing, keyword features for titles, ages from dates) and could only confirm them. These
are fitted independently, on the raw columns and with each method's usual encoding:

- logistic regression: one-hot categories (missing as its own value), numbers
  median-imputed with a missing flag and standardised;
- scikit-learn's default HistGradientBoostingClassifier with native categoricals;
- LightGBM with its default, fixed configuration and native categoricals.

The columns are the table's own; the only reading they get is what any method needs to take
them at all (`RawColumns`): a column whose values are numbers is numbers, a column of dates
is days before the reference time, anything else is a category of its most frequent values.
Which columns a baseline may see is the caller's business (the backtest passes the ones the
guards allowed: a baseline that learns from a leak is not a fair baseline).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from connector.scoring.features import Reference
from connector.scoring.model import threads_for

MAX_BASELINE_CATEGORIES = 50
"""Most frequent values kept per category column; the rest read as one "other" value
(HistGradientBoosting refuses more than 255, and one-hot of thousands of titles is noise)."""
_OTHER = "(other)"
_MISSING = "(missing)"
_NUMBER_SHARE = 0.98
_DATE_SHARE = 0.9


@dataclass(frozen=True)
class Baseline:
    """A baseline method: its name in results, a label for people, and how it is fitted."""

    name: str
    label: str
    fit_predict: Callable[[pd.DataFrame, np.ndarray, pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class RawColumns:
    """How a baseline reads each raw column, learnt from the training part only."""

    numbers: list[str]
    dates: list[str]
    categories: dict[str, list[str]]
    """Category column -> kept values (the most frequent ones)."""

    @classmethod
    def fit(cls, table: pd.DataFrame) -> RawColumns:
        """Read every column of `table` as numbers, dates or categories."""
        numbers: list[str] = []
        dates: list[str] = []
        categories: dict[str, list[str]] = {}
        for name in table.columns:
            values = table[name]
            present = values.dropna()
            if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
                numbers.append(str(name))
                continue
            text = present.astype(str).str.strip()
            text = text[text != ""]
            if text.empty:
                continue
            if pd.to_numeric(text, errors="coerce").notna().mean() >= _NUMBER_SHARE:
                numbers.append(str(name))
            elif _dates_share(text) >= _DATE_SHARE:
                dates.append(str(name))
            else:
                counts = text.value_counts(sort=True)
                categories[str(name)] = [str(v) for v in counts.index[:MAX_BASELINE_CATEGORIES]]
        return cls(numbers=numbers, dates=dates, categories=categories)

    @property
    def columns(self) -> list[str]:
        """Every column a baseline reads, numbers and dates first."""
        return [*self.numbers, *self.dates, *self.categories]

    def frame(self, table: pd.DataFrame, now: Reference) -> pd.DataFrame:
        """Numbers and dates as floats, categories as pandas categoricals with fixed levels."""
        out: dict[str, pd.Series] = {}
        index = table.index
        for name in self.numbers:
            out[name] = _numbers(_column(table, name))
        for name in self.dates:
            out[name] = _days_before(_column(table, name), now)
        for name, kept in self.categories.items():
            text = _column(table, name).astype("string").str.strip()
            text = text.mask(text == "")
            levels = [*kept, _OTHER]
            known = text.where(text.isin(kept) | text.isna(), _OTHER)
            out[name] = pd.Series(pd.Categorical(known, categories=levels), index=index)
        return pd.DataFrame(out, index=index)


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    if name in table.columns:
        return table[name]
    return pd.Series([None] * len(table), index=table.index, dtype=object)


def _numbers(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    return pd.to_numeric(values, errors="coerce").astype(float)


def _dates_share(text: pd.Series) -> float:
    sample = pd.Series(text.unique()[:500])
    shaped = sample.str.contains(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", regex=True)
    parsed = pd.to_datetime(sample, utc=True, errors="coerce", format="mixed")
    return float((parsed.notna() & shaped).mean())


def _days_before(values: pd.Series, now: Reference) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True, errors="coerce", format="mixed")
    if isinstance(now, pd.Series):
        reference = pd.Series(pd.to_datetime(now.to_numpy(), utc=True), index=values.index)
    else:
        moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
        reference = pd.Series(pd.Timestamp(moment), index=values.index)
    return (reference - stamps).dt.total_seconds() / 86400.0


def _logistic(x_fit: pd.DataFrame, y: np.ndarray, x_test: pd.DataFrame) -> np.ndarray:
    categories = [c for c in x_fit.columns if isinstance(x_fit[c].dtype, pd.CategoricalDtype)]
    numbers = [c for c in x_fit.columns if c not in categories]
    prepare = ColumnTransformer(
        [
            (
                "categories",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=_MISSING),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categories,
            ),
            (
                "numbers",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                    StandardScaler(),
                ),
                numbers,
            ),
        ]
    )
    pipeline: Pipeline = make_pipeline(prepare, LogisticRegression(max_iter=2000))
    as_text = {c: object for c in categories}
    pipeline.fit(x_fit.astype(as_text), y)
    return np.asarray(pipeline.predict_proba(x_test.astype(as_text)))[:, 1]


def _hist_gradient_boosting(x_fit: pd.DataFrame, y: np.ndarray, x_test: pd.DataFrame) -> np.ndarray:
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    model.fit(x_fit, y)
    return np.asarray(model.predict_proba(x_test))[:, 1]


def _lightgbm(x_fit: pd.DataFrame, y: np.ndarray, x_test: pd.DataFrame) -> np.ndarray:
    model = lgb.LGBMClassifier(random_state=0, n_jobs=threads_for(len(y)), verbose=-1)
    model.fit(x_fit, y)
    return np.asarray(model.predict_proba(x_test))[:, 1]


BASELINES = (
    Baseline(
        "logistic_regression",
        "logistic regression (one-hot, imputed, scaled)",
        _logistic,
    ),
    Baseline("hist_gradient_boosting", "HistGradientBoosting (default)", _hist_gradient_boosting),
    Baseline("lightgbm", "LightGBM (default config)", _lightgbm),
)
"""The backtest's baselines, in the order they are reported."""


def fit_baselines(
    fit_table: pd.DataFrame,
    y: np.ndarray,
    test_table: pd.DataFrame,
    *,
    now: Reference,
    test_now: Reference | None = None,
    columns: Sequence[str] | None = None,
    baselines: Sequence[Baseline] = BASELINES,
) -> tuple[list[str], dict[str, np.ndarray]]:
    """Fit each baseline on `fit_table` (raw columns) and score `test_table`.

    `columns` limits what the baselines may read (default: every column); `now` is the
    reference of the fit rows' dates and `test_now` that of the test rows (default `now`).
    Returns the columns actually read and each baseline's probabilities for the test rows.
    """
    chosen = list(fit_table.columns if columns is None else columns)
    reading = RawColumns.fit(fit_table[chosen])
    x_fit = reading.frame(fit_table, now)
    x_test = reading.frame(test_table, now if test_now is None else test_now)
    scores = {b.name: b.fit_predict(x_fit, y, x_test) for b in baselines}
    return reading.columns, scores

