"""The `leadscore` Typer application: each command group lives in its own module."""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console

from connector.errors import LeadscoreError

app = typer.Typer(
    name="leadscore",
    help="Score HubSpot leads with rules plus a predictive model, and keep the scores current.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)
_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
) -> None:
    """Lead scoring for HubSpot."""
    _state["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _register() -> None:
    # One line per command module; each exposes `register(app)`.
    # Command modules add their import + register line here.
    from connector.cli import sandbox_cmd

    sandbox_cmd.register(app)
    from connector.cli import insights_cmd; insights_cmd.register(app)  # noqa: E702, I001
    from connector.cli import model_cmd; model_cmd.register(app)  # noqa: E702, I001
    from connector.cli import apikey_cmd; apikey_cmd.register(app)  # noqa: E702, I001
    from connector.cli import sync_cmd; sync_cmd.register(app)  # noqa: E702, I001
    from connector.cli import demo_cmd; demo_cmd.register(app)  # noqa: E702, I001
    from connector.cli import config_cmd, score_cmd; config_cmd.register(app); score_cmd.register(app)  # noqa: E702, I001, E501


def main() -> None:
    """Entry point: run the app, turning user errors into one clear line and exit code 1."""
    _register()
    try:
        app(standalone_mode=False)
    except LeadscoreError as exc:
        if _state["debug"]:
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        err_console.print(f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug)")
        sys.exit(1)
