"""The one-click connection, clicked by a script: the same pages and redirects a person sees.

`GET /connect` on the connector redirects to HubSpot's authorize page (the sandbox's),
which is approved for one portal (`auto_approve`, the sandbox's flag for scripted runs,
stands in for the person pressing "Connect app"), which redirects back to the connector's
`/oauth/callback` with a one-time code; the callback exchanges it, stores the tokens and
provisions the properties. The demo follows each redirect explicitly so that a wrong hop
fails with a message saying which one.
"""

from __future__ import annotations

import httpx

from connector.errors import LeadscoreError

_REDIRECTS = (301, 302, 303, 307, 308)
_TIMEOUT_S = 120.0  # the callback provisions properties under rate limits before answering


def _next_hop(response: httpx.Response, what: str) -> httpx.URL:
    if response.status_code not in _REDIRECTS or "location" not in response.headers:
        raise LeadscoreError(
            f"OAuth connection: {what} answered {response.status_code} instead of a redirect: "
            f"{_excerpt(response)}"
        )
    return response.url.join(response.headers["location"])


def _excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:200] or "(empty body)"


def connect_portal(app_url: str, hub_id: int) -> None:
    """Install the connector on portal `hub_id` through the real pages.

    Raises `LeadscoreError` naming the hop that went wrong.
    """
    with httpx.Client(timeout=_TIMEOUT_S, follow_redirects=False) as browser:
        authorize = _next_hop(browser.get(f"{app_url.rstrip('/')}/connect"), "/connect")
        if authorize.path != "/oauth/authorize":
            raise LeadscoreError(f"OAuth connection: /connect sent the browser to {authorize}")
        approved = authorize.copy_add_param("auto_approve", str(hub_id))
        callback = _next_hop(browser.get(approved), "the authorize page")
        if "code" not in callback.params:
            raise LeadscoreError(
                f"OAuth connection: the authorize page returned no code "
                f"({callback.params.get('error', 'no error given')})"
            )
        response = browser.get(callback)
        # The callback may show its own page or send the person on (to the dashboard, say).
        for _ in range(5):
            if response.status_code not in _REDIRECTS:
                break
            response = browser.get(_next_hop(response, "the callback"))
        if response.status_code >= 400:
            raise LeadscoreError(
                f"OAuth connection: the callback answered {response.status_code}: "
                f"{_excerpt(response)}"
            )
