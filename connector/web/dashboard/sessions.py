"""Who gets past the dashboard's door: the `?token=` link, the session cookie, the login."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from connector.web.dashboard.access import COOKIE_NAME, SESSION_SECONDS
from connector.web.dashboard.pages import render_page
from connector.web.dashboard.state import DashboardState


def refusal(request: Request, dashboard: DashboardState) -> Response | None:
    """None when the visitor may see the page, else the response that refuses them.

    A `?token=` link becomes a session cookie and a redirect to the same address without
    the token (so it leaves the address bar and the history); a wrong token gets the login
    form with a 401; no session redirects to the login form, back here afterwards.
    """
    token = request.query_params.get("token")
    if token is not None:
        if not dashboard.access.accepts(token):
            return render_page(
                dashboard.store, "login.html", "login", status_code=401, next=request.url.path,
                error="The token in the link is not the dashboard token.",
            )
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in rest)
        url = request.url.path + (f"?{query}" if query else "")
        return with_session(RedirectResponse(url, status_code=303), dashboard)
    if logged_in(request, dashboard):
        return None
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/dashboard/login?next={quote(target)}", status_code=303)


def logged_in(request: Request, dashboard: DashboardState) -> bool:
    """Whether the request carries a valid, unexpired session cookie."""
    cookie = request.cookies.get(COOKIE_NAME)
    return dashboard.access.valid_session(cookie, int(dashboard.clock()))


def with_session(response: Response, dashboard: DashboardState) -> Response:
    """`response` with a fresh session cookie (HttpOnly, SameSite=Lax, `/dashboard` only)."""
    response.set_cookie(
        COOKIE_NAME,
        dashboard.access.session_cookie(int(dashboard.clock())),
        max_age=SESSION_SECONDS,
        path="/dashboard",
        httponly=True,
        samesite="lax",
        secure=dashboard.secure_cookie,
    )
    return response


def safe_next(target: str | None) -> str:
    """Only redirect inside the dashboard (no open redirect through `next`)."""
    if not target:
        return "/dashboard"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/dashboard"):
        return "/dashboard"
    return target
