"""Holding a job lease for the length of a job, renewed in the background.

`LeaseKeeper` takes a named lease (`store.leases`, e.g. `sync:12345`), renews it every third
of its time to live while the job runs, and releases it at the end. When a renewal fails
(the lease expired and another worker took it, or the database is gone), `lost` is set and
the job stops after its current chunk. A worker killed outright simply stops renewing; its
lease expires after the TTL and another worker takes over; on the same host a restarted
worker need not wait for that: a holder whose process is gone is taken over at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import timedelta
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError

from connector.errors import LeadscoreError
from connector.store import Store

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=2)
JOB_SEPARATOR = "#"


class LeaseBusy(LeadscoreError):
    """Another live worker holds the lease."""


def holder_is_dead(owner: str) -> bool:
    """Whether a `host:pid[#job]` owner is a process of this host that no longer runs."""
    host, _, pid = owner.partition(JOB_SEPARATOR)[0].rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class LeaseKeeper:
    """Context manager holding the lease `name` for one job of `worker`; raises `LeaseBusy`
    if taken.

    The owner recorded is the worker id plus a token of this job, so two jobs of one
    process (a scheduled pass and one asked through the API) exclude each other too.
    """

    def __init__(self, store: Store, name: str, worker: str, ttl: timedelta = DEFAULT_TTL) -> None:
        """Prepare to hold `name` for a job of `worker` with time to live `ttl`."""
        self.store = store
        self.name = name
        self.owner = f"{worker}{JOB_SEPARATOR}{secrets.token_hex(4)}"
        self.ttl = ttl
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LeaseKeeper:
        if not self.store.leases.try_acquire(self.name, self.owner, self.ttl):
            holder = self.store.leases.get(self.name)
            if holder is not None and holder_is_dead(holder.owner):
                log.warning("lease %s: its holder %s is no longer running; taking it over",
                            self.name, holder.owner)
                self.store.leases.release(self.name, holder.owner)
            if not self.store.leases.try_acquire(self.name, self.owner, self.ttl):
                holder = self.store.leases.get(self.name)
                who = holder.owner if holder is not None else "another worker"
                raise LeaseBusy(f"{self.name} is held by {who}; try again when it finishes")
        self._thread = threading.Thread(target=self._renew_loop, name=f"lease-{self.name}",
                                        daemon=True)
        self._thread.start()
        return self

    def renew(self) -> bool:
        """Renew now (also done in the background); False (and `lost` set) if it was lost."""
        try:
            held = self.store.leases.renew(self.name, self.owner, self.ttl)
        except SQLAlchemyError as exc:
            log.warning("lease %s: renewal failed (%s)", self.name, type(exc).__name__)
            held = False
        if not held and not self.lost.is_set():
            log.warning("lease %s lost by %s: stopping after the current chunk", self.name,
                        self.owner)
            self.lost.set()
        return held

    def _renew_loop(self) -> None:
        interval = self.ttl.total_seconds() / 3
        while not self._done.wait(interval):
            if not self.renew():
                return

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if not self.lost.is_set():
            try:
                self.store.leases.release(self.name, self.owner)
            except SQLAlchemyError as error:
                log.warning("lease %s: release failed (%s); it expires on its own",
                            self.name, type(error).__name__)
