"""Unit tests of the webhook dispatcher's pure pieces: signatures, URIs, schedule, batching."""

from __future__ import annotations

import itertools
import time

from hubspot.utils.signature import Signature

from connector.sandbox.webhooks import (
    MAX_ATTEMPTS,
    MAX_EVENTS_PER_REQUEST,
    batches,
    retry_delay_s,
    sign_v1,
    sign_v3,
    signature_uri,
)

# HubSpot's documented test vector (HUBSPOT.md, "Signature v3").
SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
BODY = "{'example_field':'example_value'}"
URI = "https://www.example.com/webhook_uri"
TIMESTAMP = 1693657560000
EXPECTED_V3 = "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="


def test_sign_v3_matches_hubspot_test_vector() -> None:
    assert sign_v3(SECRET, "POST", URI, BODY, TIMESTAMP) == EXPECTED_V3


def test_sign_v3_agrees_with_the_sdk_validator() -> None:
    now = int(time.time() * 1000)
    signature = sign_v3(SECRET, "POST", URI, BODY, now)
    assert Signature.is_valid(
        signature=signature,
        client_secret=SECRET,
        request_body=BODY,
        http_uri=URI,
        http_method="POST",
        signature_version="v3",
        timestamp=str(now),
    )
    assert not Signature.is_valid(
        signature=signature,
        client_secret="another-secret",
        request_body=BODY,
        http_uri=URI,
        signature_version="v3",
        timestamp=str(now),
    )


def test_sign_v1_agrees_with_the_sdk() -> None:
    assert sign_v1(SECRET, BODY) == Signature.get_signature(SECRET, BODY, "v1")


def test_signature_uri_decodes_hubspots_listed_escapes_only() -> None:
    url = "https://h.test/hook%3Fa?x=%2Fp%40q%21%24%27%28%29%2A%2C%3B%3a&y=%20"
    assert signature_uri(url) == "https://h.test/hook?a?x=/p@q!$'()*,;:&y=%20"


def test_retry_delays_grow_from_the_base() -> None:
    delays = [retry_delay_s(attempt, 0.5) for attempt in range(1, MAX_ATTEMPTS)]
    assert delays[0] == 0.5
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))


def test_batches_cap_at_100_and_keep_order() -> None:
    chunks = batches(list(range(250)))
    assert [len(c) for c in chunks] == [MAX_EVENTS_PER_REQUEST, MAX_EVENTS_PER_REQUEST, 50]
    assert [x for chunk in chunks for x in chunk] == list(range(250))
    assert batches([]) == []
