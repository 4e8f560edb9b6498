"""The `leadscore` command line: the Typer `app` and the `main` entry point.

Each command group lives in its own module (`connector.cli.app.COMMAND_MODULES`), imported
when `main` runs, so importing this package stays cheap.
"""

from connector.cli.app import app, main

__all__ = ["app", "main"]
