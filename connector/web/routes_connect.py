"""One-click connection: `/connect` sends the user to HubSpot's install page; HubSpot sends
them back to `/oauth/callback`, which completes the connection and says what happened."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from connector.errors import LeadscoreError
from connector.hubspot.errors import HubSpotError
from connector.hubspot.oauth import InvalidState
from connector.sync.connection import ConnectResult
from connector.web.deps import ServicesDep
from connector.web.errors import ApiError

log = logging.getLogger(__name__)

router = APIRouter(tags=["connection"])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

# The callback page is the end of a browser flow: answer HTML, never JSON.
_PAGE = "connect_result.html"


@router.get("/connect", summary="Start the one-click HubSpot connection")
def connect(services: ServicesDep) -> RedirectResponse:
    """Redirect to HubSpot's install page with the required scopes and a signed state."""
    try:
        url = services.connection.authorize_url()
    except LeadscoreError as exc:
        raise ApiError(503, "not_configured", str(exc)) from None
    return RedirectResponse(url, status_code=302)


def _page(request: Request, status: int, *, outcome: str, title: str, message: str,
          details: list[tuple[str, str]] | None = None, retry: bool = False) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        _PAGE,
        {
            "ok": status == 200,
            "outcome": outcome,
            "title": title,
            "message": message,
            "details": details or [],
            "retry_url": str(request.url_for("connect")) if retry else None,
        },
        status_code=status,
    )


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "none"


def _connected_details(result: ConnectResult) -> list[tuple[str, str]]:
    details = [("Portal", str(result.hub_id))]
    if result.hub_domain:
        details.append(("Domain", result.hub_domain))
    report = result.provisioning
    if report is not None:
        details.append(("Properties created", _names(report.created)))
        details.append(("Properties updated", _names(report.updated)))
        details.append(("Properties already current", str(len(report.unchanged))))
    details.append(("Lifecycle stages", _names(result.stages)))
    details.append((
        "First sync",
        "queued: every contact is scored and written back within minutes"
        if result.first_sync_queued else "not needed: the portal's sync continues where it was",
    ))
    return details


@router.get("/oauth/callback", response_class=HTMLResponse, summary="HubSpot's OAuth redirect")
def oauth_callback(
    request: Request,
    services: ServicesDep,
    code: Annotated[str | None, Query()] = None,
    state: Annotated[str | None, Query()] = None,
    error: Annotated[str | None, Query()] = None,
    error_description: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """Check the state, exchange the code, store the tokens, provision, queue the first sync;
    answer a page that says what happened (or what went wrong and how to retry)."""
    if error:
        reason = error_description or error
        log.warning("OAuth callback: HubSpot reported %s", error)
        return _page(request, 400, outcome="denied", title="Access was not granted",
                     message=f"HubSpot did not grant access ({reason}). Nothing was connected.",
                     retry=True)
    try:
        result = services.connection.complete(code, state)
    except InvalidState as exc:
        return _page(request, 400, outcome="bad_state", title="This link is not valid",
                     message=str(exc), retry=True)
    except HubSpotError as exc:
        log.warning("OAuth callback: completing the connection failed: %s", exc)
        return _page(request, 502, outcome="exchange_failed",
                     title="HubSpot refused the connection",
                     message=f"Completing the connection with HubSpot failed: {exc}",
                     retry=True)
    except LeadscoreError as exc:
        return _page(request, 400, outcome="failed", title="The connection did not complete",
                     message=str(exc), retry=True)
    verb = "reconnected" if result.reconnected else "connected"
    return _page(request, 200, outcome="connected", title=f"Portal {result.hub_id} {verb}",
                 message="Lead scores will appear on the portal's contacts as the lead "
                         "scoring properties (group “Lead scoring”).",
                 details=_connected_details(result))
