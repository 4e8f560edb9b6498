"""Rendering the dashboard's pages: one jinja2 environment, the filters its templates use."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from connector.store import Store

TEMPLATES = Path(__file__).parent / "templates"


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


_ENV = _environment()


def render_page(
    store: Store, template: str, active: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page of the dashboard (never cached by the browser); `active` marks the nav entry.

    Every page lists the portals in its navigation, so the store is read for them.
    """
    html = _ENV.get_template(template).render(
        active=active,
        portals=store.portals.all(),
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})
