"""Error mapping: statuses and bodies to typed errors, SDK exceptions of every sub-package."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
import urllib3
import urllib3.exceptions
from hubspot.crm.associations.v4.exceptions import ApiException as AssocApiException
from hubspot.crm.contacts.exceptions import ApiException as ContactsApiException
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException

from connector.errors import LeadscoreError
from connector.hubspot.errors import (
    Conflict,
    DailyLimitReached,
    Forbidden,
    HubSpotError,
    MissingScopes,
    NotFound,
    RateLimited,
    TransientError,
    Unauthorized,
    ValidationFailed,
    error_from_response,
    scrub,
    translate,
)

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)


def body(**fields: object) -> bytes:
    return json.dumps({"status": "error", "correlationId": "c-1", **fields}).encode()


def test_ten_secondly_429_waits_for_the_interval() -> None:
    err = error_from_response(
        429,
        body(message="You have reached your ten_secondly_rolling limit.", errorType="RATE_LIMIT",
             policyName="TEN_SECONDLY_ROLLING"),
        {"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"},
    )
    assert isinstance(err, RateLimited)
    assert err.policy == "TEN_SECONDLY_ROLLING"
    assert err.retry_after_s == 10.0
    assert err.correlation_id == "c-1"


def test_secondly_429_waits_a_second() -> None:
    err = error_from_response(429, body(message="You have reached your secondly limit.",
                                        policyName="SECONDLY"), {})
    assert isinstance(err, RateLimited)
    assert err.retry_after_s == 1.0


def test_retry_after_header_wins() -> None:
    err = error_from_response(429, body(policyName="TEN_SECONDLY_ROLLING"), {"Retry-After": "3"})
    assert isinstance(err, RateLimited)
    assert err.retry_after_s == 3.0


def test_daily_429_is_daily_limit_with_midnight_reset() -> None:
    err = error_from_response(429, body(policyName="DAILY"), {}, now=NOW)
    assert isinstance(err, DailyLimitReached)
    assert err.reset_at == datetime(2026, 11, 23, tzinfo=UTC)


def test_daily_429_with_retry_after_resets_then() -> None:
    err = error_from_response(429, body(policyName="DAILY"), {"retry-after": "60"}, now=NOW)
    assert isinstance(err, DailyLimitReached)
    assert err.reset_at == datetime(2026, 11, 22, 15, 31, tzinfo=UTC)


def test_missing_scopes_names_them() -> None:
    err = error_from_response(403, body(
        category="MISSING_SCOPES", message="This app hasn't been granted all required scopes",
        errors=[{"message": "One or more of the following scopes are required.",
                 "context": {"requiredGranularScopes": ["crm.objects.contacts.write"]}}],
    ), {})
    assert isinstance(err, MissingScopes)
    assert err.scopes == ("crm.objects.contacts.write",)


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, Unauthorized), (403, Forbidden), (404, NotFound), (409, Conflict),
     (400, ValidationFailed), (422, ValidationFailed), (500, TransientError),
     (502, TransientError), (503, TransientError), (504, TransientError),
     (521, TransientError), (523, TransientError), (524, TransientError),
     (423, TransientError), (477, TransientError), (418, HubSpotError)],
)
def test_status_maps_to_type(status: int, kind: type[HubSpotError]) -> None:
    err = error_from_response(status, body(message="m"), {})
    assert type(err) is kind
    assert err.status == status
    assert isinstance(err, LeadscoreError)


def test_423_waits_at_least_two_seconds() -> None:
    err = error_from_response(423, b"", {})
    assert isinstance(err, TransientError)
    assert err.retry_after_s == 2.0


def test_validation_details_are_kept() -> None:
    err = error_from_response(400, body(
        category="VALIDATION_ERROR", message="Property values were not valid",
        errors=[{"message": "Property \"nope\" does not exist", "code": "PROPERTY_DOESNT_EXIST",
                 "context": {"propertyName": ["nope"]}}],
    ), {})
    assert isinstance(err, ValidationFailed)
    assert err.category == "VALIDATION_ERROR"
    assert err.details[0].code == "PROPERTY_DOESNT_EXIST"
    assert err.details[0].context == {"propertyName": ("nope",)}


def test_non_json_body_still_maps() -> None:
    err = error_from_response(502, b"<html>Bad gateway</html>", {})
    assert isinstance(err, TransientError)
    assert "502" in str(err)


def test_tokens_never_appear_in_messages() -> None:
    token = "CNPx" + "a" * 60
    err = error_from_response(401, body(message=f"token {token} expired; Bearer {token}"), {},
                              secrets=[token])
    assert token not in str(err)
    assert "pat-na1-" not in scrub("bad pat-na1-11111111-2222-3333-4444-555555555555 given")


class FakeResponse:
    def __init__(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.status = status
        self.reason = "r"
        self.data = data
        self._headers = headers

    def getheaders(self) -> dict[str, str]:
        return self._headers


@pytest.mark.parametrize(
    "exc_type",
    [ContactsApiException, PropertiesApiException, AssocApiException, ObjectsApiException],
)
def test_every_sdk_sub_package_exception_is_translated(exc_type: type[Exception]) -> None:
    exc = exc_type(http_resp=FakeResponse(404, body(message="gone"), {}))  # type: ignore[call-arg]
    err = translate(exc)
    assert isinstance(err, NotFound)
    assert "gone" in str(err)


def test_sdk_status_zero_is_transient() -> None:
    assert isinstance(translate(ContactsApiException(status=0, reason="SSLError")), TransientError)


def test_network_errors_are_transient() -> None:
    request = httpx.Request("POST", "http://x")
    assert isinstance(translate(httpx.ReadTimeout("t", request=request)), TransientError)
    assert isinstance(translate(httpx.ConnectError("c", request=request)), TransientError)
    assert isinstance(translate(urllib3.exceptions.ProtocolError("dropped")), TransientError)
    pool = urllib3.HTTPConnectionPool("127.0.0.1")
    assert isinstance(translate(urllib3.exceptions.ReadTimeoutError(pool, "/", "t")),
                      TransientError)


def test_unrelated_exceptions_are_not_translated() -> None:
    assert translate(KeyError("x")) is None
