"""App wiring: joins the HubSpot adapter to the sync (which never imports HubSpot).

The CLI, the web app, the demo, tests and benchmarks build their services here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from connector.hubspot import GatewayOptions, HubSpotApp, HubSpotConnector
from connector.scoring.config import ScoringConfig
from connector.settings import Settings
from connector.store import Store
from connector.sync import SyncService


def hubspot_connector(settings: Settings, options: GatewayOptions | None = None
                      ) -> HubSpotConnector:
    """HubSpot as configured by the settings (API and app URLs, the OAuth app)."""
    app = HubSpotApp(
        api_url=settings.hubspot_api_url,
        app_url=settings.hubspot_app_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        redirect_uri=settings.redirect_uri,
    )
    return HubSpotConnector(app, options)


def sync_service(
    settings: Settings,
    store: Store,
    scoring_config_path: Path | None = None,
    *,
    options: GatewayOptions | None = None,
    worker_id: str | None = None,
    config: ScoringConfig | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SyncService:
    """The sync service on HubSpot; `options` override pacing and retries (tests)."""
    return SyncService(settings, store, hubspot_connector(settings, options),
                       scoring_config_path, worker_id=worker_id, config=config, now=now)
