"""The CRM port: Protocols the sync talks to, neutral records and change events.

The sync imports only this package; the HubSpot adapter implements it, and app wiring
(`connector.wiring`) joins the two.
"""

from connector.crm.errors import CrmError
from connector.crm.events import Change, ChangeAction, Ignored
from connector.crm.objects import ObjectType
from connector.crm.port import (
    AccessKind,
    Allowance,
    CrmConnector,
    CrmSession,
    Notification,
    PortalAccess,
    ReadVocabulary,
    TokenGrant,
)
from connector.crm.records import (
    RECORD_GONE,
    AccountDetails,
    BatchFailure,
    BatchWriteResult,
    CallTally,
    CrmRecord,
    ListPage,
    ModifiedPage,
    ProvisioningReport,
    RecordUpdate,
)
from connector.crm.values import format_datetime, format_number, score_updates

__all__ = [
    "RECORD_GONE",
    "AccessKind",
    "AccountDetails",
    "Allowance",
    "BatchFailure",
    "BatchWriteResult",
    "CallTally",
    "Change",
    "ChangeAction",
    "CrmConnector",
    "CrmError",
    "CrmRecord",
    "CrmSession",
    "Ignored",
    "ListPage",
    "ModifiedPage",
    "Notification",
    "ObjectType",
    "PortalAccess",
    "ProvisioningReport",
    "ReadVocabulary",
    "RecordUpdate",
    "TokenGrant",
    "format_datetime",
    "format_number",
    "score_updates",
]
