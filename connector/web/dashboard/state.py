"""`DashboardState`: what the dashboard's routes share, stored on `app.state.dashboard`.

The store and settings it reads, the access token, the clock sessions are dated by, the
cache of portal analyses (the costly part of the portal page: evidence, segments, plots),
kept per portal and scoring model until the store shows new contacts or a new run, and the
portals' forward grades. A forward grade trains two models as of 90 days ago, which takes
longer than a page may: it is computed on a background thread, and the page says so until
it is there (then shows the last one while a newer one is computed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connector.errors import LeadscoreError
from connector.reports import PortalAnalysis, analyse_portal, load_portal_history
from connector.reports.portal_analysis import PortalForward, portal_forward_grade
from connector.scoring.config import Outcome, ScoringConfig
from connector.scoring.properties import DEFAULT_MODEL
from connector.scoring_files import load_config
from connector.settings import Settings
from connector.store import Store
from connector.web.dashboard.access import DashboardAccess

Fingerprint = tuple[Any, ...]


@dataclass
class DashboardState:
    """The dashboard's store, settings and access, and its cache of portal analyses."""

    store: Store
    settings: Settings
    access: DashboardAccess
    clock: Callable[[], float] = time.time
    _cache: dict[tuple[int, str], tuple[Fingerprint, PortalAnalysis]] = field(
        default_factory=dict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _forward: dict[int, tuple[Fingerprint, PortalForward]] = field(
        default_factory=dict, init=False, repr=False
    )
    _computing: dict[int, Fingerprint] = field(default_factory=dict, init=False, repr=False)
    _forward_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False
    )

    @property
    def secure_cookie(self) -> bool:
        """Whether the session cookie is sent over HTTPS only (an https public URL)."""
        return self.settings.public_url.startswith("https://")

    def config(self) -> ScoringConfig | None:
        """The configured scoring rules (None when the config cannot be read)."""
        try:
            return load_config(self.settings.scoring_config)
        except LeadscoreError:
            return None

    def scoring_models(self) -> list[str]:
        """The configured scoring models (the default one when the config cannot be read)."""
        try:
            return list(load_config(self.settings.scoring_config).models)
        except LeadscoreError:
            return [DEFAULT_MODEL]

    def attributes(self) -> list[str] | None:
        """The properties the configured rules read (None when the config cannot be read)."""
        try:
            return load_config(self.settings.scoring_config).properties_used()
        except LeadscoreError:
            return None

    def outcome(self) -> Outcome | None:
        """What the configured rules call a conversion (None when the config cannot be read)."""
        try:
            return load_config(self.settings.scoring_config).outcome
        except LeadscoreError:
            return None

    def analysis(self, hub_id: int, model: str) -> tuple[PortalAnalysis | None, str | None]:
        """The portal's analysis and None, or None and why there is none.

        Cached; recomputed when the portal's contacts or runs changed since.
        """
        fingerprint = self._fingerprint(hub_id)
        key = (hub_id, model)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == fingerprint:
                return cached[1], None
            portal = self.store.portals.require(hub_id)
            try:
                loaded = load_portal_history(self.store, portal, datetime.now(UTC), model,
                                             outcome=self.outcome())
            except LeadscoreError as exc:
                return None, str(exc)
            analysis = analyse_portal(loaded, self.attributes())
            self._cache[key] = (fingerprint, analysis)
            return analysis, None

    def forward(self, hub_id: int) -> PortalForward:
        """The portal's forward grade (`reports.portal_analysis.portal_forward_grade`).

        The last one computed; when the store changed since, or none was computed yet, a new
        one is started on a background thread. Until a first one is there, its note says it
        is being computed.
        """
        fingerprint = self._fingerprint(hub_id)
        with self._forward_lock:
            cached = self._forward.get(hub_id)
            if cached is not None and cached[0] == fingerprint:
                return cached[1]
            if self._computing.get(hub_id) != fingerprint:
                self._computing[hub_id] = fingerprint
                threading.Thread(
                    target=self._compute_forward, args=(hub_id, fingerprint),
                    name=f"dashboard-forward-{hub_id}", daemon=True,
                ).start()
        if cached is not None:
            return cached[1]
        return PortalForward(None, "The forward grade is being computed (it trains the model "
                                   "as of 90 days ago); reload this page in a minute.")

    def _compute_forward(self, hub_id: int, fingerprint: Fingerprint) -> None:
        try:
            found = portal_forward_grade(self.store, hub_id, self.config(), datetime.now(UTC))
        except Exception as exc:
            # Raised on a background thread it would vanish, and the page would say "being
            # computed" for ever: the failure is shown instead.
            found = PortalForward(None, f"The forward grade failed: {exc}")
        with self._forward_lock:
            if self._computing.get(hub_id) == fingerprint:
                del self._computing[hub_id]
            self._forward[hub_id] = (fingerprint, found)

    def _fingerprint(self, hub_id: int) -> Fingerprint:
        """What changes when the portal's analysis must be recomputed: its contacts' write
        states and its last run."""
        counts = self.store.contacts.counts(hub_id)
        last = self.store.runs.recent(1, portal_id=hub_id)
        return (
            tuple(sorted(counts.items())),
            (last[0].id, last[0].status, last[0].counters.contacts_written) if last else None,
        )
