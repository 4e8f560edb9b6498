"""Where a derived config came from, and held-out rows to grade it honestly.

`insights points` writes two comment lines above the criteria it suggests:

    # derived-from: sha256:<hex digest of the input file> rows:<rows in the input>
    # derived-rows: all                                  (derived on every row), or
    # derived-rows: not-held-out holdout:0.3 seed:0      (derived on the complement)

`insights compare` reads them back from each config's text. A config derived from the very
file it is graded on is graded in-sample (its points were fitted to those outcomes, so it
looks better than it will do on new leads); `--holdout F --split-seed S` grades on the rows a
derivation with the same `--holdout F --split-seed S` never saw. The held-out rows are a seeded
random choice of exactly round(F × rows) rows by position in the input, so the same file,
fraction and seed always give the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from connector.errors import LeadscoreError
from connector.evaluation.history import History
from connector.scoring.leads import LeadFrame

_FROM = re.compile(r"^#\s*derived-from:\s*sha256:([0-9a-f]{64})\s+rows:(\d+)\s*$", re.M)
_ROWS = re.compile(
    r"^#\s*derived-rows:\s*(all|not-held-out\s+holdout:([0-9.]+)\s+seed:(-?\d+))\s*$", re.M
)


@dataclass(frozen=True)
class RowSplit:
    """A seeded held-out share of the rows."""

    holdout: float
    """Share of the rows held out (0 < holdout < 1)."""
    seed: int

    def __post_init__(self) -> None:
        if not 0 < self.holdout < 1:
            raise LeadscoreError(f"--holdout must be between 0 and 1, got {self.holdout:g}")

    def held_out(self, rows: int) -> NDArray[np.bool_]:
        """True for the held-out rows among `rows` (by position)."""
        chosen = np.random.default_rng(self.seed).permutation(rows)[: round(self.holdout * rows)]
        mask = np.zeros(rows, dtype=bool)
        mask[chosen] = True
        return mask

    def describe(self) -> str:
        """How the split is written, e.g. `holdout:0.3 seed:0`."""
        return f"holdout:{self.holdout:g} seed:{self.seed}"


@dataclass(frozen=True)
class Provenance:
    """The input a fragment was derived from, and which of its rows."""

    digest: str
    """sha256 of the input file (hex)."""
    rows: int
    split: RowSplit | None
    """None: derived on every row; else on the rows this split does not hold out."""

    def header_lines(self) -> list[str]:
        """The comment lines (without `# `) that record this provenance."""
        rows = "all" if self.split is None else f"not-held-out {self.split.describe()}"
        return [f"derived-from: sha256:{self.digest} rows:{self.rows}", f"derived-rows: {rows}"]


def read_provenance(config_text: str) -> Provenance | None:
    """The provenance comment of a config's text, or None when it has none."""
    found = _FROM.search(config_text)
    if found is None:
        return None
    rows = _ROWS.search(config_text)
    split = None
    if rows is not None and rows.group(2) is not None:
        split = RowSplit(float(rows.group(2)), int(rows.group(3)))
    return Provenance(digest=found.group(1), rows=int(found.group(2)), split=split)


@dataclass(frozen=True)
class SampleCheck:
    """Whether one config is graded on rows it was derived from."""

    label: str
    derived_from_this_data: bool
    in_sample: bool
    """True when some graded rows were used to derive the config."""
    note: str


def check_sample(
    label: str, provenance: Provenance | None, digest: str, grading: RowSplit | None
) -> SampleCheck:
    """Say whether `label` (with its `provenance`) is graded in-sample on this input.

    `digest` identifies the input being graded; `grading` is the split whose held-out rows
    are graded (None: every row).
    """
    if provenance is None or provenance.digest != digest:
        return SampleCheck(label, False, False, f"{label}: not derived from this data")
    if grading is None:
        advice = (
            "grade on held-out rows: derive with `insights points --holdout 0.3 --split-seed 0` "
            "and compare with the same --holdout and --split-seed"
        )
        return SampleCheck(
            label,
            True,
            True,
            f"{label} was derived from this data: graded in-sample, it looks better than it "
            f"will do on new leads; {advice}",
        )
    if provenance.split == grading:
        return SampleCheck(
            label,
            True,
            False,
            f"{label} was derived from this data without the held-out rows "
            f"({grading.describe()}): graded only on rows it never saw",
        )
    derived = "every row" if provenance.split is None else provenance.split.describe()
    return SampleCheck(
        label,
        True,
        True,
        f"{label} was derived from this data ({derived}), so the held-out rows "
        f"({grading.describe()}) were seen by it: still in-sample; derive it again with "
        f"`insights points --holdout {grading.holdout:g} --split-seed {grading.seed}`",
    )


def restrict(history: History, mask: NDArray[np.bool_]) -> History:
    """The history of the leads where `mask` is True (stored scores dropped: scored afresh)."""
    if len(mask) != len(history.leads):
        raise LeadscoreError(f"{len(mask)} row flags for {len(history.leads)} leads")
    contacts = history.leads.contacts[mask]
    activities = history.leads.activities
    if not activities.empty:
        activities = activities[activities["contact_id"].isin(contacts.index)]
    return replace(
        history,
        leads=LeadFrame.from_table(contacts, activities),
        converted=history.converted[mask],
        scores=None,
        arms=None if history.arms is None else history.arms[mask],
    )
