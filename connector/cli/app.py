"""The `leadscore` Typer application: each command group lives in its own module."""

from __future__ import annotations

import importlib
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


# Command modules, in the order `--help` lists them; each exposes `register(app)`.
COMMAND_MODULES = (
    "demo_cmd",
    "run_cmd",
    "sync_cmd",
    "sandbox_cmd",
    "score_cmd",
    "model_cmd",
    "insights_cmd",
    "config_cmd",
    "apikey_cmd",
)


def _register() -> None:
    # Imported here rather than at the top so that importing `app` stays cheap.
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"connector.cli.{name}")
        module.register(app)


def main() -> None:
    """Entry point: run the app, turning user errors into one clear line and exit code 1."""
    _register()
    try:
        # Without standalone mode click returns the exit code of `typer.Exit` instead of exiting.
        code = app(standalone_mode=False)
    except LeadscoreError as exc:
        if _state["debug"]:
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
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
        err_console.print(
            f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
