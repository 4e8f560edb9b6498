"""Company and deal webhooks end to end: the sandbox delivers signed company/deal events to
the app, the drain rescores the account's contacts and records the deal."""

from __future__ import annotations

from collections.abc import Callable

from tests.web.conftest import WebEnv, wait_for

SUBSCRIPTIONS = ["company.propertyChange:numberofemployees", "deal.creation",
                 "company.deletion"]


def _stored_company_size(env: WebEnv, contact_id: int) -> str | None:
    state = env.store.contacts.get_many(env.hub_id, [contact_id]).get(contact_id)
    return None if state is None else state.inputs.properties.get("company.numberofemployees")


def test_company_and_deal_events_reach_the_accounts_contacts(
        web_env_factory: Callable[..., WebEnv]) -> None:
    env = web_env_factory(contacts_per_portal=0)
    env.control("PUT", "/webhooks/subscriptions", json={"subscriptions": SUBSCRIPTIONS})
    contact = env.add_leads([{"email": "cto@acme-rockets.example", "firstname": "Ada"}])[0]
    company = int(env.control("POST", f"/portals/{env.hub_id}/companies", json={"companies": [
        {"name": "Acme Rockets", "domain": "acme-rockets.example",
         "numberofemployees": "40", "industry": "COMPUTER_SOFTWARE"}]})["ids"][0])
    env.control("POST", f"/portals/{env.hub_id}/associations", json={
        "from_type": "contacts", "from_id": contact, "to_type": "companies",
        "to_id": company, "primary": True})
    env.services.sync.run_pass(env.hub_id)
    wait_for(lambda: _stored_company_size(env, contact) == "40", what="the company joined")

    # A user edits the company: its contact is rescored with the new size.
    env.control("PATCH", f"/portals/{env.hub_id}/companies/{company}",
                json={"numberofemployees": "750"})
    wait_for(lambda: _stored_company_size(env, contact) == "750", timeout_s=40,
             what="the company webhook to rescore its contact")

    # A new deal is recorded (the training outcome) and the contact rescored.
    deal = int(env.control("POST", f"/portals/{env.hub_id}/deals", json={
        "properties": {"dealname": "Rockets", "pipeline": "default",
                       "dealstage": "appointmentscheduled"},
        "contact_ids": [contact], "company_ids": [company]})["ids"][0])
    wait_for(lambda: [d.deal_id for d in env.store.deals.get_many(env.hub_id, [deal])] == [deal],
             timeout_s=40, what="the deal webhook to record the deal")
    recorded = env.store.deals.get_many(env.hub_id, [deal])[0]
    assert recorded.contact_ids == (contact,) and recorded.company_ids == (company,)

    # The company is deleted: it is forgotten and its contact loses it.
    token = env.sandbox.sandbox.static_tokens[env.hub_id]
    deleted = env.box.delete(f"/crm/v3/objects/companies/{company}",
                             headers={"Authorization": f"Bearer {token}"})
    assert deleted.status_code == 204
    wait_for(lambda: env.store.companies.get_many(env.hub_id, [company]) == {}, timeout_s=40,
             what="the deletion webhook to forget the company")
    wait_for(lambda: _stored_company_size(env, contact) is None, timeout_s=40,
             what="the contact to lose its company")
