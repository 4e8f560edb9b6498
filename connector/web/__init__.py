"""The connector's web app: one-click connection, webhooks, the scoring API, workflow
actions, health and metrics, and the dashboard.

`create_app(WebServices.build(settings, store))` makes the ASGI app; `serve_in_thread`
runs it on a background thread (tests, benchmarks, the demo).
"""

from connector.web.app import create_app
from connector.web.dashboard import DashboardAccess
from connector.web.services import WebServices
from connector.web.serving import ServedApp, bind_socket, serve_in_thread

__all__ = [
    "DashboardAccess",
    "ServedApp",
    "WebServices",
    "bind_socket",
    "create_app",
    "serve_in_thread",
]
