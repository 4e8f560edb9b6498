"""Honest backtests of the lead model against plain baselines on the very same folds.

Each fold trains the full pipeline (guards, plan, calibrated model) on its training part
only, then scores the held-out part. On the same folds it also fits the plain baselines of
`baselines.py` (logistic regression, default HistGradientBoosting, default LightGBM)
independently on the raw columns, each with its own encoding, so "the model beats the
baseline" is measured, not claimed. The baselines see the columns the product may see:
never a column the user dropped, nor one the guards exclude (identifiers, post-outcome
columns, suspected leaks not kept on request), since a baseline that learns from a leak is no
fair baseline; with activities they also get the engagement aggregates the product joins
before its guards. Each baseline's figures carry the paired AUC difference (model minus
baseline) fold by fold: the folds are shared, so the difference is free of their difficulty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from connector.errors import LeadscoreError
from connector.scoring.baselines import BASELINES, fit_baselines
from connector.scoring.features import activity_table
from connector.scoring.guards import NO_VERDICTS, ExcludedColumn, ExclusionReason, SuspectedLeak
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


_GUARDED = frozenset(
    {
        ExclusionReason.DROPPED,
        ExclusionReason.IDENTIFIER,
        ExclusionReason.POST_OUTCOME,
        ExclusionReason.SUSPECTED_LEAK,
    }
)
"""Exclusions that bind the baselines too (constant columns are harmless to them)."""


@dataclass(frozen=True)
class BaselineResult:
    """Out-of-sample figures of one baseline on the backtest's folds."""

    name: str
    label: str
    auc: float
    auc_std: float
    brier: float
    fold_aucs: list[float]
    auc_diff_per_fold: list[float]
    """The model's AUC minus this baseline's, fold by fold (positive: the model ranks better)."""
    auc_diff: float
    """Mean of `auc_diff_per_fold`."""


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
    fold_aucs: list[float]
    baselines: list[BaselineResult]
    best_baseline: str
    """Name of the baseline with the highest mean AUC: the one the model has to beat."""
    baseline_auc: float
    baseline_auc_std: float
    baseline_brier: float
    """The best baseline's figures."""
    baseline_columns: list[str]
    """Raw columns the baselines read (over all folds)."""
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
    baseline_auc: dict[str, list[float]] = {b.name: [] for b in BASELINES}
    baseline_brier: dict[str, list[float]] = {b.name: [] for b in BASELINES}
    used: set[str] = set()
    baseline_columns: set[str] = set()
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
        read, baseline_scores = _fit_baselines(
            fit_table, y[fit_rows], test_table, model.metadata.excluded, activities, now
        )
        baseline_columns.update(read)
        for name, q in baseline_scores.items():
            baseline_auc[name].append(float(roc_auc_score(y[test_rows], q)))
            baseline_brier[name].append(float(brier_score_loss(y[test_rows], q)))
        if on_fold is not None:
            on_fold(i)
    tested = ~np.isnan(scores)
    deciles = _deciles(scores[tested], y[tested])
    base_rate = float(y[tested].mean())
    baselines = [
        _baseline_result(b.name, b.label, model_auc, baseline_auc[b.name], baseline_brier[b.name])
        for b in BASELINES
    ]
    best = max(baselines, key=lambda b: b.auc)
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
        fold_aucs=[round(a, 4) for a in model_auc],
        baselines=baselines,
        best_baseline=best.name,
        baseline_auc=best.auc,
        baseline_auc_std=best.auc_std,
        baseline_brier=best.brier,
        baseline_columns=sorted(baseline_columns),
        features_used=sorted(used),
        excluded=sorted(excluded.values(), key=lambda e: e.column),
        suspected_leaks=sorted(leaks.values(), key=lambda leak: leak.column),
    )


def _fit_baselines(
    fit_table: pd.DataFrame,
    y: np.ndarray,
    test_table: pd.DataFrame,
    excluded: list[ExcludedColumn],
    activities: pd.DataFrame | None,
    now: datetime,
) -> tuple[list[str], dict[str, np.ndarray]]:
    """The baselines on the raw columns the guards allowed in this fold."""
    if activities is not None and not activities.empty:
        # The engagement aggregates are columns of the table the product screens, too.
        fit_table = fit_table.join(activity_table(fit_table.index, activities, now))
        test_table = test_table.join(activity_table(test_table.index, activities, now))
    barred = {e.column for e in excluded if e.reason in _GUARDED}
    columns = [c for c in fit_table.columns if c not in barred]
    return fit_baselines(fit_table, y, test_table, now=now, columns=columns)


def _baseline_result(
    name: str, label: str, model_auc: list[float], aucs: list[float], briers: list[float]
) -> BaselineResult:
    diffs = [m - b for m, b in zip(model_auc, aucs, strict=True)]
    return BaselineResult(
        name=name,
        label=label,
        auc=round(float(np.mean(aucs)), 4),
        auc_std=round(float(np.std(aucs)), 4),
        brier=round(float(np.mean(briers)), 5),
        fold_aucs=[round(a, 4) for a in aucs],
        auc_diff_per_fold=[round(d, 4) for d in diffs],
        auc_diff=round(float(np.mean(diffs)), 4),
    )


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
