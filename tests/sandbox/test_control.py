"""`/_sandbox/*` control endpoints: leads, engagements, time, reset, counters, truth, export."""

from __future__ import annotations

from connector.sandbox.server import SandboxServer
from tests.sandbox.conftest import HUB, http_client, sdk_client


def test_explicit_and_generated_leads_appear_in_the_crm(small: SandboxServer) -> None:
    with http_client(small) as http:
        explicit = http.post(
            f"/_sandbox/portals/{HUB}/leads",
            json={"leads": [{"email": "new.lead@example.org", "hs_analytics_num_visits": "4"}]},
        )
        generated = http.post(f"/_sandbox/portals/{HUB}/leads", json={"count": 25, "seed": 7})
        bad = http.post(f"/_sandbox/portals/{HUB}/leads", json={"leads": [{"not_a_property": "x"}]})
        truth = http.get(f"/_sandbox/portals/{HUB}/truth").json()["results"]
    assert explicit.status_code == 201 and generated.status_code == 201
    assert bad.status_code == 400 and "PROPERTY_DOESNT_EXIST" in bad.json()["message"]
    new_id = explicit.json()["ids"][0]
    got = sdk_client(small).crm.contacts.basic_api.get_by_id(
        new_id, properties=["email", "hs_analytics_num_visits"]
    )
    assert got.properties == {"email": "new.lead@example.org", "hs_analytics_num_visits": "4"}
    generated_ids = set(generated.json()["ids"])
    assert len(generated_ids) == 25
    assert generated_ids <= {row["contact_id"] for row in truth}
    assert {"converted", "conversion_probability"} <= set(truth[0])


def test_engagement_time_advance_reset_and_counters(small: SandboxServer) -> None:
    contact = small.sandbox.portals[HUB].contacts.store.ids[0]
    with http_client(small) as http:
        before = http.get("/_sandbox/time").json()["now_ms"]
        advanced = http.post("/_sandbox/time/advance", json={"seconds": 86_400}).json()["now_ms"]
        added = http.post(
            f"/_sandbox/portals/{HUB}/engagements",
            json={
                "type": "meetings",
                "contact_id": contact,
                "properties": {"hs_meeting_outcome": "COMPLETED"},
            },
        )
        meeting_id = added.json()["ids"][0]
        meeting = http.get(
            f"/crm/v3/objects/meetings/{meeting_id}", params={"properties": "hs_meeting_outcome"}
        )
        http.patch(f"/crm/v3/objects/contacts/{contact}", json={"properties": {"firstname": "Zed"}})
        counters = http.get(f"/_sandbox/portals/{HUB}/counters").json()
        reset = http.post(f"/_sandbox/portals/{HUB}/reset")
        after_reset = http.get(
            f"/crm/v3/objects/contacts/{contact}", params={"properties": "firstname"}
        )
        meeting_after = http.get(f"/crm/v3/objects/meetings/{meeting_id}")
    assert advanced - before >= 86_400_000
    assert (
        added.status_code == 201
        and meeting.json()["properties"]["hs_meeting_outcome"] == "COMPLETED"
    )
    assert counters["requests"]["PATCH /crm/v3/objects/{object_type}/{object_id}"] == {"200": 1}
    assert counters["requests"]["GET /crm/v3/objects/{object_type}/{object_id}"] == {"200": 1}
    assert reset.status_code == 200
    assert after_reset.json()["properties"]["firstname"] != "Zed"
    assert meeting_after.status_code == 404


def test_export_lists_every_contact_as_json_and_csv(small: SandboxServer) -> None:
    with http_client(small) as http:
        exported = http.get(f"/_sandbox/portals/{HUB}/export").json()["results"]
        as_csv = http.get(f"/_sandbox/portals/{HUB}/export", params={"format": "csv"})
        portals = http.get("/_sandbox/portals").json()["results"]
    assert len(exported) == 200 == portals[0]["contacts"]
    assert as_csv.text.splitlines()[0].startswith("id,")
    assert len(as_csv.text.splitlines()) == 201
    assert portals[0]["static_token"] == small.sandbox.static_tokens[HUB]


