"""Model reasons: the strongest pushes of either sign, sized in points of the likelihood shown."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from connector.scoring.contributions import (
    MAX_DESCRIPTION_CHARS,
    REASONS_SHOWN,
    build_reasons,
)
from connector.scoring.features import ColumnKind, ColumnPlan, FeatureSpec
from connector.scoring.leads import LeadFrame
from connector.scoring.model import LeadModel, train_model
from tests.scoring.model_fixtures import NOW, synthetic_leads

_POINTS = re.compile(r"\(likelihood ([+-]\d+) pts?\)$")


def _sigmoid(margin: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-margin))


def _specs(n: int) -> list[FeatureSpec]:
    return [
        FeatureSpec(
            name=f"c{i}",
            column=ColumnPlan(name=f"c{i}", kind=ColumnKind.NUMERIC, label=f"col {i}"),
            token="",
        )
        for i in range(n)
    ]


def _reasons(contributions: list[list[float]], bias: float = 0.0) -> list[list[str]]:
    by_source = np.array(contributions, dtype=np.float64)
    specs = _specs(by_source.shape[1])
    margin = by_source.sum(axis=1) + bias
    built = build_reasons(
        by_source,
        by_source,
        np.ones_like(by_source),
        specs,
        [s.name for s in specs],
        margin=margin,
        likelihood=_sigmoid,
    )
    return list(built)


def _points(reason: str) -> int:
    found = _POINTS.search(reason)
    assert found, reason
    return int(found.group(1))


def test_a_low_lead_is_told_what_holds_it_down() -> None:
    # Likelihood ~8 %: one strong negative, two weak positives, one moderate negative.
    (reasons,) = _reasons([[0.1, -2.0, 0.15, -0.6]], bias=-0.2)
    assert reasons[0].startswith("- Model: col 1")
    assert reasons[1].startswith("- Model: col 3")
    # The two faint positives move the likelihood by about 1 point and come last, if at all.
    assert all(_points(r) < 0 for r in reasons[:2])
    assert len(reasons) <= REASONS_SHOWN


def test_points_are_the_likelihood_with_and_without_the_push() -> None:
    (reasons,) = _reasons([[1.0, -0.5]])
    shown = _sigmoid(np.array(0.5))
    assert _points(reasons[0]) == round(float(shown - _sigmoid(np.array(-0.5))) * 100)
    assert _points(reasons[1]) == round(float(shown - _sigmoid(np.array(1.0))) * 100)
    assert reasons[0].endswith("(likelihood +24 pts)")
    assert reasons[1].endswith("(likelihood -11 pts)")


def test_ranked_by_size_whatever_the_sign_and_never_padded() -> None:
    (reasons,) = _reasons([[0.004, -0.9, 0.3, 0.0005, 0.8, -0.1]])
    sizes = [abs(_points(r)) for r in reasons]
    assert sizes == sorted(sizes, reverse=True)
    assert all(size >= 1 for size in sizes)
    # Pushes worth less than a point of likelihood are not reasons.
    assert not any(r.startswith(("+ Model: col 0", "+ Model: col 3")) for r in reasons)
    assert len(reasons) == 4


def test_a_lead_with_no_strong_push_has_no_reason() -> None:
    assert _reasons([[0.001, -0.002]]) == [[]]


def test_many_columns_give_at_most_the_shown_count() -> None:
    (reasons,) = _reasons([[1.0, -1.0, 0.9, -0.9, 0.8, -0.8, 0.7]])
    assert len(reasons) == REASONS_SHOWN


def test_a_long_category_value_is_cut() -> None:
    plan = ColumnPlan(name="c", kind=ColumnKind.CATEGORICAL, label="plan", categories=["x" * 300])
    spec = FeatureSpec(name="c", column=plan, token="")
    (reasons,) = build_reasons(
        np.array([[2.0]]),
        np.array([[2.0]]),
        np.zeros((1, 1)),
        [spec],
        ["c"],
        margin=np.array([2.0]),
        likelihood=_sigmoid,
    )
    description = reasons[0].removeprefix("+ Model: ").split(" (likelihood")[0]
    assert len(description) == MAX_DESCRIPTION_CHARS and description.endswith("…")


@pytest.fixture(scope="module")
def trained() -> tuple[LeadModel, pd.DataFrame]:
    table, outcome = synthetic_leads(n=1200)
    return train_model(table, outcome, now=NOW), table


def test_a_trained_model_explains_unlikely_leads_by_their_negatives(
    trained: tuple[LeadModel, pd.DataFrame],
) -> None:
    model, table = trained
    prediction = model.predict(LeadFrame.from_table(table.head(400)), NOW)
    low = [r for p, r in zip(prediction.probability, prediction.reasons, strict=True) if p < 0.1]
    assert low, "the synthetic table has unlikely leads"
    leading = [_points(reasons[0]) for reasons in low if reasons]
    assert leading and sum(p < 0 for p in leading) > len(leading) / 2
    for p, reasons in zip(prediction.probability, prediction.reasons, strict=True):
        sizes = [abs(_points(r)) for r in reasons]
        assert sizes == sorted(sizes, reverse=True) and len(reasons) <= REASONS_SHOWN
        # A reason never claims more than the whole likelihood scale allows.
        assert all(_points(r) <= round(p * 100) + 1 for r in reasons if _points(r) > 0)
