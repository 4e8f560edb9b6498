"""Account information API (`GET /account-info/v3/details`): which portal a token belongs to.

A static token (private app or service key) does not say which portal it is for; this is
the call that tells. Every sandbox portal is a standard US account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from connector.sandbox.access import ANY_SCOPE, authorized_portal
from connector.sandbox.wire import json_response

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox

ACCOUNT_TYPE = "STANDARD"
TIME_ZONE = "US/Eastern"
UTC_OFFSET = "-05:00"
UTC_OFFSET_MS = -5 * 3600 * 1000
CURRENCY = "USD"
UI_DOMAIN = "app.hubspot.com"
DATA_HOSTING_LOCATION = "na1"


def account_info_router(sandbox: Sandbox) -> APIRouter:
    """Routes under an account-info prefix (`/account-info/v3`)."""
    router = APIRouter()

    @router.get("/details")
    async def details(request: Request) -> Response:
        portal = authorized_portal(sandbox, request, ANY_SCOPE)
        return json_response(
            {
                "portalId": portal.hub_id,
                "accountType": ACCOUNT_TYPE,
                "timeZone": TIME_ZONE,
                "companyCurrency": CURRENCY,
                "additionalCurrencies": [],
                "utcOffset": UTC_OFFSET,
                "utcOffsetMilliseconds": UTC_OFFSET_MS,
                "uiDomain": UI_DOMAIN,
                "dataHostingLocation": DATA_HOSTING_LOCATION,
            }
        )

    return router
