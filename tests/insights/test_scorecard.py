"""The joint scorecard: WoE bins, L2 logistic regression, points on the config's scale."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from connector.evaluation.points import log_odds_ratio, points_per_logit
from connector.evaluation.scorecard import Scorecard, chosen_bins, fit_scorecard
from connector.scoring.config import ModelConfig
from connector.scoring.leads import LeadFrame


def _model() -> ModelConfig:
    return ModelConfig.model_validate(
        {
            "weights": {"fit": 1, "engagement": 0, "likelihood": 0},
            "criteria": [
                {
                    "id": "is_a",
                    "label": "Plan A",
                    "kind": "fit",
                    "importance": "important",
                    "when": {"property": "plan", "equals": "a"},
                }
            ],
        }
    )


def _leads(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Plan and region each move conversion on their own; they are independent."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["a", "b"], n)
    region = rng.choice(["north", "south", "east"], n)
    logit = -1.5 + 1.5 * (plan == "a") - 0.8 * (region == "south")
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    contacts = pd.DataFrame({"plan": plan, "region": region}, index=[str(i) for i in range(n)])
    return contacts, converted


def _fit(contacts: pd.DataFrame, converted: np.ndarray, now: datetime) -> Scorecard:
    return fit_scorecard(LeadFrame.from_table(contacts), converted, _model(), pd.Timestamp(now))


def _points(card: Scorecard) -> dict[tuple[str, str], int]:
    return {(b.signal, b.value): b.points for b in card.bins}


def test_a_duplicated_column_splits_the_effect_instead_of_doubling_it(now: datetime) -> None:
    contacts, converted = _leads()
    once = _points(_fit(contacts, converted, now))
    twice = _points(_fit(contacts.assign(plan_copy=contacts["plan"]), converted, now))
    alone = once[("plan", "b")]
    assert alone <= -15
    # Each copy gets about half, and the two together about the one column's points.
    assert twice[("plan", "b")] == twice[("plan_copy", "b")]
    assert abs(twice[("plan", "b")] - alone / 2) <= 1
    assert abs(twice[("plan", "b")] + twice[("plan_copy", "b")] - alone) <= 2
    # The other attribute is untouched by the copy.
    assert abs(twice[("region", "south")] - once[("region", "south")]) <= 1


def test_points_are_factor_times_coefficient_times_woe(now: datetime) -> None:
    contacts, converted = _leads()
    card = _fit(contacts, converted, now)
    coefficient = {a.signal: a.coefficient for a in card.attributes}
    base = float(converted.mean())
    for b in card.bins:
        woe = log_odds_ratio(b.conversions, b.leads, base)
        assert b.woe == pytest.approx(woe)
        assert b.points == round(points_per_logit(_model()) * coefficient[b.signal] * woe)
    # Independent attributes keep nearly all of their own evidence.
    assert coefficient["plan"] == pytest.approx(1.0, abs=0.15)
    assert card.points_per_logit == pytest.approx(30 / math.log(4))


def test_evidence_alone_stays_beside_the_joint_points(now: datetime) -> None:
    contacts, converted = _leads()
    both = _fit(contacts.assign(plan_copy=contacts["plan"]), converted, now)
    (b,) = [b for b in both.bins if (b.signal, b.value) == ("plan_copy", "b")]
    mask = contacts["plan"].eq("b").to_numpy()
    assert (b.leads, b.conversions) == (int(mask.sum()), int(converted[mask].sum()))
    assert b.rate_low < b.rate < b.rate_high and b.significant
    # Alone it would get the full effect; jointly about half of it.
    assert b.alone_points <= 2 * b.points + 5 < 0


def test_small_bins_get_no_evidence_and_no_criterion(now: datetime) -> None:
    contacts, converted = _leads(n=2000)
    contacts.loc[contacts.index[:10], "region"] = "west"
    card = fit_scorecard(
        LeadFrame.from_table(contacts), converted, _model(), pd.Timestamp(now), min_leads=30
    )
    assert ("region", "west") not in _points(card)
    assert all(b.leads >= 30 for b in card.bins)
    assert all(b.significant and b.points != 0 for b in chosen_bins(card))
