"""The synced portal's history, as the reports, the CLI and the dashboard read it.

The store keeps, per contact, the inputs last scored (properties and an
activity summary) and the values HubSpot confirmed. That is enough to evaluate the scoring
without calling HubSpot: the outcome is whether the contact's lifecycle stage reached
`opportunity` or later (`connector.scoring.target.outcome_from_lifecycle`), and the features
are the stored properties minus the stage itself and every column set after the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from connector.errors import LeadscoreError
from connector.evaluation import History
from connector.scoring.config import Outcome
from connector.scoring.guards import post_outcome_rule
from connector.scoring.leads import LeadFrame
from connector.scoring.outcomes import (
    PortalConversions,
    company_links,
    deals_frame,
    portal_conversions,
)
from connector.scoring.properties import DEFAULT_MODEL, property_names
from connector.scoring.score_columns import NUMERIC_COLUMNS, ScoreColumn
from connector.scoring.stored_inputs import lead_frame_from_states
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER
from connector.store import ContactState, Portal, Store

STAGE_PROPERTY = "lifecyclestage"

WRITTEN_COLUMNS = (*NUMERIC_COLUMNS, ScoreColumn.TIER, ScoreColumn.SEGMENT, ScoreColumn.REASONS)
"""Columns of `PortalHistory.written`: the values HubSpot confirmed (or that await writing)."""

_NUMERIC = NUMERIC_COLUMNS


@dataclass(frozen=True)
class PortalHistory:
    """A portal's synced contacts under one scoring model.

    `history` holds the leads (post-outcome columns removed) and their outcomes;
    `written` is indexed like `history.leads.contacts` with the scores last computed for
    each contact (`WRITTEN_COLUMNS`, numbers as floats, NaN when never scored) plus
    `write_status` and `write_error`.
    """

    portal: Portal
    scoring_model: str
    history: History
    written: pd.DataFrame


def resolve_portal(store: Store, hub_id: int | None) -> Portal:
    """The portal named by `--portal`, else the only portal that is not disconnected."""
    if hub_id is not None:
        return store.portals.require(hub_id)
    candidates = [p for p in store.portals.all() if p.status != "disconnected"]
    if not candidates:
        raise LeadscoreError(
            "no connected portal: run `leadscore connect` (or give the history as --csv FILE)"
        )
    if len(candidates) > 1:
        ids = ", ".join(str(p.hub_id) for p in candidates)
        raise LeadscoreError(f"several portals are connected ({ids}); pass --portal ID")
    return candidates[0]


def load_portal_history(
    store: Store,
    portal: Portal,
    now: datetime,
    scoring_model: str = DEFAULT_MODEL,
    *,
    stage_order: Sequence[str] = DEFAULT_LIFECYCLE_ORDER,
    experiment: str | None = None,
    outcome: Outcome | None = None,
) -> PortalHistory:
    """Build the history of a portal's synced contacts from the store (no HubSpot call).

    `experiment` names the live A/B experiment (its salt) whose recorded arms fill
    `History.arms` (None for contacts outside it); without one, or when it recorded no
    contact, `arms` stays None. `outcome` is the configured conversion (a deal created for
    the contact or its company, …), read from the stored deals; without it, or with no
    deals stored, a contact converted when its lifecycle stage reached `opportunity`.

    Raises `LeadscoreError` when nothing was synced yet for the scoring model, or when the
    stored inputs lack the lifecycle stage the outcome is read from.
    """
    batches = store.contacts.iter_batches(portal.hub_id)
    states = [state for batch in batches for state in batch]
    where = f"portal {portal.hub_id}"
    if not states:
        raise LeadscoreError(
            f"{where} has no synced contacts; run `leadscore sync --full` first"
        )
    leads = lead_frame_from_states(states)
    if STAGE_PROPERTY not in leads.contacts.columns:
        raise LeadscoreError(
            f"{where}: the synced contacts carry no {STAGE_PROPERTY!r}, so outcomes are unknown; "
            "run `leadscore sync --full` with the current version"
        )
    found = portal_outcome(store, portal.hub_id, leads, stage_order, outcome)
    features = [c for c in leads.contacts.columns if not _hidden(str(c))]
    history = History(
        leads=LeadFrame(contacts=leads.contacts[features], activities=leads.activities),
        converted=found.converted.to_numpy(dtype=bool),
        now=now,
        source=f"portal {portal.hub_id} (converted = {found.meaning})",
        arms=recorded_arms(store, portal.hub_id, states, experiment),
    )
    return PortalHistory(
        portal=portal,
        scoring_model=scoring_model,
        history=history,
        written=written_scores(states, scoring_model),
    )


def recorded_arms(
    store: Store, hub_id: int, states: Sequence[ContactState], experiment: str | None
) -> NDArray[np.object_] | None:
    """The recorded A/B arm of each contact (None outside the experiment), or None when the
    experiment recorded no contact of the portal."""
    if experiment is None:
        return None
    arms = store.experiments.arms_of(hub_id, experiment, (s.contact_id for s in states))
    if not arms:
        return None
    return np.array([arms.get(s.contact_id) for s in states], dtype=object)


def written_scores(states: Iterable[ContactState], scoring_model: str) -> pd.DataFrame:
    """The score values of each contact: confirmed ones, else those awaiting a write."""
    names = property_names(scoring_model)
    by_column = {
        ScoreColumn.SCORE: names.score,
        ScoreColumn.FIT: names.fit,
        ScoreColumn.ENGAGEMENT: names.engagement,
        ScoreColumn.LIKELIHOOD: names.likelihood,
        ScoreColumn.TIER: names.tier,
        ScoreColumn.SEGMENT: names.segment,
        ScoreColumn.REASONS: names.reasons,
    }
    ids: list[str] = []
    data: dict[str, list[Any]] = {c: [] for c in (*WRITTEN_COLUMNS, "write_status", "write_error")}
    for state in states:
        # Pending values are newer than the written ones; show what the sync last computed.
        values = {**state.written_values, **(state.pending_values or {})}
        ids.append(str(state.contact_id))
        for column, prop in by_column.items():
            raw = values.get(prop) or None
            data[column].append(_number(raw) if column in _NUMERIC else raw)
        data["write_status"].append(state.write_status)
        data["write_error"].append(state.write_error)
    frame = pd.DataFrame(data, index=pd.Index(ids, dtype="object", name="contact_id"))
    for column in _NUMERIC:
        frame[column] = frame[column].astype(float)
    return frame


def portal_outcome(store: Store, portal_id: int, leads: LeadFrame, stage_order: Sequence[str],
                   outcome: Outcome | None) -> PortalConversions:
    """Who converted and when, by `outcome` (None: the lifecycle stage), from the store."""
    deals = company = None
    if outcome is not None and outcome.kind != "lifecycle_stage":
        deals = deals_frame(store.deals.all(portal_id))
        ids = [int(i) for i in leads.contacts.index if str(i).isdigit()]
        company = company_links(store.members.companies_of(portal_id, ids))
    return portal_conversions(outcome, leads.contacts, deals, company, stage_order)


def _hidden(column: str) -> bool:
    # The stage is the answer; post-outcome columns encode it; our own outputs echo scores.
    return (
        column == STAGE_PROPERTY
        or column.startswith("leadscore_")
        or post_outcome_rule(column) is not None
    )


def _number(raw: Any) -> float:
    if raw is None:
        return math.nan
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan
