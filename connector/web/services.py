"""`WebServices`: everything the web app's routes use, composed once per process.

The app itself starts nothing; `start_background` / `stop_background` run the webhook
drain and the sync scheduler beside it (`leadscore run`, the demo, tests).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from connector.settings import Settings
from connector.store import Store
from connector.sync.connection import ConnectionService
from connector.sync.scheduler import WorkerScheduler
from connector.sync.service import SyncService
from connector.sync.webhook_drain import DrainStats, WebhookDrain
from connector.web.metrics import LiveState, WebMetrics
from connector.wiring import sync_service

log = logging.getLogger(__name__)


@dataclass
class WebServices:
    """The settings, store and services behind the routes."""

    settings: Settings
    store: Store
    sync: SyncService
    connection: ConnectionService
    drain: WebhookDrain | None = None
    scheduler: WorkerScheduler | None = None
    metrics: WebMetrics = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = WebMetrics(
            LiveState(store=self.store, drain_stats=self.drain_stats,
                      scheduler_alive=self.scheduler_alive)
        )

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store,
        *,
        worker_id: str | None = None,
        sync: SyncService | None = None,
        scheduler: bool = True,
    ) -> WebServices:
        """Compose the sync and connection services, the webhook drain and (unless
        `scheduler=False`) the sync scheduler for one worker process."""
        service = sync or sync_service(settings, store, worker_id=worker_id)
        return cls(
            settings=settings,
            store=store,
            sync=service,
            connection=ConnectionService(settings, store, service),
            drain=WebhookDrain(store, service, worker_id=service.worker_id),
            scheduler=(
                WorkerScheduler(service, worker_id=service.worker_id) if scheduler else None
            ),
        )

    def wake_drain(self) -> None:
        """New webhook events were stored: let this process's drain look at once."""
        if self.drain is not None:
            self.drain.wake()

    def drain_stats(self) -> DrainStats | None:
        """The drain's counters, if this process runs one."""
        return self.drain.stats if self.drain is not None else None

    def scheduler_alive(self) -> bool | None:
        """Whether the scheduler runs (None when this process has none)."""
        return self.scheduler.running if self.scheduler is not None else None

    def start_background(self) -> None:
        """Start the webhook drain and the scheduler of this process."""
        if self.drain is not None:
            self.drain.start()
        if self.scheduler is not None:
            self.scheduler.start()

    def stop_background(self) -> None:
        """Stop the scheduler (running passes finish their chunk) and the drain (after its
        current batch); nothing is left half-done. Calling it again does nothing."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.drain is not None:
            self.drain.stop()
