"""HubSpot's deal pipelines as a portal starts with them: the "Sales Pipeline" (`default`).

Plain data plus the rules HubSpot applies when a deal moves between stages. The router that
serves them is `crm_pipelines.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A fixed instant for "when HubSpot created the default pipeline", so responses are stable.
_CREATED_AT = "2019-08-06T02:43:01.320Z"
DEFAULT_PIPELINE = "default"
WRITE_PERMISSIONS = "CRM_PERMISSIONS_ENFORCEMENT"


@dataclass(frozen=True)
class Stage:
    """One deal stage: its id (what `dealstage` holds), label, win probability, closedness."""

    id: str
    label: str
    probability: float
    closed: bool = False

    @property
    def won(self) -> bool:
        """Closed and won (probability 1)."""
        return self.closed and self.probability >= 1.0

    @property
    def lost(self) -> bool:
        """Closed and lost (probability 0)."""
        return self.closed and self.probability <= 0.0

    def to_json(self, display_order: int) -> dict[str, Any]:
        """HubSpot's PipelineStage shape (metadata values are strings, as HubSpot sends)."""
        return {
            "id": self.id,
            "label": self.label,
            "displayOrder": display_order,
            "metadata": {
                "isClosed": str(self.closed).lower(),
                "probability": str(self.probability),
            },
            "createdAt": _CREATED_AT,
            "updatedAt": _CREATED_AT,
            "archived": False,
            "writePermissions": WRITE_PERMISSIONS,
        }


@dataclass(frozen=True)
class Pipeline:
    """A deal pipeline and its stages in display order."""

    id: str
    label: str
    display_order: int
    stages: tuple[Stage, ...]

    def stage(self, stage_id: str) -> Stage | None:
        """The stage with this id in this pipeline, if any."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def to_json(self) -> dict[str, Any]:
        """HubSpot's Pipeline shape."""
        return {
            "id": self.id,
            "label": self.label,
            "displayOrder": self.display_order,
            "stages": [s.to_json(i) for i, s in enumerate(self.stages)],
            "createdAt": _CREATED_AT,
            "updatedAt": _CREATED_AT,
            "archived": False,
        }


DEAL_PIPELINES: tuple[Pipeline, ...] = (
    Pipeline(
        DEFAULT_PIPELINE,
        "Sales Pipeline",
        0,
        (
            Stage("appointmentscheduled", "Appointment Scheduled", 0.2),
            Stage("qualifiedtobuy", "Qualified To Buy", 0.4),
            Stage("presentationscheduled", "Presentation Scheduled", 0.6),
            Stage("decisionmakerboughtin", "Decision Maker Bought-In", 0.8),
            Stage("contractsent", "Contract Sent", 0.9),
            Stage("closedwon", "Closed Won", 1.0, closed=True),
            Stage("closedlost", "Closed Lost", 0.0, closed=True),
        ),
    ),
)
OPEN_STAGES: tuple[str, ...] = tuple(s.id for s in DEAL_PIPELINES[0].stages if not s.closed)
"""The default pipeline's open stages in order (the generator walks deals through them)."""


def deal_pipeline(pipeline_id: str) -> Pipeline | None:
    """The deal pipeline with this id, if any."""
    return next((p for p in DEAL_PIPELINES if p.id == pipeline_id), None)


def stage_effects(stage: Stage, now_iso: str, closedate: str | None) -> dict[str, str]:
    """The calculated deal properties HubSpot sets when a deal enters `stage`: closedness,
    won/lost, probability and, on closing without a close date, the close date (now)."""
    effects = {
        "hs_is_closed": str(stage.closed).lower(),
        "hs_is_closed_won": str(stage.won).lower(),
        "hs_is_closed_lost": str(stage.lost).lower(),
        "hs_deal_stage_probability": str(stage.probability),
    }
    if stage.closed and not closedate:
        effects["closedate"] = now_iso
    return effects
