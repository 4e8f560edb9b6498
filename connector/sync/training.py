"""Training the portal's predictive model from its own history (the stored inputs).

The outcome is the lifecycle stage: a contact converted when its stage reached
`opportunity` or later in the portal's own funnel (`scoring.target.outcome_from_lifecycle`).
The stage itself and post-outcome columns never become features (the model's guards drop
them). With too little history (`NotEnoughData`) the portal keeps scoring with rules alone.
One model is trained and saved under every artifact key the configuration uses, with a
segmentation of the portal's leads when there are enough of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from connector.errors import LeadscoreError
from connector.evaluation import segment_leads
from connector.scoring.config import config_hash
from connector.scoring.engine import Scorer
from connector.scoring.leads import LeadFrame
from connector.scoring.model import LeadModel, NotEnoughData, train_model
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER, outcome_from_lifecycle
from connector.store import Store
from connector.sync.inputs import STATE_MODEL, lead_frame_from_states
from connector.sync.outputs import LIFECYCLE
from connector.sync.scorers import SEGMENTATION_META, ScorerCache

log = logging.getLogger(__name__)

CONVERTED_FROM = "opportunity"


@dataclass(frozen=True)
class TrainOutcome:
    """A trained model's version, or why the portal stays on rules alone."""

    version: str | None
    rows: int
    positives: int
    reason: str | None = None


def portal_history(store: Store, portal_id: int) -> LeadFrame:
    """Every stored contact of the portal as one `LeadFrame`."""
    states = [s for batch in store.contacts.iter_batches(portal_id, STATE_MODEL) for s in batch]
    return lead_frame_from_states(states)


def outcomes(leads: LeadFrame, stages: tuple[str, ...]) -> pd.Series:
    """Converted or not per contact, from its lifecycle stage in the portal's funnel."""
    if LIFECYCLE not in leads.contacts.columns:
        return pd.Series(False, index=leads.contacts.index)
    funnel = [s for s in stages if s != "other"]
    if CONVERTED_FROM not in funnel:
        funnel = list(DEFAULT_LIFECYCLE_ORDER)
    return outcome_from_lifecycle(leads.contacts[LIFECYCLE], stage_order=funnel,
                                  converted_from=CONVERTED_FROM)


def train_portal(
    store: Store, cache: ScorerCache, portal_id: int, stages: tuple[str, ...], now: datetime
) -> TrainOutcome:
    """Train on the portal's stored history and activate the model; see the module doc."""
    leads = portal_history(store, portal_id)
    target = outcomes(leads, stages)
    positives = int(target.sum())
    try:
        model = train_model(leads.contacts, target, now=now, activities=leads.activities,
                            config_hash=config_hash(cache.config), drop=[LIFECYCLE])
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
