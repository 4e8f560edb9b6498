"""Small builders for rule-engine tests: configs from dicts, leads from rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from connector.scoring.config import ScoringConfig, parse_config
from connector.scoring.leads import LeadFrame, empty_activities

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> str:
    """An ISO timestamp `days` before NOW, as HubSpot writes datetimes."""
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def criterion(ident: str, kind: str = "fit", points: float = 10, **fields: Any) -> dict[str, Any]:
    """A criterion dict with sensible defaults (importance follows the sign of points)."""
    importance = "negative" if points < 0 else "important"
    return {
        "id": ident,
        "label": ident.replace("_", " ").title(),
        "kind": kind,
        "importance": importance,
        "points": points,
        **fields,
    }


def model(criteria: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A model dict; weights default to fit and engagement only when both kinds exist."""
    kinds = {c["kind"] for c in criteria if c.get("points", 1) > 0}
    weights = {
        "fit": 1 if "fit" in kinds else 0,
        "engagement": 1 if "engagement" in kinds else 0,
        "likelihood": 1,
    }
    return {"weights": weights, "criteria": criteria, **fields}


def config(models: dict[str, dict[str, Any]], **fields: Any) -> ScoringConfig:
    """Validate a config dict (raises ConfigError like a file would)."""
    return parse_config({"models": models, **fields}, "test.yaml")


def leads(rows: list[dict[str, Any]], activities: list[dict[str, Any]] | None = None) -> LeadFrame:
    """A LeadFrame with ids "1", "2", ... and every value as text (None stays missing)."""
    table = pd.DataFrame(
        [{k: (None if v is None else str(v)) for k, v in row.items()} for row in rows],
        index=[str(i) for i in range(1, len(rows) + 1)],
        dtype=object,
    )
    if activities:
        acts = pd.DataFrame(activities)
        acts["timestamp"] = pd.to_datetime(acts["timestamp"], utc=True)
        for column in ("outcome", "direction"):
            if column not in acts:
                acts[column] = None
        frame = acts[["contact_id", "kind", "timestamp", "outcome", "direction"]]
    else:
        frame = empty_activities()
    return LeadFrame.from_table(table, frame)
