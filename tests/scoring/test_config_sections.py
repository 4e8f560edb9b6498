"""Config errors in the account-aware fields: file, field path, line, expected and found."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.scoring.config import ConfigError, config_hash, model_hash, parse_config_text
from connector.scoring_files import load_config
from tests.scoring.test_config import VALID, write

COMPANIES = """\
companies:
  criteria:
    - id: software
      label: Software
      kind: fit
      importance: important
      points: 20
      when: {property: industry, equals: COMPUTER_SOFTWARE}
"""


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [line.removeprefix(f"{path}: ") for line in str(caught.value).splitlines()]


def test_the_new_sections_load(tmp_path: Path) -> None:
    text = (
        VALID.replace(
            "when: {property: jobtitle, equals: CEO}",
            "when: {property: company.numberofemployees, fallback: numemployees, "
            "range: {gte: 50}}",
        )
        + "    grade: {fit: {top: 70, middle: 40}}\n"
        + COMPANIES
        + "outcome: {kind: deal_stage, stage: [contractsent, closedwon], pipeline: default}\n"
    )
    config = load_config(write(tmp_path, text))
    assert config.models["default"].grades is not None
    assert config.models["default"].grades.fit.top == 70
    assert config.companies is not None and config.companies.engagement.top_contacts == 3
    assert config.outcome.stages == ("contractsent", "closedwon")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("equals: CEO}", "equals: CEO, fallback: company.industry}"),
            "models.default.criteria[0].when.fallback (line 10): expected a contact property "
            "(no company./account. prefix), found 'company.industry'",
        ),
        (
            ("property: jobtitle", "property: account.open_deal"),
            "models.default.criteria[0].when.property (line 10): expected an account signal "
            "(account.engaged_contacts, account.open_deals, account.has_open_deal, "
            "account.last_activity_at), found 'account.open_deal'",
        ),
        (
            ("equals: CEO}", "equals: CEO, fallback: jobtitle}"),
            "models.default.criteria[0].when (line 10): expected a fallback other than the "
            "property itself, found 'jobtitle'",
        ),
    ],
)
def test_bad_property_names(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert _problems(tmp_path, VALID.replace(*change)) == [expected]


def test_bad_grade_thresholds(tmp_path: Path) -> None:
    text = VALID + "    grade: {fit: {top: 30, middle: 60}, engagement: {top: 120}}\n"
    assert _problems(tmp_path, text) == [
        "models.default.grade.fit (line 18): expected middle below top (30), found 60",
        "models.default.grade.engagement.top (line 18): expected a number at most 100, "
        "found 120",
    ]


def test_bad_companies_section(tmp_path: Path) -> None:
    text = VALID + COMPANIES.replace("kind: fit", "kind: engagement").replace(
        "property: industry", "property: company.industry"
    ) + "  engagement: {model: nope, top_contacts: 0}\n"
    assert _problems(tmp_path, text) == [
        "companies.engagement.top_contacts (line 26): expected a number at least 1, found 0",
    ]
    fixed = text.replace("top_contacts: 0", "top_contacts: 2")
    assert _problems(tmp_path, fixed) == [
        "companies.criteria[0].kind (line 22): expected 'fit' (a company's engagement is "
        "rolled up from its contacts), found 'engagement'",
        "companies.criteria[0] (line 20): expected the company's own property names "
        "(e.g. industry, not company.industry), found 'company.industry'",
        "companies.engagement.model (line 26): expected one of the scoring models (default), "
        "found 'nope'",
    ]


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (
            "{kind: deal_closed}",
            "outcome.kind (line 18): expected one of 'deal_created', 'deal_stage', 'deal_won' "
            "or 'lifecycle_stage', found 'deal_closed'",
        ),
        ("{kind: deal_stage}", "outcome.stage: expected the deal stage id(s) that count as "
                               "converted, found nothing"),
        (
            "{kind: deal_won, stage: closedwon}",
            "outcome.stage (line 18): expected no stage for kind 'deal_won' (stage applies to "
            "deal_stage and lifecycle_stage), found 'closedwon'",
        ),
        (
            "{kind: lifecycle_stage, stage: won}",
            "outcome.stage (line 18): expected one of lifecycle.stages (subscriber, lead, "
            "marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, "
            "other), found 'won'",
        ),
        (
            "{kind: deal_created, color: red}",
            "outcome.color (line 18): expected key (one of kind, stage, pipeline), found "
            "unknown key 'color'",
        ),
    ],
)
def test_bad_outcome(tmp_path: Path, outcome: str, expected: str) -> None:
    assert _problems(tmp_path, VALID + f"outcome: {outcome}\n") == [expected]


def test_unused_new_sections_keep_the_hashes_of_older_files() -> None:
    plain = parse_config_text(VALID, "a.yaml")
    explicit = parse_config_text(VALID + "outcome: {kind: deal_created}\n", "b.yaml")
    graded = parse_config_text(VALID + "    grade: {}\n", "c.yaml")
    assert config_hash(plain) == config_hash(explicit)
    assert model_hash(plain, "default") == model_hash(explicit, "default")
    assert model_hash(plain, "default") != model_hash(graded, "default")
