"""Lifecycle stages move forward only and never touch protected stages."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.scoring.config import HUBSPOT_DEFAULT_STAGES
from connector.scoring.lifecycle import forward_stage, forward_stages

STAGES = list(HUBSPOT_DEFAULT_STAGES)
PROTECTED = {"opportunity", "customer", "evangelist"}


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        (None, "marketingqualifiedlead", "marketingqualifiedlead"),
        ("", "lead", "lead"),
        ("subscriber", "marketingqualifiedlead", "marketingqualifiedlead"),
        ("lead", "salesqualifiedlead", "salesqualifiedlead"),
        ("salesqualifiedlead", "marketingqualifiedlead", None),  # never backward
        ("marketingqualifiedlead", "marketingqualifiedlead", None),  # nothing to write
        ("opportunity", "salesqualifiedlead", None),
        ("customer", "marketingqualifiedlead", None),
        ("lead", "opportunity", None),  # a protected target is never written
        ("lead", "other", None),  # would cross opportunity/customer/evangelist
        ("my_custom_stage", "lead", None),  # unknown current stage: direction unknown
        ("lead", "unknown_target", None),
        ("lead", None, None),
    ],
)
def test_forward_stage(current: str | None, target: str | None, expected: str | None) -> None:
    assert forward_stage(current, target, STAGES, PROTECTED) == expected


def test_user_protected_stages_are_left_alone() -> None:
    assert forward_stage("lead", "salesqualifiedlead", STAGES, {"salesqualifiedlead"}) is None
    assert forward_stage("salesqualifiedlead", "other", STAGES, set()) is None
    assert forward_stage("lead", "marketingqualifiedlead", STAGES, {"salesqualifiedlead"}) == (
        "marketingqualifiedlead"
    )


def test_opportunity_customer_evangelist_are_protected_even_if_not_listed() -> None:
    assert forward_stage("opportunity", "salesqualifiedlead", STAGES, ()) is None
    assert forward_stage("lead", "customer", STAGES, ()) is None


def test_portal_order_is_respected() -> None:
    custom = ["lead", "engaged", "marketingqualifiedlead", "opportunity", "customer"]
    assert (
        forward_stage("engaged", "marketingqualifiedlead", custom, ()) == "marketingqualifiedlead"
    )
    assert forward_stage("marketingqualifiedlead", "engaged", custom, ()) is None


def test_vectorised_variant_keeps_the_index() -> None:
    current = pd.Series(["lead", None, "customer"], index=["a", "b", "c"], dtype=object)
    target = pd.Series(
        ["salesqualifiedlead", "lead", "salesqualifiedlead"], index=["a", "b", "c"], dtype=object
    )
    result = forward_stages(current, target, STAGES, PROTECTED)
    assert result.to_dict() == {"a": "salesqualifiedlead", "b": "lead", "c": None}


stage = st.sampled_from([*STAGES, None, "custom"])


@given(st.lists(st.tuples(stage, stage), min_size=1, max_size=20), st.sets(st.sampled_from(STAGES)))
def test_stages_never_move_backward_or_into_protected(
    pairs: list[tuple[str | None, str | None]], protected: set[str]
) -> None:
    current = pd.Series([c for c, _ in pairs], dtype=object)
    target = pd.Series([t for _, t in pairs], dtype=object)
    result = forward_stages(current, target, STAGES, protected)
    blocked = protected | PROTECTED
    for (now, wanted), written in zip(pairs, result, strict=True):
        if written is None:
            continue
        assert written == wanted
        assert written not in blocked and now not in blocked
        assert now is None or STAGES.index(written) > STAGES.index(now)
        assert forward_stage(now, wanted, STAGES, protected) == written
