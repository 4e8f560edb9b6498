"""The scoring API (`/api/v1`): score lead payloads, read a synced contact's stored score.

Every route needs an API key (`leadscore apikey create`). Handlers are sync functions on
purpose: FastAPI runs them in its thread pool, so scoring a batch of 1,000 leads or reading
the database never blocks the event loop that answers webhooks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, Path, Query

from connector.errors import LeadscoreError
from connector.scoring.engine import ScoreFrame
from connector.scoring.properties import DEFAULT_MODEL, property_names
from connector.scoring.reasons import SEPARATOR
from connector.scoring.score_columns import NUMERIC_COLUMNS, ScoreColumn
from connector.web.api_models import (
    LeadScore,
    ScoreRequest,
    ScoreResponse,
    StoredScore,
    lead_frame,
)
from connector.web.deps import ServicesDep, require_api_key
from connector.web.errors import ApiError, ErrorBody

router = APIRouter(
    prefix="/api/v1",
    tags=["scoring"],
    dependencies=[Depends(require_api_key)],
    responses={401: {"model": ErrorBody, "description": "Missing, unknown or revoked API key"}},
)


def split_reasons(text: str | None) -> list[str]:
    """The reasons of the `leadscore_reasons` text, strongest first."""
    return [part for part in (text or "").split(SEPARATOR) if part]


def _results(frame: ScoreFrame) -> list[LeadScore]:
    table = frame.frame
    ids = [str(i) for i in table.index]
    score, fit, engagement, likelihood = (
        table[column].to_numpy(dtype=float) for column in NUMERIC_COLUMNS
    )
    tiers = table[ScoreColumn.TIER].astype(str).tolist()
    reasons = table[ScoreColumn.REASONS].astype(str).tolist()
    return [
        LeadScore(
            id=ids[k],
            score=float(score[k]),
            fit=float(fit[k]),
            engagement=float(engagement[k]),
            # No trained model (or no value from it): the likelihood is unknown, not 0.
            likelihood=None if np.isnan(likelihood[k]) else float(likelihood[k]),
            tier=tiers[k],
            reasons=split_reasons(reasons[k]),
            version=frame.version,
        )
        for k in range(len(ids))
    ]


@router.post(
    "/score",
    response_model=ScoreResponse,
    responses={404: {"model": ErrorBody, "description": "Unknown scoring model or portal"}},
    summary="Score one lead or a batch of up to 1,000",
)
def score_leads(
    request: ScoreRequest,
    services: ServicesDep,
    portal: Annotated[
        int | None,
        Query(description="Score with this connected portal's trained model (default: rules "
                          "plus any offline model)."),
    ] = None,
) -> ScoreResponse:
    """Score leads given as HubSpot contact properties (plus optional engagements).

    Results come back in request order with the values the connector would write to
    HubSpot: score, fit, engagement, likelihood, tier, reasons and version.
    """
    sync = services.sync
    if request.model not in sync.config.models:
        known = ", ".join(sorted(sync.config.models))
        raise ApiError(404, "unknown_model",
                       f"no scoring model {request.model!r} in the configuration; "
                       f"configured: {known}")
    if portal is not None and services.store.portals.get(portal) is None:
        raise ApiError(404, "unknown_portal", f"portal {portal} is not connected")
    now = datetime.now(UTC)
    try:
        scorer = sync.scorer_for(portal).scorer
    except LeadscoreError as exc:
        raise ApiError(503, "scorer_unavailable", str(exc)) from None
    frame = scorer.score_model(request.model, lead_frame(request), now)
    services.metrics.api_leads_scored.inc(len(frame.frame))
    return ScoreResponse(model=request.model, version=frame.version, scored_at=now,
                         results=_results(frame))


def _number(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@router.get(
    "/contacts/{contact_id}/score",
    response_model=StoredScore,
    responses={404: {"model": ErrorBody, "description": "Portal or contact not known"}},
    summary="The stored score of a synced contact",
)
def stored_score(
    contact_id: Annotated[int, Path(description="The HubSpot contact id (hs_object_id).")],
    services: ServicesDep,
    portal: Annotated[int, Query(description="The contact's HubSpot portal (hub id).")],
    model: Annotated[str, Query(description="The scoring model.")] = DEFAULT_MODEL,
) -> StoredScore:
    """The values the connector last computed for a contact, and whether HubSpot has them."""
    if model not in services.sync.config.models:
        raise ApiError(404, "unknown_model", f"no scoring model {model!r} in the configuration")
    if services.store.portals.get(portal) is None:
        raise ApiError(404, "unknown_portal", f"portal {portal} is not connected")
    stored = services.sync.score_stored(portal, contact_id)
    if stored is None:
        raise ApiError(404, "unknown_contact",
                       f"contact {contact_id} of portal {portal} has not been scored yet")
    # Values computed but not yet confirmed by HubSpot are the newest ones.
    values = stored.pending if stored.pending is not None else stored.values
    names = property_names(model)
    return StoredScore(
        portal_id=portal,
        contact_id=contact_id,
        model=model,
        score=_number(values.get(names.score)),
        fit=_number(values.get(names.fit)),
        engagement=_number(values.get(names.engagement)),
        likelihood=_number(values.get(names.likelihood)),
        tier=values.get(names.tier) or None,
        reasons=split_reasons(values.get(names.reasons)),
        version=values.get(names.version) or None,
        scored_at=stored.scored_at,
        written_to_hubspot=stored.write_status == "written" and stored.pending is None,
    )