def test_several_portals_keep_separate_data(small: SandboxServer) -> None:
    from tests.sandbox.conftest import start_sandbox

    server = start_sandbox(contacts_per_portal=20, portals=2)
    try:
        a, b = server.sandbox.static_tokens
        api_a, api_b = sdk_client(server, a), sdk_client(server, b)
        created = api_a.crm.contacts.basic_api.create(
            {"properties": {"email": "only.a@example.org"}}
        )
        seen_a = api_a.crm.contacts.basic_api.get_page(limit=100)
        seen_b = api_b.crm.contacts.basic_api.get_page(limit=100)
    finally:
        server.stop()
    assert created.id in {r.id for r in seen_a.results}
    assert created.id not in {r.id for r in seen_b.results}


def test_control_creates_companies_deals_and_associations(small: SandboxServer) -> None:
    contact = small.sandbox.portals[HUB].contacts.store.ids[0]
    with http_client(small) as http:
        before = http.get("/_sandbox/portals").json()["results"][0]
        companies = http.post(
            f"/_sandbox/portals/{HUB}/companies",
            json={"companies": [{"name": "Initech", "domain": "initech.example",
                                 "num_associated_contacts": "0"}]},
        )  # fmt: skip
        company = companies.json()["ids"][0]
        linked = http.post(
            f"/_sandbox/portals/{HUB}/associations",
            json={"from_type": "contact", "from_id": contact, "to_type": "0-2",
                  "to_id": int(company), "primary": True},
        )  # fmt: skip
        deals = http.post(
            f"/_sandbox/portals/{HUB}/deals",
            json={"properties": {"dealname": "Initech", "dealstage": "contractsent",
                                 "amount": "12000"},
                  "contact_ids": [contact], "company_ids": [int(company)]},
        )  # fmt: skip
        bad_pair = http.post(
            f"/_sandbox/portals/{HUB}/associations",
            json={"from_type": "companies", "from_id": int(company), "to_type": "calls",
                  "to_id": 1},
        )  # fmt: skip
        moved = http.patch(
            f"/_sandbox/portals/{HUB}/deals/{deals.json()['ids'][0]}",
            json={"dealstage": "closedlost"},
        )
        exported = http.get(f"/_sandbox/portals/{HUB}/export", params={"object": "companies"})
        deals_csv = http.get(
            f"/_sandbox/portals/{HUB}/export", params={"object": "deals", "format": "csv"}
        )
        after = http.get("/_sandbox/portals").json()["results"][0]
    assert companies.status_code == 201 and linked.status_code == 201
    assert deals.status_code == 201 and bad_pair.status_code == 400
    assert moved.json()["properties"]["hs_is_closed_lost"] == "true"
    rows = {r["id"]: r["properties"] for r in exported.json()["results"]}
    assert rows[company]["num_associated_contacts"] == "1"
    assert rows[company]["num_associated_deals"] == "1"
    assert "dealstage" in deals_csv.text.splitlines()[0]
    assert after["companies"] == before["companies"] + 1
    assert after["deals"] == before["deals"] + 1
    portal = small.sandbox.portals[HUB]
    assert portal.links.targets("contacts", contact, "companies")[int(company)] == {1, 279}


def test_generated_leads_join_existing_companies_by_domain(small: SandboxServer) -> None:
    portal = small.sandbox.portals[HUB]
    with http_client(small) as http:
        before = len(portal.companies.store)
        added = http.post(f"/_sandbox/portals/{HUB}/leads", json={"count": 80, "seed": 3})
        grown = len(portal.companies.store)
        # The same seed draws the same employers again: all of them are known by now.
        again = http.post(f"/_sandbox/portals/{HUB}/leads", json={"count": 80, "seed": 3})
    assert again.status_code == 201 and len(portal.companies.store) == grown
    ids = [int(i) for i in added.json()["ids"]]
    with_company = [c for c in ids if portal.links.ids("contacts", c, "companies")]
    assert with_company and len(portal.companies.store) > before
    for contact_id in with_company:
        [company] = portal.links.ids("contacts", contact_id, "companies")
        email = portal.contacts.store.records[contact_id].properties["email"]
        domain = portal.companies.store.records[company].properties["domain"]
        assert email.split("@")[1] == domain
    domains = [r.properties.get("domain") for r in portal.companies.store.records.values()]
    assert len(domains) == len(set(domains))  # known domains were joined, not duplicated
