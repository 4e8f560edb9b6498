"""Training the portal's predictive model from its own history (the stored inputs).

The outcome is the configured one (`outcome:` in the scoring config,
`scoring.outcomes.conversions`): by default a deal created for the contact or its primary
company, from the stored deals and company members; or a deal reaching a stage, a won
deal, or the lifecycle stage reaching a stage. Without stored deals (no deals scope) a deal
outcome falls back to the lifecycle stage reaching `opportunity`. The stage itself, the
account's open-deal signals (they are the deal outcome seen from the account) and
post-outcome columns never become features (the model's guards drop the latter). With
too little history (`NotEnoughData`) the portal keeps scoring with rules alone.
One model is trained and saved under every artifact key the configuration uses, with a
segmentation of the portal's leads when there are enough of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from connector.errors import LeadscoreError
from connector.evaluation import segment_leads
from connector.scoring.config import ScoringConfig, config_hash
from connector.scoring.engine import Scorer
from connector.scoring.leads import LeadFrame
from connector.scoring.model import LeadModel, NotEnoughData, train_model
from connector.scoring.outcomes import company_links, conversions, deals_frame
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER, outcome_from_lifecycle
from connector.store import Store
from connector.sync.inputs import lead_frame_from_states
from connector.sync.outputs import LIFECYCLE
from connector.sync.scorers import SEGMENTATION_META, ScorerCache

log = logging.getLogger(__name__)

CONVERTED_FROM = "opportunity"
DEAL_SIGNALS = ("account.open_deals", "account.has_open_deal")
"""Account signals that restate a deal outcome: never features of a model that learns it."""


@dataclass(frozen=True)
class TrainOutcome:
    """A trained model's version, or why the portal stays on rules alone."""

    version: str | None
    rows: int
    positives: int
    reason: str | None = None


def portal_history(store: Store, portal_id: int) -> LeadFrame:
    """Every stored contact of the portal as one `LeadFrame`."""
    states = [s for batch in store.contacts.iter_batches(portal_id) for s in batch]
    return lead_frame_from_states(states)


def restated_outcome(columns: Iterable[object]) -> list[str]:
    """The columns present that restate the outcome: the stage and the open-deal signals."""
    present = {str(c) for c in columns}
    return [c for c in (LIFECYCLE, *DEAL_SIGNALS) if c in present]


def lifecycle_outcomes(leads: LeadFrame, stages: tuple[str, ...]) -> pd.Series:
    """Converted or not per contact, from its lifecycle stage in the portal's funnel."""
    if LIFECYCLE not in leads.contacts.columns:
        return pd.Series(False, index=leads.contacts.index)
    return outcome_from_lifecycle(leads.contacts[LIFECYCLE], stage_order=_funnel(stages),
                                  converted_from=CONVERTED_FROM)


def _funnel(stages: tuple[str, ...]) -> list[str]:
    funnel = [s for s in stages if s != "other"]
    return funnel if CONVERTED_FROM in funnel else list(DEFAULT_LIFECYCLE_ORDER)


def outcomes(store: Store, portal_id: int, config: ScoringConfig, leads: LeadFrame,
             stages: tuple[str, ...]) -> pd.Series:
    """Converted or not per contact, by the configured outcome."""
    outcome = config.outcome
    if outcome.kind == "lifecycle_stage":
        return conversions(outcome, leads.contacts, stage_order=_funnel(stages))["converted"]
    deals = deals_frame(store.deals.all(portal_id))
    if deals.empty:
        log.info("portal %s: no deals stored; the outcome is the lifecycle stage", portal_id)
        return lifecycle_outcomes(leads, stages)
    ids = [int(i) for i in leads.contacts.index if str(i).isdigit()]
    company = company_links(store.members.companies_of(portal_id, ids))
    converted = conversions(outcome, leads.contacts, deals, company, _funnel(stages))
    return converted["converted"].reindex(leads.contacts.index.astype(str)).fillna(False)


def train_portal(
    store: Store, cache: ScorerCache, portal_id: int, stages: tuple[str, ...], now: datetime
) -> TrainOutcome:
    """Train on the portal's stored history and activate the model; see the module doc."""
    leads = portal_history(store, portal_id)
    target = outcomes(store, portal_id, cache.config, leads, stages)
    target.index = leads.contacts.index
    positives = int(target.sum())
    try:
        model = train_model(leads.contacts, target, now=now, activities=leads.activities,
                            config_hash=config_hash(cache.config),
                            drop=restated_outcome(leads.contacts.columns))
    except NotEnoughData as exc:
        log.info("portal %s: no model trained: %s", portal_id, exc)
        return TrainOutcome(None, len(leads), positives, str(exc))
    meta = model.metadata.model_dump(mode="json")
    segmentation = _segmentation(cache, model, leads, target, now)
    if segmentation is not None:
        meta[SEGMENTATION_META] = segmentation
    blob = model.to_bytes()
    for key in cache.artifact_keys():
        store.models.save(portal_id, key, model.version, meta, blob=blob)
    log.info("portal %s: model %s trained on %d contacts (%d converted), AUC %.3f",
             portal_id, model.version, len(leads), positives, model.metadata.metrics.auc)
    return TrainOutcome(model.version, len(leads), positives)


def _segmentation(cache: ScorerCache, model: LeadModel, leads: LeadFrame, target: pd.Series,
                  now: datetime) -> str | None:
    """Segments of the portal's leads on the first scoring model's scores (None: too few)."""
    config = cache.config
    name = next(iter(config.models))
    scorer = Scorer(config, {config.artifact_key(name): model})
    scores = scorer.score_model(name, leads, now).frame
    present = [p for p in config.properties_used() if p in leads.contacts.columns]
    try:
        report = segment_leads(leads, scores, target.to_numpy(), attributes=present or None,
                               seed=0)
    except LeadscoreError as exc:
        log.info("no segmentation: %s", exc)
        return None
    return report.segmentation.to_json()
