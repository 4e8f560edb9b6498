"""The `/dashboard` web pages: portals, runs, API usage, scores, evidence, segments, events.

Add it to an app with `app.include_router(dashboard_router(store, settings, access))`,
where `access = DashboardAccess.from_settings(settings)`.
"""

from connector.web.dashboard.access import DashboardAccess
from connector.web.dashboard.router import dashboard_router

__all__ = ["DashboardAccess", "dashboard_router"]
