"""Training the portal's predictive model from its own history, point in time.

The outcome is the configured one (`outcome:` in the scoring config,
`scoring.outcomes.portal_conversions`): by default a deal created for the contact or its
primary company, from the stored deals and company members; or a deal reaching a stage, a
won deal, or the lifecycle stage reaching a stage. Without stored deals (no deals scope) a
deal outcome falls back to the lifecycle stage reaching `opportunity`.

Each training row is the lead as it was (`scoring.point_in_time`): a converted lead at a
moment within `LEAD_TIME` before its conversion, the others at matched ages; property values
as of then from HubSpot's property history, which training reads first — only for the
contacts whose history is missing or stale, within the API budget (`history_reads`) — and
only activities before then. Properties history shows were set at or after the conversion
are excluded and named (`scoring.time_leaks`); the stage and the account's open-deal
signals restate the outcome and never become features. A portal without any stored history
(offline training) is looked at with its current property values and earlier activities.

With too little history (`NotEnoughData`) the portal keeps scoring with rules alone. One
model is trained and saved under every artifact key the configuration uses, with a
segmentation of the portal's leads when there are enough of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from connector.crm import CrmSession
from connector.errors import LeadscoreError
from connector.evaluation import segment_leads
from connector.scoring.config import ScoringConfig, config_hash
from connector.scoring.engine import Scorer
from connector.scoring.histories import ContactHistory
from connector.scoring.leads import LeadFrame, column_source
from connector.scoring.model import LeadModel, NotEnoughData, train_model
from connector.scoring.outcomes import (
    RESTATED_OUTCOME_COLUMNS,
    PortalConversions,
    company_links,
    deals_frame,
    portal_conversions,
)
from connector.scoring.point_in_time import (
    STATIC_COLUMNS,
    TrainingWindow,
    conversions_with_a_past,
    point_in_time_rows,
    static_without_history,
)
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER
from connector.scoring.time_leaks import timed_exclusions, timed_verdicts
from connector.store import Store
from connector.sync.history_reads import HistoryRefresh, refresh_histories
from connector.sync.inputs import lead_frame_from_states
from connector.sync.scorers import SEGMENTATION_META, ScorerCache

log = logging.getLogger(__name__)

LEAD_TIME = timedelta(days=90)
"""The forecast's horizon: converted leads are looked at within it before converting."""
CONVERTED_FROM = "opportunity"


@dataclass(frozen=True)
class TrainOutcome:
    """A trained model's version, or why the portal stays on rules alone."""

    version: str | None
    rows: int
    positives: int
    reason: str | None = None
    histories: HistoryRefresh | None = None


@dataclass(frozen=True)
class PortalLearning:
    """A portal's stored leads with their outcome, as training and the backtest read them."""

    leads: LeadFrame
    conversions: PortalConversions

    @property
    def restated(self) -> list[str]:
        """The columns present that restate the outcome (never features)."""
        return restated_outcome(self.leads.contacts.columns)


def portal_history(store: Store, portal_id: int) -> LeadFrame:
    """Every stored contact of the portal as one `LeadFrame`."""
    states = [s for batch in store.contacts.iter_batches(portal_id) for s in batch]
    return lead_frame_from_states(states)


def restated_outcome(columns: Iterable[object]) -> list[str]:
    """The columns present that restate the outcome: the stage and the open-deal signals."""
    present = {str(c) for c in columns}
    return [c for c in RESTATED_OUTCOME_COLUMNS if c in present]


def funnel(stages: tuple[str, ...]) -> list[str]:
    """The portal's lifecycle funnel (HubSpot's default when it lacks `opportunity`)."""
    order = [s for s in stages if s != "other"]
    return order if CONVERTED_FROM in order else list(DEFAULT_LIFECYCLE_ORDER)


def portal_learning(store: Store, portal_id: int, config: ScoringConfig,
                    stages: tuple[str, ...]) -> PortalLearning:
    """The portal's stored leads and who converted when, by the configured outcome."""
    leads = portal_history(store, portal_id)
    deals = None
    company = None
    if config.outcome.kind != "lifecycle_stage":
        deals = deals_frame(store.deals.all(portal_id))
        ids = [int(i) for i in leads.contacts.index if str(i).isdigit()]
        company = company_links(store.members.companies_of(portal_id, ids))
        if deals.empty:
            log.info("portal %s: no deals stored; the outcome is the lifecycle stage", portal_id)
    found = portal_conversions(config.outcome, leads.contacts, deals, company, funnel(stages))
    return PortalLearning(leads, found)


def history_properties(leads: LeadFrame, drop: Iterable[str]) -> list[str]:
    """The contact properties worth reading with history: the contact's own columns, minus
    the static ones and those never learned from."""
    skip = {*drop, *STATIC_COLUMNS}
    return sorted(str(c) for c in leads.contacts.columns
                  if column_source(str(c)) == "contact" and str(c) not in skip)


