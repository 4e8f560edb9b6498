"""The `/dashboard` pages: overview, one page per portal, webhook events, login/logout.

Server-rendered HTML (jinja2, inline CSS, inline SVG): nothing is fetched from elsewhere,
so the dashboard works offline. The portal page's analysis (evidence, segments, plots) is
the costly part; it is cached per portal until the store shows new contacts or a new run.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from connector.errors import LeadscoreError
from connector.reports import PortalAnalysis, analyse_portal, load_portal_history
from connector.scoring.properties import DEFAULT_MODEL
from connector.scoring_files import load_config
from connector.settings import Settings
from connector.store import Store
from connector.sync.inputs import STATE_MODEL
from connector.web.dashboard.access import COOKIE_NAME, SESSION_SECONDS, DashboardAccess
from connector.web.dashboard.overview import build_events, build_overview

TEMPLATES = Path(__file__).parent / "templates"
log = logging.getLogger(__name__)

Fingerprint = tuple[Any, ...]


def dashboard_router(
    store: Store,
    settings: Settings,
    access: DashboardAccess,
    *,
    clock: Callable[[], float] = time.time,
) -> APIRouter:
    """The dashboard's routes, protected by `access` (see `DashboardAccess`).

    When the token was generated, the URL that logs in is logged once at WARNING so the
    operator finds it in the service's output.
    """
    if access.generated:
        log.warning(
            "no LEADSCORE_DASHBOARD_TOKEN set; generated one for this run. Dashboard: %s",
            access.url(settings.public_url),
        )
    pages = _Pages(store, settings, access, clock)
    router = APIRouter(prefix="/dashboard", include_in_schema=False)
    router.add_api_route("", pages.overview, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/login", pages.login_form, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/login", pages.login, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route("/logout", pages.logout, methods=["POST", "GET"])
    router.add_api_route("/events", pages.events, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/portals/{hub_id}", pages.portal, methods=["GET"], response_class=HTMLResponse
    )
    return router


class _Pages:
    """The route handlers, sharing the store, the template environment and the cache."""

    def __init__(
        self, store: Store, settings: Settings, access: DashboardAccess, clock: Callable[[], float]
    ):
        self._store = store
        self._settings = settings
        self._access = access
        self._clock = clock
        self._secure_cookie = settings.public_url.startswith("https://")
        self._env = _environment()
        self._cache: dict[tuple[int, str], tuple[Fingerprint, PortalAnalysis]] = {}
        self._lock = threading.Lock()

    # --- pages -----------------------------------------------------------------------

    async def overview(self, request: Request) -> Response:
        """Portals, actions needed, API usage and recent runs."""
        if (refused := self._guard(request)) is not None:
            return refused
        data = await run_in_threadpool(build_overview, self._store)
        return self._page("overview.html", "overview", ov=data)

    async def events(self, request: Request) -> Response:
        """Recent webhook events and the failed ones."""
        if (refused := self._guard(request)) is not None:
            return refused
        data = await run_in_threadpool(build_events, self._store)
        return self._page("events.html", "events", ev=data)

    async def portal(self, request: Request, hub_id: int) -> Response:
        """One portal: state, distributions, conversion by band, segments."""
        if (refused := self._guard(request)) is not None:
            return refused
        portal = self._store.portals.get(hub_id)
        if portal is None:
            return self._page(
                "message.html", "overview", status_code=404,
                title="Unknown portal", message=f"Portal {hub_id} is not connected.",
            )
        models = self._scoring_models()
        model = request.query_params.get("model") or models[0]
        if model not in models:
            model = models[0]
        analysis, problem = await run_in_threadpool(self._analysis, hub_id, model)
        usage = self._store.budget.history(hub_id, 7)
        counts = self._store.contacts.counts(hub_id, STATE_MODEL)
        return self._page(
            "portal.html", f"portal-{hub_id}",
            portal=portal, an=analysis, problem=problem, models=models, model=model,
            usage=usage, counts=counts, runs=self._store.runs.recent(10, portal_id=hub_id),
        )

    async def login_form(self, request: Request) -> Response:
        """The login form (already logged in: straight to the page asked for)."""
        target = _safe_next(request.query_params.get("next"))
        if self._logged_in(request):
            return RedirectResponse(target, status_code=303)
        return self._page("login.html", "login", next=target, error=None)

    async def login(self, token: str = Form(""), next: str = Form("")) -> Response:
        """Check the token typed in; on success set the session cookie."""
        target = _safe_next(next)
        if not self._access.accepts(token):
            return self._page(
                "login.html", "login", status_code=401, next=target,
                error="That token is not the dashboard token.",
            )
        return self._with_session(RedirectResponse(target, status_code=303))

    async def logout(self) -> Response:
        """Forget the session cookie."""
        response = RedirectResponse("/dashboard/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/dashboard")
        return response

    # --- helpers ---------------------------------------------------------------------

    def _guard(self, request: Request) -> Response | None:
        """None when the visitor may see the page, else the response that refuses them."""
        token = request.query_params.get("token")
        if token is not None:
            if not self._access.accepts(token):
                return self._page(
                    "login.html", "login", status_code=401, next=request.url.path,
                    error="The token in the link is not the dashboard token.",
                )
            # Drop the token from the address bar (and history) once it became a cookie.
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            query = "&".join(f"{quote(k)}={quote(v)}" for k, v in rest)
            url = request.url.path + (f"?{query}" if query else "")
            return self._with_session(RedirectResponse(url, status_code=303))
        if self._logged_in(request):
            return None
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/dashboard/login?next={quote(target)}", status_code=303)

    def _logged_in(self, request: Request) -> bool:
        cookie = request.cookies.get(COOKIE_NAME)
        return self._access.valid_session(cookie, int(self._clock()))

    def _with_session(self, response: Response) -> Response:
        response.set_cookie(
            COOKIE_NAME,
            self._access.session_cookie(int(self._clock())),
            max_age=SESSION_SECONDS,
            path="/dashboard",
            httponly=True,
            samesite="lax",
            secure=self._secure_cookie,
        )
        return response

    def _page(
        self, template: str, active: str, *, status_code: int = 200, **context: Any
    ) -> Response:
        html = self._env.get_template(template).render(
            active=active,
            portals=self._store.portals.all(),
            generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            **context,
        )
        return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})

    def _scoring_models(self) -> list[str]:
        try:
            return list(load_config(self._settings.scoring_config).models)
        except LeadscoreError:
            return [DEFAULT_MODEL]

    def _attributes(self) -> list[str] | None:
        try:
            return load_config(self._settings.scoring_config).properties_used()
        except LeadscoreError:
            return None

    def _analysis(self, hub_id: int, model: str) -> tuple[PortalAnalysis | None, str | None]:
        """The cached analysis, recomputed when contacts or runs changed since."""
        counts = self._store.contacts.counts(hub_id, STATE_MODEL)
        last = self._store.runs.recent(1, portal_id=hub_id)
        fingerprint: Fingerprint = (
            tuple(sorted(counts.items())),
            (last[0].id, last[0].status, last[0].counters.contacts_written) if last else None,
        )
        key = (hub_id, model)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == fingerprint:
                return cached[1], None
            portal = self._store.portals.require(hub_id)
            try:
                loaded = load_portal_history(self._store, portal, datetime.now(UTC), model)
            except LeadscoreError as exc:
                return None, str(exc)
            analysis = analyse_portal(loaded, self._attributes())
            self._cache[key] = (fingerprint, analysis)
            return analysis, None


def _safe_next(target: str | None) -> str:
    """Only redirect inside the dashboard (no open redirect through `next`)."""
    if not target:
        return "/dashboard"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/dashboard"):
        return "/dashboard"
    return target


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = lambda n: f"{int(n):,}"
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    env.filters["when"] = _when
    env.filters["duration"] = _duration
    return env


def _pct(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _when(moment: datetime | None) -> str:
    return "–" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
