"""CRM records → the columnar tables scoring reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from connector.crm.records import CrmRecord
from connector.scoring.leads import LeadFrame


def records_frame(
    records: Iterable[CrmRecord], properties: Sequence[str] | None = None
) -> pd.DataFrame:
    """A property table indexed by record id.

    With `properties`, exactly those columns (absent values are None); otherwise the union.
    Later duplicates of an id replace earlier ones.
    """
    rows: dict[str, Mapping[str, str | None]] = {}
    for record in records:
        rows[record.id] = record.properties
    columns = list(properties) if properties is not None else sorted(
        {name for values in rows.values() for name in values}
    )
    index = pd.Index(list(rows), dtype="object", name="id")
    return pd.DataFrame(
        {c: pd.Series([rows[i].get(c) for i in rows], index=index, dtype="object")
         for c in columns},
        index=index,
    )


def lead_frame(
    contacts: Iterable[CrmRecord],
    properties: Sequence[str] | None = None,
    activities: pd.DataFrame | None = None,
) -> LeadFrame:
    """The scoring input for contact records and their activity rows."""
    return LeadFrame.from_table(records_frame(contacts, properties), activities)
