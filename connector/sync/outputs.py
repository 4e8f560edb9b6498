"""From a batch of leads to the property values the connector wants in HubSpot.

`PortalScoring` bundles what scoring one portal needs (config, scorer with the portal's
trained models, its lifecycle stage list, optional segmentations). `desired_values` scores a
`LeadFrame` and renders, per contact, every model's properties plus a forward-only
`lifecyclestage`. The `*_scored_at` stamps are kept apart: they are written only along with
a real change, so a pass never rewrites a contact just because time passed. `*_version`
is a real value: a new configuration or model rewrites each contact once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from connector.crm import score_updates
from connector.evaluation import Segmentation
from connector.scoring.config import ScoringConfig, model_hash
from connector.scoring.engine import Scorer
from connector.scoring.leads import LeadFrame
from connector.scoring.lifecycle import forward_stages
from connector.scoring.properties import property_names
from connector.scoring.score_columns import ScoreColumn

if TYPE_CHECKING:
    from connector.sync.experiment import LiveExperiment

LIFECYCLE = "lifecyclestage"


@dataclass(frozen=True)
class PortalScoring:
    """Everything needed to score one portal's contacts."""

    config: ScoringConfig
    scorer: Scorer
    stages: tuple[str, ...]
    segmentations: Mapping[str, Segmentation] = field(default_factory=dict)
    """Fitted segmentation per scoring model (absent: the segment is left empty)."""
    experiment: LiveExperiment | None = None
    """The live A/B experiment on the portal, if any (see `connector.sync.experiment`)."""

    @property
    def model_versions(self) -> dict[str, str]:
        """Trained model version per artifact key in use (empty: rules only)."""
        return {key: model.version for key, model in self.scorer.models.items()}


@dataclass(frozen=True)
class Desired:
    """What one contact should hold: real values and the stamps that go with a change."""

    values: dict[str, str]
    stamps: dict[str, str]


def stamp_names(config: ScoringConfig) -> frozenset[str]:
    """The `*_scored_at` property names of every model (written only with a change)."""
    return frozenset(property_names(model).scored_at for model in config.models)


def expected_versions(scoring: PortalScoring) -> dict[str, str]:
    """The `*_version` value each model writes now (rules hash, plus trained model version).

    A contact holding other versions was scored by another configuration or model, so it
    is rescored even if its inputs did not change.
    """
    versions: dict[str, str] = {}
    for name in scoring.config.models:
        version = model_hash(scoring.config, name)
        trained = scoring.scorer.models.get(scoring.config.artifact_key(name))
        if trained is not None:
            version = f"{version}+{trained.version}"
        versions[property_names(name).version] = version
    return versions


def desired_values(scoring: PortalScoring, leads: LeadFrame, now: datetime) -> dict[str, Desired]:
    """Score `leads` with every model and render the properties to hold, by contact id."""
    if len(leads) == 0:
        return {}
    frames = scoring.scorer.score(leads, now)
    stamps = stamp_names(scoring.config)
    values: dict[str, dict[str, str]] = {str(i): {} for i in leads.contacts.index}
    stamped: dict[str, dict[str, str]] = {str(i): {} for i in leads.contacts.index}
    targets: list[pd.Series] = []
    for name, scored in frames.items():
        table = scored.frame.drop(columns=[ScoreColumn.LIFECYCLE_TARGET])
        segmentation = scoring.segmentations.get(name)
        if segmentation is not None:
            table[ScoreColumn.SEGMENT] = segmentation.assign(leads, scored.frame)
        updates = score_updates(
            table, property_names(name), scored_at=now, version=scored.version
        )
        for update in updates:
            for prop, value in update.properties.items():
                (stamped if prop in stamps else values)[update.id][prop] = value
        targets.append(scored.frame[ScoreColumn.LIFECYCLE_TARGET])
    for contact_id, stage in _lifecycle_moves(scoring, leads, targets).items():
        values[contact_id][LIFECYCLE] = stage
    return {i: Desired(values[i], stamped[i]) for i in values}


def _lifecycle_moves(
    scoring: PortalScoring, leads: LeadFrame, targets: Sequence[pd.Series]
) -> dict[str, str]:
    """The stage to write per contact: the furthest forward move any model asks for."""
    if LIFECYCLE in leads.contacts.columns:
        current = leads.contacts[LIFECYCLE]
    else:
        current = pd.Series([None] * len(leads), index=leads.contacts.index, dtype=object)
    order = {stage: i for i, stage in enumerate(scoring.stages)}
    protected = scoring.config.lifecycle.all_protected
    best: dict[str, str] = {}
    for target in targets:
        moves = forward_stages(current, target, scoring.stages, protected)
        for contact_id, stage in moves.items():
            if stage is None or (isinstance(stage, float) and np.isnan(stage)):
                continue
            key = str(contact_id)
            if key not in best or order[str(stage)] > order[best[key]]:
                best[key] = str(stage)
    return best


def changed_values(desired: Desired, written: Mapping[str, str]) -> dict[str, str]:
    """The values that differ from what HubSpot holds (stamps never count as a change)."""
    return {k: v for k, v in desired.values.items() if written.get(k) != v}
