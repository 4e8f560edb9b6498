"""Segments: deterministic, named from the fixed vocabulary, assignable to new leads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from connector.errors import LeadscoreError
from connector.evaluation.history import History
from connector.evaluation.scoring_run import ScoredModel, score_history
from connector.evaluation.segments import SEGMENT_SLUGS, Segmentation, segment_leads
from connector.scoring.leads import LeadFrame
from connector.scoring_files import load_config


@pytest.fixture(scope="module")
def scored(sandbox_history: History) -> ScoredModel:
    return score_history(
        sandbox_history,
        load_config(Path(__file__).resolve().parents[2] / "config" / "scoring.yaml"),
    )


def test_segments_of_a_sandbox_portal(sandbox_history: History, scored: ScoredModel) -> None:
    report = segment_leads(sandbox_history.leads, scored.frame, sandbox_history.converted)
    k = len(report.profiles)
    assert 3 <= k <= 8
    silhouettes = report.segmentation.silhouettes
    assert max(silhouettes, key=lambda c: silhouettes[c]) == k
    assert {p.slug for p in report.profiles} <= set(SEGMENT_SLUGS)
    assert sum(p.leads for p in report.profiles) == len(sandbox_history.leads)
    # Disqualified leads gather in an `exclude` segment that hardly converts.
    exclude = [p for p in report.profiles if p.slug == "exclude"]
    assert exclude and all(p.rate < report.base_rate for p in exclude)
    best = report.profiles[0]
    assert best.rate > report.base_rate and best.slug in {"fast_track", "direct_outreach"}
    assert all(p.recommendation for p in report.profiles)


def test_same_seed_same_segments(sandbox_history: History, scored: ScoredModel) -> None:
    first = segment_leads(sandbox_history.leads, scored.frame, sandbox_history.converted, seed=4)
    again = segment_leads(sandbox_history.leads, scored.frame, sandbox_history.converted, seed=4)
    assert np.array_equal(first.clusters, again.clusters)
    assert first.segmentation.slugs == again.segmentation.slugs


def test_assigning_the_training_leads_reproduces_the_clusters(
    sandbox_history: History,
    scored: ScoredModel,
) -> None:
    report = segment_leads(sandbox_history.leads, scored.frame, sandbox_history.converted)
    restored = Segmentation.from_json(report.segmentation.to_json())
    assigned = restored.assign_clusters(sandbox_history.leads, scored.frame)
    assert np.mean(assigned == report.clusters) > 0.99
    slugs = restored.assign(sandbox_history.leads, scored.frame)
    assert list(slugs.index) == list(sandbox_history.leads.contacts.index)
    assert set(slugs) <= set(SEGMENT_SLUGS)


def test_new_leads_missing_a_property_are_still_assigned(
    sandbox_history: History,
    scored: ScoredModel,
) -> None:
    report = segment_leads(sandbox_history.leads, scored.frame, sandbox_history.converted)
    few = sandbox_history.leads.contacts.iloc[:5].drop(columns=["industry"])
    slugs = report.segmentation.assign(LeadFrame.from_table(few), scored.frame)
    assert len(slugs) == 5 and set(slugs) <= set(SEGMENT_SLUGS)


def test_a_corrupt_saved_segmentation_is_refused() -> None:
    with pytest.raises(LeadscoreError, match="not a saved segmentation"):
        Segmentation.from_json('{"space": {}}')


def test_too_few_leads_to_segment() -> None:
    contacts = pd.DataFrame({"a": ["x", "y"] * 5}, index=[str(i) for i in range(10)])
    frame = pd.DataFrame(
        {"fit": range(10), "engagement": range(10), "excluded": False}, index=contacts.index
    )
    with pytest.raises(LeadscoreError, match="too few leads"):
        segment_leads(LeadFrame.from_table(contacts), frame, np.zeros(10, bool))


def test_names_and_words_agree_with_the_figures_shown(
    sandbox_history: History, scored: ScoredModel
) -> None:
    report = segment_leads(sandbox_history.leads, scored.frame, sandbox_history.converted)
    names = [p.name for p in report.profiles]
    assert len(set(names)) == len(names)
    space = report.segmentation.space
    base = report.base_rate
    for p in report.profiles:
        # Every "high"/"low" sits next to the mean it describes, on the right side of it.
        if p.fit_level == "high":
            assert p.mean_fit > space.fit_mean and "High fit" in p.recommendation
        if p.fit_level == "low":
            assert p.mean_fit < space.fit_mean
        if p.engagement_level == "high":
            assert p.mean_engagement > space.engagement_mean
        if p.engagement_level == "low":
            assert p.mean_engagement < space.engagement_mean
        assert f"converts {p.rate:.1%}" in p.recommendation
        if "above the" in p.recommendation:
            assert p.rate_low > base
        if "below the" in p.recommendation:
            assert p.rate_high < base
        # Sales time never goes to a segment that converts significantly below average.
        if p.slug in {"fast_track", "direct_outreach"}:
            assert p.rate_high >= base
        # Attributes by their HubSpot labels, not internal names.
        assert not any(d.feature.startswith("numemployees") for d in p.distinctions)


def test_segments_sharing_a_slug_are_told_apart_by_what_sets_them_apart() -> None:
    # Two high-fit, high-engagement groups that differ only by industry.
    n = 600
    rng = np.random.default_rng(1)
    industry = np.array(["Retail"] * (n // 3) + ["Software"] * (n // 3) + ["Mining"] * (n // 3))
    fit = np.where(industry == "Mining", 5.0, 80.0) + rng.normal(0, 1, n)
    engagement = np.where(industry == "Mining", 5.0, 80.0) + rng.normal(0, 1, n)
    contacts = pd.DataFrame({"industry": industry}, index=[str(i) for i in range(n)])
    frame = pd.DataFrame(
        {"fit": fit, "engagement": engagement, "excluded": False}, index=contacts.index
    )
    converted = (industry != "Mining") & (rng.random(n) < 0.5)
    report = segment_leads(LeadFrame.from_table(contacts), frame, converted, k_range=(3, 3), seed=0)
    names = sorted(p.name for p in report.profiles)
    assert names == ["Fast track · industry = Retail", "Fast track · industry = Software",
                     "Long nurture"]  # fmt: skip
