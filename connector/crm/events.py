"""Change events: what a CRM notification asks the sync to do, in neutral terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from connector.crm.objects import ObjectType

ChangeAction = Literal["rescore", "forget"]
"""`rescore`: read and score the record again; `forget`: it is gone (deleted, merged away,
erased for privacy)."""


@dataclass(frozen=True)
class Change:
    """One record a notification is about and what to do for it."""

    action: ChangeAction
    object_type: ObjectType
    object_id: int


@dataclass(frozen=True)
class Ignored:
    """A notification that needs nothing, and why (an echo, an unused property, …)."""

    reason: str
