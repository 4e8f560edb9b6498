"""A/B arm assignment (stable, proportional) and the per-arm comparison."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.errors import LeadscoreError
from connector.evaluation.ab import assign_arm, assign_arms, compare_arms


@settings(max_examples=200)
@given(st.text(min_size=1, max_size=20), st.floats(0, 1), st.text(max_size=8))
def test_assignment_is_a_pure_function_of_its_inputs(
    contact_id: str, share: float, salt: str
) -> None:
    assert assign_arm(contact_id, share, salt) == assign_arm(contact_id, share, salt)


@settings(max_examples=100)
@given(st.text(min_size=1, max_size=20), st.floats(0, 1), st.floats(0, 1))
def test_a_challenger_stays_a_challenger_when_the_share_grows(
    contact_id: str, share: float, more: float
) -> None:
    larger = share + (1 - share) * more
    if assign_arm(contact_id, share, "s") == "challenger":
        assert assign_arm(contact_id, larger, "s") == "challenger"


def test_shares_zero_and_one_are_absolute() -> None:
    ids = [str(i) for i in range(500)]
    assert set(assign_arms(ids, 0.0, "x")) == {"champion"}
    assert set(assign_arms(ids, 1.0, "x")) == {"challenger"}


def test_the_share_of_challengers_matches_the_setting() -> None:
    arms = assign_arms([str(i) for i in range(20000)], 0.2, "exp-1")
    assert arms.count("challenger") / len(arms) == pytest.approx(0.2, abs=0.01)


def test_a_new_salt_reshuffles_the_arms() -> None:
    ids = [str(i) for i in range(2000)]
    first, second = assign_arms(ids, 0.5, "one"), assign_arms(ids, 0.5, "two")
    agreement = np.mean([a == b for a, b in zip(first, second, strict=True)])
    assert 0.4 < agreement < 0.6


def test_share_out_of_range_is_refused() -> None:
    with pytest.raises(LeadscoreError, match="between 0 and 1"):
        assign_arm("1", 1.5, "s")


def test_compare_arms_runs_the_z_test_on_the_arm_counts() -> None:
    arms = ["champion"] * 100 + ["challenger"] * 100
    converted = [True] * 40 + [False] * 60 + [True] * 60 + [False] * 40
    result = compare_arms(arms, converted)
    assert (result.champion.conversions, result.challenger.conversions) == (40, 60)
    assert result.test is not None
    assert result.test.p_value == pytest.approx(0.004678, abs=1e-5)
    assert result.significant
    assert result.verdict.startswith("the challenger converts better: 60.0% vs 40.0%")


def test_compare_arms_says_no_difference_when_rates_match() -> None:
    arms = ["champion", "challenger"] * 50
    converted = [True, True, False, False] * 25
    result = compare_arms(arms, converted)
    assert not result.significant
    assert result.verdict.startswith("no significant difference")


def test_compare_arms_waits_for_both_arms() -> None:
    result = compare_arms(["champion"] * 5, [True, False, True, False, False])
    assert result.test is None
    assert "challenger arm has no leads" in result.verdict


def test_compare_arms_rejects_unknown_arms() -> None:
    with pytest.raises(LeadscoreError, match="unknown arm"):
        compare_arms(["champion", "control"], [True, False])
