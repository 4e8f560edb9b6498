"""Pure scoring domain: configuration schema, rule engine, predictive model, lifecycle rules.

No I/O and no HubSpot wire format: configurations are parsed from text, models from bytes
(`connector.scoring_files` reads and writes the files). Import the public API from here:

    from connector.scoring import LeadFrame, Scorer, ScoringConfig, parse_config_text

The predictive model's names (`LeadModel`, `train_model`, ...) are imported on first use:
LightGBM and scikit-learn take most of a second to import, which scoring with rules alone,
or checking a configuration, should not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from connector.scoring.config import (
    ConfigError,
    ConfigProblem,
    ScoringConfig,
    config_hash,
    model_hash,
    parse_config,
    parse_config_text,
)
from connector.scoring.engine import ScoreFrame, Scorer
from connector.scoring.leads import ACTIVITY_COLUMNS, ACTIVITY_KINDS, LeadFrame, empty_activities
from connector.scoring.ledger import Ledger, LedgerEntry
from connector.scoring.lifecycle import forward_stage, forward_stages
from connector.scoring.properties import DEFAULT_MODEL, TIERS, ModelProperties, property_names
from connector.scoring.score_columns import (
    FRAME_COLUMNS,
    NUMERIC_COLUMNS,
    WRITTEN_COLUMNS,
    ScoreColumn,
)
from connector.scoring.target import DEFAULT_LIFECYCLE_ORDER, binary_target, outcome_from_lifecycle

if TYPE_CHECKING:
    from connector.scoring.backtest import BacktestResult, run_backtest
    from connector.scoring.model import (
        LeadModel,
        ModelMetadata,
        ModelPrediction,
        NotEnoughData,
        metadata_from_bytes,
        train_model,
    )

_LAZY = {
    "LeadModel": "connector.scoring.model",
    "ModelMetadata": "connector.scoring.model",
    "ModelPrediction": "connector.scoring.model",
    "NotEnoughData": "connector.scoring.model",
    "metadata_from_bytes": "connector.scoring.model",
    "train_model": "connector.scoring.model",
    "BacktestResult": "connector.scoring.backtest",
    "run_backtest": "connector.scoring.backtest",
}

__all__ = [
    "ACTIVITY_COLUMNS",
    "ACTIVITY_KINDS",
    "DEFAULT_LIFECYCLE_ORDER",
    "DEFAULT_MODEL",
    "FRAME_COLUMNS",
    "NUMERIC_COLUMNS",
    "TIERS",
    "WRITTEN_COLUMNS",
    "BacktestResult",
    "ConfigError",
    "ConfigProblem",
    "LeadFrame",
    "LeadModel",
    "Ledger",
    "LedgerEntry",
    "ModelMetadata",
    "ModelPrediction",
    "ModelProperties",
    "NotEnoughData",
    "ScoreColumn",
    "ScoreFrame",
    "Scorer",
    "ScoringConfig",
    "binary_target",
    "config_hash",
    "empty_activities",
    "forward_stage",
    "forward_stages",
    "metadata_from_bytes",
    "model_hash",
    "outcome_from_lifecycle",
    "parse_config",
    "parse_config_text",
    "property_names",
    "run_backtest",
    "train_model",
]


def __getattr__(name: str) -> Any:
    """Import the model's names on first use (see the module docstring)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
