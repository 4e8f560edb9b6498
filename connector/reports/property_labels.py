"""Recognising a CSV's columns as HubSpot contact properties, and what the config misses.

A contact export from HubSpot has the properties' labels as headers ("Job Title", "Number
of Employees", "Lifecycle Stage"), while the scoring config reads internal names
(`jobtitle`, `numemployees`, `lifecyclestage`). Known labels of HubSpot's default contact
properties (`hubspot_contact_labels.yaml`) are mapped to their internal names; a header
shaped like an internal name (lower case, digits, `_`, `.`) is taken as it is, since custom
properties are named that way. Anything else is "not recognised".

When few of the properties a config reads are in the file, its criteria silently score
nothing; `ColumnRecognition.warning` says so, naming what is missing and what was not
recognised.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LABELS_FILE = Path(__file__).with_name("hubspot_contact_labels.yaml")
MIN_FOUND_SHARE = 0.3
"""Below this share of the config's properties present in the file, the input is flagged."""
_INTERNAL_NAME = re.compile(r"^[a-z][a-z0-9_.]*$")
_SHOWN = 12
"""Names listed in a warning before "..."."""


def _label_key(label: str) -> str:
    """Labels compare without case and with runs of whitespace as one space."""
    return " ".join(label.split()).casefold()


@cache
def default_labels() -> dict[str, str]:
    """HubSpot's default contact property labels (compared case-folded) → internal names."""
    table = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    return {_label_key(label): name for name, labels in table.items() for label in labels}


def internal_name(header: str) -> str | None:
    """The internal property name a CSV header stands for, or None when not recognised."""
    label = default_labels().get(_label_key(header))
    if label is not None:
        return label
    stripped = header.strip()
    return stripped if _INTERNAL_NAME.match(stripped) else None


@dataclass(frozen=True)
class ColumnRecognition:
    """How a file's headers map to properties, and which of the config's it has."""

    renamed: dict[str, str]
    """Header → internal name, for the headers that are HubSpot labels."""
    found: tuple[str, ...]
    """Properties the config reads that the file has (under either name)."""
    missing: tuple[str, ...]
    """Properties the config reads that the file lacks."""
    unrecognised: tuple[str, ...]
    """Headers that are neither an internal name nor a known HubSpot label."""
    source: str

    @property
    def found_share(self) -> float:
        """Share of the config's properties present (1.0 when the config reads none)."""
        wanted = len(self.found) + len(self.missing)
        return 1.0 if wanted == 0 else len(self.found) / wanted

    @property
    def warning(self) -> str | None:
        """One line when fewer than `MIN_FOUND_SHARE` of the config's properties are present."""
        if self.found_share >= MIN_FOUND_SHARE:
            return None
        wanted = len(self.found) + len(self.missing)
        head = (
            f"{self.source}: none of the {wanted} properties the scoring config reads is in "
            "the file"
            if not self.found
            else f"{self.source}: only {len(self.found)} of the {wanted} properties the "
            f"scoring config reads are in the file ({_listed(self.found)})"
        )
        parts = [head, f"not found: {_listed(self.missing)}"]
        if self.unrecognised:
            parts.append(
                "columns not recognised as HubSpot properties (internal names or default "
                f"labels): {_listed(self.unrecognised)}"
            )
        return "; ".join(parts)

    def to_json(self) -> dict[str, object]:
        """The recognition as JSON-ready data (for `--json` outputs)."""
        return {
            "renamed": self.renamed,
            "found": list(self.found),
            "missing": list(self.missing),
            "unrecognised": list(self.unrecognised),
            "found_share": round(self.found_share, 4),
            "warning": self.warning,
        }


def _listed(names: Iterable[str]) -> str:
    items = list(names)
    shown = ", ".join(items[:_SHOWN])
    return shown + (f", ... ({len(items) - _SHOWN} more)" if len(items) > _SHOWN else "")


def recognise_columns(
    headers: Iterable[str], expected: Collection[str], source: str
) -> ColumnRecognition:
    """Map `headers` to internal names and check them against the `expected` properties.

    A label is renamed only when its internal name is not a header already (the file's own
    internal-name column wins) and no other header maps to it.
    """
    columns = [str(h) for h in headers]
    present = set(columns)
    renamed: dict[str, str] = {}
    unrecognised: list[str] = []
    claimed: set[str] = set()
    for header in columns:
        name = internal_name(header)
        if name is None:
            unrecognised.append(header)
        elif name != header and name not in present and name not in claimed:
            renamed[header] = name
            claimed.add(name)
    names = {renamed.get(c, c) for c in columns}
    wanted = sorted(set(expected))
    return ColumnRecognition(
        renamed=renamed,
        found=tuple(p for p in wanted if p in names),
        missing=tuple(p for p in wanted if p not in names),
        unrecognised=tuple(unrecognised),
        source=source,
    )
