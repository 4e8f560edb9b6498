"""The scoring configuration schema: the default loads, bad files explain themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.scoring.config import (
    DEFAULT_CONFIG_PATH,
    ConfigError,
    config_hash,
    model_hash,
)
from connector.scoring.properties import property_names
from connector.scoring_files import load_config

VALID = """\
models:
  default:
    weights: {fit: 1, engagement: 1, likelihood: 1}
    criteria:
      - id: ceo
        label: CEO
        kind: fit
        importance: critical
        points: 20
        when: {property: jobtitle, equals: CEO}
      - id: visits
        label: Visits
        kind: engagement
        importance: influencer
        points: 2
        max_points: 10
        per: {property: hs_analytics_num_visits}
"""


def write(tmp_path: Path, text: str, name: str = "scoring.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value).splitlines()


def test_default_config_loads_with_two_models_and_real_property_names() -> None:
    config = load_config(DEFAULT_CONFIG_PATH)
    assert list(config.models) == ["default", "analytics"]
    used = set(config.properties_used())
    assert {
        "jobtitle",
        "numemployees",
        "industry",
        "country",
        "email",
        "hs_email_optout",
        "hs_analytics_num_page_views",
        "recent_conversion_event_name",
    } <= used
    assert {"meeting", "call"} <= set(config.activity_kinds_used())


def test_valid_file_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.models["default"].criteria[1].max_points == 10


def test_bad_type_names_file_path_line_expected_and_found(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("points: 20", "points: twenty"))
    assert problems(path) == [
        f"{path}: models.default.criteria[0].points (line 9): expected a number, found 'twenty'"
    ]


def test_unknown_operator_lists_the_operators(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("equals: CEO", "greater_than: 5"))
    (line,) = problems(path)
    assert line.startswith(f"{path}: models.default.criteria[0].when.greater_than (line 10): ")
    assert "expected an operator" in line and "equals, in, contains, regex" in line
    assert line.endswith("found unknown key 'greater_than'")


def test_missing_field_is_reported_at_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("        kind: fit\n", ""))
    (line,) = problems(path)
    assert line.startswith(f"{path}: models.default.criteria[0].kind")
    assert "expected a value (this field is required), found nothing" in line


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "models:\n  default:\n    criteria: [\n  - id: x\n")
    (line,) = problems(path)
    assert line.startswith(f"{path}: line 4, column 3: expected valid YAML, found a syntax error")


def test_duplicate_keys_are_errors_not_silently_merged(tmp_path: Path) -> None:
    path = write(
        tmp_path, VALID.replace("    weights:", "    label: a\n    label: b\n    weights:")
    )
    (line,) = problems(path)
    assert (
        "models.default.label (line 4): expected each key once in a mapping (first on line 3)"
        in line
    )


def test_every_problem_is_listed_one_per_line(tmp_path: Path) -> None:
    text = VALID.replace("points: 20", "points: x").replace("kind: engagement", "kind: behaviour")
    lines = problems(write(tmp_path, text))
    assert len(lines) == 2
    assert "criteria[1].kind" in lines[1] and "expected one of 'fit' or 'engagement'" in lines[1]


def test_union_errors_merge_into_one_line(tmp_path: Path) -> None:
    (line,) = problems(write(tmp_path, VALID.replace("equals: CEO", "equals: [1, 2]")))
    assert (
        "when.equals (line 10): expected text, a number or true/false, found a list of 2 items"
        in line
    )


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        (
            ("points: 20", "points: -20"),
            "criteria[0].points",
            "expected a positive number for importance 'critical'",
        ),
        (
            ("        max_points: 10\n", ""),
            "criteria[1].max_points",
            "expected a cap for a repeatable criterion",
        ),
        (
            ("        kind: fit\n", "        kind: fit\n        group: nope\n"),
            "criteria[0].group",
            "expected a group defined under groups (none defined), found 'nope'",
        ),
        (
            (
                "    criteria:",
                "    tiers: {hot: {min_score: 30}, warm: {min_score: 40}}\n    criteria:",
            ),
            "tiers.hot.min_score",
            "expected a score above tiers.warm.min_score (40), found 30",
        ),
        (
            (
                "    criteria:",
                "    tiers: {hot: {min_score: 80, lifecycle_stage: customer}}\n    criteria:",
            ),
            "tiers.hot.lifecycle_stage",
            "expected a stage that is not protected, found 'customer'",
        ),
        (("id: visits", "id: ceo"), "criteria[1].id", "expected an id not used before"),
    ],
)
def test_cross_field_checks_point_at_the_field(
    tmp_path: Path, change: tuple[str, str], path: str, expected: str
) -> None:
    lines = problems(write(tmp_path, VALID.replace(*change)))
    assert any(f"models.default.{path}" in line and expected in line for line in lines), lines


def test_invalid_regex_is_reported(tmp_path: Path) -> None:
    (line,) = problems(write(tmp_path, VALID.replace("equals: CEO", "regex: '(ceo'")))
    assert "when.regex" in line and "expected a valid regular expression, found '(ceo'" in line


def test_missing_and_empty_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert problems(missing) == [
        f"{missing}: (top level): expected a scoring configuration file, found no such file"
    ]
    (line,) = problems(write(tmp_path, "# only a comment\n"))
    assert "expected a mapping with 'models', found an empty file" in line


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("models:\n  caf\xe9: {}\n".encode("latin-1"))
    (line,) = problems(path)
    assert "expected UTF-8 text, found byte 0xe9" in line


def test_hash_ignores_comments_and_key_order_but_not_content(tmp_path: Path) -> None:
    base = config_hash(load_config(write(tmp_path, VALID, "a.yaml")))
    reordered = VALID.replace(
        "        label: CEO\n        kind: fit\n", "        kind: fit\n        label: CEO\n"
    )
    assert config_hash(load_config(write(tmp_path, "# note\n" + reordered, "b.yaml"))) == base
    changed = load_config(write(tmp_path, VALID.replace("points: 20", "points: 21"), "c.yaml"))
    assert config_hash(changed) != base
    assert len(base) == 10


def test_model_hash_ignores_other_models() -> None:
    config = load_config(DEFAULT_CONFIG_PATH)
    other = config.model_copy(update={"models": {"default": config.models["default"]}})
    assert model_hash(config, "default") == model_hash(other, "default")
    assert model_hash(config, "default") != model_hash(config, "analytics")


def test_property_names_per_model() -> None:
    default = property_names("default")
    assert default.score == "leadscore_score" and default.version == "leadscore_version"
    analytics = property_names("analytics")
    assert analytics.all() == tuple(
        f"leadscore_analytics_{suffix}"
        for suffix in (
            "score",
            "fit",
            "engagement",
            "likelihood",
            "tier",
            "reasons",
            "segment",
            "scored_at",
            "version",
            "grade",
        )
    )
