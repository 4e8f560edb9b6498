"""Orchestration: one-click connection, sync passes (pull → score → push), the daily
rescore, training, the webhook drain and the per-portal schedule with leases across workers.

It talks to the CRM only through `connector.crm` (the port); `connector.wiring` supplies
HubSpot behind it.
"""

from connector.sync.connection import ConnectionService, ConnectResult
from connector.sync.portal_session import PortalUnavailable
from connector.sync.report import PassReport
from connector.sync.service import StoredScore, SyncService

__all__ = [
    "ConnectResult",
    "ConnectionService",
    "PassReport",
    "PortalUnavailable",
    "StoredScore",
    "SyncService",
]
