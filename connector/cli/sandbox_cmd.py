"""`leadscore sandbox`: run the local HubSpot until Ctrl-C."""

from __future__ import annotations

import json
import threading

import typer
from pydantic import ValidationError
from rich.console import Console

from connector.errors import LeadscoreError

console = Console()


def register(app: typer.Typer) -> None:
    """Add the `sandbox` command to the CLI."""
    app.command("sandbox")(sandbox)


def sandbox(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8990, help="Port to listen on (0 = any free port)."),
    seed: int = typer.Option(42, help="Seed of the generated portals (same seed, same data)."),
    portals: int = typer.Option(1, "--portals", help="Number of portals (hub ids from 1000001)."),
    contacts: int = typer.Option(1000, "--contacts", help="Generated contacts per portal."),
    companies_per_contact: float = typer.Option(
        0.3, "--companies-per-contact", min=0.01, max=1.0,
        help="Generated companies per generated contact (deals follow the conversions).",
    ),
    rate_limits: bool = typer.Option(
        True, "--rate-limits/--no-rate-limits", help="Enforce HubSpot's rate limits."
    ),
    profile: str = typer.Option(
        "pro", "--profile", help="Static-token allowance: oauth, starter, pro or enterprise."
    ),
    client_id: str = typer.Option("sandbox-client-id", help="OAuth app client id."),
    client_secret: str = typer.Option(
        "sandbox-client-secret", help="OAuth app client secret (also signs webhooks)."
    ),
    token_lifetime: int = typer.Option(1800, help="OAuth access-token lifetime in seconds."),
    webhook_url: str | None = typer.Option(
        None, "--webhook-url", help="Where to deliver webhooks (none = no delivery)."
    ),
    webhook_property: list[str] = typer.Option(
        [], "--webhook-property", help="Property whose changes raise contact.propertyChange."
    ),
    fault_error_rate: float = typer.Option(0.0, help="Share of CRM requests answered 502/503/504."),
    fault_slow_rate: float = typer.Option(0.0, help="Share of CRM requests answered slowly."),
    fault_slow_s: float = typer.Option(2.0, help="Delay of a slow response, seconds."),
    fault_drop_rate: float = typer.Option(
        0.0, help="Share of CRM requests whose connection is dropped unanswered."
    ),
    search_delay: float = typer.Option(
        0.5, help="Seconds before a write becomes visible to search."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the connection details as JSON."),
) -> None:
    """Run the local HubSpot sandbox (CRM, OAuth, webhooks) until Ctrl-C."""
    # Imported here so that other commands do not pay for FastAPI/uvicorn start-up.
    from connector.sandbox.config import SandboxConfig
    from connector.sandbox.server import SandboxServer

    try:
        config = SandboxConfig(
            host=host,
            port=port,
            seed=seed,
            portals=portals,
            contacts_per_portal=contacts,
            companies_per_contact=companies_per_contact,
            rate_limits_enabled=rate_limits,
            rate_limit_profile=profile,
            client_id=client_id,
            client_secret=client_secret,
            access_token_lifetime_s=token_lifetime,
            webhook_target_url=webhook_url,
            webhook_subscribed_properties=webhook_property,
            fault_error_rate=fault_error_rate,
            fault_slow_rate=fault_slow_rate,
            fault_slow_s=fault_slow_s,
            fault_drop_rate=fault_drop_rate,
            search_consistency_delay_s=search_delay,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise LeadscoreError(f"invalid sandbox option {where}: {first['msg']}") from exc

    try:
        server = SandboxServer(config)
        server.start()
    except OSError as exc:
        raise LeadscoreError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    try:
        tokens = server.sandbox.static_tokens
        if json_output:
            portals_json = [{"hub_id": h, "static_token": t} for h, t in tokens.items()]
            typer.echo(
                json.dumps(
                    {"url": server.url, "client_id": config.client_id, "portals": portals_json}
                )
            )
        else:
            console.print(
                f"HubSpot sandbox at [bold]{server.url}[/]  (client id {config.client_id})"
            )
            for hub_id, token in tokens.items():
                console.print(f"  portal {hub_id}: static token {token}")
            console.print("Control API: /_sandbox/docs   Press Ctrl-C to stop.")
        threading.Event().wait()
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        server.stop()
