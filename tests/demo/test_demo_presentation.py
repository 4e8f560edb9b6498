"""The demo's printed summary: the forward grade first, then the rule sets side by side,
the grades and the company scores (or plainly their absence), from summary objects built
here."""

from __future__ import annotations

import dataclasses

from rich.console import Console

from connector.cli.demo_presentation import headline, show_summary
from connector.demo.summary import (
    ApiUsage,
    CompanyScores,
    DemoSummary,
    Evaluation,
    ForwardGrade,
    GradeDistribution,
    GradeRow,
    ModelSummary,
    PlantedCheck,
    PostOutcomeFinding,
    RulesComparison,
    RuleSetGrade,
    ScoreDifference,
    TopAccount,
    TrainingGrade,
    WebhookRun,
)
from connector.evaluation import TierRow
from connector.evaluation.forward import ForwardFigures
from connector.evaluation.stats import Interval

GRADES = [letter + digit for letter in "ABC" for digit in "123"]


def _tiers(hot_rate: float) -> list[TierRow]:
    return [
        TierRow("hot", 100, int(hot_rate * 100), hot_rate, 0, 1, 0.1, 0.5),
        TierRow("cold", 900, 20, 20 / 900, 0, 1, 0.9, 0.5),
    ]


FORWARD = ForwardGrade(
    as_of="2026-03-01", horizon_days=90, outcome="a deal created for the contact or its company",
    contacts_then=1051, converted_by_then=190, conversion_time_unknown=0, open_leads=861,
    conversions=39,
    score=ForwardFigures(861, 39, Interval(0.743, 0.677, 0.801, 0.95), 2.9),
    point_in_time=TrainingGrade(
        "point_in_time", 1051, 190, 0.781,
        ForwardFigures(861, 39, Interval(0.764, 0.701, 0.822, 0.95), 3.1),
    ),
    current_values=TrainingGrade(
        "current_values", 1051, 190, 0.968,
        ForwardFigures(861, 39, Interval(0.612, 0.540, 0.689, 0.95), 1.4),
    ),
    post_outcome=[PostOutcomeFinding(
        "budget_confirmed", 180, 171, 0.95,
        "first set at or after the conversion for 171 of 180 converted leads with a value "
        "(95%; property history)",
    )],
    planted=[PlantedCheck("budget_confirmed", True), PlantedCheck("hs_buying_role", False)],
    unknown_past=[], not_available_because=None,
)


