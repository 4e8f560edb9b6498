"""Pipelines API for deals: `GET /crm/v3/pipelines/deals[/{pipelineId}[/stages]]`.

The sandbox serves HubSpot's default deal pipeline read-only (`pipelines.py`); other object
types' pipelines (tickets) are not part of the sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from connector.sandbox.access import authorized_portal, read_objects
from connector.sandbox.api_errors import HubSpotError
from connector.sandbox.object_types import DEALS, lookup_object_type
from connector.sandbox.pipelines import DEAL_PIPELINES, Pipeline, deal_pipeline
from connector.sandbox.wire import json_response

if TYPE_CHECKING:
    from connector.sandbox.core import Sandbox


def _check_deals(object_type: str) -> None:
    found = lookup_object_type(object_type)
    if found is None or found.name != DEALS:
        raise HubSpotError.validation(
            f"Pipelines of object type {object_type} are not served by this sandbox (deals only)."
        )


def _pipeline(pipeline_id: str) -> Pipeline:
    found = deal_pipeline(pipeline_id)
    if found is None:
        raise HubSpotError.not_found(f"Unable to find pipeline {pipeline_id}.")
    return found


def pipelines_router(sandbox: Sandbox) -> APIRouter:
    """Routes under a pipelines prefix (`/crm/v3/pipelines`)."""
    router = APIRouter()

    @router.get("/{object_type}")
    async def list_pipelines(object_type: str, request: Request) -> Response:
        authorized_portal(sandbox, request, read_objects(object_type))
        _check_deals(object_type)
        return json_response({"results": [p.to_json() for p in DEAL_PIPELINES]})

    @router.get("/{object_type}/{pipeline_id}")
    async def get_pipeline(object_type: str, pipeline_id: str, request: Request) -> Response:
        authorized_portal(sandbox, request, read_objects(object_type))
        _check_deals(object_type)
        return json_response(_pipeline(pipeline_id).to_json())

    @router.get("/{object_type}/{pipeline_id}/stages")
    async def list_stages(object_type: str, pipeline_id: str, request: Request) -> Response:
        authorized_portal(sandbox, request, read_objects(object_type))
        _check_deals(object_type)
        stages = _pipeline(pipeline_id).to_json()["stages"]
        return json_response({"results": stages})

    return router
