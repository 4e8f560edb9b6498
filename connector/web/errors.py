"""The JSON error body every route of the app answers with (besides FastAPI's 422)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import JSONResponse
from pydantic import BaseModel


class ApiError(Exception):
    """Raised by routes and dependencies; the app turns it into an `ErrorBody` response."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers) if headers else None


class ErrorBody(BaseModel):
    """An error: a stable machine-readable code and a one-line explanation."""

    error: str
    message: str


def error_response(
    status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A JSON error response with `ErrorBody`'s shape."""
    return JSONResponse(
        ErrorBody(error=code, message=message).model_dump(), status_code=status,
        headers=dict(headers) if headers else None,
    )
