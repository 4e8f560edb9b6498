"""Speed of the predictive model: training on 100k leads, predicting 1M with reasons; prints JSON.

The leads are synthesised from the bank marketing data, read as text columns exactly as
`leadscore` reads a CSV (HubSpot also sends strings), with `duration` dropped (it leaks the
outcome): each lead draws its outcome at the real base rate, then each column's value from
real rows with that outcome, independently per column. Plain resampling would repeat rows,
and repeated rows leak between the training folds (early stopping never stops), which
    python benchmarks/model_training.py [--train-rows N] [--predict-rows N] [--quick]
parsing the table, probabilities, per-lead contributions and the signed reasons.

    python benchmarks/model_training.py [--train-rows 100000] [--predict-rows 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from connector.scoring.leads import LeadFrame
from connector.scoring.model import train_model
from connector.scoring.target import binary_target
from connector.tables import read_table

BANK_CSV = Path("/work/shared/data/bank-additional-full.csv")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _synthesise(table: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    converted = (table["y"] == "yes").to_numpy()
    outcome = rng.random(rows) < converted.mean()
    out = pd.DataFrame({"y": np.where(outcome, "yes", "no")})
    pools = {flag: np.flatnonzero(converted == flag) for flag in (True, False)}
    for column in table.columns.drop("y"):
        values = table[column].to_numpy()
        picked = np.empty(rows, dtype=object)
        for flag, pool in pools.items():
            mask = outcome == flag
            picked[mask] = values[rng.choice(pool, size=int(mask.sum()))]
        out[column] = picked
    return out


def main() -> None:
    """Run both measurements and print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-rows", type=int, default=100_000)
    parser.add_argument("--predict-rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="10k training, 100k prediction")
    args = parser.parse_args()
    if args.quick or os.environ.get("LEADSCORE_BENCH_QUICK") == "1":
        args.train_rows, args.predict_rows = 10_000, 100_000
    bank = read_table(BANK_CSV)

    train_table, outcome = binary_target(_synthesise(bank, args.train_rows, seed=1), "y")
    print(f"training on {len(train_table):,} rows", file=sys.stderr)
    started = time.perf_counter()
    model = train_model(train_table, outcome, now=NOW, drop=["duration"])
    train_s = time.perf_counter() - started

    leads = LeadFrame.from_table(_synthesise(bank, args.predict_rows, seed=2).drop(columns=["y"]))
    print(f"predicting {len(leads):,} rows", file=sys.stderr)
    started = time.perf_counter()
    prediction = model.predict(leads, NOW)
    predict_s = time.perf_counter() - started

    print(
        json.dumps(
            {
                "benchmark": "model_training",
                "train_rows": len(train_table),
                "train_seconds": round(train_s, 2),
                "train_budget_seconds": 60,
                "train_oof_auc": model.metadata.metrics.auc,
                "boosting_rounds": model.metadata.metrics.rounds,
                "predict_rows": len(leads),
                "predict_seconds": round(predict_s, 2),
                "predict_budget_seconds": 8,
                "predict_leads_per_second": round(len(leads) / predict_s),
                "reasons_per_lead": round(
                    sum(len(r) for r in prediction.reasons[:10_000]) / min(len(leads), 10_000), 2
                ),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "cpus": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
