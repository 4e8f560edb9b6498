"""Webhook signatures: HubSpot's SDK test vector, the SDK's own implementation, URI decoding."""

from __future__ import annotations

import pytest
from hubspot.utils.signature import Signature

from connector.hubspot.signatures import (
    InvalidSignature,
    compute_v1,
    compute_v2,
    compute_v3,
    decode_uri,
    verify_request,
    verify_v3,
)

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
BODY = b"{'example_field':'example_value'}"
URI = "https://www.example.com/webhook_uri"
TS = "1693657560000"
EXPECTED_V3 = "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="


def test_sdk_test_vector() -> None:
    assert compute_v3(SECRET, "POST", URI, BODY, TS) == EXPECTED_V3


def test_agrees_with_the_sdk_for_every_version() -> None:
    uri = "https://hooks.example.com/webhooks/hubspot?portal=7"
    body = b'[{"objectId":1}]'
    assert compute_v3(SECRET, "POST", uri, body, TS) == Signature.get_signature(
        SECRET, body.decode(), "v3", uri, "POST", TS)
    assert compute_v2(SECRET, "POST", uri, body) == Signature.get_signature(
        SECRET, body.decode(), "v2", uri, "POST")
    assert compute_v1(SECRET, body) == Signature.get_signature(SECRET, body.decode(), "v1")


def test_verify_v3_accepts_fresh_valid_signature() -> None:
    verify_v3(SECRET, method="POST", uri=URI, body=BODY, signature=EXPECTED_V3, timestamp=TS,
              now_ms=int(TS) + 60_000)


def test_verify_v3_rejects_old_timestamp() -> None:
    with pytest.raises(InvalidSignature, match="5 minutes"):
        verify_v3(SECRET, method="POST", uri=URI, body=BODY, signature=EXPECTED_V3,
                  timestamp=TS, now_ms=int(TS) + 301_000)


def test_verify_v3_rejects_tampered_body() -> None:
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_v3(SECRET, method="POST", uri=URI, body=BODY + b" ", signature=EXPECTED_V3,
                  timestamp=TS, now_ms=int(TS))


def test_verify_v3_rejects_missing_headers() -> None:
    with pytest.raises(InvalidSignature, match="lacks"):
        verify_v3(SECRET, method="POST", uri=URI, body=BODY, signature=None, timestamp=TS)


def test_uri_escapes_are_decoded_before_signing() -> None:
    encoded = "https://h.example.com/webhooks%2Fhubspot?next=%3A%40%21%24%27%28%29%2a%2C%3B%3F"
    assert decode_uri(encoded) == "https://h.example.com/webhooks/hubspot?next=:@!$'()*,;?"
    # %20 is not in HubSpot's list and stays encoded.
    assert decode_uri("https://h/a%20b") == "https://h/a%20b"
    signed = compute_v3(SECRET, "POST", decode_uri(encoded), BODY, TS)
    verify_v3(SECRET, method="POST", uri=encoded, body=BODY, signature=signed, timestamp=TS,
              now_ms=int(TS))


def test_verify_request_picks_the_version() -> None:
    assert verify_request(SECRET, method="POST", uri=URI, body=BODY, now_ms=int(TS), headers={
        "x-hubspot-signature-v3": EXPECTED_V3, "x-hubspot-request-timestamp": TS}) == "v3"
    assert verify_request(SECRET, method="POST", uri=URI, body=BODY, headers={
        "X-HubSpot-Signature": compute_v1(SECRET, BODY)}) == "v1"
    assert verify_request(SECRET, method="POST", uri=URI, body=BODY, headers={
        "X-HubSpot-Signature": compute_v2(SECRET, "POST", URI, BODY),
        "X-HubSpot-Signature-Version": "v2"}) == "v2"
    with pytest.raises(InvalidSignature):
        verify_request(SECRET, method="POST", uri=URI, body=BODY, headers={})
