"""The predictive lead model: LightGBM on guarded features, calibrated, explained per lead.

Training (`train_model`):
1. the guards drop identifiers, post-outcome columns and suspected leaks (`guards.py`);
2. a `FeaturePlan` learns how to read each remaining column (`features.py`);
3. K-fold cross-fitting gives every training lead an out-of-fold margin from a booster that
   never saw it (each fold early-stops on an inner split of its own training part);
4. the final booster is trained on all rows for the folds' typical number of rounds, and a
   sigmoid (Platt) calibration is fitted on the out-of-fold margins, so the likelihood is
   a real probability while the booster keeps its exact per-feature contributions;
5. the out-of-fold predictions give honest training metrics.

Artifacts are single zip archives, as bytes (`LeadModel.to_bytes` / `from_bytes`; files are
`connector.scoring_files`' business): `meta.json` (the `ModelMetadata`), `plan.json`
(features and calibration) and `booster.txt` (LightGBM's own text format). No pickle:
loading a model never runs code from it.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import lightgbm as lgb
import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from connector.errors import LeadscoreError
from connector.scoring.contributions import LeafAttribution, build_reasons, source_map
from connector.scoring.features import (
    ColumnKind,
    FeaturePlan,
    Reference,
    activity_table,
    build_matrix,
    fit_plan,
)
from connector.scoring.guards import (
    NO_VERDICTS,
    ExcludedColumn,
    ExclusionReason,
    KeptColumn,
    SuspectedLeak,
    screen_columns,
)
from connector.scoring.leads import LeadFrame
from connector.scoring.point_in_time import TrainingWindow
from connector.scoring.target import outcome_from_lifecycle

__all__ = [
    "MIN_CLASS_ROWS",
    "LeadModel",
    "ModelMetadata",
    "ModelPrediction",
    "NotEnoughData",
    "metadata_from_bytes",
    "outcome_from_lifecycle",
    "train_model",
]

MIN_CLASS_ROWS = 50
"""Fewer conversions (or non-conversions) than this and the engine scores with rules alone."""
ARTIFACT_FORMAT = 1
_META, _PLAN, _BOOSTER = "meta.json", "plan.json", "booster.txt"
_PREDICT_CHUNK = 200_000
_MAX_ROUNDS = 1000
_EARLY_STOP = 50
# A perfect (kept) leak drives the loss towards zero forever: stop when it stops improving.
_MIN_IMPROVEMENT = 1e-5
_INNER_VALIDATION = 0.15

LIGHTGBM_PARAMS: dict[str, float | int | str | bool] = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 15,
    "min_child_samples": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    # Categories: smooth rare ones and need enough rows per group before splitting on them.
    "cat_smooth": 20.0,
    "min_data_per_group": 50,
    "max_cat_threshold": 16,
    "verbose": -1,
    "deterministic": True,
    "force_row_wise": True,
    "seed": 7,
}


class NotEnoughData(LeadscoreError):
    """Too little labelled history to train a trustworthy model; score with rules alone."""


class TrainingMetrics(BaseModel):
    """Honest figures from out-of-fold predictions on the training table."""

    auc: float
    brier: float
    log_loss: float
    base_rate: float
    rounds: int
    folds: int


class FeatureImportance(BaseModel):
    """A source column the model uses and its mean absolute contribution (log-odds)."""

    column: str
    kind: ColumnKind
    importance: float


class ModelMetadata(BaseModel):
    """Everything needed to audit a trained model, stored at the head of its artifact."""

    format: int = ARTIFACT_FORMAT
    version: str
    trained_at: datetime
    reference_time: datetime
    config_hash: str
    rows: int
    positives: int
    metrics: TrainingMetrics
    features: list[FeatureImportance]
    excluded: list[ExcludedColumn]
    suspected_leaks: list[SuspectedLeak]
    kept_on_request: list[KeptColumn] = []
    """Columns a guard flagged that the user kept (`keep_leaks`), with the flag overridden."""
    params: dict[str, float | int | str | bool]
    training: TrainingWindow | None = None
    """How the training rows were looked at (None: models trained before this was kept)."""


class Calibration(BaseModel):
    """Platt scaling of the booster's margin: p = 1 / (1 + exp(-(slope * margin + intercept)))."""

    slope: float
    intercept: float

    def apply(self, margin: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw margins."""
        z = self.slope * margin + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


class _Payload(BaseModel):
    plan: FeaturePlan
    calibration: Calibration


@dataclass(frozen=True)
class ModelPrediction:
    """Calibrated likelihoods and signed reasons, aligned with `leads.contacts.index`."""

    probability: np.ndarray
    reasons: np.ndarray


@dataclass(frozen=True)
class Explanation:
    """Exact contributions: `contributions.sum(axis=1) + bias == margin` for every lead."""

    margin: np.ndarray
    bias: float
    contributions: pd.DataFrame
    """Leads x source columns, in log-odds."""


class LeadModel:
    """A trained, calibrated lead model with its plan and metadata."""

    def __init__(
        self,
        booster: lgb.Booster,
        plan: FeaturePlan,
        calibration: Calibration,
        metadata: ModelMetadata,
    ) -> None:
        """Assemble a model from its parts (use `train_model` or `LeadModel.from_bytes`)."""
        self.booster = booster
        self.plan = plan
        self.calibration = calibration
        self.metadata = metadata
        self._specs = plan.features()
        self._sources = plan.source_columns
        self._map = source_map(self._specs, self._sources)
        self._attribution = LeafAttribution.from_booster(booster)

    @property
    def version(self) -> str:
        """The model version, e.g. `m20261122-153000-ab12cd`."""
        return self.metadata.version

    def predict(self, leads: LeadFrame, now: datetime) -> ModelPrediction:
        """Calibrated probabilities plus each lead's strongest signed reasons."""
        n = len(leads)
        probability = np.empty(n, dtype=np.float64)
        reasons = np.empty(n, dtype=object)
        # One matrix for the whole batch (float32, ~4 bytes per lead and feature): building
        # it per chunk would re-read every activity of the batch once per chunk.
        matrix = build_matrix(self.plan, leads.contacts, now, leads.activities)
        for start in range(0, n, _PREDICT_CHUNK):
            part = matrix[start : start + _PREDICT_CHUNK]
            by_feature, margin = self._contrib(part)
            by_source = by_feature @ self._map
            probability[start : start + len(part)] = self.calibration.apply(margin)
            reasons[start : start + len(part)] = build_reasons(
                by_source,
                by_feature,
                part,
                self._specs,
                self._sources,
                margin=margin,
                likelihood=self.calibration.apply,
            )
        return ModelPrediction(probability=probability, reasons=reasons)

    def explain(self, leads: LeadFrame, now: datetime) -> Explanation:
        """Per-lead contributions of each source column to the raw margin (log-odds)."""
        matrix = build_matrix(self.plan, leads.contacts, now, leads.activities)
        by_feature, margin = self._contrib(matrix)
        frame = pd.DataFrame(
            by_feature @ self._map, index=leads.contacts.index, columns=self._sources
        )
        return Explanation(margin=margin, bias=self._attribution.bias, contributions=frame)

    def _contrib(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feature contributions (bias excluded) and the raw margin they sum to."""
        if len(matrix) == 0:
            return np.zeros((0, len(self._specs))), np.zeros(0)
        leaves = np.asarray(self.booster.predict(matrix, pred_leaf=True), dtype=np.int32)
        return self._attribution.contributions(leaves.reshape(len(matrix), -1))

    def importance(self, matrix: np.ndarray) -> list[FeatureImportance]:
        """Mean absolute contribution per source column over the rows of `matrix`."""
        by_feature, _ = self._contrib(matrix)
        strength = np.abs(by_feature @ self._map).mean(axis=0)
        kinds = {c.name: c.kind for c in self.plan.columns}
        ranked = sorted(zip(self._sources, strength, strict=True), key=lambda t: -t[1])
        return [
            FeatureImportance(column=c, kind=kinds[c], importance=round(float(v), 5))
            for c, v in ranked
        ]

    def to_bytes(self) -> bytes:
        """The model as one zip archive (metadata, plan and calibration, booster text)."""
        payload = _Payload(plan=self.plan, calibration=self.calibration)
        buffer = io.BytesIO()
        parts = (
            (_META, self.metadata.model_dump_json(indent=2)),
            (_PLAN, payload.model_dump_json()),
            (_BOOSTER, self.booster.model_to_string()),
        )
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in parts:
                # A fixed timestamp: the same model always gives the same bytes.
                entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                archive.writestr(entry, text, compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "model") -> LeadModel:
        """Read a model written by `to_bytes`; raises `LeadscoreError` for anything else.

        `source` names where the bytes came from (a file, a stored version) in messages.
        """
        metadata = metadata_from_bytes(data, source)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                payload = _Payload.model_validate_json(archive.read(_PLAN))
                booster = lgb.Booster(model_str=archive.read(_BOOSTER).decode("utf-8"))
        except (KeyError, zipfile.BadZipFile, ValidationError, lgb.basic.LightGBMError) as exc:
            raise LeadscoreError(f"{source}: damaged model file ({type(exc).__name__})") from exc
        return cls(booster, payload.plan, payload.calibration, metadata)


def metadata_from_bytes(data: bytes, source: str = "model") -> ModelMetadata:
    """Only the metadata of a model's bytes (cheap: the booster is not parsed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            metadata = ModelMetadata.model_validate_json(archive.read(_META))
    except (KeyError, zipfile.BadZipFile, ValidationError, json.JSONDecodeError) as exc:
        raise LeadscoreError(f"{source}: not a leadscore model file") from exc
    if metadata.format > ARTIFACT_FORMAT:
        raise LeadscoreError(
            f"{source}: model format {metadata.format} is newer than this program supports "
            f"({ARTIFACT_FORMAT}); upgrade leadscore"
        )
    return metadata


def check_enough_data(positives: int, negatives: int) -> None:
    """Raise `NotEnoughData` unless both classes have at least `MIN_CLASS_ROWS` leads."""
    if positives == 0 or negatives == 0:
        only = "converted" if negatives == 0 else "not converted"
        raise NotEnoughData(
            f"cannot train a model: every one of the {positives + negatives} leads is {only} "
            "(one outcome only); scoring uses the rules alone"
        )
    if positives < MIN_CLASS_ROWS or negatives < MIN_CLASS_ROWS:
        raise NotEnoughData(
            f"not enough history to train a model: {positives} conversions and {negatives} "
            f"non-conversions (need at least {MIN_CLASS_ROWS} of each); "
            "scoring uses the rules alone"
        )


def train_model(
    table: pd.DataFrame,
    target: pd.Series,
    *,
    now: datetime,
    activities: pd.DataFrame | None = None,
    config_hash: str = "",
    drop: Sequence[str] = (),
    keep_leaks: Sequence[str] = (),
    folds: int = 4,
    cutoffs: pd.Series | None = None,
    timed: Mapping[str, str | None] = NO_VERDICTS,
) -> LeadModel:
    """Train a calibrated model on leads with known outcomes.

    `table` holds one row per lead (index = contact ids when `activities` are given) without
    the target; `target` is aligned with it (bool, or 0/1). `drop` removes columns on request;
    `keep_leaks` keeps flagged columns the user vouches for (`keep` of
    `guards.screen_columns`). Raises `NotEnoughData`
    with fewer than 50 leads in either class, `LeadscoreError` for unknown column names.
    `cutoffs` (UTC timestamps aligned with `table`) trains point-in-time rows: each lead's
    ages and activities are read as of its own cutoff instead of `now`.
    `timed` passes property-history verdicts to the guards (`guards.screen_columns`).
    """
    seen: Reference = now if cutoffs is None else cutoffs
    if len(target) != len(table):
        raise LeadscoreError(f"target has {len(target)} rows but the table has {len(table)}")
    if target.isna().any():
        raise LeadscoreError("target has missing outcomes: leave those leads out of training")
    y = target.to_numpy().astype(bool).astype(np.int8)
    positives = int(y.sum())
    check_enough_data(positives, len(y) - positives)
    if activities is not None and not activities.empty:
        table = table.join(activity_table(table.index, activities, seen))
    screening = screen_columns(table, y, drop=drop, keep=keep_leaks, timed=timed)
    plan, empty = fit_plan(table, screening.kept)
    excluded = [
        *screening.excluded,
        *(ExcludedColumn(c, ExclusionReason.CONSTANT, "empty or a single value") for c in empty),
    ]
    if not plan.columns:
        raise NotEnoughData("no usable columns left after the guards; scoring uses the rules alone")
    matrix = build_matrix(plan, table, seen, activities)
    categorical = [j for j, spec in enumerate(plan.features()) if spec.is_categorical]
    margins, rounds = _cross_fit(matrix, y, categorical, folds)
    calibration = _fit_calibration(margins, y)
    booster = _fit(matrix, y, categorical, rounds)
    oof = calibration.apply(margins)
    metrics = TrainingMetrics(
        auc=round(float(roc_auc_score(y, margins)), 5),
        brier=round(float(brier_score_loss(y, oof)), 5),
        log_loss=round(float(log_loss(y, oof)), 5),
        base_rate=round(positives / len(y), 5),
        rounds=rounds,
        folds=folds,
    )
    trained_at = datetime.now(UTC)
    digest = hashlib.sha256((config_hash + booster.model_to_string()).encode("utf-8")).hexdigest()[
        :6
    ]
    metadata = ModelMetadata(
        version=f"m{trained_at:%Y%m%d-%H%M%S}-{digest}",
        trained_at=trained_at,
        reference_time=now,
        config_hash=config_hash,
        rows=len(y),
        positives=positives,
        metrics=metrics,
        features=[],
        excluded=excluded,
        suspected_leaks=screening.leaks,
        kept_on_request=screening.kept_on_request,
        params={**LIGHTGBM_PARAMS, "num_boost_round": rounds},
    )
    model = LeadModel(booster, plan, calibration, metadata)
    sample = np.random.default_rng(0).choice(
        len(matrix), size=min(len(matrix), 5000), replace=False
    )
    model.metadata.features = model.importance(matrix[np.sort(sample)])
    return model


def threads_for(rows: int) -> int:
    """Threads worth using: one per 20k rows, at most the CPUs.

    Each boosting round on a few thousand rows takes well under a millisecond; OpenMP
    threads then spend more time waiting for each other than working, and on a busy
    machine that waiting alone made small trainings 50x slower.
    """
    return max(1, min(os.cpu_count() or 1, rows // 20_000))


def _fit(
    matrix: np.ndarray,
    y: np.ndarray,
    categorical: list[int],
    rounds: int,
    valid: tuple[np.ndarray, np.ndarray] | None = None,
) -> lgb.Booster:
    params = {**LIGHTGBM_PARAMS, "num_threads": threads_for(len(y))}
    data = lgb.Dataset(matrix, label=y, categorical_feature=categorical, free_raw_data=True)
    if valid is None:
        return lgb.train(params, data, num_boost_round=rounds)
    check = lgb.Dataset(valid[0], label=valid[1], reference=data)
    return lgb.train(
        params,
        data,
        num_boost_round=rounds,
        valid_sets=[check],
        callbacks=[lgb.early_stopping(_EARLY_STOP, verbose=False, min_delta=_MIN_IMPROVEMENT)],
    )


def _cross_fit(
    matrix: np.ndarray, y: np.ndarray, categorical: list[int], folds: int
) -> tuple[np.ndarray, int]:
    """Out-of-fold margins for every row, and the number of rounds for the final booster."""
    margins = np.empty(len(y), dtype=np.float64)
    best: list[int] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=11)
    for fit_rows, held_rows in splitter.split(matrix, y):
        inner_fit, inner_check = train_test_split(
            fit_rows, test_size=_INNER_VALIDATION, stratify=y[fit_rows], random_state=13
        )
        booster = _fit(
            matrix[inner_fit],
            y[inner_fit],
            categorical,
            _MAX_ROUNDS,
            valid=(matrix[inner_check], y[inner_check]),
        )
        best.append(max(booster.best_iteration, 1))
        margins[held_rows] = booster.predict(
            matrix[held_rows], raw_score=True, num_iteration=booster.best_iteration
        )
    # The final booster sees 1/(1-inner) more rows than each early-stopped one did.
    rounds = max(1, math.ceil(float(np.median(best)) / (1.0 - _INNER_VALIDATION)))
    return margins, rounds


def _fit_calibration(margins: np.ndarray, y: np.ndarray) -> Calibration:
    # Unpenalised logistic regression on the margin: preserves the ranking exactly and
    # matches the mean predicted probability to the observed base rate.
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(margins.reshape(-1, 1), y)
    return Calibration(slope=float(lr.coef_[0, 0]), intercept=float(lr.intercept_[0]))
