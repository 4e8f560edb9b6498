"""`POST /webhooks/hubspot` over real HTTP: signatures, parsing, the inbox and its drain."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from connector.scoring.properties import property_names
from connector.store import Tokens
from tests.web.conftest import WebEnv, sign_v2, sign_v3, wait_for, webhook_event

SCORE = property_names("default").score
TIER = property_names("default").tier

HOT_LEAD = {"email": "cmo@bigcorp.com", "firstname": "Dana", "jobtitle": "Chief Marketing Officer",
            "numemployees": "1000+", "num_conversion_events": "3",
            "recent_conversion_event_name": "Demo request"}


def _settled(env: WebEnv) -> bool:
    counts = env.store.inbox.counts()
    return counts.get("pending", 0) + counts.get("processing", 0) == 0 and sum(counts.values()) > 0


def test_new_leads_are_scored_and_written_back(web_env: WebEnv) -> None:
    ids = web_env.add_leads([HOT_LEAD, {"email": "x@gmail.com", "firstname": "Sam"}])
    wait_for(lambda: all(web_env.contact(c).get(SCORE) for c in ids), what="written scores")
    for contact_id in ids:
        props = web_env.contact(contact_id)
        assert 0 <= float(props[SCORE]) <= 100
        assert props[TIER] in {"hot", "warm", "cold", "disqualified"}
    events = web_env.store.inbox.recent(status="processed")
    assert {e.object_id for e in events if e.subscription_type == "contact.creation"} == set(ids)


def test_duplicate_deliveries_are_stored_once(web_env_factory: Callable[..., WebEnv]) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    events = [webhook_event(env.hub_id, 101), webhook_event(env.hub_id, 102)]
    first = env.post_webhook(events)
    assert first.status_code == 200
    assert first.json() == {"received": 2, "new": 2}
    # HubSpot's retry of the same batch (a new attempt number, same identity).
    retried = [{**e, "attemptNumber": 1} for e in events]
    second = env.post_webhook(retried)
    assert second.status_code == 200
    assert second.json() == {"received": 2, "new": 0}
    assert env.store.inbox.counts() == {"pending": 2}


def test_replayed_old_delivery_is_refused(web_env_factory: Callable[..., WebEnv]) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    body = json.dumps([webhook_event(env.hub_id, 5)]).encode()
    six_minutes_ago = int(time.time() * 1000) - 6 * 60 * 1000
    response = env.post_webhook(body, sign_v3(env.secret, env.settings.webhook_url, body,
                                              six_minutes_ago))
    assert response.status_code == 401
    assert "5 minutes" in response.json()["message"]
    assert env.store.inbox.counts() == {}


@pytest.mark.parametrize("case", ["wrong_secret", "missing", "tampered_body"])
def test_bad_signatures_are_refused_and_nothing_is_stored(
    web_env_factory: Callable[..., WebEnv], case: str,
) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    body = json.dumps([webhook_event(env.hub_id, 7)]).encode()
    headers = sign_v3(env.secret, env.settings.webhook_url, body)
    if case == "wrong_secret":
        headers = sign_v3("not-the-secret", env.settings.webhook_url, body)
    elif case == "missing":
        headers = {"Content-Type": "application/json"}
    elif case == "tampered_body":
        body = body.replace(b'"objectId": 7', b'"objectId": 8')
    response = env.post_webhook(body, headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"
    assert env.store.inbox.counts() == {}


def test_signature_is_checked_against_the_configured_public_url(
    web_env_factory: Callable[..., WebEnv],
) -> None:
    # Behind a proxy: HubSpot signs the public URL, the app sees another host.
    env = web_env_factory(connect=False, drain=False, deliver=False,
                          public_url="https://leads.example.com/proxy")
    body = json.dumps([webhook_event(env.hub_id, 9)]).encode()
    as_seen_by_app = sign_v3(env.secret, f"{env.url}/webhooks/hubspot", body)
    assert env.post_webhook(body, as_seen_by_app).status_code == 401
    public = sign_v3(env.secret, "https://leads.example.com/proxy/webhooks/hubspot", body)
    assert env.post_webhook(body, public).status_code == 200
    assert env.store.inbox.counts() == {"pending": 1}


def test_legacy_v1_and_v2_signatures_are_accepted(web_env_factory: Callable[..., WebEnv]) -> None:
    import hashlib

    env = web_env_factory(connect=False, drain=False, deliver=False)
    body_v2 = json.dumps([webhook_event(env.hub_id, 11)]).encode()
    v2 = env.post_webhook(body_v2, sign_v2(env.secret, env.settings.webhook_url, body_v2))
    assert v2.status_code == 200
    body_v1 = json.dumps([webhook_event(env.hub_id, 12)]).encode()
    v1_headers = {"X-HubSpot-Signature": hashlib.sha256(env.secret.encode() + body_v1).hexdigest(),
                  "X-HubSpot-Signature-Version": "v1"}
    assert env.post_webhook(body_v1, v1_headers).status_code == 200
    assert env.store.inbox.counts() == {"pending": 2}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b'{"eventId": 1}', "must be a JSON array"),
        (json.dumps([{"eventId": 1, "subscriptionId": 2, "portalId": 3, "occurredAt": 4,
                      "subscriptionType": "contact.creation"}]).encode(),
         "event 0, field 'objectId': missing"),
        (json.dumps([{"eventId": "x", "subscriptionId": 2, "portalId": 3, "occurredAt": 4,
                      "subscriptionType": "contact.creation", "objectId": 5}]).encode(),
         "event 0, field 'eventId'"),
        (json.dumps([{}] * 101).encode(), "at most 100"),
    ],
)
def test_malformed_bodies_get_400_with_the_reason(
    web_env_factory: Callable[..., WebEnv], body: bytes, reason: str,
) -> None:
    env = web_env_factory(connect=False, drain=False, deliver=False)
    response = env.post_webhook(body)
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_webhook"
    assert reason in response.json()["message"]
    assert env.store.inbox.counts() == {}


def test_events_needing_no_work_are_skipped_with_the_reason(web_env: WebEnv) -> None:
    hub = web_env.hub_id
    contact_id = web_env.add_leads([{"email": "echo@acme.com"}])[0]
    wait_for(lambda: _settled(web_env), what="the creation to be processed")
    events = [
        webhook_event(hub, contact_id, "contact.propertyChange",
                      propertyName=SCORE, propertyValue="55"),
        webhook_event(hub, contact_id, "contact.propertyChange",
                      propertyName="hs_language", propertyValue="de"),
        webhook_event(hub, contact_id, "contact.fax"),
        webhook_event(9_999_999, 1, "contact.creation"),
    ]
    assert web_env.post_webhook(events).status_code == 200
    wait_for(lambda: _settled(web_env), timeout_s=40, what="the events to be settled")
    skipped = {e.event_id: e.error for e in web_env.store.inbox.recent(status="skipped")}
    assert skipped[events[0]["eventId"]] == f"echo of the connector's own write to {SCORE}"
    assert skipped[events[1]["eventId"]] == "contact property hs_language does not feed scoring"
    assert skipped[events[2]["eventId"]] == "unhandled event type contact.fax"
    assert skipped[events[3]["eventId"]] == "portal 9999999 is not connected to this connector"
    health = web_env.http.get("/healthz").json()
    assert health["unconnected_portal_events"] == {"9999999": 1}


def test_property_change_that_feeds_scoring_rescores(web_env: WebEnv) -> None:
    contact_id = web_env.add_leads([{"email": "p@acme.com", "jobtitle": "Intern"}])[0]
    before = wait_for(lambda: web_env.contact(contact_id).get(SCORE), what="a first score")
    web_env.control("PATCH", f"/portals/{web_env.hub_id}/contacts/{contact_id}",
                    json={"jobtitle": "Chief Executive Officer", "numemployees": "1000+"})
    event = webhook_event(web_env.hub_id, contact_id, "contact.propertyChange",
                          propertyName="jobtitle", propertyValue="Chief Executive Officer")
    assert web_env.post_webhook([event]).status_code == 200
    wait_for(lambda: any(e.event_id == event["eventId"]
                         for e in web_env.store.inbox.recent(status="processed")),
             what="the change to be processed")
    assert float(web_env.contact(contact_id)[SCORE]) > float(before)


def test_deletion_forgets_the_contact(web_env: WebEnv) -> None:
    contact_id = web_env.add_leads([{"email": "gone@acme.com"}])[0]
    wait_for(lambda: web_env.services.sync.score_stored(web_env.hub_id, contact_id),
             what="stored state")
    event = webhook_event(web_env.hub_id, contact_id, "contact.privacyDeletion")
    assert web_env.post_webhook([event]).status_code == 200
    wait_for(lambda: web_env.services.sync.score_stored(web_env.hub_id, contact_id) is None,
             what="the contact to be forgotten")


def test_events_of_a_portal_needing_reconnection_are_kept(web_env: WebEnv) -> None:
    web_env.store.portals.set_status(web_env.hub_id, "needs_reconnect",
                                     "HubSpot refused the grant (BAD_REFRESH_TOKEN)")
    event = webhook_event(web_env.hub_id, 77)
    assert web_env.post_webhook([event]).status_code == 200
    time.sleep(0.5)  # several drain rounds
    assert web_env.store.inbox.counts() == {"pending": 1}
    health = web_env.http.get("/healthz").json()
    assert health["status"] == "degraded"
    [portal] = health["portals"]
    assert portal["status"] == "needs_reconnect"
    assert "BAD_REFRESH_TOKEN" in portal["reason"]
    assert portal["inbox_backlog"] == 1
    # Reconnected: the kept event is processed (contact 77 does not exist: it is forgotten).
    token = web_env.sandbox.sandbox.tokens.add_static_token(web_env.hub_id)
    web_env.store.portals.connect(web_env.hub_id, kind="static",
                                  tokens=Tokens(access_token=token), tier="pro")
    wait_for(lambda: web_env.store.inbox.counts() == {"processed": 1},
             what="the kept event to be processed")


def test_sandbox_merge_forgets_the_merged_contact_and_rescores_the_survivor(
        web_env: WebEnv) -> None:
    survivor, merged = web_env.add_leads([{"email": "someone@acme.com"}, HOT_LEAD])
    sync = web_env.services.sync
    wait_for(lambda: sync.score_stored(web_env.hub_id, survivor) is not None
             and sync.score_stored(web_env.hub_id, merged) is not None, what="stored states")
    before = float(wait_for(lambda: web_env.contact(survivor).get(SCORE), what="a first score"))

    # A user merges the duplicate through HubSpot: the sandbox sends `contact.merge`.
    token = web_env.sandbox.sandbox.static_tokens[web_env.hub_id]
    response = web_env.box.post(
        "/crm/v3/objects/contacts/merge",
        json={"primaryObjectId": str(survivor), "objectIdToMerge": str(merged)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200

    wait_for(lambda: any(e.subscription_type == "contact.merge"
                         for e in web_env.store.inbox.recent(status="processed")),
             what="the merge to be processed")
    [merge] = [e for e in web_env.store.inbox.recent(status="processed")
               if e.subscription_type == "contact.merge"]
    assert merge.object_id == survivor and merge.raw["mergedObjectIds"] == [merged]
    assert sync.score_stored(web_env.hub_id, merged) is None
    # The survivor gained the hot lead's title and company size: rescored higher.
    assert float(web_env.contact(survivor)[SCORE]) > before
