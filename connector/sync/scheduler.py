"""The long-running worker's schedule (APScheduler 3, background threads).

Every `PORTAL_POLL_S` the worker lists connected portals and keeps three jobs per portal:
an incremental pass every `sync_interval_minutes` (the first one at once, which for a new
portal is its full sync), the daily rescore at `rescore_hour_utc`, and weekly training on
`train_cron_day_of_week` an hour before the rescore (so the rescore writes the new model's
values). A portal that is disconnected or needs reconnection loses its jobs.

Several workers (processes sharing a PostgreSQL store) all schedule every portal; the job
leases decide who runs: a worker finding the lease held skips that run. `shutdown()` sets
the stop event, so running passes finish their chunk, save the cursor and return.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from connector.errors import LeadscoreError
from connector.sync.leases import LeaseBusy
from connector.sync.portal_session import PortalUnavailable
from connector.sync.report import PassReport
from connector.sync.service import SyncService

log = logging.getLogger(__name__)

PORTAL_POLL_S = 30
WORKER_THREADS = 8
MISFIRE_GRACE_S = 3600
_JOBS = ("sync", "rescore", "train")


class WorkerScheduler:
    """Per-portal sync, rescore and training jobs of one worker process."""

    def __init__(self, service: SyncService, *, worker_id: str,
                 poll_s: float = PORTAL_POLL_S) -> None:
        """Schedule on behalf of `service`; `worker_id` names this worker in logs."""
        self.service = service
        self.worker_id = worker_id
        self.poll_s = poll_s
        self.stop = threading.Event()
        self._portals: set[int] = set()
        self._lock = threading.Lock()
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(WORKER_THREADS)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": MISFIRE_GRACE_S},
            timezone=UTC,
        )

    @property
    def portals(self) -> set[int]:
        """Hub ids this worker currently schedules."""
        with self._lock:
            return set(self._portals)

    @property
    def running(self) -> bool:
        """Whether the scheduler is started and not asked to stop (for `/healthz`)."""
        return bool(self._scheduler.running) and not self.stop.is_set()

    def start(self) -> None:
        """Start the scheduler; the portal list is read at once and then every `poll_s`."""
        self._scheduler.add_job(self.refresh_portals, IntervalTrigger(seconds=self.poll_s),
                                id="portals", next_run_time=datetime.now(UTC))
        self._scheduler.start()
        log.info("worker %s: scheduler started", self.worker_id)

    def shutdown(self, wait: bool = True) -> None:
        """Ask running jobs to stop after their chunk, then stop the scheduler."""
        self.stop.set()
        self._scheduler.shutdown(wait=wait)
        log.info("worker %s: scheduler stopped", self.worker_id)

    def refresh_portals(self) -> None:
        """Add jobs for newly connected portals; drop those of portals no longer connected."""
        connected = {p.hub_id for p in self.service.store.portals.all("connected")}
        settings = self.service.settings
        with self._lock:
            added = connected - self._portals
            removed = self._portals - connected
            self._portals = connected
        for hub_id in sorted(added):
            self._scheduler.add_job(
                self.sync_job, IntervalTrigger(minutes=settings.sync_interval_minutes),
                args=[hub_id], id=f"sync:{hub_id}", next_run_time=datetime.now(UTC),
                replace_existing=True)
            self._scheduler.add_job(
                self.rescore_job, CronTrigger(hour=settings.rescore_hour_utc, timezone=UTC),
                args=[hub_id], id=f"rescore:{hub_id}", replace_existing=True)
            self._scheduler.add_job(
                self.train_job,
                CronTrigger(day_of_week=settings.train_cron_day_of_week,
                            hour=(settings.rescore_hour_utc - 1) % 24, timezone=UTC),
                args=[hub_id], id=f"train:{hub_id}", replace_existing=True)
            log.info("worker %s: scheduling portal %s", self.worker_id, hub_id)
        for hub_id in sorted(removed):
            for job in _JOBS:
                if self._scheduler.get_job(f"{job}:{hub_id}") is not None:
                    self._scheduler.remove_job(f"{job}:{hub_id}")
            log.info("worker %s: portal %s is no longer connected; its jobs stop",
                     self.worker_id, hub_id)

    def sync_job(self, hub_id: int) -> None:
        """One pass; after a portal's first full sync, its first model if it has none."""
        report = self._guarded(hub_id, "sync",
                               lambda: self.service.run_pass(hub_id, stop=self.stop))
        if report is None or not report.completed or report.kind != "full":
            return
        keys = self.service.scorers.artifact_keys()
        if any(self.service.store.models.active(hub_id, key) is None for key in keys):
            self.train_job(hub_id)

    def rescore_job(self, hub_id: int) -> None:
        """The daily rescore."""
        self._guarded(hub_id, "rescore", lambda: self.service.rescore(hub_id, stop=self.stop))

    def train_job(self, hub_id: int) -> None:
        """Training from the portal's history."""
        self._guarded(hub_id, "train", lambda: self.service.train(hub_id))

    def _guarded(self, hub_id: int, job: str, run: Callable[[], PassReport]
                 ) -> PassReport | None:
        if self.stop.is_set():
            return None
        try:
            report = run()
        except LeaseBusy as exc:
            log.debug("worker %s: %s of portal %s skipped: %s", self.worker_id, job, hub_id, exc)
            return None
        except PortalUnavailable as exc:
            log.info("worker %s: %s of portal %s skipped: %s", self.worker_id, job, hub_id, exc)
            return None
        except LeadscoreError as exc:
            log.warning("worker %s: %s of portal %s failed: %s", self.worker_id, job, hub_id,
                        exc)
            return None
        except Exception:
            # A bug in one portal's job must not take the worker down with it.
            log.exception("worker %s: %s of portal %s crashed", self.worker_id, job, hub_id)
            return None
        log.info("worker %s: %s of portal %s: %d read, %d written, %d failed, %d API calls",
                 self.worker_id, job, hub_id, report.contacts_read, report.contacts_written,
                 report.contacts_failed, report.api_calls_total)
        return report


def build_scheduler(service: SyncService, *, worker_id: str) -> WorkerScheduler:
    """The worker's scheduler (not started: call `start()`, and `shutdown()` to stop)."""
    return WorkerScheduler(service, worker_id=worker_id)
