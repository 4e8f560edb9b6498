"""The `/dashboard` web pages: portals, runs, API usage, scores, evidence, segments, events.

The routes are `connector.web.dashboard.routes.router`; they read a `DashboardState` from
`app.state.dashboard`:

    app.state.dashboard = DashboardState(store, settings, DashboardAccess.from_settings(settings))
    app.include_router(routes.router)
"""

from connector.web.dashboard.access import DashboardAccess
from connector.web.dashboard.state import DashboardState

__all__ = ["DashboardAccess", "DashboardState"]
