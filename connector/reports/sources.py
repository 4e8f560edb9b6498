"""Where a command's history comes from: a CSV export, or a synced portal in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from connector.errors import LeadscoreError
from connector.evaluation import History
from connector.evaluation.forward import DEFAULT_HORIZON_DAYS, ForwardBacktest
from connector.reports.forward import portal_forward
from connector.reports.portal_history import load_portal_history, resolve_portal
from connector.reports.portal_model import active_model_file
from connector.scoring.config import Outcome, ScoringConfig
from connector.scoring_files import load_config
from connector.settings import Settings, get_settings
from connector.store import open_store

HistorySource = Callable[[], History]
"""A loader of a history: `history_from_csv` bound to its file, or a `PortalSource`."""


@dataclass(frozen=True)
class PortalSource:
    """A `HistorySource` reading a synced portal from the store named by the settings.

    `hub_id` None means the only connected portal. Each call opens the store and closes it.
    """

    hub_id: int | None
    scoring_model: str
    now: datetime
    settings: Settings | None = None

    def __call__(self) -> History:
        """The portal's history (see `load_portal_history`), with the arms of the
        experiment the settings name."""
        settings = self.settings if self.settings is not None else get_settings()
        with open_store(settings=settings) as store:
            portal = resolve_portal(store, self.hub_id)
            return load_portal_history(
                store, portal, self.now, self.scoring_model,
                experiment=settings.experiment_salt,
                outcome=_configured_outcome(settings),
            ).history

    def forward(self, config: ScoringConfig,
                horizon_days: int = DEFAULT_HORIZON_DAYS) -> ForwardBacktest:
        """The portal's forward grade as of now − `horizon_days` (`portal_forward`); raises
        `NotEnoughData` when too few leads had converted by then."""
        settings = self.settings if self.settings is not None else get_settings()
        with open_store(settings=settings) as store:
            portal = resolve_portal(store, self.hub_id)
            return portal_forward(store, portal.hub_id, config, self.now,
                                  horizon_days=horizon_days)

    def model_file(self) -> Path | None:
        """The portal's active trained model as a file, or None when none was trained."""
        settings = self.settings if self.settings is not None else get_settings()
        with open_store(settings=settings) as store:
            portal = resolve_portal(store, self.hub_id)
            cache = settings.data_dir / "models"
            return active_model_file(store, portal, self.scoring_model, cache)


def _configured_outcome(settings: Settings) -> Outcome | None:
    """The outcome of the configured rules (None when the file cannot be read: the
    lifecycle stage then decides)."""
    try:
        return load_config(settings.scoring_config).outcome
    except LeadscoreError:
        return None
