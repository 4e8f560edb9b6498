"""Companies and deals through the sync: company columns in contacts' inputs, the company
stream and its score written to companies, deals stored, account changes rescoring contacts.
Against the sandbox over HTTP through the real SDK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connector.scoring.properties import COMPANY_PROPERTIES
from connector.store import Store
from tests.sync.conftest import Box, connect_static, make_service


def export(box: Box, object_type: str) -> dict[str, dict[str, Any]]:
    rows = box.control("GET", f"/portals/{box.hub_id}/export?object={object_type}")["results"]
    return {r["id"]: r["properties"] for r in rows}


def stored_inputs(store: Store, hub: int, contact_id: str) -> dict[str, Any]:
    state = store.contacts.get_many(hub, [int(contact_id)])[int(contact_id)]
    return dict(state.inputs.properties)


def test_full_pass_joins_companies_scores_them_and_stores_deals(
        box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    report = make_service(box, store, tmp_path).run_pass(hub)
    assert report.completed, report.errors

    companies = export(box, "companies")
    deals = export(box, "deals")
    assert companies and deals  # the generated portal has both
    assert report.companies_read == len(companies)
    assert report.deals_read == len(deals)
    # Every company carries its account score, written once.
    assert report.companies_written == len(companies)
    for props in companies.values():
        assert props.get(COMPANY_PROPERTIES.tier) in {"hot", "warm", "cold", "disqualified"}
        assert float(props[COMPANY_PROPERTIES.score]) >= 0
    # Deals are stored with their contacts and companies.
    stored = {str(d.deal_id): d for d in store.deals.all(hub)}
    assert set(stored) == set(deals)
    assert any(d.contact_ids for d in stored.values())
    # A contact's inputs hold its primary company's firmographics.
    links = box.http.post(
        "/crm/v4/associations/contacts/companies/batch/read",
        headers={"Authorization": f"Bearer {box.static_token()}"},
        json={"inputs": [{"id": cid} for cid in list(box.contacts())[:100]]},
    ).json()["results"]
    checked = 0
    for link in links:
        primary = [t for t in link["to"]
                   if any(a["typeId"] == 1 for a in t["associationTypes"])]
        if not primary:
            continue
        company = companies[str(primary[0]["toObjectId"])]
        inputs = stored_inputs(store, hub, link["from"]["id"])
        assert inputs["company.industry"] == company.get("industry")
        assert inputs["company.numberofemployees"] == company.get("numberofemployees")
        checked += 1
    assert checked > 10


def test_a_second_pass_writes_no_company_again(box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    assert service.run_pass(hub).completed
    again = service.run_pass(hub)
    assert again.completed, again.errors
    assert again.companies_written == 0  # our own writes are echoes, nothing moved


def test_contacts_without_a_company_or_with_several(box_factory: Any, store: Store,
                                                    tmp_path: Path) -> None:
    box = box_factory(contacts_per_portal=0)
    hub = box.hub_id
    loner, member = box.control("POST", f"/portals/{hub}/leads", json={"leads": [
        {"email": "solo@gmail.com"}, {"email": "cfo@twoco.example"}]})["ids"]
    first, second = box.control("POST", f"/portals/{hub}/companies", json={"companies": [
        {"name": "Minor", "industry": "RETAIL", "numberofemployees": "8"},
        {"name": "Major", "industry": "COMPUTER_SOFTWARE", "numberofemployees": "900"}]})["ids"]
    box.control("POST", f"/portals/{hub}/associations", json=[
        {"from_type": "contacts", "from_id": int(member), "to_type": "companies",
         "to_id": int(first)},
        {"from_type": "contacts", "from_id": int(member), "to_type": "companies",
         "to_id": int(second), "primary": True}])
    connect_static(box, store)
    report = make_service(box, store, tmp_path).run_pass(hub)
    assert report.completed, report.errors
    assert stored_inputs(store, hub, loner)["company.industry"] is None
    # Of two companies the primary one is the contact's account.
    assert stored_inputs(store, hub, member)["company.industry"] == "COMPUTER_SOFTWARE"
    assert stored_inputs(store, hub, member)["company.numberofemployees"] == "900"


def test_a_changed_company_rescores_its_contacts(box: Box, store: Store,
                                                 tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    assert service.run_pass(hub).completed
    company_id, members = _company_with_contacts(box)
    box.control("PATCH", f"/portals/{hub}/companies/{company_id}",
                json={"industry": "HIGHER_EDUCATION"})
    report = service.run_pass(hub)
    assert report.completed, report.errors
    assert report.kind == "incremental"
    for contact_id in members:
        assert stored_inputs(store, hub, contact_id)["company.industry"] == "HIGHER_EDUCATION"


def test_company_and_deal_events_rescore_the_accounts_contacts(
        box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    assert service.run_pass(hub).completed
    company_id, members = _company_with_contacts(box)
    box.control("PATCH", f"/portals/{hub}/companies/{company_id}",
                json={"numberofemployees": "4321"})
    report = service.process_accounts(hub, [company_id], [])
    assert report.completed, report.errors
    assert report.contacts_read == len(members)
    for contact_id in members:
        assert stored_inputs(store, hub, contact_id)["company.numberofemployees"] == "4321"
    deal = box.control("POST", f"/portals/{hub}/deals", json={
        "properties": {"dealname": "New", "pipeline": "default",
                       "dealstage": "appointmentscheduled"},
        "contact_ids": [int(members[0])]})["ids"][0]
    assert service.process_accounts(hub, [], [deal]).contacts_read == 1


def test_a_company_with_5000_contacts(box_factory: Any, store: Store,
                                             tmp_path: Path) -> None:
    box = box_factory(contacts_per_portal=0)
    hub = box.hub_id
    leads = [{"email": f"p{i}@bigco.example"} for i in range(5000)]
    ids = box.control("POST", f"/portals/{hub}/leads", json={"leads": leads})["ids"]
    company = box.control("POST", f"/portals/{hub}/companies", json={"companies": [
        {"name": "BigCo", "industry": "COMPUTER_SOFTWARE", "numberofemployees": "5000"}]}
    )["ids"][0]
    box.control("POST", f"/portals/{hub}/associations", json=[
        {"from_type": "contacts", "from_id": int(i), "to_type": "companies",
         "to_id": int(company), "primary": True} for i in ids])
    connect_static(box, store)
    report = make_service(box, store, tmp_path).run_pass(hub)
    assert report.completed, report.errors
    assert all(stored_inputs(store, hub, i)["company.numberofemployees"] == "5000"
               for i in ids)
    written = export(box, "companies")[company]
    assert written[COMPANY_PROPERTIES.engaged_contacts] is not None


def _company_with_contacts(box: Box) -> tuple[str, list[str]]:
    """A company of the portal with at least one contact, and its contacts."""
    companies = list(export(box, "companies"))
    links = box.http.post(
        "/crm/v4/associations/companies/contacts/batch/read",
        headers={"Authorization": f"Bearer {box.static_token()}"},
        json={"inputs": [{"id": c} for c in companies]},
    ).json()["results"]
    for link in links:
        if link["to"]:
            return link["from"]["id"], [str(t["toObjectId"]) for t in link["to"]]
    raise AssertionError("no company has contacts")


def test_a_deleted_company_is_forgotten_and_its_contacts_lose_it(
        box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    assert service.run_pass(hub).completed
    company_id, members = _company_with_contacts(box)
    response = box.http.delete(f"/crm/v3/objects/companies/{company_id}",
                               headers={"Authorization": f"Bearer {box.static_token()}"})
    assert response.status_code == 204
    report = service.process_accounts(hub, [], [], gone_companies=[int(company_id)])
    assert report.completed, report.errors
    assert store.companies.get_many(hub, [int(company_id)]) == {}
    assert store.members.members_of(hub, [int(company_id)]) == {int(company_id): []}
    for contact_id in members:
        assert stored_inputs(store, hub, contact_id)["company.industry"] is None


def test_training_learns_the_deal_outcome(box: Box, store: Store, tmp_path: Path) -> None:
    from connector.sync.training import portal_learning

    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    assert service.run_pass(hub).completed
    learning = portal_learning(store, hub, service.config, tuple(service.config.lifecycle.stages))
    converted = learning.conversions.converted
    positives = {str(i) for i, v in converted.items() if v}
    # Every converted contact has its conversion time: the deal's creation.
    assert learning.conversions.converted_at[converted].notna().all()
    deals = store.deals.all(hub)
    direct = {str(c) for d in deals for c in d.contact_ids}
    accounts = {c for d in deals for c in d.company_ids}
    members = store.members.members_of(hub, accounts)
    via_company = {str(c) for contacts in members.values() for c in contacts}
    # A deal converts its own contacts and, account-based, its company's contacts.
    assert direct and direct <= positives
    assert positives == direct | via_company


def test_a_deal_without_contacts_converts_its_companys_contacts(
        box_factory: Any, store: Store, tmp_path: Path) -> None:
    box = box_factory(contacts_per_portal=0)
    hub = box.hub_id
    buyer, other = box.control("POST", f"/portals/{hub}/leads", json={"leads": [
        {"email": "buyer@dealco.example"}, {"email": "other@elsewhere.example"}]})["ids"]
    company = box.control("POST", f"/portals/{hub}/companies", json={"companies": [
        {"name": "DealCo", "industry": "COMPUTER_SOFTWARE"}]})["ids"][0]
    box.control("POST", f"/portals/{hub}/associations", json={
        "from_type": "contacts", "from_id": int(buyer), "to_type": "companies",
        "to_id": int(company), "primary": True})
    deal = box.control("POST", f"/portals/{hub}/deals", json={
        "properties": {"dealname": "Account deal", "pipeline": "default",
                       "dealstage": "qualifiedtobuy"},
        "company_ids": [int(company)]})["ids"][0]
    connect_static(box, store)
    service = make_service(box, store, tmp_path)
    assert service.run_pass(hub).completed
    [stored] = store.deals.get_many(hub, [int(deal)])
    assert stored.contact_ids == () and stored.company_ids == (int(company),)
    from connector.sync.training import portal_learning

    by_id = portal_learning(store, hub, service.config, ()).conversions.converted.to_dict()
    assert by_id[buyer] and not by_id[other]


def test_a_merged_company_moves_its_contacts_to_the_survivor(
        box: Box, store: Store, tmp_path: Path) -> None:
    hub = connect_static(box, store)
    service = make_service(box, store, tmp_path)
    assert service.run_pass(hub).completed
    loser, members = _company_with_contacts(box)
    survivor = box.control("POST", f"/portals/{hub}/companies", json={"companies": [
        {"name": "Survivor Inc", "industry": "FINANCIAL_SERVICES"}]})["ids"][0]
    token = {"Authorization": f"Bearer {box.static_token()}"}
    merged = box.http.post("/crm/v3/objects/companies/merge", headers=token,
                           json={"primaryObjectId": survivor, "objectIdToMerge": loser})
    assert merged.status_code == 200, merged.text
    report = service.process_accounts(hub, [survivor], [], gone_companies=[int(loser)])
    assert report.completed, report.errors
    assert store.companies.get_many(hub, [int(loser)]) == {}
    for contact_id in members:
        assert stored_inputs(store, hub, contact_id)["company.industry"] == "FINANCIAL_SERVICES"
