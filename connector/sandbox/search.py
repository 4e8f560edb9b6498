"""CRM search: request validation with HubSpot's limits, filter evaluation, sorting, paging."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.properties import PropertyRegistry
from connector.sandbox.property_catalog import PropertyDef
from connector.sandbox.records import Record
from connector.sandbox.values import parse_number, parse_time_ms

MAX_FILTER_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS_TOTAL = 18
MAX_LIMIT = 200
RESULT_CAP = 10_000  # HubSpot never pages a search past its first 10,000 results

OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)
_TOKEN = re.compile(r"[a-z0-9]+")

Predicate = Callable[[dict[str, str]], bool]


@dataclass(frozen=True)
class Filter:
    """One search filter as sent by the client."""

    property_name: str
    operator: str
    value: str | None
    high_value: str | None
    values: tuple[str, ...]


@dataclass(frozen=True)
class SearchRequest:
    """A validated search body."""

    filter_groups: tuple[tuple[Filter, ...], ...]
    sort_property: str | None
    sort_descending: bool
    query: str | None
    properties: tuple[str, ...] | None
    limit: int
    after: int


@dataclass(frozen=True)
class SearchPage:
    """One page of search results and the total number of matches."""

    total: int
    records: list[Record]
    next_after: int | None


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_search_request(body: Any) -> SearchRequest:
    """Validate a search body against HubSpot's limits (400 VALIDATION_ERROR otherwise)."""
    if not isinstance(body, dict):
        raise HubSpotError.validation("Invalid input JSON: expected a search request object.")
    groups_raw = body.get("filterGroups") or []
    if not isinstance(groups_raw, list):
        raise HubSpotError.validation("filterGroups must be a list.")
    if len(groups_raw) > MAX_FILTER_GROUPS:
        raise HubSpotError.validation(
            f"Too many filter groups ({len(groups_raw)}); at most {MAX_FILTER_GROUPS} are allowed."
        )
    groups: list[tuple[Filter, ...]] = []
    total = 0
    for g in groups_raw:
        filters_raw = g.get("filters") if isinstance(g, dict) else None
        if not isinstance(filters_raw, list):
            raise HubSpotError.validation("Each filter group needs a list of filters.")
        if len(filters_raw) > MAX_FILTERS_PER_GROUP:
            raise HubSpotError.validation(
                f"Too many filters in a group ({len(filters_raw)}); at most "
                f"{MAX_FILTERS_PER_GROUP} are allowed."
            )
        total += len(filters_raw)
        groups.append(tuple(_parse_filter(f) for f in filters_raw))
    if total > MAX_FILTERS_TOTAL:
        raise HubSpotError.validation(
            f"Too many filters ({total}); at most {MAX_FILTERS_TOTAL} are allowed in all groups."
        )

    sorts = body.get("sorts") or []
    if not isinstance(sorts, list) or len(sorts) > 1:
        raise HubSpotError.validation("At most one sort is allowed.")
    sort_property: str | None = None
    descending = False
    if sorts:
        sort = sorts[0]
        if isinstance(sort, str):  # legacy form: "createdate" or "-createdate"
            descending = sort.startswith("-")
            sort_property = sort.lstrip("-")
        elif isinstance(sort, dict) and sort.get("propertyName"):
            sort_property = str(sort["propertyName"])
            direction = str(sort.get("direction", "ASCENDING")).upper()
            if direction not in ("ASCENDING", "DESCENDING"):
                raise HubSpotError.validation(f"Invalid sort direction '{direction}'.")
            descending = direction == "DESCENDING"
        else:
            raise HubSpotError.validation("A sort needs a propertyName.")

    limit = body.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit <= MAX_LIMIT:
        raise HubSpotError.validation(f"limit must be an integer from 1 to {MAX_LIMIT}.")
    after_raw = body.get("after") or 0
    try:
        after = int(after_raw)
    except (TypeError, ValueError) as exc:
        raise HubSpotError.validation(f"Invalid after '{after_raw}'.") from exc
    if after < 0:
        raise HubSpotError.validation(f"Invalid after '{after_raw}'.")
    if after >= RESULT_CAP:
        raise HubSpotError.validation(
            f"Search can page through at most {RESULT_CAP} results; after={after} is past that "
            "limit. Narrow the filters instead."
        )
    props = body.get("properties")
    properties = tuple(str(p) for p in props) if isinstance(props, list) and props else None
    query = body.get("query")
    return SearchRequest(
        filter_groups=tuple(groups),
        sort_property=sort_property,
        sort_descending=descending,
        query=str(query) if query else None,
        properties=properties,
        limit=limit,
        after=after,
    )


def _parse_filter(raw: Any) -> Filter:
    if not isinstance(raw, dict) or not raw.get("propertyName"):
        raise HubSpotError.validation("Each filter needs a propertyName and an operator.")
    operator = str(raw.get("operator", "")).upper()
    if operator not in OPERATORS:
        raise HubSpotError.validation(
            f"Unknown filter operator '{raw.get('operator')}'; expected one of {sorted(OPERATORS)}."
        )
    values = raw.get("values") or []
    if not isinstance(values, list):
        raise HubSpotError.validation("Filter values must be a list.")
    f = Filter(
        property_name=str(raw["propertyName"]),
        operator=operator,
        value=_as_text(raw.get("value")),
        high_value=_as_text(raw.get("highValue")),
        values=tuple(str(_as_text(v)) for v in values),
    )
    if operator in ("IN", "NOT_IN") and not f.values:
        raise HubSpotError.validation(f"Operator {operator} needs a non-empty 'values' list.")
    if operator == "BETWEEN" and (f.value is None or f.high_value is None):
        raise HubSpotError.validation("Operator BETWEEN needs 'value' and 'highValue'.")
    if operator not in ("IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY") and f.value is None:
        raise HubSpotError.validation(f"Operator {operator} needs a 'value'.")
    return f


