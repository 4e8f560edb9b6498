"""Companies, deals and company membership in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector.store import DealRecord, Store

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_companies_keep_written_scores_when_their_properties_change(
        store: Store, portal_id: int) -> None:
    store.companies.save_properties(portal_id, {7: {"industry": "RETAIL"},
                                                8: {"industry": None}})
    assert store.companies.mark_written(portal_id, {7: {"leadscore_score": "40"}}) == 1
    store.companies.save_properties(portal_id, {7: {"industry": "COMPUTER_SOFTWARE"}})
    got = store.companies.get_many(portal_id, [7, 8, 9])
    assert set(got) == {7, 8}
    assert got[7].properties == {"industry": "COMPUTER_SOFTWARE"}
    assert got[7].written_values == {"leadscore_score": "40"}
    assert got[7].scored_at is not None and got[8].scored_at is None
    assert store.companies.ids(portal_id) == [7, 8]
    assert store.companies.delete(portal_id, [8, 99]) == 1
    assert store.companies.ids(portal_id) == [7]


def test_deals_are_replaced_whole(store: Store, portal_id: int) -> None:
    store.deals.upsert([DealRecord(portal_id, 5, {"dealstage": "appointmentscheduled"},
                                   contact_ids=(1, 2), company_ids=(7,))])
    store.deals.upsert([DealRecord(portal_id, 5, {"dealstage": "closedwon"}, contact_ids=(2,)),
                        DealRecord(portal_id, 6, {"dealstage": "closedlost"})])
    deals = store.deals.all(portal_id)
    assert [d.deal_id for d in deals] == [5, 6]
    assert deals[0].properties == {"dealstage": "closedwon"}
    assert deals[0].contact_ids == (2,) and deals[0].company_ids == ()
    assert [d.deal_id for d in store.deals.get_many(portal_id, [6, 404])] == [6]
    assert store.deals.delete(portal_id, [5]) == 1


def test_membership_counts_engaged_contacts_per_company(store: Store, portal_id: int) -> None:
    store.members.save(portal_id, {
        1: (7, T0), 2: (7, T0 - timedelta(days=40)), 3: (7, None), 4: (8, T0),
        5: (None, T0),
    })
    assert store.members.companies_of(portal_id, [1, 4, 5]) == {1: 7, 4: 8}
    activity = store.members.activity(portal_id, [7, 8, 9], T0 - timedelta(days=30))
    assert activity[7].contacts == 3 and activity[7].engaged == 1
    assert activity[7].last_activity_at == T0
    assert activity[8].engaged == 1 and 9 not in activity
    # A contact moving to another company, and one leaving its company.
    store.members.save(portal_id, {1: (8, T0), 4: (None, None)})
    assert store.members.members_of(portal_id, [7, 8]) == {7: [2, 3], 8: [1]}