def stale_marks(leads: LeadFrame, histories: Mapping[str, ContactHistory],
                properties: list[str], now: datetime) -> dict[int, int]:
    """Per contact, `now` in epoch ms when its stored values differ from the newest values of
    its stored history (something changed since it was read), else 0."""
    now_ms = int(now.timestamp() * 1000)
    marks: dict[int, int] = {}
    columns = [p for p in properties if p in leads.contacts.columns]
    values = leads.contacts[columns].astype(object).where(leads.contacts[columns].notna(), None)
    for cid, row in zip(values.index.astype(str), values.itertuples(index=False), strict=True):
        if not cid.isdigit():
            continue
        history = histories.get(cid)
        changed = history is None or any(
            (value or None) != history.value_at(name, now_ms + 1)
            for name, value in zip(columns, row, strict=True)
        )
        marks[int(cid)] = now_ms if changed else 0
    return marks


def train_portal(
    store: Store,
    cache: ScorerCache,
    portal_id: int,
    stages: tuple[str, ...],
    now: datetime,
    crm: CrmSession | None = None,
    budget: int | None = None,
) -> TrainOutcome:
    """Train on the portal's history point in time and activate the model; with `crm`, the
    missing or stale property histories are read first, within `budget` (calls the portal's
    day may reach; what is left is read by the next training). See the module doc."""
    data = portal_learning(store, portal_id, cache.config, stages)
    leads, found = data.leads, data.conversions
    properties = history_properties(leads, data.restated)
    refresh = None
    histories = store.histories.load(portal_id)
    if crm is not None and len(leads):
        ids = [int(c) for c in leads.contacts.index if str(c).isdigit()]
        refresh = refresh_histories(crm, store, portal_id, ids, properties,
                                    stale_marks(leads, histories, properties, now), now,
                                    budget=budget)
        if refresh.read:  # the stored histories changed: read them again
            histories = store.histories.load(portal_id)
    static = static_without_history(leads.contacts.columns, histories)
    rows = point_in_time_rows(leads, found.converted_at, histories, now,
                              converted=found.converted, static=static, lead_time=LEAD_TIME)
    verdicts = timed_verdicts(histories, conversions_with_a_past(leads, found.converted_at))
    positives = int(rows.target.sum())
    drop = [c for c in data.restated if c in rows.leads.contacts.columns]
    try:
        model = train_model(rows.leads.contacts, rows.target, now=now,
                            activities=rows.leads.activities, cutoffs=rows.cutoffs,
                            config_hash=config_hash(cache.config), drop=drop,
                            timed=timed_exclusions(verdicts))
    except NotEnoughData as exc:
        log.info("portal %s: no model trained: %s", portal_id, exc)
        return TrainOutcome(None, len(rows.target), positives, str(exc), refresh)
    model.metadata.training = TrainingWindow(
        method="point_in_time",
        lead_time_days=LEAD_TIME.days,
        properties_as_of=bool(histories),
        unknown_past=list(rows.unknown_past),
        post_outcome=[v.column for v in verdicts if v.post_outcome],
        without_history=rows.without_history,
        unknown_conversion_time=rows.unknown_conversion_time,
        converted_on_creation=rows.converted_on_creation,
    )
    meta = model.metadata.model_dump(mode="json")
    segmentation = _segmentation(cache, model, leads, found.converted, now)
    if segmentation is not None:
        meta[SEGMENTATION_META] = segmentation
    blob = model.to_bytes()
    for key in cache.artifact_keys():
        store.models.save(portal_id, key, model.version, meta, blob=blob)
    log.info("portal %s: model %s trained point in time on %d contacts (%d converted), "
             "AUC %.3f", portal_id, model.version, len(rows.target), positives,
             model.metadata.metrics.auc)
    return TrainOutcome(model.version, len(rows.target), positives, histories=refresh)


def _segmentation(cache: ScorerCache, model: LeadModel, leads: LeadFrame, target: pd.Series,
                  now: datetime) -> str | None:
    """Segments of the portal's leads on the first scoring model's scores (None: too few)."""
    config = cache.config
    name = next(iter(config.models))
    scorer = Scorer(config, {config.artifact_key(name): model})
    scores = scorer.score_model(name, leads, now).frame
    present = [p for p in config.properties_used() if p in leads.contacts.columns]
    try:
        report = segment_leads(leads, scores, np.asarray(target, dtype=bool),
                               attributes=present or None, seed=0)
    except LeadscoreError as exc:
        log.info("no segmentation: %s", exc)
        return None
    return report.segmentation.to_json()
