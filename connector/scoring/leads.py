"""The columnar batch of leads every scorer consumes.

A batch is a page of synced contacts or a million CSV rows; it is never a Python object per
lead. Property values stay as HubSpot sends them (strings, `None` for empty) so the same
criteria work on synced contacts and on CSV exports; criteria parse what they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

ACTIVITY_COLUMNS = ("contact_id", "kind", "timestamp", "outcome", "direction")
"""Columns of `LeadFrame.activities`.

- contact_id: str, the lead's id (matches `contacts.index`)
- kind: str, one of call, email, meeting, note, task
- timestamp: datetime64[ns, UTC] (HubSpot's `hs_timestamp`)
- outcome: str | None — call status, meeting outcome or task status, lower-cased
- direction: str | None — email direction (e.g. INCOMING_EMAIL), calls' direction
"""

ACTIVITY_KINDS = ("call", "email", "meeting", "note", "task")

COMPANY_PREFIX = "company."
"""`contacts` columns `company.<property>` hold the contact's primary company's properties
(empty for a lead without a company)."""
ACCOUNT_PREFIX = "account."
ACCOUNT_SIGNALS = (
    "account.engaged_contacts",
    "account.open_deals",
    "account.has_open_deal",
    "account.last_activity_at",
)
"""`contacts` columns with signals about the lead's whole account (its primary company):

- account.engaged_contacts: how many of the company's contacts had engagement in the last
  30 days (a number as text)
- account.open_deals: how many open deals the company has (a number as text)
- account.has_open_deal: "true" / "false"
- account.last_activity_at: the company's newest activity (ISO 8601 or epoch milliseconds)
"""

ColumnSource = Literal["contact", "company", "account"]


def column_source(name: str) -> ColumnSource:
    """Where a `contacts` column comes from: the contact, its company or its account."""
    if name.startswith(COMPANY_PREFIX):
        return "company"
    if name.startswith(ACCOUNT_PREFIX):
        return "account"
    return "contact"


def empty_activities() -> pd.DataFrame:
    """An activities table with the right columns and dtypes and no rows."""
    return pd.DataFrame(
        {
            "contact_id": pd.Series([], dtype="object"),
            "kind": pd.Series([], dtype="object"),
            "timestamp": pd.Series([], dtype="datetime64[ns, UTC]"),
            "outcome": pd.Series([], dtype="object"),
            "direction": pd.Series([], dtype="object"),
        }
    )


@dataclass(frozen=True)
class LeadFrame:
    """Leads in columnar form.

    `contacts` is indexed by contact id (str) with one column per property (contact
    properties by name, the primary company's as `company.<name>`, account signals as
    `ACCOUNT_SIGNALS`); `activities` holds one row per engagement object (see
    `ACTIVITY_COLUMNS`), possibly empty.
    """

    contacts: pd.DataFrame
    activities: pd.DataFrame

    @classmethod
    def from_table(cls, table: pd.DataFrame, activities: pd.DataFrame | None = None) -> LeadFrame:
        """Wrap a property table (index = ids) with optional activities."""
        table = table.copy()
        table.index = table.index.astype(str)
        if activities is None:
            activities = empty_activities()
        return cls(contacts=table, activities=activities)

    def __len__(self) -> int:
        return len(self.contacts)
