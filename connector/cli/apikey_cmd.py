"""`leadscore apikey create|list|revoke`: keys of the scoring API (stored hashed)."""

from __future__ import annotations

import json
from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from connector.errors import LeadscoreError
from connector.settings import get_settings
from connector.store import ApiKey, open_store

apikey_app = typer.Typer(
    help="Scoring-API keys: the API at /api/v1 needs one (Authorization: Bearer <key>).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the `apikey` command group to the CLI."""
    app.add_typer(apikey_app, name="apikey")


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _key_json(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "created_at": _when(key.created_at),
        "last_used_at": _when(key.last_used_at),
        "revoked_at": _when(key.revoked_at),
    }


@apikey_app.command("create")
def create(
    name: str = typer.Argument(..., help="What the key is for, e.g. 'website-forms'."),
    json_output: bool = typer.Option(False, "--json", help="Print the key as JSON."),
) -> None:
    """Create a key and print it once: only its hash is stored, it cannot be shown again."""
    with open_store(settings=get_settings()) as store:
        plain, key = store.api_keys.create(name)
    if json_output:
        typer.echo(json.dumps({**_key_json(key), "key": plain}, indent=2))
        return
    typer.echo(plain)
    typer.echo(
        f"created key {key.id} ({key.name}); store it now, it is not shown again. "
        "Send it as 'Authorization: Bearer <key>'.",
        err=True,
    )


@apikey_app.command("list")
def list_keys(
    all_keys: bool = typer.Option(False, "--all", help="Include revoked keys."),
    json_output: bool = typer.Option(False, "--json", help="Print the keys as JSON."),
) -> None:
    """List keys (id, name, prefix, when created and last used); never the keys themselves."""
    with open_store(settings=get_settings()) as store:
        keys = store.api_keys.all(include_revoked=all_keys)
    if json_output:
        typer.echo(json.dumps([_key_json(k) for k in keys], indent=2))
        return
    if not keys:
        typer.echo("no API keys; create one with `leadscore apikey create NAME`")
        return
    table = Table("id", "name", "prefix", "created", "last used", "revoked")
    for key in keys:
        table.add_row(
            str(key.id),
            key.name,
            key.prefix + "…",
            _when(key.created_at) or "",
            _when(key.last_used_at) or "never",
            _when(key.revoked_at) or "",
        )
    Console().print(table)


@apikey_app.command("revoke")
def revoke(
    key_id: int = typer.Argument(..., help="The key's id (see `leadscore apikey list`)."),
) -> None:
    """Revoke a key: requests with it get 401 from then on."""
    with open_store(settings=get_settings()) as store:
        if not store.api_keys.revoke(key_id):
            raise LeadscoreError(f"no live API key with id {key_id}")
    typer.echo(f"revoked key {key_id}")
