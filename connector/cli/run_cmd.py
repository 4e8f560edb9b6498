"""`leadscore run`: the long-running service — web app, webhook inbox drain, sync scheduler.

SIGTERM or Ctrl-C stops it gracefully: the web server stops taking requests and finishes
the ones in flight, the scheduler's passes stop after their current chunk (cursors saved),
and the drain settles the batch in hand. Events stored but not yet processed stay in the
durable inbox and are processed by the next start (or by another worker).
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

import typer
import uvicorn

from connector.settings import Settings, get_settings
from connector.store import open_store
from connector.sync.service import default_worker_id
from connector.web import WebServices, bind_socket, create_app

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    """Add the `run` command to the CLI."""
    app.command("run")(run)


def _ignore_second_signal(signum: int, _frame: FrameType | None) -> None:
    # uvicorn re-raises the signal that stopped it once it has shut down; by then our own
    # shutdown is what should run, not the default handler killing the process.
    log.info("signal %d received during shutdown; finishing the shutdown", signum)


def run(
    host: str | None = typer.Option(None, help="Interface to listen on (default: settings)."),
    port: int | None = typer.Option(None, help="Port to listen on (default: settings)."),
    worker_id: str | None = typer.Option(
        None, help="This worker's name in job leases and inbox claims (default: host:pid)."
    ),
    scheduler: bool = typer.Option(
        True, "--scheduler/--no-scheduler",
        help="Run the scheduled syncs, rescores and training in this process.",
    ),
    drain: bool = typer.Option(
        True, "--drain/--no-drain",
        help="Process stored webhook events in this process.",
    ),
) -> None:
    """Serve the app (connect, webhooks, scoring API, dashboard) and keep every connected
    portal's scores current until stopped (SIGTERM or Ctrl-C stop it gracefully)."""
    settings = get_settings()
    _configure_logging(settings)
    listen_host = host or settings.host
    listen_port = settings.port if port is None else port
    sock = bind_socket(listen_host, listen_port)
    store = open_store(settings=settings)
    try:
        services = WebServices.build(settings, store, worker_id=worker_id or default_worker_id(),
                                     scheduler=scheduler)
        if not drain:
            services.drain = None
        app = create_app(services)
        server = uvicorn.Server(uvicorn.Config(
            app, log_level=settings.log_level.lower(), access_log=False, lifespan="off",
            timeout_graceful_shutdown=30,
        ))
        bound_port = sock.getsockname()[1]
        public = settings.public_url.rstrip("/")
        typer.echo(f"listening on http://{listen_host}:{bound_port} (public URL {public})",
                   err=True)
        typer.echo(f"connect a portal: {public}/connect", err=True)
        typer.echo(f"dashboard: {app.state.dashboard.access.url(public)}", err=True)
        signal.signal(signal.SIGTERM, _ignore_second_signal)
        signal.signal(signal.SIGINT, _ignore_second_signal)
        services.start_background()
        try:
            server.run(sockets=[sock])
        finally:
            typer.echo("stopping: finishing running work…", err=True)
            services.stop_background()
    finally:
        sock.close()
        store.close()
    typer.echo("stopped", err=True)


def _configure_logging(settings: Settings) -> None:
    # The CLI's root logger shows warnings only; a service also reports what it does.
    level = logging.getLevelName(settings.log_level.upper())
    if isinstance(level, int):
        logging.getLogger("connector").setLevel(level)
