"""Options shared by the commands that read leads with outcomes from a CSV or the portal.

`leadscore insights ...` and `leadscore model ...` take their history either from a CSV
(`--csv`) or from the synced portal's stored contacts (`--portal`, by default the only
connected portal); both use the same help text and the same checks on the flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from connector.errors import LeadscoreError

PORTAL_HELP = (
    "Hub id of the synced portal whose history to use (the default without --csv: the only "
    "connected portal); converted = the scoring config's outcome (by default a deal created "
    "for the contact or its company)."
)


def csv_source(
    csv: Path | None, portal: int | None, csv_only: Sequence[tuple[str, object]]
) -> Path | None:
    """The CSV when the history comes from `--csv`, None when it comes from the portal.

    `csv_only` pairs each CSV-only flag with its value; in portal mode a given one is refused
    rather than silently ignored (the portal's outcome is its lifecycle stage).
    """
    if csv is not None:
        if portal is not None:
            raise LeadscoreError("give the history as --csv FILE or --portal ID, not both")
        return csv
    stray = [flag for flag, value in csv_only if value]
    if stray:
        raise LeadscoreError(f"{stray[0]} only applies with --csv FILE")
    return None
