"""The live A/B experiment's result on a portal: conversion per arm, from the store alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from connector.errors import LeadscoreError
from connector.evaluation import ArmComparison, compare_arms
from connector.reports.portal_history import load_portal_history, resolve_portal
from connector.store import Store


@dataclass(frozen=True)
class ExperimentReport:
    """Champion against challenger on one portal's contacts that were put in an arm."""

    portal_id: int
    experiment: str
    started_at: datetime
    comparison: ArmComparison


def experiment_report(
    store: Store, hub_id: int | None, experiment: str, now: datetime
) -> ExperimentReport:
    """Compare conversion per arm among the portal's enrolled contacts (two-proportion test).

    Raises `LeadscoreError` when the experiment never ran on the portal or enrolled nobody.
    """
    portal = resolve_portal(store, hub_id)
    started = store.experiments.started_at(portal.hub_id, experiment)
    if started is None:
        raise LeadscoreError(
            f"experiment {experiment!r} never ran on portal {portal.hub_id}; set "
            "LEADSCORE_CHALLENGER_CONFIG and sync (or pass the salt it ran under)"
        )
    history = load_portal_history(store, portal, now, experiment=experiment).history
    if history.arms is None:
        raise LeadscoreError(
            f"experiment {experiment!r} on portal {portal.hub_id} has no contacts yet: only "
            f"leads created since {started.isoformat()} take part"
        )
    enrolled = np.array([arm is not None for arm in history.arms], dtype=bool)
    comparison = compare_arms(history.arms[enrolled], history.converted[enrolled])
    return ExperimentReport(portal.hub_id, experiment, started, comparison)
