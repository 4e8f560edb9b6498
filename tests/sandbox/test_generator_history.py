"""Generated histories: planted post-outcome properties set at/after the conversion for most
converters, the account team's activity after a conversion, a causal truth (what happened
before the conversion predicts it), and determinism."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from connector.sandbox.generator import GeneratedPortal, generate_portal
from connector.sandbox.generator_history import PLANTED_POST_OUTCOME_PROPERTIES

NOW_MS = int(datetime(2026, 11, 22, 12, tzinfo=UTC).timestamp() * 1000)


def to_ms(values: np.ndarray) -> np.ndarray:
    present = np.array([v is not None for v in values])
    out = np.full(len(values), -1, dtype=np.int64)
    stamps = np.array([v[:-1] for v in values[present]], dtype="datetime64[ms]")
    out[present] = stamps.astype(np.int64)
    return out


@pytest.fixture(scope="module")
def portal() -> GeneratedPortal:
    return generate_portal(20_000, seed=23, now_ms=NOW_MS)


def _first_set(p: GeneratedPortal, name: str) -> np.ndarray:
    """Per contact, when `name` first got a value (-1: never)."""
    h = p.contact_history
    ids = p.contacts["hs_object_id"].astype(np.int64)
    rows = h.property == name
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, np.searchsorted(ids, h.contact_id[rows]), h.timestamp_ms[rows])
    return np.where(first == np.iinfo(np.int64).max, -1, first)


def _past_converted(p: GeneratedPortal) -> np.ndarray:
    at = p.truth["converted_at_ms"]
    return (at >= 0) & (at <= NOW_MS)


@pytest.mark.parametrize("name", PLANTED_POST_OUTCOME_PROPERTIES)
def test_planted_properties_are_set_after_conversion_for_most_converters(
    portal: GeneratedPortal, name: str
) -> None:
    converted_at = portal.truth["converted_at_ms"]
    past = _past_converted(portal)
    first = _first_set(portal, name)
    after = (first >= 0) & (first >= converted_at)
    assert after[past].mean() > 0.6
    # Rare for the others, and their current values are what the history ends with.
    others = ~portal.truth["converted"]
    current = portal.contacts[name] != None  # noqa: E711
    assert (current == (first >= 0)).all()
    assert current[others].mean() < 0.4 * current[past].mean()
    # On current values the property separates converters; as of the conversion it barely does.
    now_auc = roc_auc_score(past, current)
    cutoff = np.where(past, converted_at, NOW_MS)
    as_of = (first >= 0) & (first < cutoff)
    assert now_auc > 0.65 and abs(roc_auc_score(past, as_of) - 0.5) < now_auc - 0.5


def test_histories_hold_creation_values_and_later_edits(portal: GeneratedPortal) -> None:
    h = portal.contact_history
    ids = portal.contacts["hs_object_id"].astype(np.int64)
    created = to_ms(portal.contacts["createdate"])
    at_creation = h.timestamp_ms == created[np.searchsorted(ids, h.contact_id)]
    emails = h.property == "email"
    assert emails.sum() == len(ids) and at_creation[emails].all()
    assert set(h.source[emails]) == {"FORM", "IMPORT"}
    titles = h.property == "jobtitle"
    edited = titles & ~at_creation
    assert edited.any() and set(h.source[edited]) == {"CRM_UI"} and (h.user_id[edited] > 0).all()
    enriched = np.isin(h.property, ["industry", "numemployees", "annualrevenue"]) & ~at_creation
    assert enriched.any() and set(h.source[enriched]) == {"INTEGRATION"}
    assert (h.timestamp_ms <= NOW_MS).all()
    # Lifecycle stage moves at the stage dates, and the last one is the current stage.
    stages = h.property == "lifecyclestage"
    opportunity = to_ms(portal.contacts["hs_lifecyclestage_opportunity_date"])
    moved = stages & (h.value == "opportunity")
    owner = np.searchsorted(ids, h.contact_id[moved])
    assert (h.timestamp_ms[moved] == opportunity[owner]).all()
    entered = to_ms(portal.contacts["hs_v2_date_entered_opportunity"])
    assert (entered == opportunity).all()
    exited_sql = to_ms(portal.contacts["hs_v2_date_exited_salesqualifiedlead"])
    both = (exited_sql >= 0) & (opportunity >= 0)
    assert both.any() and (exited_sql[both] == opportunity[both]).all()


def test_converted_leads_get_engagements_after_their_conversion(
    portal: GeneratedPortal,
) -> None:
    ids = portal.contacts["hs_object_id"]
    converted_at = dict(zip(ids, portal.truth["converted_at_ms"], strict=True))
    for kind in ("meetings", "emails", "notes"):
        columns = portal.engagements[kind]
        at = to_ms(columns["hs_timestamp"])
        conv = np.array([converted_at[c] for c in columns["contact_id"]])
        after = (conv >= 0) & (conv <= NOW_MS) & (at > conv)
        assert after.sum() > 300, kind
        assert (at[after] <= NOW_MS).all()
    # Every engagement id is unique across kinds (the post-conversion id block).
    every = np.concatenate([portal.engagements[k]["hs_object_id"] for k in portal.engagements])
    assert len(set(every.tolist())) == len(every)


def test_conversion_depends_on_what_happened_before_it(portal: GeneratedPortal) -> None:
    ids = portal.contacts["hs_object_id"]
    converted_at = dict(zip(ids, portal.truth["converted_at_ms"], strict=True))
    meetings = portal.engagements["meetings"]
    at = to_ms(meetings["hs_timestamp"])
    conv = np.array([converted_at[c] for c in meetings["contact_id"]])
    held = meetings["hs_meeting_outcome"] == "COMPLETED"
    before = held & ((conv < 0) | (at < conv)) & (at <= NOW_MS)
    position = {c: i for i, c in enumerate(ids)}
    owner = np.array([position[c] for c in meetings["contact_id"]])
    count_before = np.bincount(owner, weights=before, minlength=len(ids))
    count_now = np.bincount(owner, weights=held, minlength=len(ids))
    y = portal.truth["converted"]
    # The pre-conversion count predicts; counting the account team's work predicts "better".
    assert roc_auc_score(y, count_before) > 0.65
    assert roc_auc_score(y, count_now) > roc_auc_score(y, count_before) + 0.05
    # No organic engagement of a converter is logged after its conversion except the
    # account team's kinds (calls and tasks stop at the conversion).
    for kind in ("calls", "tasks"):
        c = portal.engagements[kind]
        conv_k = np.array([converted_at[x] for x in c["contact_id"]])
        past = (conv_k >= 0) & (conv_k <= NOW_MS)
        assert not (past & (to_ms(c["hs_timestamp"]) > conv_k)).any()


def test_same_inputs_give_the_same_histories() -> None:
    a = generate_portal(800, seed=3, now_ms=NOW_MS)
    b = generate_portal(800, seed=3, now_ms=NOW_MS)
    c = generate_portal(800, seed=4, now_ms=NOW_MS)
    for name in ("contact_id", "property", "value", "timestamp_ms", "source", "user_id"):
        assert (getattr(a.contact_history, name) == getattr(b.contact_history, name)).all()
    assert len(c.contact_history) != len(a.contact_history) or not (
        c.contact_history.timestamp_ms == a.contact_history.timestamp_ms
    ).all()


def test_lead_status_moves_to_an_open_deal_when_the_lead_converts(portal: GeneratedPortal) -> None:
    h = portal.contact_history
    ids = portal.contacts["hs_object_id"].astype(np.int64)
    at = portal.truth["converted_at_ms"]
    past = _past_converted(portal) & (portal.contacts["hs_lead_status"] == "OPEN_DEAL")
    rows = h.property == "hs_lead_status"
    owner = np.searchsorted(ids, h.contact_id[rows])
    # Every status version of a converted lead before its conversion is not the deal's.
    before = h.timestamp_ms[rows] < at[owner]
    assert not (past[owner] & before & (h.value[rows] == "OPEN_DEAL")).any()
    # It became OPEN_DEAL at (or just after) its conversion, and was NEW when it came in.
    deal = past[owner] & (h.value[rows] == "OPEN_DEAL")
    assert (h.timestamp_ms[rows][deal] >= at[owner][deal]).all()
    assert set(owner[deal]) == set(np.flatnonzero(past))
    first = _first_set(portal, "hs_lead_status")
    has = portal.contacts["hs_lead_status"] != None  # noqa: E711
    assert (first[has] == to_ms(portal.contacts["createdate"][has])).all()