def _never(_: dict[str, str]) -> bool:
    return False


def _key_function(prop: PropertyDef) -> Callable[[str], Any]:
    """How to compare two values of this property (None = not comparable)."""
    if prop.type == "number":
        return parse_number
    if prop.type in ("datetime", "date"):
        return parse_time_ms
    return str.lower


def compile_filter(f: Filter, registry: PropertyRegistry, blind: frozenset[str]) -> Predicate:
    """A predicate over a record's properties implementing one filter.

    Properties in `blind` exist but are not indexed for search: filters on them silently
    match nothing (contacts' `hs_lastmodifieddate`, as on HubSpot).
    """
    name = f.property_name
    if name in blind:
        return _never
    prop = registry.get(name)
    if prop is None:
        raise HubSpotError.validation(f"Property '{name}' does not exist and cannot be searched.")
    op = f.operator
    if op == "HAS_PROPERTY":
        return lambda p: bool(p.get(name))
    if op == "NOT_HAS_PROPERTY":
        return lambda p: not p.get(name)
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        matcher = _token_matcher(str(f.value))
        if op == "CONTAINS_TOKEN":
            return lambda p: bool(p.get(name)) and matcher(p[name])
        return lambda p: not (p.get(name) and matcher(p[name]))
    key = _key_function(prop)
    if op in ("IN", "NOT_IN"):
        wanted = {key(v) for v in f.values} - {None}
        if op == "IN":
            return lambda p: bool(p.get(name)) and key(p[name]) in wanted
        return lambda p: not p.get(name) or key(p[name]) not in wanted
    target = key(str(f.value))
    if target is None:
        raise HubSpotError.validation(
            f"Filter value '{f.value}' is not valid for {prop.type} property '{name}'"
            + (" (use epoch milliseconds)." if prop.type in ("datetime", "date") else ".")
        )
    if op == "BETWEEN":
        high = key(str(f.high_value))
        if high is None:
            raise HubSpotError.validation(f"Filter highValue '{f.high_value}' is not valid.")
        return _compare(name, key, lambda v: target <= v <= high)
    comparisons: dict[str, Callable[[Any], bool]] = {
        "EQ": lambda v: v == target,
        "NEQ": lambda v: v != target,
        "LT": lambda v: v < target,
        "LTE": lambda v: v <= target,
        "GT": lambda v: v > target,
        "GTE": lambda v: v >= target,
    }
    return _compare(name, key, comparisons[op])


def _compare(name: str, key: Callable[[str], Any], test: Callable[[Any], bool]) -> Predicate:
    def predicate(props: dict[str, str]) -> bool:
        raw = props.get(name)
        if not raw:
            return False
        value = key(raw)
        return value is not None and test(value)

    return predicate


def _token_matcher(needle: str) -> Callable[[str], bool]:
    lowered = needle.lower()
    if "*" in lowered:
        return lambda value: fnmatchcase(value.lower(), lowered)
    wanted = _TOKEN.findall(lowered)
    size = len(wanted)

    def contains(value: str) -> bool:
        tokens = _TOKEN.findall(value.lower())
        return any(tokens[i : i + size] == wanted for i in range(len(tokens) - size + 1))

    return contains


def run_search(
    request: SearchRequest,
    records: Iterable[Record],
    registry: PropertyRegistry,
    blind: frozenset[str],
    query_properties: tuple[str, ...],
) -> SearchPage:
    """Filter, sort and page `records` (already in id order) as HubSpot search does; a
    free-text `query` looks in `query_properties` (the type's default searchable ones)."""
    groups = [
        [compile_filter(f, registry, blind) for f in group] for group in request.filter_groups
    ]
    query_match = _token_matcher(request.query) if request.query else None

    def matches(props: dict[str, str]) -> bool:
        if query_match is not None and not any(
            props.get(n) and query_match(props[n]) for n in query_properties
        ):
            return False
        return not groups or any(all(pred(props) for pred in group) for group in groups)

    hits = [r for r in records if matches(r.properties)]
    if request.sort_property is not None and request.sort_property != "hs_object_id":
        hits = _sorted(hits, request.sort_property, request.sort_descending, registry)
    elif request.sort_descending:
        hits.reverse()
    end = min(request.after + request.limit, len(hits), RESULT_CAP)
    page = hits[request.after : end]
    next_after = end if end < len(hits) and end < RESULT_CAP else None
    return SearchPage(total=len(hits), records=page, next_after=next_after)


def _sorted(
    hits: list[Record], name: str, descending: bool, registry: PropertyRegistry
) -> list[Record]:
    prop = registry.get(name)
    if prop is None:
        raise HubSpotError.validation(f"Cannot sort by unknown property '{name}'.")
    key = _key_function(prop)
    present: list[tuple[Any, Record]] = []
    missing: list[Record] = []
    for r in hits:
        raw = r.properties.get(name)
        value = key(raw) if raw else None
        if value is None:
            missing.append(r)
        else:
            present.append((value, r))
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return [r for _, r in present] + missing
