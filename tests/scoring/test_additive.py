"""The additive (linear) part of the lead model: exact, centred, one weight per feature."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from connector.scoring.additive import MAX_BINS, fit_additive
from connector.scoring.features import build_matrix
from connector.scoring.leads import LeadFrame
from connector.scoring.model import LeadModel, train_model
from tests.scoring.model_fixtures import NOW, synthetic_leads


def _data(n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    amount = rng.exponential(3.0, n)
    amount[rng.random(n) < 0.1] = np.nan
    code = rng.integers(0, 3, n).astype(float)
    logit = -1.0 + 0.5 * np.nan_to_num(amount) - 1.0 * (code == 2)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    return np.column_stack([amount, code]).astype(np.float32), y


def test_contributions_are_centred_and_sum_with_the_bias_to_the_margin() -> None:
    matrix, y = _data()
    part = fit_additive(matrix, y, categorical=[1], penalty_c=1.0)
    contributions, margin = part.contributions(matrix)
    np.testing.assert_allclose(contributions.sum(axis=1) + part.bias, margin)
    # Centred on the training rows: the average lead gets no push from any feature.
    np.testing.assert_allclose(contributions.mean(axis=0), 0.0, atol=1e-9)
    assert len(part.features[0].edges) <= MAX_BINS - 1
    assert len(part.features[1].weights) == 3  # one weight per category code


def test_a_feature_moves_only_its_own_contribution() -> None:
    matrix, y = _data()
    part = fit_additive(matrix, y, categorical=[1], penalty_c=1.0)
    lead = np.array([[1.0, 0.0]], dtype=np.float32)
    other = np.array([[1.0, 2.0]], dtype=np.float32)
    (a, margin_a), (b, margin_b) = part.contributions(lead), part.contributions(other)
    assert a[0, 0] == b[0, 0]
    assert margin_b[0] - margin_a[0] == pytest.approx(b[0, 1] - a[0, 1])
    # Code 2 lowers conversion in the data; the part learnt that.
    assert b[0, 1] < a[0, 1]
    missing = part.contributions(np.array([[np.nan, 0.0]], dtype=np.float32))[0]
    assert missing[0, 0] == pytest.approx(part.features[0].missing)


def test_scaling_a_part_scales_its_margin() -> None:
    matrix, y = _data(500)
    part = fit_additive(matrix, y, categorical=[1], penalty_c=1.0)
    np.testing.assert_allclose(
        part.scaled(0.5).contributions(matrix)[1], 0.5 * part.contributions(matrix)[1]
    )


def test_a_format_1_artifact_without_the_additive_part_still_loads_and_predicts() -> None:
    table, outcome = synthetic_leads(n=800, seed=6)
    model = train_model(table, outcome, now=NOW)
    source = zipfile.ZipFile(io.BytesIO(model.to_bytes()))
    meta = json.loads(source.read("meta.json"))
    plan = json.loads(source.read("plan.json"))
    meta["format"] = 1
    plan.pop("additive")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as old:
        old.writestr("meta.json", json.dumps(meta))
        old.writestr("plan.json", json.dumps(plan))
        old.writestr("booster.txt", source.read("booster.txt"))
    loaded = LeadModel.from_bytes(buffer.getvalue())
    assert loaded.additive is None and loaded.metadata.format == 1
    leads = LeadFrame.from_table(table.head(100))
    matrix = build_matrix(loaded.plan, leads.contacts, NOW)
    raw = loaded.booster.predict(matrix, raw_score=True)
    np.testing.assert_allclose(
        loaded.predict(leads, NOW).probability, loaded.calibration.apply(raw), atol=1e-5
    )
    explanation = loaded.explain(leads, NOW)
    np.testing.assert_allclose(
        explanation.contributions.sum(axis=1) + explanation.bias, raw, atol=1e-4
    )
