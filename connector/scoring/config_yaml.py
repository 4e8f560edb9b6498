"""Parsing a scoring configuration's YAML text, keeping the line of every field for messages."""

from __future__ import annotations

from typing import Any

import yaml

from connector.scoring.config_errors import ConfigError, ConfigProblem


def parse_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """Parse YAML text into plain data plus a map from field path to 1-based line.

    Paths look like `models.default.criteria[3].points`; `source` names the text in
    messages (usually the file it was read from). Raises `ConfigError` for a YAML syntax
    error (with line and column), duplicate keys in a mapping (PyYAML would silently keep
    the last), or an empty document.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ConfigError(
            [
                ConfigProblem(
                    source,
                    "",
                    "valid YAML",
                    f"a syntax error: {problem}",
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(
            [ConfigProblem(source, "", "valid YAML", f"a syntax error: {exc}")]
        ) from None
    if node is None:
        raise ConfigError([ConfigProblem(source, "", "a mapping with 'models'", "an empty file")])
    lines: dict[str, int] = {}
    problems: list[ConfigProblem] = []
    _walk(node, "", lines, problems, source)
    if problems:
        raise ConfigError(problems)
    return data, lines


def _walk(
    node: yaml.Node, path: str, lines: dict[str, int], problems: list[ConfigProblem], source: str
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            child = f"{path}.{key}" if path else key
            if key in seen:
                problems.append(
                    ConfigProblem(
                        source,
                        child,
                        f"each key once in a mapping (first on line {seen[key]})",
                        f"{key!r} again",
                        line=line,
                    )
                )
                continue
            seen[key] = line
            lines[child] = line
            _walk(value_node, child, lines, problems, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = f"{path}[{index}]"
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, problems, source)
