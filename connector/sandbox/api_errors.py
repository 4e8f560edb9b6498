"""HubSpot's error responses: the exception CRM code raises and the JSON it becomes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any


def correlation_id() -> str:
    """A fresh correlation id, as HubSpot puts on every error."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of an error body's `errors` list (HubSpot's ErrorDetail)."""

    message: str
    code: str | None = None
    context: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """HubSpot's ErrorDetail shape."""
        body: dict[str, Any] = {"message": self.message}
        if self.code is not None:
            body["code"] = self.code
        if self.context:
            body["context"] = self.context
        return body


@dataclass(frozen=True)
class PropertyValueError:
    """One invalid property value, as listed inside "Property values were not valid: [...]"."""

    name: str
    error: str  # HubSpot's code, e.g. PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_OPTION
    message: str

    def to_json(self) -> dict[str, Any]:
        """The element HubSpot serialises into the validation message."""
        return {
            "isValid": False,
            "message": self.message,
            "error": self.error,
            "name": self.name,
            "localizedErrorMessage": self.message,
        }


class HubSpotError(Exception):
    """A CRM request HubSpot would refuse: `status`, `category`, `message` and details."""

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        errors: tuple[ErrorDetail, ...] = (),
        context: dict[str, list[str]] | None = None,
        sub_category: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = errors
        self.context = context or {}
        self.sub_category = sub_category

    def body(self) -> dict[str, Any]:
        """HubSpot's error JSON (`status, message, correlationId, category, errors`)."""
        body: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": correlation_id(),
            "category": self.category,
        }
        if self.sub_category is not None:
            body["subCategory"] = self.sub_category
        if self.errors:
            body["errors"] = [e.to_json() for e in self.errors]
        if self.context:
            body["context"] = self.context
        return body

    @classmethod
    def validation(cls, message: str, *details: ErrorDetail) -> HubSpotError:
        """400 VALIDATION_ERROR."""
        return cls(400, "VALIDATION_ERROR", message, details)

    @classmethod
    def invalid_values(cls, problems: list[PropertyValueError]) -> HubSpotError:
        """400 "Property values were not valid: [...]" exactly as HubSpot words it."""
        listing = json.dumps([p.to_json() for p in problems], separators=(",", ":"))
        details = tuple(
            ErrorDetail(p.message, p.error, {"propertyName": [p.name]}) for p in problems
        )
        return cls(400, "VALIDATION_ERROR", f"Property values were not valid: {listing}", details)

    @classmethod
    def not_found(cls, message: str = "resource not found") -> HubSpotError:
        """404 OBJECT_NOT_FOUND."""
        return cls(404, "OBJECT_NOT_FOUND", message)

    @classmethod
    def conflict(cls, message: str) -> HubSpotError:
        """409 CONFLICT."""
        return cls(409, "CONFLICT", message)

    @classmethod
    def missing_scopes(cls, required: tuple[str, ...]) -> HubSpotError:
        """403 MISSING_SCOPES naming what the token lacks."""
        return cls(
            403,
            "MISSING_SCOPES",
            "This app hasn't been granted all required scopes to make this call. Read more "
            "about required scopes here: https://developers.hubspot.com/scopes.",
            (
                ErrorDetail(
                    f"One or more of the following scopes are required: {list(required)}",
                    None,
                    {"requiredGranularScopes": list(required)},
                ),
            ),
        )
