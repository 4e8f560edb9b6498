"""Scoring a history with a configuration (and optionally a trained model) for evaluation.

A portal history may already carry the scores the sync wrote; a CSV history is scored here
with the rule engine, exactly as `leadscore score` would score it. The trained model comes
in loaded (`LeadModel.load`), so nothing here reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from connector.errors import LeadscoreError
from connector.evaluation.history import History
from connector.scoring.config import ModelConfig, ScoringConfig
from connector.scoring.engine import ScoreFrame, Scorer
from connector.scoring.ledger import Ledger
from connector.scoring.model import LeadModel


@dataclass(frozen=True)
class ScoredModel:
    """One scoring model's scores for a history, rows in the history's lead order."""

    name: str
    config: ModelConfig
    frame: pd.DataFrame
    ledger: Ledger


def choose_model(config: ScoringConfig, name: str | None) -> str:
    """The scoring model to evaluate: `name`, or the configuration's first model."""
    if name is None:
        return next(iter(config.models))
    if name not in config.models:
        raise LeadscoreError(
            f"no scoring model {name!r} in the configuration (models: {', '.join(config.models)})"
        )
    return name


def score_history(
    history: History,
    config: ScoringConfig,
    model: LeadModel | None = None,
    scoring_model: str | None = None,
) -> ScoredModel:
    """Score the history's leads with one scoring model of `config`.

    Scores the history already holds for that model are reused; otherwise the rule engine
    runs, with the trained likelihood `model` when given.
    """
    name = choose_model(config, scoring_model)
    existing = (history.scores or {}).get(name)
    if existing is None:
        models = {config.artifact_key(name): model} if model is not None else None
        existing = Scorer(config, models).score_model(name, history.leads, history.now)
    return _aligned(name, config.models[name], existing, history)


def _aligned(name: str, model: ModelConfig, scored: ScoreFrame, history: History) -> ScoredModel:
    index = history.leads.contacts.index
    missing = index.difference(scored.frame.index)
    if len(missing):
        raise LeadscoreError(
            f"{history.source}: {len(missing)} leads have no {name} score (e.g. {missing[0]})"
        )
    frame = scored.frame.reindex(index)
    ledger = scored.ledger
    if not ledger.index.equals(index):
        rows = ledger.index.get_indexer(index)
        ledger = Ledger(
            index=index,
            entries=ledger.entries,
            points=ledger.points[rows],
            fired=ledger.fired[rows],
        )
    return ScoredModel(name=name, config=model, frame=frame, ledger=ledger)
