"""Suggested points: log-odds against the base rate on the config's scale, and the YAML."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import yaml

from connector.evaluation.history import History
from connector.evaluation.points import (
    check_criteria,
    log_odds_ratio,
    points_per_logit,
    round_to_five,
    suggest_points,
    yaml_fragment,
)
from connector.scoring.config import ModelConfig, parse_config
from connector.scoring.leads import LeadFrame


def _model(points: float = 20) -> ModelConfig:
    return ModelConfig.model_validate(
        {
            "weights": {"fit": 1, "engagement": 0, "likelihood": 0},
            "criteria": [
                {
                    "id": "is_a",
                    "label": "Plan A",
                    "kind": "fit",
                    "importance": "important" if points > 0 else "negative",
                    "points": points,
                    "when": {"property": "plan", "equals": "a"},
                }
            ],
        }
    )


def _table() -> tuple[LeadFrame, np.ndarray]:
    # plan a: 60 leads, 30 converted; plan b: 100 leads, 10 converted; plan c: 10 leads.
    plan = ["a"] * 60 + ["b"] * 100 + ["c"] * 10
    converted = np.array([True] * 30 + [False] * 30 + [True] * 10 + [False] * 90 + [False] * 10)
    contacts = pd.DataFrame({"plan": plan}, index=[str(i) for i in range(170)])
    return LeadFrame.from_table(contacts), converted


def test_round_to_five() -> None:
    assert [round_to_five(x) for x in (0, 2.4, 2.5, 7.6, -2.5, -12.4, 13)] == [
        0,
        0,
        5,
        10,
        -5,
        -10,
        15,
    ]


def test_log_odds_ratio_hand_example() -> None:
    # 30 of 60 (odds 30.5/30.5 = 1 with smoothing) against a base rate of 0.2 (odds 0.25).
    assert log_odds_ratio(30, 60, 0.2) == pytest.approx(math.log(4))


def test_the_scale_gives_critical_points_to_a_four_fold_change() -> None:
    model = _model()
    assert points_per_logit(model) * math.log(4) == pytest.approx(model.default_points.critical)


def test_suggestions_for_category_values(now: datetime) -> None:
    leads, converted = _table()
    values, skipped = suggest_points(leads, converted, _model(), pd.Timestamp(now), min_leads=30)
    assert skipped == 1  # plan c: 10 leads
    by_value = {v.value: v for v in values}
    base = 40 / 170
    a = by_value["a"]
    assert (a.leads, a.conversions) == (60, 30)
    expected = math.log(1.0) - math.log(base / (1 - base))
    assert a.log_odds_ratio == pytest.approx(expected)
    assert a.suggested_points == round_to_five(expected * 30 / math.log(4))
    assert a.significant
    assert by_value["b"].suggested_points < 0
    assert a.criterion.when is not None


def test_the_fragment_is_valid_config_syntax(now: datetime) -> None:
    leads, converted = _table()
    values, _ = suggest_points(leads, converted, _model(), pd.Timestamp(now), min_leads=30)
    chosen = [v.criterion for v in values if v.significant]
    text = yaml_fragment(chosen, "default", ["Suggested by a test"])
    assert text.startswith("# Suggested by a test\n# Paste under models.default.criteria")
    fragment = yaml.safe_load(text)
    assert {c["id"] for c in fragment["criteria"]} == {"plan_a", "plan_b"}
    config = parse_config(
        {"models": {"default": {"weights": {"engagement": 0}, "criteria": fragment["criteria"]}}},
        "fragment",
    )
    assert config.models["default"].criteria[0].points == values[0].suggested_points


def test_numeric_bins_and_activity_signals(sandbox_history: History, now: datetime) -> None:
    values, _ = suggest_points(
        sandbox_history.leads,
        sandbox_history.converted,
        _model(),
        pd.Timestamp(now),
        properties=["numemployees", "hs_analytics_num_page_views"],
    )
    sources = {v.source for v in values}
    assert sources == {"property", "activity"}
    meetings = [v for v in values if v.signal.startswith("meetings")]
    assert meetings and max(meetings, key=lambda v: v.rate).value != "0"


def test_check_criteria_flags_a_sign_disagreement() -> None:
    leads, converted = _table()
    fired = pd.DataFrame({"is_a": leads.contacts["plan"].eq("a").to_numpy()})
    # Plan a converts at 50% vs 23.5%: the data wants positive points, the config gives -20.
    (check,) = check_criteria(fired, converted, _model(points=-20))
    assert check.sign_differs
    assert check.suggested_points is not None and check.suggested_points > 0
    assert check.disagreement == abs(-20 - check.suggested_points)
    (agrees,) = check_criteria(fired, converted, _model(points=20))
    assert not agrees.sign_differs
