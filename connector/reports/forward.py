"""A synced portal's forward backtest, from the store (no HubSpot call).

The leads are the stored contacts, the outcome the configured one with its time
(`portal_history.portal_outcome`), the property histories those the training read
(`store.histories`); `connector.evaluation.forward` does the grading "as of T − N days".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from connector.errors import LeadscoreError
from connector.evaluation.forward import DEFAULT_HORIZON_DAYS, ForwardBacktest, forward_backtest
from connector.reports.portal_history import portal_outcome
from connector.scoring.config import ScoringConfig
from connector.scoring.outcomes import RESTATED_OUTCOME_COLUMNS
from connector.scoring.point_in_time import static_without_history
from connector.scoring.stored_inputs import lead_frame_from_states
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER
from connector.store import Store


def portal_forward(
    store: Store,
    hub_id: int,
    config: ScoringConfig,
    now: datetime,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    stage_order: Sequence[str] = DEFAULT_LIFECYCLE_ORDER,
    compare_current_values: bool = True,
) -> ForwardBacktest:
    """Grade the portal's scoring as of `now − horizon_days` on its stored history.

    Raises `LeadscoreError` when nothing was synced, `NotEnoughData` when too few leads had
    converted by then.
    """
    states = [s for batch in store.contacts.iter_batches(hub_id) for s in batch]
    if not states:
        raise LeadscoreError(f"portal {hub_id} has no synced contacts; run `leadscore sync --full`")
    leads = lead_frame_from_states(states)
    found = portal_outcome(store, hub_id, leads, stage_order, config.outcome)
    histories = store.histories.load(hub_id)
    return forward_backtest(
        leads,
        found.converted_at,
        histories,
        now,
        outcome=found.meaning,
        horizon_days=horizon_days,
        converted=found.converted,
        drop=[c for c in RESTATED_OUTCOME_COLUMNS if c in leads.contacts.columns],
        static=static_without_history(leads.contacts.columns, histories),
        config=config,
        compare_current_values=compare_current_values,
    )
