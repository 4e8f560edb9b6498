"""The `/dashboard` pages: overview, one page per portal, webhook events, login/logout.

Server-rendered HTML (jinja2, inline CSS, inline SVG): nothing is fetched from elsewhere,
so the dashboard works offline. Every route reads the `DashboardState` stored on
`app.state.dashboard` (`connector.web.deps.DashboardDep`) and refuses visitors without a
session (`connector.web.dashboard.sessions`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from connector.web.dashboard.access import COOKIE_NAME
from connector.web.dashboard.overview import build_events, build_overview
from connector.web.dashboard.pages import render_page
from connector.web.dashboard.sessions import logged_in, refusal, safe_next, with_session
from connector.web.deps import DashboardDep

router = APIRouter(prefix="/dashboard", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
async def overview(request: Request, dashboard: DashboardDep) -> Response:
    """Portals, actions needed, API usage and recent runs."""
    if (refused := refusal(request, dashboard)) is not None:
        return refused
    data = await run_in_threadpool(build_overview, dashboard.store)
    return render_page(dashboard.store, "overview.html", "overview", ov=data)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, dashboard: DashboardDep) -> Response:
    """The login form (already logged in: straight to the page asked for)."""
    target = safe_next(request.query_params.get("next"))
    if logged_in(request, dashboard):
        return RedirectResponse(target, status_code=303)
    return render_page(dashboard.store, "login.html", "login", next=target, error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    dashboard: DashboardDep,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the token typed in; on success set the session cookie."""
    target = safe_next(next)
    if not dashboard.access.accepts(token):
        return render_page(
            dashboard.store, "login.html", "login", status_code=401, next=target,
            error="That token is not the dashboard token.",
        )
    return with_session(RedirectResponse(target, status_code=303), dashboard)


@router.api_route("/logout", methods=["POST", "GET"])
async def logout() -> Response:
    """Forget the session cookie."""
    response = RedirectResponse("/dashboard/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/dashboard")
    return response


@router.get("/events", response_class=HTMLResponse)
async def events(request: Request, dashboard: DashboardDep) -> Response:
    """Recent webhook events and the failed ones."""
    if (refused := refusal(request, dashboard)) is not None:
        return refused
    data = await run_in_threadpool(build_events, dashboard.store)
    return render_page(dashboard.store, "events.html", "events", ev=data)


@router.get("/portals/{hub_id}", response_class=HTMLResponse)
async def portal(request: Request, hub_id: int, dashboard: DashboardDep) -> Response:
    """One portal: state, the forward grade, distributions, conversion by band, segments."""
    if (refused := refusal(request, dashboard)) is not None:
        return refused
    store = dashboard.store
    found = store.portals.get(hub_id)
    if found is None:
        return render_page(
            store, "message.html", "overview", status_code=404,
            title="Unknown portal", message=f"Portal {hub_id} is not connected.",
        )
    models = dashboard.scoring_models()
    model = request.query_params.get("model") or models[0]
    if model not in models:
        model = models[0]
    analysis, problem = await run_in_threadpool(dashboard.analysis, hub_id, model)
    forward = await run_in_threadpool(dashboard.forward, hub_id)
    return render_page(
        store, "portal.html", f"portal-{hub_id}",
        portal=found, an=analysis, problem=problem, models=models, model=model, fwd=forward,
        usage=store.budget.history(hub_id, 7), counts=store.contacts.counts(hub_id),
        runs=store.runs.recent(10, portal_id=hub_id),
    )
