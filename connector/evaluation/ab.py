"""Live A/B testing of two rule sets: stable arm assignment and the comparison of outcomes.

A contact's arm is a pure function of its id, the challenger's share and a salt, so every
worker and every re-sync puts the same contact in the same arm without storing anything;
changing the salt starts a fresh experiment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from connector.errors import LeadscoreError
from connector.evaluation.stats import ZTest, two_proportion_ztest, wilson_interval

Arm = Literal["champion", "challenger"]
ARMS: tuple[Arm, Arm] = ("champion", "challenger")


def assign_arm(contact_id: str, share: float, salt: str) -> Arm:
    """The arm of a contact: "challenger" for about `share` of ids, stable across runs.

    The id and salt are hashed with SHA-256 (not Python's `hash`, which is randomised per
    process) and the first 8 bytes read as a uniform number in [0, 1).
    """
    if not 0.0 <= share <= 1.0:
        raise LeadscoreError(f"challenger share must be between 0 and 1, got {share}")
    digest = hashlib.sha256(f"{salt}\x00{contact_id}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2.0**64
    return "challenger" if position < share else "champion"


def assign_arms(contact_ids: Sequence[str], share: float, salt: str) -> list[Arm]:
    """`assign_arm` over a batch of ids."""
    return [assign_arm(str(contact_id), share, salt) for contact_id in contact_ids]


@dataclass(frozen=True)
class ArmResult:
    """Outcomes of one arm."""

    arm: Arm
    leads: int
    conversions: int
    rate: float
    rate_low: float
    rate_high: float


@dataclass(frozen=True)
class ArmComparison:
    """Champion against challenger on observed conversions, with a two-proportion z-test."""

    champion: ArmResult
    challenger: ArmResult
    test: ZTest | None
    alpha: float
    significant: bool
    verdict: str


def compare_arms(arms: ArrayLike, converted: ArrayLike, alpha: float = 0.05) -> ArmComparison:
    """Compare conversion per arm (`arms[i]` is "champion" or "challenger" for lead i, or
    None for a lead outside the experiment, which is left out).

    The test needs leads in both arms; with fewer the verdict says what is missing.
    """
    a = np.asarray(arms, dtype=object)
    y = np.asarray(converted, dtype=bool)
    if a.shape != y.shape:
        raise LeadscoreError(f"one arm per lead expected (got {a.shape} arms, {y.shape} outcomes)")
    unknown = sorted({str(v) for v in a if v is not None} - set(ARMS))
    if unknown:
        raise LeadscoreError(
            f"unknown arm(s) {', '.join(unknown)}; expected champion or challenger"
        )
    results = {}
    for arm in ARMS:
        mask = a == arm
        n, hits = int(mask.sum()), int(y[mask].sum())
        low, high = wilson_interval(hits, n)
        results[arm] = ArmResult(arm, n, hits, hits / n if n else 0.0, low, high)
    champion, challenger = results["champion"], results["challenger"]
    if champion.leads == 0 or challenger.leads == 0:
        empty = "champion" if champion.leads == 0 else "challenger"
        return ArmComparison(
            champion,
            challenger,
            None,
            alpha,
            False,
            f"no verdict yet: the {empty} arm has no leads with outcomes",
        )
    test = two_proportion_ztest(
        champion.conversions, champion.leads, challenger.conversions, challenger.leads
    )
    significant = test.p_value < alpha
    rates = f"{challenger.rate:.1%} vs {champion.rate:.1%} (p = {test.p_value:.3g})"
    if not significant:
        verdict = f"no significant difference between the arms: challenger {rates}"
    elif test.difference > 0:
        verdict = f"the challenger converts better: {rates}"
    else:
        verdict = f"the champion converts better: challenger {rates}"
    return ArmComparison(champion, challenger, test, alpha, significant, verdict)
