"""Quality of the product's lead model against four standard baselines on real leads; prints JSON.

The leads are the UCI Bank Marketing file (`bank-additional-full.csv`: `;`-separated, text
fields in double quotes, 41,188 calls, outcome `y` = "yes" for a term deposit). `duration`
is dropped for everyone: it is the length of the call that produced the outcome, so it is
only known afterwards and leaks the answer (the dataset's own notes say so).

Every contender is fitted and scored on the SAME stratified folds (5-fold, fixed seed):
- `leadscore`: `train_model` on the table exactly as `leadscore` reads a CSV (every value a
  string), then `LeadModel.predict` (calibrated probability plus reasons) on the held-out
  fold, i.e. the product end to end;
- `logistic_regression`, `hist_gradient_boosting`, `lightgbm`: the baselines of
  `leadscore model backtest` (`connector.scoring.baselines`), fitted on the raw columns
  read plainly (`RawColumns`: numbers, dates as days, categories of the 50 most frequent
  values): logistic regression (C=1) with one-hot categories and median-imputed, flagged,
  standardised numbers; the default `HistGradientBoostingClassifier` and the default
  `LGBMClassifier` (100 trees, 31 leaves, learning rate 0.1), both with native categoricals;
- `catboost`: `CatBoostClassifier` defaults (1,000 iterations, its automatic learning rate)
  with the category columns as `cat_features`.
No contender is tuned on the evaluation folds; baselines read numbers as numbers and every
other column as a category, nothing more.

Figures per contender: AUC mean ± sd over folds, Brier, log loss, fit+predict seconds, and
for the product the paired difference of AUC to each baseline fold by fold (the folds are
shared, so the difference removes the folds' own difficulty). `verdict.matches_best` is true
when the product's mean AUC is at least the best baseline's minus two standard errors of
that paired difference.

    python -m benchmarks.model_quality [--folds 5] [--seed 2026] [--rows N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from connector.scoring.baselines import BASELINES, Baseline, RawColumns
from connector.scoring.leads import LeadFrame
from connector.scoring.model import train_model
from connector.tables import read_table

BANK_CSV = Path("/work/shared/data/bank-additional-full.csv")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TARGET = "y"
LEAKING = ("duration",)
QUICK_ROWS = 8000

FitPredict = Callable[[pd.DataFrame, np.ndarray, pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class Contender:
    """One model under test: how it is configured and how it fits a fold and scores the rest."""

    name: str
    setting: str
    fit_predict: FitPredict


def _leadscore(fit: pd.DataFrame, y: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    model = train_model(fit, pd.Series(y.astype(bool), index=fit.index), now=NOW)
    return model.predict(LeadFrame.from_table(test), NOW).probability


def _raw(baseline: Baseline) -> FitPredict:
    """A backtest baseline on the raw columns, read as the backtest reads them."""

    def fit_predict(fit: pd.DataFrame, y: np.ndarray, test: pd.DataFrame) -> np.ndarray:
        reading = RawColumns.fit(fit)
        return baseline.fit_predict(reading.frame(fit, NOW), y, reading.frame(test, NOW))

    return fit_predict


def _catboost(fit: pd.DataFrame, y: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    from catboost import CatBoostClassifier

    reading = RawColumns.fit(fit)
    categories = list(reading.categories)
    # CatBoost takes categories as text, missing included.
    as_text = {c: str for c in categories}
    x_fit, x_test = reading.frame(fit, NOW), reading.frame(test, NOW)
    model = CatBoostClassifier(random_seed=0, thread_count=2, verbose=0, allow_writing_files=False)
    model.fit(x_fit.astype(as_text), y, cat_features=categories)
    return np.asarray(model.predict_proba(x_test.astype(as_text)))[:, 1]


CONTENDERS = (
    Contender("leadscore", "train_model defaults (the product), predict with reasons", _leadscore),
    *(
        Contender(b.name, f"{b.label}; as `leadscore model backtest` fits it", _raw(b))
        for b in BASELINES
    ),
    Contender("catboost", "CatBoostClassifier() defaults, cat_features", _catboost),
)


def _summary(
    aucs: list[float], briers: list[float], losses: list[float], secs: list[float]
) -> dict[str, Any]:
    return {
        "auc_mean": round(float(np.mean(aucs)), 4),
        "auc_std": round(float(np.std(aucs, ddof=1)), 4),
        "brier": round(float(np.mean(briers)), 5),
        "log_loss": round(float(np.mean(losses)), 5),
        "seconds_per_fold": round(float(np.mean(secs)), 2),
        "fold_aucs": [round(a, 4) for a in aucs],
    }


def _paired(product: list[float], other: list[float]) -> dict[str, Any]:
    diffs = np.asarray(product) - np.asarray(other)
    se = float(np.std(diffs, ddof=1) / math.sqrt(len(diffs)))
    return {
        "auc_diff_mean": round(float(diffs.mean()), 4),
        "auc_diff_se": round(se, 4),
        "auc_diff_per_fold": [round(float(d), 4) for d in diffs],
        "folds_won": int((diffs > 0).sum()),
    }


def run(table: pd.DataFrame, folds: int, seed: int, only: list[str]) -> dict[str, Any]:
    """Fit every contender on the same folds of `table` (text columns, outcome `y`)."""
    y = (table[TARGET] == "yes").to_numpy().astype(np.int8)
    features = table.drop(columns=[TARGET, *LEAKING])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(np.zeros(len(y)), y))
    chosen = [c for c in CONTENDERS if not only or c.name in only]
    results: dict[str, dict[str, Any]] = {}
    aucs_of: dict[str, list[float]] = {}
    for contender in chosen:
        aucs, briers, losses, secs = [], [], [], []
        for i, (fit_rows, test_rows) in enumerate(splits):
            print(f"{contender.name}: fold {i + 1}/{folds}", file=sys.stderr)
            started = time.perf_counter()
            fit, test = features.iloc[fit_rows], features.iloc[test_rows]
            p = contender.fit_predict(fit, y[fit_rows], test)
            secs.append(time.perf_counter() - started)
            truth = y[test_rows]
            aucs.append(float(roc_auc_score(truth, p)))
            briers.append(float(brier_score_loss(truth, p)))
            losses.append(float(log_loss(truth, np.clip(p, 1e-15, 1 - 1e-15))))
        aucs_of[contender.name] = aucs
        results[contender.name] = {
            "setting": contender.setting,
            **_summary(aucs, briers, losses, secs),
        }
    document: dict[str, Any] = {"contenders": results}
    baselines = [name for name in aucs_of if name != "leadscore"]
    if "leadscore" in aucs_of and baselines:
        paired = {name: _paired(aucs_of["leadscore"], aucs_of[name]) for name in baselines}
        best = max(baselines, key=lambda name: float(np.mean(aucs_of[name])))
        margin = paired[best]["auc_diff_mean"] + 2 * paired[best]["auc_diff_se"]
        document["leadscore_minus_baseline"] = paired
        document["verdict"] = {
            "best_baseline": best,
            "leadscore_auc_minus_best": paired[best]["auc_diff_mean"],
            "matches_best": bool(margin >= 0),
            "rule": "mean paired AUC difference + 2 standard errors >= 0",
        }
    return document


def main() -> None:
    """Run the comparison and print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rows", type=int, default=0, help="stratified subsample (0 = all)")
    parser.add_argument("--only", action="append", default=[], help="contender name; repeatable")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,}-row subsample")
    args = parser.parse_args()
    if args.quick or os.environ.get("LEADSCORE_BENCH_QUICK") == "1":
        args.rows = args.rows or QUICK_ROWS
    table = read_table(BANK_CSV)
    if args.rows and args.rows < len(table):
        table = table.groupby(TARGET, group_keys=False).sample(
            frac=args.rows / len(table), random_state=args.seed
        )
    started = time.perf_counter()
    document = run(table, args.folds, args.seed, args.only)
    print(
        json.dumps(
            {
                "benchmark": "model_quality",
                "data": {
                    "file": BANK_CSV.name,
                    "format": "';'-separated, text fields in double quotes, header row",
                    "rows": len(table),
                    "positives": int((table[TARGET] == "yes").sum()),
                    "outcome": f"{TARGET} == 'yes'",
                    "dropped": {
                        "duration": "length of the call that produced the outcome: known "
                        "only afterwards, it leaks the answer"
                    },
                },
                "folds": args.folds,
                "split": f"StratifiedKFold(shuffle=True, random_state={args.seed}), shared",
                **document,
                "seconds": round(time.perf_counter() - started, 1),
                "cpus": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
