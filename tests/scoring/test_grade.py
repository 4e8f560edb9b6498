"""The A1–C3 grade: letter from fit, digit from engagement, at and around the thresholds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.scoring.config import Grade, GradeBands
from connector.scoring.engine import Scorer, grades
from connector.scoring.properties import GRADES
from connector.scoring.score_columns import ScoreColumn
from tests.scoring.rules_fixtures import NOW, config, criterion, leads, model

DEFAULT = Grade()


@pytest.mark.parametrize(
    ("fit", "engagement", "grade"),
    [
        (60, 60, "A1"),
        (59.9, 60, "B1"),
        (30, 59.9, "B2"),
        (29.9, 30, "C2"),
        (100, 29.9, "A3"),
        (0, 0, "C3"),
        (30, 100, "B1"),
    ],
)
def test_default_thresholds_at_the_boundaries(fit: float, engagement: float, grade: str) -> None:
    assert grades(np.array([fit]), np.array([engagement]), DEFAULT).tolist() == [grade]


def test_configured_thresholds_excluded_and_unknown() -> None:
    strict = Grade(fit=GradeBands(top=80, middle=50), engagement=GradeBands(top=90, middle=10))
    result = grades(
        np.array([80, 79, 50, 80, np.nan]),
        np.array([90, 90, 10, 9, 50]),
        strict,
        excluded=np.array([False, False, False, True, False]),
    )
    assert result.tolist() == ["A1", "B1", "B2", None, None]


@given(st.floats(0, 100), st.floats(0, 100))
def test_grade_is_monotone(fit: float, engagement: float) -> None:
    """A better fit or engagement never gives a worse grade."""
    base = grades(np.array([fit]), np.array([engagement]), DEFAULT)[0]
    up = grades(np.array([min(fit + 10, 100)]), np.array([min(engagement + 10, 100)]), DEFAULT)[0]
    assert GRADES.index(up[0] + "1") <= GRADES.index(base[0] + "1")
    assert int(up[1]) <= int(base[1])


def test_engine_adds_the_grade_column_only_when_enabled() -> None:
    criteria = [
        criterion("ceo", points=10, when={"property": "jobtitle", "equals": "CEO"}),
        criterion("demo", "engagement", 10, when={"property": "demo", "equals": True}),
    ]
    graded = config({"default": model(criteria, grade={"fit": {"top": 50, "middle": 20}})})
    batch = leads(
        [
            {"jobtitle": "CEO", "demo": "true"},
            {"jobtitle": "CEO"},
            {"jobtitle": "x", "demo": "true"},
        ]
    )
    frame = Scorer(graded).score(batch, NOW)["default"].frame
    assert frame[ScoreColumn.GRADE].tolist() == ["A1", "A3", "C1"]
    off = config({"default": model(criteria, grade={"enabled": False})})
    assert ScoreColumn.GRADE not in Scorer(off).score(batch, NOW)["default"].frame.columns
    plain = config({"default": model(criteria)})
    assert ScoreColumn.GRADE not in Scorer(plain).score(batch, NOW)["default"].frame.columns


def test_the_grade_is_written_as_leadscore_grade_and_defined_as_an_enumeration() -> None:
    from datetime import UTC, datetime

    from connector.crm.values import score_updates
    from connector.hubspot.properties import model_definitions
    from connector.scoring.properties import property_names

    criteria = [criterion("ceo", points=10, when={"property": "jobtitle", "equals": "CEO"})]
    cfg = config({"default": model(criteria, grade={})})
    scored = Scorer(cfg).score(leads([{"jobtitle": "CEO"}, {"jobtitle": "x"}]), NOW)["default"]
    names = property_names("default")
    updates = score_updates(
        scored.frame, names, scored_at=datetime(2026, 1, 1, tzinfo=UTC), version="v"
    )
    assert [u.properties["leadscore_grade"] for u in updates] == ["A3", "C3"]
    ungraded = score_updates(
        scored.frame.drop(columns=[ScoreColumn.GRADE]),
        names,
        scored_at=datetime(2026, 1, 1, tzinfo=UTC),
        version="v",
    )
    assert all("leadscore_grade" not in u.properties for u in ungraded)
    definition = {d.name: d for d in model_definitions("default")}["leadscore_grade"]
    assert definition.type == "enumeration"
    assert [o.value for o in definition.options] == list(GRADES)