def _summary(companies: CompanyScores, forward: ForwardGrade = FORWARD) -> DemoSummary:
    comparison = RulesComparison(
        leads=1000, conversions=60, open_leads=900, open_leads_future_conversions=40,
        auc_combined=0.905, auc_rules_company_aware=0.874, auc_rules_contact_only=0.849,
        forward_auc_combined=0.834, forward_auc_rules_company_aware=0.842,
        forward_auc_rules_contact_only=0.807,
        forward_auc_difference=ScoreDifference(0.035, 0.011, 0.056, 0.95, True),
        company_aware=RuleSetGrade("company-aware", "config/scoring.yaml", "a" * 10, 0.874,
                                   0.842, 4.76, _tiers(0.56)),
        contact_only=RuleSetGrade("contact-only", "config/contact-only.yaml", "b" * 10, 0.849,
                                  0.807, 4.32, _tiers(0.69)),
        note="rules only",
    )
    counts = dict(zip(GRADES, [120, 0, 5, 4, 3, 2, 1, 1, 700], strict=True))
    grades = GradeDistribution(
        property="leadscore_grade", graded=836, without_grade=164, counts=counts,
        rows=[GradeRow(g, n, n // 2, 0.5 if n else None) for g, n in counts.items()],
    )
    return DemoSummary(
        hub_id=1, portal_contacts=1000, contacts_synced=1000, contacts_scored=1000,
        contacts_written=1000, properties_provisioned=["leadscore_score"],
        model=ModelSummary("m1", 1000, 60, 0.9, None), forward=forward,
        evaluation=Evaluation(1000, 60, 0.06, 0.905, 0.95, 5.0, _tiers(0.5), [], 900, 40,
                              0.834),
        rules_comparison=comparison, grades=grades, companies=companies,
        webhooks=WebhookRun(0, 0, None, None, [], {}),
        api=ApiUsage({"total": 0}, {}, 0, 0, {}, 0, 0, 0, {}, "OAuth app"),
        timings=[], total_seconds=1.0, report_path="r.html", data_dir=None,
        sandbox_url="http://127.0.0.1:1", app_url="http://127.0.0.1:2", dashboard_url=None,
    )


def _printed(summary: DemoSummary) -> str:
    console = Console(record=True, width=160, color_system=None)
    show_summary(console, summary)
    # Captions wrap: compare the words, not the line breaks.
    return " ".join(console.export_text().split())


WRITTEN = CompanyScores(
    status="written", companies=50, scored=48, tiers={"hot": 3, "warm": 10, "cold": 35},
    top=[TopAccount("7", "Bluewave Group", "bluewave.com", 97.5, "hot", 95.0, 100.0, 4)],
    note="48 of 50 companies carry an account score",
)


def test_the_summary_leads_with_the_forward_grade_and_its_outcome() -> None:
    line = headline(_summary(WRITTEN))
    assert line.startswith(
        "As of 2026-03-01 (T − 90 days): the score ranked the 861 leads open then at AUC "
        "0.743 [0.677–0.801] against the 39 conversions of the next 90 days (outcome: a deal "
        "created for the contact or its company)."
    )
    # Both trainings, claimed (own cross-validation) and forward, before anything else.
    assert (
        "claims AUC 0.781 in its own cross-validation and reached 0.764 [0.701–0.822] forward; "
        "trained on the values as they stood then, it claims 0.968 and reached 0.612 "
        "[0.540–0.689]" in line
    )
    secondary = line.index("Secondary, against the sandbox's hidden truth")
    assert line.index("all contacts, includes leads already converted (flattering)") > secondary
    text = _printed(_summary(WRITTEN))
    assert text.index("Forward: as of 2026-03-01") < text.index("Secondary, against the hidden")
    assert "Of the 1,051 contacts that existed on 2026-03-01, 190 had converted" in text
    for figure in ("0.781", "0.968", "0.764", "0.612", "0.701–0.822", "0.540–0.689"):
        assert figure in text
    assert "first set at or after the conversion for 171 of 180" in text
    assert "budget_confirmed found, hs_buying_role MISSED" in text


def test_a_portal_too_young_for_a_forward_grade_says_why() -> None:
    young = dataclasses.replace(
        FORWARD, open_leads=None, conversions=None, score=None, point_in_time=None,
        current_values=None, post_outcome=[], planted=None,
        not_available_because="as of 2026-03-01: only 4 conversions",
    )
    line = headline(_summary(WRITTEN, young))
    assert line.startswith("As of 2026-03-01 (T − 90 days): no forward grade (outcome: a deal")
    assert "only 4 conversions" in line
    assert "Forward grade: as of 2026-03-01: only 4 conversions" in _printed(
        _summary(WRITTEN, young)
    )


def test_both_rule_sets_are_printed_side_by_side_as_rules_only() -> None:
    text = _printed(_summary(WRITTEN))
    assert "company-aware" in text and "contact-only" in text and "written, + model" in text
    for figure in ("0.842", "0.807", "0.874", "0.849", "0.834", "0.905"):
        assert figure in text
    assert "+0.035 [+0.011, +0.056]" in text
    assert "rules only (no model)" in text
    assert "config/contact-only.yaml" in text
    line = headline(_summary(WRITTEN))
    assert "forward AUC of 0.842 against 0.807" in line


def test_a_difference_that_is_not_significant_says_so() -> None:
    summary = _summary(WRITTEN)
    comparison = dataclasses.replace(
        summary.rules_comparison,
        forward_auc_difference=ScoreDifference(0.007, -0.033, 0.049, 0.95, False),
    )
    text = _printed(dataclasses.replace(summary, rules_comparison=comparison))
    assert "+0.007 [-0.033, +0.049]" in text and "not significant" in text


def test_grades_show_counts_and_conversion() -> None:
    text = _printed(_summary(WRITTEN))
    assert "leadscore_grade" in text
    assert "120 · 50.0%" in text and "700 · 50.0%" in text
    assert "836 contacts graded; 164 without a grade" in text


def test_company_scores_show_tiers_and_top_accounts_or_say_there_are_none() -> None:
    text = _printed(_summary(WRITTEN))
    assert "Bluewave Group" in text and "97.5" in text
    assert "hot 3, warm 10, cold 35" in text
    absent = CompanyScores(
        status="not_provisioned", companies=0, scored=0, tiers={}, top=[],
        note="no company score in HubSpot: the portal's companies have no leadscore_score "
        "property, so no company score was written",
    )
    text = _printed(_summary(absent))
    assert "Top accounts" not in text
    assert "no company score in HubSpot" in text
