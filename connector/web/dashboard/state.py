"""`DashboardState`: what the dashboard's routes share, stored on `app.state.dashboard`.

The store and settings it reads, the access token, the clock sessions are dated by, and
the cache of portal analyses (the costly part of the portal page: the forward grade, which
trains two models as of 90 days ago, evidence, segments, plots), kept per portal and
scoring model until the store shows new contacts or a new run.
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
from connector.reports.portal_analysis import portal_forward_grade
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
        counts = self.store.contacts.counts(hub_id)
        last = self.store.runs.recent(1, portal_id=hub_id)
        fingerprint: Fingerprint = (
            tuple(sorted(counts.items())),
            (last[0].id, last[0].status, last[0].counters.contacts_written) if last else None,
        )
        key = (hub_id, model)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == fingerprint:
                return cached[1], None
            portal = self.store.portals.require(hub_id)
            now = datetime.now(UTC)
            try:
                loaded = load_portal_history(self.store, portal, now, model,
                                             outcome=self.outcome())
            except LeadscoreError as exc:
                return None, str(exc)
            forward = portal_forward_grade(self.store, hub_id, self.config(), now)
            analysis = analyse_portal(loaded, self.attributes(), forward)
            self._cache[key] = (fingerprint, analysis)
            return analysis, None
