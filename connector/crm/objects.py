"""The CRM object types the connector syncs, named once.

Each is a stream of records with its own cursor; engagement kinds (call, email, …) are the
activity kinds of `connector.scoring.leads` and belong to contacts.
"""

from __future__ import annotations

from enum import StrEnum


class ObjectType(StrEnum):
    """A CRM object type the sync reads (and, for contacts and companies, writes)."""

    CONTACTS = "contacts"
    COMPANIES = "companies"
    DEALS = "deals"
