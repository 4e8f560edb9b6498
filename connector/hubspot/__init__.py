"""The HubSpot adapter: the only code that knows HubSpot's wire format.

It implements the CRM port (`connector.crm`): everything above it sees neutral records,
typed errors and change events; SDK models, status codes and header names stop here.
"""

from connector.hubspot.connector import (
    GatewayOptions,
    HubSpotApp,
    HubSpotConnector,
    open_gateway,
    portal_limits,
)
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.pacing import PortalLimits, WindowLimit, limits_for
from connector.hubspot.retry import RetryPolicy

__all__ = [
    "GatewayOptions",
    "HubSpotApp",
    "HubSpotConnector",
    "HubSpotGateway",
    "PortalLimits",
    "RetryPolicy",
    "WindowLimit",
    "limits_for",
    "open_gateway",
    "portal_limits",
]
