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

from connector.scoring.companies import CompanyScoreFrame, company_scores
from connector.scoring.config import (
    CompaniesConfig,
    ConfigError,
    ConfigProblem,
    Grade,
    Outcome,
    ScoringConfig,
    config_hash,
    model_hash,
    parse_config,
    parse_config_text,
)
from connector.scoring.engine import ScoreFrame, Scorer, grades
from connector.scoring.leads import (
    ACCOUNT_SIGNALS,
    ACTIVITY_COLUMNS,
    ACTIVITY_KINDS,
    COMPANY_PREFIX,
    LeadFrame,
    column_source,
    empty_activities,
)
from connector.scoring.ledger import Ledger, LedgerEntry
from connector.scoring.lifecycle import forward_stage, forward_stages
from connector.scoring.needs import PropertiesNeeded, properties_needed
from connector.scoring.outcomes import DEAL_COLUMNS, conversions, outcome_inputs
from connector.scoring.properties import (
    DEFAULT_MODEL,
    GRADES,
    TIERS,
    ModelProperties,
    property_names,
)
from connector.scoring.score_columns import (
    COMPANY_FRAME_COLUMNS,
    FRAME_COLUMNS,
    NUMERIC_COLUMNS,
    WRITTEN_COLUMNS,
    CompanyScoreColumn,
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
    "ACCOUNT_SIGNALS",
    "ACTIVITY_COLUMNS",
    "ACTIVITY_KINDS",
    "COMPANY_FRAME_COLUMNS",
    "COMPANY_PREFIX",
    "DEAL_COLUMNS",
    "DEFAULT_LIFECYCLE_ORDER",
    "DEFAULT_MODEL",
    "FRAME_COLUMNS",
    "GRADES",
    "NUMERIC_COLUMNS",
    "TIERS",
    "WRITTEN_COLUMNS",
    "BacktestResult",
    "CompaniesConfig",
    "CompanyScoreColumn",
    "CompanyScoreFrame",
    "ConfigError",
    "ConfigProblem",
    "Grade",
    "LeadFrame",
    "LeadModel",
    "Ledger",
    "LedgerEntry",
    "ModelMetadata",
    "ModelPrediction",
    "ModelProperties",
    "NotEnoughData",
    "Outcome",
    "PropertiesNeeded",
    "ScoreColumn",
    "ScoreFrame",
    "Scorer",
    "ScoringConfig",
    "binary_target",
    "column_source",
    "company_scores",
    "config_hash",
    "conversions",
    "empty_activities",
    "forward_stage",
    "forward_stages",
    "grades",
    "metadata_from_bytes",
    "model_hash",
    "outcome_from_lifecycle",
    "outcome_inputs",
    "parse_config",
    "parse_config_text",
    "properties_needed",
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
