"""Honest backtests of the lead model against plain baselines on the very same folds.

Each fold trains the full pipeline (guards, plan, calibrated LightGBM) on its training part
only, then scores the held-out part. On the same folds and the same features it also fits
a plain logistic regression (one-hot categories, imputed and scaled numbers) and
scikit-learn's default HistGradientBoostingClassifier, so "the model beats the baseline" is
measured, not claimed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from connector.errors import LeadscoreError
from connector.scoring.features import build_matrix
from connector.scoring.guards import NO_VERDICTS, ExcludedColumn, SuspectedLeak
from connector.scoring.leads import LeadFrame
from connector.scoring.model import check_enough_data, train_model


@dataclass(frozen=True)
class DecileRow:
    """Conversion among the leads of one score decile (1 = highest scores)."""

    decile: int
    leads: int
    conversions: int
    conversion_rate: float
    mean_probability: float


@dataclass(frozen=True)
class BacktestResult:
    """Out-of-sample figures of the model and of the baselines, fold by fold."""

    split: str
    folds: int
    rows: int
    positives: int
    auc: float
    auc_std: float
    brier: float
    top_decile_lift: float
    deciles: list[DecileRow]
    baseline_auc: float
    baseline_auc_std: float
    baseline_brier: float
    hgb_auc: float
    hgb_auc_std: float
    hgb_brier: float
    fold_aucs: list[float]
    features_used: list[str]
    excluded: list[ExcludedColumn]
    suspected_leaks: list[SuspectedLeak]


def _time_order(table: pd.DataFrame, column: str) -> np.ndarray:
    if column not in table.columns:
        raise LeadscoreError(f"time column '{column}' not found")
    stamps = pd.to_datetime(table[column], utc=True, errors="coerce", format="mixed")
    if stamps.isna().mean() > 0.05:
        raise LeadscoreError(
            f"time column '{column}': {stamps.isna().mean():.0%} of values are not dates"
        )
    return np.argsort(stamps.fillna(stamps.min()).to_numpy(), kind="stable")


def _splits(
    y: np.ndarray, folds: int, order: np.ndarray | None
) -> list[tuple[np.ndarray, np.ndarray]]:
    if order is None:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=2026)
        return list(splitter.split(np.zeros(len(y)), y))
    # Train on the past, test on what came next: K+1 chronological blocks, expanding window.
    blocks = np.array_split(order, folds + 1)
    return [(np.concatenate(blocks[: i + 1]), blocks[i + 1]) for i in range(folds)]


def run_backtest(
    table: pd.DataFrame,
    target: pd.Series,
    *,
    now: datetime,
    folds: int = 5,
    time_column: str | None = None,
    drop: Sequence[str] = (),
    keep_leaks: Sequence[str] = (),
    activities: pd.DataFrame | None = None,
    on_fold: Callable[[int], None] | None = None,
    timed: Mapping[str, str | None] = NO_VERDICTS,
) -> BacktestResult:
    """Backtest with stratified K-fold, or train-on-past/test-on-future with `time_column`.

    `activities` (`LeadFrame.activities` form, `table` indexed by contact id) add the
    engagement aggregates, recomputed per fold from the events as training and scoring do.
    `on_fold(i)` is called after each fold (for progress bars). Raises `NotEnoughData` when
    the table (or a fold's training part) is too small, `LeadscoreError` for bad options.
    """
    if folds < 2:
        raise LeadscoreError(f"--folds must be at least 2 (got {folds})")
    y = target.to_numpy().astype(bool).astype(np.int8)
    check_enough_data(int(y.sum()), int(len(y) - y.sum()))
    order = _time_order(table, time_column) if time_column else None
    drop = [*drop, time_column] if time_column and time_column not in drop else list(drop)
    scores = np.full(len(y), np.nan)
    model_auc: list[float] = []
    model_brier: list[float] = []
    lr_auc: list[float] = []
    lr_brier: list[float] = []
    hgb_auc: list[float] = []
    hgb_brier: list[float] = []
    used: set[str] = set()
    excluded: dict[str, ExcludedColumn] = {}
    leaks: dict[str, SuspectedLeak] = {}
    for i, (fit_rows, test_rows) in enumerate(_splits(y, folds, order)):
        if y[test_rows].min() == y[test_rows].max():
            raise LeadscoreError(f"fold {i + 1} has a single outcome; use fewer --folds")
        fit_table, test_table = table.iloc[fit_rows], table.iloc[test_rows]
        model = train_model(
            fit_table,
            target.iloc[fit_rows],
            now=now,
            activities=activities,
            drop=drop,
            keep_leaks=keep_leaks,
            timed=timed,
        )
        used.update(model.plan.source_columns)
        excluded.update({e.column: e for e in model.metadata.excluded})
        leaks.update({leak.column: leak for leak in model.metadata.suspected_leaks})
        p = model.predict(LeadFrame.from_table(test_table, activities), now).probability
        scores[test_rows] = p
        model_auc.append(float(roc_auc_score(y[test_rows], p)))
        model_brier.append(float(brier_score_loss(y[test_rows], p)))
        x_fit = build_matrix(model.plan, fit_table, now, activities)
        x_test = build_matrix(model.plan, test_table, now, activities)
        categorical = [j for j, s in enumerate(model.plan.features()) if s.is_categorical]
        for fitted, aucs, briers in (
            (_logistic(categorical, x_fit.shape[1]), lr_auc, lr_brier),
            (
                HistGradientBoostingClassifier(
                    categorical_features=_mask(categorical, x_fit.shape[1]), random_state=0
                ),
                hgb_auc,
                hgb_brier,
            ),
        ):
            fitted.fit(x_fit, y[fit_rows])
            q = fitted.predict_proba(x_test)[:, 1]
            aucs.append(float(roc_auc_score(y[test_rows], q)))
            briers.append(float(brier_score_loss(y[test_rows], q)))
        if on_fold is not None:
            on_fold(i)
    tested = ~np.isnan(scores)
    deciles = _deciles(scores[tested], y[tested])
    base_rate = float(y[tested].mean())
    return BacktestResult(
        split="time" if time_column else "stratified",
        folds=folds,
        rows=len(y),
        positives=int(y.sum()),
        auc=round(float(np.mean(model_auc)), 4),
        auc_std=round(float(np.std(model_auc)), 4),
        brier=round(float(np.mean(model_brier)), 5),
        top_decile_lift=round(deciles[0].conversion_rate / base_rate, 3),
        deciles=deciles,
        baseline_auc=round(float(np.mean(lr_auc)), 4),
        baseline_auc_std=round(float(np.std(lr_auc)), 4),
        baseline_brier=round(float(np.mean(lr_brier)), 5),
        hgb_auc=round(float(np.mean(hgb_auc)), 4),
        hgb_auc_std=round(float(np.std(hgb_auc)), 4),
        hgb_brier=round(float(np.mean(hgb_brier)), 5),
        fold_aucs=[round(a, 4) for a in model_auc],
        features_used=sorted(used),
        excluded=sorted(excluded.values(), key=lambda e: e.column),
        suspected_leaks=sorted(leaks.values(), key=lambda leak: leak.column),
    )


def _mask(categorical: list[int], width: int) -> np.ndarray:
    mask = np.zeros(width, dtype=bool)
    mask[categorical] = True
    return mask


def _logistic(categorical: list[int], width: int) -> Pipeline:
    """Plain logistic regression: one-hot categories; numbers imputed (with a flag) and scaled."""
    numeric = [j for j in range(width) if j not in set(categorical)]
    prepare = ColumnTransformer(
        [
            (
                "categories",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=-1.0),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            ),
            (
                "numbers",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                    StandardScaler(),
                ),
                numeric,
            ),
        ]
    )
    return make_pipeline(prepare, LogisticRegression(max_iter=2000))


def _deciles(scores: np.ndarray, y: np.ndarray) -> list[DecileRow]:
    order = np.argsort(-scores, kind="stable")
    rows = []
    for i, part in enumerate(np.array_split(order, 10)):
        conversions = int(y[part].sum())
        rows.append(
            DecileRow(
                decile=i + 1,
                leads=int(part.size),
                conversions=conversions,
                conversion_rate=round(conversions / max(part.size, 1), 4),
                mean_probability=round(float(scores[part].mean()), 4),
            )
        )
    return rows
