"""The rule engine on small hand-made batches: operators, decay, caps, normalisation, tiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pytest

from connector.scoring.config import DEFAULT_CONFIG_PATH, Decay, model_hash
from connector.scoring.decay import decay_factor
from connector.scoring.engine import Scorer
from connector.scoring.leads import LeadFrame
from connector.scoring.score_columns import FRAME_COLUMNS, ScoreColumn
from connector.scoring_files import load_config
from tests.scoring.rules_fixtures import NOW, config, criterion, days_ago, leads, model


def fit_scores(when: dict[str, Any], rows: list[dict[str, Any]]) -> list[float]:
    """Fit score (0 or 100) of each row under a single 10-point fit criterion."""
    cfg = config({"default": model([criterion("c", when=when)])})
    return Scorer(cfg).score(leads(rows), NOW)["default"].frame["fit"].tolist()


@pytest.mark.parametrize(
    ("when", "values", "expected"),
    [
        ({"equals": "ceo"}, ["CEO", " ceo ", "CTO", None], [100, 100, 0, 0]),
        ({"equals": 50}, ["50", "50.0", "5", "x"], [100, 100, 0, 0]),
        ({"equals": True}, ["true", "TRUE", "false", None], [100, 100, 0, 0]),
        ({"in": ["de", "fr"]}, ["DE", "fr", "us", None], [100, 100, 0, 0]),
        ({"contains": "market"}, ["Marketing Manager", "CMO", "", None], [100, 0, 0, 0]),
        (
            {"contains": ["sales", "revenue"]},
            ["Head of Revenue", "Sales", "IT", None],
            [100, 100, 0, 0],
        ),
        ({"regex": r"\bvp\b"}, ["VP Sales", "mvp", "vp", None], [100, 0, 100, 0]),
        ({"range": {"gte": 10, "lt": 100}}, ["10", "99.5", "100", "abc"], [100, 100, 0, 0]),
        ({"exists": True}, ["x", "  ", None, "0"], [100, 0, 0, 100]),
        ({"exists": False}, ["x", "  ", None, "0"], [0, 100, 100, 0]),
        (
            {"domain_in": ["edu", "acme.com"]},
            ["a@mit.edu", "b@acme.com", "c@notacme.com", "d@x.acme.com"],
            [100, 100, 0, 100],
        ),
    ],
)
def test_property_operators(when: dict[str, Any], values: list[Any], expected: list[float]) -> None:
    rows = [{"p": value} for value in values]
    assert fit_scores({"property": "p", **when}, rows) == expected


def test_days_since_accepts_iso_dates_and_epoch_milliseconds() -> None:
    epoch_ms = str(int((NOW.timestamp() - 3 * 86400) * 1000))
    rows: list[dict[str, Any]] = [
        {"d": days_ago(5)},
        {"d": epoch_ms},
        {"d": "2020-01-01"},
        {"d": "not a date"},
        {"d": None},
    ]
    assert fit_scores({"property": "d", "days_since": {"lte": 30}}, rows) == [100, 100, 0, 0, 0]


def test_all_any_not_combine() -> None:
    when = {
        "all": [
            {"property": "a", "equals": "x"},
            {"any": [{"property": "b", "equals": "1"}, {"not": {"property": "c", "exists": True}}]},
        ]
    }
    rows: list[dict[str, Any]] = [
        {"a": "x", "b": "1", "c": "y"},
        {"a": "x", "b": "0", "c": None},
        {"a": "x", "b": "0", "c": "y"},
        {"a": "z", "b": "1", "c": None},
    ]
    assert fit_scores(when, rows) == [100, 100, 0, 0]


def test_missing_property_column_means_no_value() -> None:
    assert fit_scores({"property": "absent", "equals": "x"}, [{"p": "x"}]) == [0]


def test_activity_condition_counts_by_kind_outcome_and_window() -> None:
    when = {"activity": "meeting", "outcome": ["completed"], "within_days": 30, "count": {"gte": 2}}
    cfg = config({"default": model([criterion("m", kind="engagement", when=when)])})
    acts: list[dict[str, Any]] = [
        {"contact_id": "1", "kind": "meeting", "timestamp": days_ago(1), "outcome": "COMPLETED"},
        {"contact_id": "1", "kind": "meeting", "timestamp": days_ago(10), "outcome": "completed"},
        {"contact_id": "2", "kind": "meeting", "timestamp": days_ago(1), "outcome": "completed"},
        {"contact_id": "2", "kind": "meeting", "timestamp": days_ago(40), "outcome": "completed"},
        {"contact_id": "3", "kind": "call", "timestamp": days_ago(1), "outcome": "completed"},
        {"contact_id": "3", "kind": "meeting", "timestamp": days_ago(2), "outcome": "no_show"},
        {"contact_id": "99", "kind": "meeting", "timestamp": days_ago(1), "outcome": "completed"},
    ]
    frame = Scorer(cfg).score(leads([{}, {}, {}], acts), NOW)["default"]
    assert frame.ledger.fired_frame()["m"].tolist() == [True, False, False]


def test_repeatable_activity_points_decay_per_activity_and_cap() -> None:
    per = {"activity": "call", "outcome": ["completed"]}
    c = criterion("calls", kind="engagement", points=10, per=per, max_points=25)
    cfg = config({"default": model([c], decay={"half_life_days": 10})})
    acts: list[dict[str, Any]] = [
        {"contact_id": "1", "kind": "call", "timestamp": NOW, "outcome": "completed"},
        {"contact_id": "1", "kind": "call", "timestamp": days_ago(10), "outcome": "completed"},
        *[{"contact_id": "2", "kind": "call", "timestamp": NOW, "outcome": "completed"}] * 4,
    ]
    points = Scorer(cfg).score(leads([{}, {}], acts), NOW)["default"].ledger.points_frame()["calls"]
    assert points.tolist() == pytest.approx([15.0, 25.0])


def test_repeatable_property_points_per_occurrence() -> None:
    c = criterion("views", kind="engagement", points=2, per={"property": "views"}, max_points=10)
    cfg = config({"default": model([c])})
    result = Scorer(cfg).score(leads([{"views": "3"}, {"views": "50"}, {"views": None}]), NOW)[
        "default"
    ]
    assert result.ledger.points_frame()["views"].tolist() == [6, 10, 0]
    assert result.frame["engagement"].tolist() == [60.0, 100.0, 0.0]


def test_decay_curves() -> None:
    ages = np.array([0.0, 30.0, 59.0, 60.0, np.nan, -5.0])
    assert decay_factor(ages, Decay(half_life_days=30)).tolist() == pytest.approx(
        [1, 0.5, 0.5 ** (59 / 30), 0.25, 1, 1]
    )
    assert decay_factor(ages, Decay(percent=20, every_days=30)).tolist() == pytest.approx(
        [1, 0.8, 0.8, 0.64, 1, 1]
    )
    assert decay_factor(ages, Decay()).tolist() == [1] * 6


def test_engagement_decays_but_fit_and_penalties_do_not() -> None:
    cfg = config(
        {
            "default": model(
                [
                    criterion(
                        "demo",
                        kind="engagement",
                        points=40,
                        date="d",
                        when={"property": "f", "equals": "demo"},
                    ),
                    criterion(
                        "title", points=20, date="d", when={"property": "t", "equals": "ceo"}
                    ),
                    criterion(
                        "bounce",
                        kind="engagement",
                        points=-10,
                        date="d",
                        when={"property": "b", "equals": "1"},
                    ),
                ],
                decay={"half_life_days": 10},
            )
        }
    )
    rows = [{"f": "demo", "t": "ceo", "b": "1", "d": days_ago(10)}]
    points = Scorer(cfg).score(leads(rows), NOW)["default"].ledger.points_frame().iloc[0]
    assert points.to_dict() == pytest.approx({"demo": 20.0, "title": 20.0, "bounce": -10.0})


def test_inactivity_penalty_after_the_limit_only_when_activity_is_known() -> None:
    cfg = config(
        {
            "default": model(
                [
                    criterion(
                        "v", kind="engagement", points=10, when={"property": "v", "exists": True}
                    )
                ],
                decay={"inactivity": {"after_days": 90, "points": -5, "dates": ["last"]}},
            )
        }
    )
    rows: list[dict[str, Any]] = [
        {"v": "1", "last": days_ago(100)},
        {"v": "1", "last": days_ago(10)},
        {"v": "1", "last": None},
    ]
    acts = [{"contact_id": "1", "kind": "note", "timestamp": days_ago(95)}]
    result = Scorer(cfg).score(leads(rows, acts), NOW)["default"]
    assert result.ledger.points_frame()["inactivity"].tolist() == [-5, 0, 0]
    assert result.frame["reasons"].iloc[0] == "+10 V; -5 No activity (for 95 days)"


def test_group_and_kind_caps_scale_positive_points_and_keep_penalties() -> None:
    cfg = config(
        {
            "default": model(
                [
                    criterion("a", points=30, group="g", when={"property": "a", "exists": True}),
                    criterion("b", points=30, group="g", when={"property": "b", "exists": True}),
                    criterion("c", points=40, when={"property": "c", "exists": True}),
                    criterion("n", points=-10, when={"property": "n", "exists": True}),
                ],
                groups={"g": {"max_points": 40}},
                max_points={"fit": 60},
            )
        }
    )
    result = Scorer(cfg).score(leads([{"a": "1", "b": "1", "c": "1", "n": "1"}]), NOW)["default"]
    points = result.ledger.points_frame().iloc[0]
    assert points[["a", "b"]].sum() + points["c"] == pytest.approx(60)
    assert points["a"] == pytest.approx(points["b"])
    assert points["n"] == -10
    # attainable = min(60, min(40, 60) + 40) = 60, so 60 - 10 points → 83.3
    assert result.frame["fit"].iloc[0] == 83.3


def test_normalisation_clips_to_0_100() -> None:
    cfg = config(
        {
            "default": model(
                [
                    criterion("good", points=10, when={"property": "g", "exists": True}),
                    criterion("bad", points=-50, when={"property": "b", "exists": True}),
                ]
            )
        }
    )
    frame = (
        Scorer(cfg)
        .score(leads([{"g": "1"}, {"b": "1"}, {"g": "1", "b": "1"}]), NOW)["default"]
        .frame
    )
    assert frame["fit"].tolist() == [100.0, 0.0, 0.0]


def test_excluded_leads_are_disqualified_with_score_zero_and_say_why() -> None:
    cfg = config(
        {
            "default": model(
                [criterion("ceo", points=50, when={"property": "t", "equals": "ceo"})],
                exclusions=[
                    {
                        "id": "competitor",
                        "label": "Competitor",
                        "when": {"property": "email", "domain_in": ["rival.com"]},
                    }
                ],
            )
        }
    )
    frame = (
        Scorer(cfg)
        .score(
            leads([{"t": "ceo", "email": "x@rival.com"}, {"t": "ceo", "email": "y@ok.com"}]), NOW
        )["default"]
        .frame
    )
    assert frame["tier"].tolist() == ["disqualified", "hot"]
    assert frame["score"].tolist() == [0.0, 100.0]
    assert frame["excluded"].tolist() == [True, False]
    assert frame["reasons"].iloc[0] == "Excluded: Competitor; +50 Ceo"


def test_tiers_and_lifecycle_targets_follow_thresholds() -> None:
    cfg = config(
        {
            "default": model(
                [criterion("x", points=100, per={"property": "x"}, max_points=100)],
                tiers={
                    "hot": {"min_score": 70, "lifecycle_stage": "salesqualifiedlead"},
                    "warm": {"min_score": 40, "lifecycle_stage": "marketingqualifiedlead"},
                },
            )
        }
    )
    frame = (
        Scorer(cfg)
        .score(leads([{"x": "0.7"}, {"x": "0.69"}, {"x": "0.4"}, {"x": "0.1"}]), NOW)["default"]
        .frame
    )
    assert frame["tier"].tolist() == ["hot", "warm", "warm", "cold"]
    assert frame["lifecycle_target"].tolist() == [
        "salesqualifiedlead",
        "marketingqualifiedlead",
        "marketingqualifiedlead",
        None,
    ]


@dataclass(frozen=True)
class _Prediction:
    probability: np.ndarray
    reasons: np.ndarray


class _FixedModel:
    """Stands in for a trained LeadModel: a fixed probability and reason per lead."""

    version = "m-test"

    def __init__(self, probability: list[float]) -> None:
        self.probability = np.array(probability)

    def predict(self, batch: LeadFrame, now: datetime) -> _Prediction:
        reasons = np.empty(len(batch), dtype=object)
        for i in range(len(batch)):
            reasons[i] = ["+ Model: industry is Software", "- Model: few visits", "+ Model: third"]
        return _Prediction(self.probability, reasons)


def test_likelihood_weight_is_redistributed_without_a_model() -> None:
    cfg = config(
        {
            "default": {
                "weights": {"fit": 1, "engagement": 1, "likelihood": 2},
                "criteria": [
                    criterion("f", points=10, when={"property": "f", "exists": True}),
                    criterion(
                        "e", kind="engagement", points=10, when={"property": "e", "exists": True}
                    ),
                ],
            }
        }
    )
    batch = leads([{"f": "1"}, {"f": "1", "e": "1"}])
    without = Scorer(cfg).score(batch, NOW)["default"]
    assert without.frame["score"].tolist() == [50.0, 100.0]
    assert without.frame["likelihood"].isna().all()
    with_model = Scorer(cfg, {"default": _FixedModel([0.25, 0.0])}).score(batch, NOW)["default"]  # type: ignore[dict-item]
    assert with_model.frame["likelihood"].tolist() == [25.0, 0.0]
    assert with_model.frame["score"].tolist() == [37.5, 50.0]
    assert with_model.version == f"{model_hash(cfg, 'default')}+m-test"


def test_model_reasons_follow_rule_reasons() -> None:
    cfg = config(
        {"default": model([criterion("f", points=10, when={"property": "f", "exists": True})])},
        reasons={"top": 3, "model_top": 2},
    )
    result = Scorer(cfg, {"default": _FixedModel([0.5])}).score(leads([{"f": "1"}]), NOW)["default"]  # type: ignore[dict-item]
    assert (
        result.frame["reasons"].iloc[0]
        == "+10 F; + Model: industry is Software; - Model: few visits"
    )


def test_reasons_are_top_n_by_absolute_points_with_age() -> None:
    cfg = config(
        {
            "default": model(
                [
                    criterion("small", points=5, when={"property": "s", "exists": True}),
                    criterion(
                        "demo",
                        kind="engagement",
                        points=30,
                        date="d",
                        when={"property": "demo", "exists": True},
                    ),
                    criterion("student", points=-15, when={"property": "st", "exists": True}),
                    criterion("mid", points=10, when={"property": "m", "exists": True}),
                ]
            )
        },
        reasons={"top": 3, "model_top": 0},
    )
    rows = [{"s": "1", "demo": "1", "d": days_ago(12), "st": "1", "m": "1"}, {"s": "1"}, {}]
    assert Scorer(cfg).score(leads(rows), NOW)["default"].frame["reasons"].tolist() == [
        "+30 Demo (12 days ago); -15 Student; +10 Mid",
        "+5 Small",
        "",
    ]


def test_score_frame_shape_and_ledger() -> None:
    config_ = load_config(DEFAULT_CONFIG_PATH)
    batch = leads(
        [
            {"jobtitle": "CEO", "email": "a@acme.com"},
            {"jobtitle": "Student", "email": "b@gmail.com"},
        ]
    )
    results = Scorer(config_).score(batch, NOW)
    assert set(results) == {"default", "analytics"}
    frame = results["default"].frame
    # The shipped default model has the grade enabled; the analytics model does not.
    assert tuple(frame.columns) == (*FRAME_COLUMNS, ScoreColumn.GRADE)
    assert tuple(results["analytics"].frame.columns) == FRAME_COLUMNS
    assert frame.index.tolist() == ["1", "2"]
    ledger = results["default"].ledger
    assert ledger.points.shape == ledger.fired.shape == (2, len(ledger.entries))
    assert ledger.fired_frame().loc["1", "decision_maker"]
    assert ledger.fired_frame().loc["2", "free_email"]
    long = ledger.long()
    assert set(long.columns) == {"contact_id", "entry_id", "points"}
    assert len(long) == int(ledger.fired.sum())
    assert (
        Scorer(config_)
        .score_model("analytics", batch, NOW)
        .frame.equals(results["analytics"].frame)
    )


def test_empty_batch_scores_to_empty_frames() -> None:
    results = Scorer(load_config(DEFAULT_CONFIG_PATH)).score(leads([]), NOW)
    assert all(len(result.frame) == 0 for result in results.values())
