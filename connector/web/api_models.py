"""Request and response models of the scoring API (`/api/v1`), and their `LeadFrame` form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from connector.scoring.leads import LeadFrame, empty_activities
from connector.scoring.properties import DEFAULT_MODEL

MAX_LEADS = 1000

Scalar = str | int | float | bool | None


def _scalar(value: Any) -> Scalar:
    # One clear message instead of one per member of the union.
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ValueError(f"expected a string, number, boolean or null, got {type(value).__name__}")


PropertyValue = Annotated[Scalar, PlainValidator(_scalar, json_schema_input_type=Scalar)]
ActivityKind = Literal["call", "email", "meeting", "note", "task"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EngagementIn(_Strict):
    """One activity of the lead (what HubSpot keeps as a call, email, meeting, note or task)."""

    kind: ActivityKind
    timestamp: datetime = Field(description="When it happened: ISO 8601 or epoch milliseconds.")
    outcome: str | None = Field(
        None, description="Call status, meeting outcome or task status, e.g. COMPLETED."
    )
    direction: str | None = Field(
        None, description="Email or call direction, e.g. INCOMING_EMAIL."
    )


class LeadIn(_Strict):
    """A lead as HubSpot contact properties (internal names) plus optional activities."""

    id: str | None = Field(
        None, max_length=200, description="Your reference, echoed back; default: its position."
    )
    properties: dict[str, PropertyValue] = Field(
        description="Contact properties by HubSpot internal name, e.g. jobtitle, "
        "num_conversion_events, hs_analytics_num_page_views.",
        max_length=2000,
    )
    engagements: list[EngagementIn] = Field(default_factory=list, max_length=5000)


class ScoreRequest(_Strict):
    """One lead (`lead`) or a batch of up to 1,000 (`leads`), scored with one scoring model."""

    model: str = Field(DEFAULT_MODEL, description="The scoring model's name in the configuration.")
    lead: LeadIn | None = None
    leads: list[LeadIn] | None = Field(None, min_length=1, max_length=MAX_LEADS)

    @model_validator(mode="after")
    def _one_or_batch(self) -> ScoreRequest:
        if (self.lead is None) == (self.leads is None):
            raise ValueError("give either 'lead' (one lead) or 'leads' (a list of 1 to 1000)")
        ids = [lead.id for lead in self.items() if lead.id is not None]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"lead ids must be unique within a request: {duplicates[:5]}")
        return self

    def items(self) -> list[LeadIn]:
        """The leads to score, in order."""
        return [self.lead] if self.lead is not None else list(self.leads or [])

    def ids(self) -> list[str]:
        """Each lead's id: the one given, else its position."""
        return [lead.id if lead.id is not None else str(i) for i, lead in enumerate(self.items())]


class LeadScore(BaseModel):
    """The scores of one lead, as they would be written to HubSpot."""

    id: str
    score: float = Field(description="Combined score, 0-100.")
    fit: float = Field(description="Profile criteria, 0-100.")
    engagement: float = Field(description="Behaviour criteria with decay, 0-100.")
    likelihood: float | None = Field(
        description="Predicted probability to convert (%), when a trained model is active."
    )
    tier: Literal["hot", "warm", "cold", "disqualified"]
    reasons: list[str] = Field(description="Top signed reasons, strongest first.")
    version: str = Field(description="Configuration hash and model version that scored it.")


class ScoreResponse(BaseModel):
    """Scores in the order of the request."""

    model: str
    version: str
    scored_at: datetime
    results: list[LeadScore]


class StoredScore(BaseModel):
    """The score last computed for a synced contact, and whether HubSpot has it."""

    portal_id: int
    contact_id: int
    model: str
    score: float | None
    fit: float | None
    engagement: float | None
    likelihood: float | None
    tier: str | None
    reasons: list[str]
    version: str | None
    scored_at: datetime | None
    written_to_hubspot: bool


def _text(value: PropertyValue) -> str | None:
    # HubSpot sends every property value as a string; scoring criteria parse what they need.
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def lead_frame(request: ScoreRequest) -> LeadFrame:
    """The request's leads as a `LeadFrame` indexed by their ids."""
    leads = request.items()
    ids = request.ids()
    names = sorted({name for lead in leads for name in lead.properties})
    index = pd.Index(ids, dtype="object", name="id")
    table = pd.DataFrame(
        {
            name: pd.Series([_text(lead.properties.get(name)) for lead in leads], index=index,
                            dtype="object")
            for name in names
        },
        index=index,
    )
    rows = [
        (lead_id, e.kind, _utc(e.timestamp), _lower(e.outcome), e.direction)
        for lead_id, lead in zip(ids, leads, strict=True)
        for e in lead.engagements
    ]
    if not rows:
        return LeadFrame.from_table(table)
    activities = pd.DataFrame(rows, columns=list(empty_activities().columns))
    activities["timestamp"] = pd.to_datetime(activities["timestamp"], utc=True)
    return LeadFrame.from_table(table, activities)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _lower(value: str | None) -> str | None:
    # LeadFrame keeps outcomes lower-cased (ACTIVITY_COLUMNS).
    return value.lower() if value is not None else None
