"""Turning configuration problems into `file: path (line N): expected X, found Y` lines.

pydantic reports errors with internal locations (union member names, discriminator tags)
and messages written for programmers. This module walks each location alongside the input
data to recover the user's field path, merges the several errors a union produces for one
field into one line, and phrases what was expected in a marketer's words.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from connector.errors import LeadscoreError


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration file."""

    file: str
    path: str
    expected: str
    found: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path or "(top level)"
        if self.line is not None:
            position = f"line {self.line}" + (f", column {self.column}" if self.column else "")
            where = f"{where} ({position})" if self.path else position
        return f"{self.file}: {where}: expected {self.expected}, found {self.found}"


class ConfigError(LeadscoreError):
    """An invalid scoring configuration; `str` lists every problem, one per line."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


_PATTERNS = {
    r"^[a-z][a-z0-9_]*$": "an id of lowercase letters, digits and _, starting with a letter",
}

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true/false",
    "bool_parsing": "true/false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "missing": "a value (this field is required)",
}


def problems_from_validation(
    exc: ValidationError,
    document: Any,
    source: str,
    lines: dict[str, int],
    tags: Collection[str],
) -> list[ConfigProblem]:
    """One problem per bad field, in file order, from a pydantic `ValidationError`.

    `document` is the data that was validated (error locations are re-walked through it);
    `tags` are the discriminator tags of condition unions, which pydantic inserts into
    locations and the user never wrote.
    """
    merged: dict[str, tuple[list[str], str]] = {}
    for error in exc.errors(include_url=False):
        path, value, present = _user_path(error, document, tags)
        expected, found = _phrase(error, value, present)
        if error["type"] == "unknown_key":
            path = _join(path, str((error.get("ctx") or {}).get("key", "")).strip("'\""))
        expectations, _ = merged.setdefault(path, ([], found))
        if expected not in expectations:
            expectations.append(expected)
    problems = [
        ConfigProblem(source, path, _either(expectations), found, _line(lines, path))
        for path, (expectations, found) in merged.items()
    ]
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def _user_path(error: ErrorDetails, document: Any, tags: Collection[str]) -> tuple[str, Any, bool]:
    """The path the user wrote, the value found there, and whether a value is present."""
    data = document
    path = ""
    present = True
    loc = list(error["loc"])
    tag_skipped: Any = None
    for position, element in enumerate(loc):
        if isinstance(data, dict) and isinstance(element, str):
            # A discriminator tag, not a key the user wrote; once per mapping, since the
            # tag of a property condition is also the name of its `property` field.
            if element in tags and _tag_of(data, tags) == element and tag_skipped is not data:
                tag_skipped = data
                continue
            if element in data or element.rstrip("_") in data:
                data = data[element if element in data else element.rstrip("_")]
                path = _join(path, element.rstrip("_"))
                continue
            if position == len(loc) - 1 or error["type"] == "missing":
                path = _join(path, element.rstrip("_"))
                present = False
                break
            continue  # a union member name such as 'str' or 'list[str]'
        if isinstance(data, list) and isinstance(element, int) and 0 <= element < len(data):
            data = data[element]
            path = f"{path}[{element}]"
            continue
        # Anything else is a union member name or an index into a value of another type.
    return path, data, present


def _tag_of(data: dict[str, Any], tags: Collection[str]) -> str | None:
    for key in ("property", "activity", "all", "any", "not"):
        if key in data and key in tags:
            return key
    return None


def _phrase(error: ErrorDetails, value: Any, present: bool) -> tuple[str, str]:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    message = error["msg"]
    found = describe(value) if present else "nothing"
    if kind in {"unknown_key", "operator", "regex", "bounds", "decay"} or message.startswith(
        "expected "
    ):
        text = message.removeprefix("Value error, ")
        expected, _, custom_found = text.removeprefix("expected ").partition(", found ")
        return expected, custom_found or found
    if kind in {"condition", "per"}:
        return message.removeprefix("expected "), found
    if kind in _EXPECTED:
        return _EXPECTED[kind], found
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}", found
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        bound = next(iter(ctx.values()), "")
        shown = f"{bound:g}" if isinstance(bound, float) else bound
        return f"a number {words} {shown}", found
    if kind == "too_short":
        if isinstance(value, dict):
            return "at least one entry", found
        return ("a non-empty list" if isinstance(value, list) else "non-empty text"), found
    if kind == "too_long":
        limit = ctx.get("max_length", "")
        return (
            f"at most {limit} items" if isinstance(value, list) else f"at most {limit} characters"
        ), (f"{len(value)}" if isinstance(value, list | str) else found)
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return _PATTERNS.get(pattern, f"text matching {pattern}"), found
    return message[0].lower() + message[1:], found


def describe(value: Any) -> str:
    """How a found value is shown in a message: short, and typed the way YAML reads it."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        keys = ", ".join(str(key) for key in list(value)[:6])
        return f"a mapping with keys {keys}" if keys else "an empty mapping"
    return type(value).__name__


def _either(expectations: list[str]) -> str:
    if "a number" in expectations and "a whole number" in expectations:
        expectations = [e for e in expectations if e != "a whole number"]
    if len(expectations) == 1:
        return expectations[0]
    return ", ".join(expectations[:-1]) + " or " + expectations[-1]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _line(lines: dict[str, int], path: str) -> int | None:
    """The line of a path, or of its nearest ancestor present in the file."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
