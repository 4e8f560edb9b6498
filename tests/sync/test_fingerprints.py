"""Input fingerprints: what tells a real change from our own echo."""

from __future__ import annotations

from connector.crm import CrmRecord
from connector.crm.frames import lead_frame
from connector.hubspot.mapping import activities_frame
from connector.sync.fingerprints import input_hashes
from tests.hubspot.test_mapping import ENGAGEMENTS, LINKS, contacts


def _hashes(frame):  # type: ignore[no-untyped-def]
    return input_hashes(frame, [c for c in frame.contacts.columns
                                if c not in ("lastmodifieddate",)
                                and not str(c).startswith("leadscore_")])


def test_input_hash_ignores_properties_it_is_not_given() -> None:
    base = lead_frame([CrmRecord("1", {"email": "a@x.com", "lastmodifieddate": "1",
                                       "leadscore_score": "10"})])
    echo = lead_frame([CrmRecord("1", {"email": "a@x.com", "lastmodifieddate": "2",
                                       "leadscore_score": "80"})])
    changed = lead_frame([CrmRecord("1", {"email": "b@x.com", "lastmodifieddate": "2",
                                          "leadscore_score": "80"})])
    assert _hashes(base)["1"] == _hashes(echo)["1"]
    assert _hashes(base)["1"] != _hashes(changed)["1"]


def test_input_hash_sees_activities_and_is_order_independent() -> None:
    plain = lead_frame(contacts(), ["email", "jobtitle"])
    with_acts = lead_frame(contacts(), ["email", "jobtitle"], activities_frame(ENGAGEMENTS, LINKS))
    reordered = lead_frame(list(reversed(contacts())), ["jobtitle", "email"],
                           activities_frame(ENGAGEMENTS, list(reversed(LINKS))))
    assert _hashes(plain)["1"] != _hashes(with_acts)["1"]
    assert _hashes(plain)["3"] == _hashes(with_acts)["3"]
    assert _hashes(with_acts).sort_index().tolist() == _hashes(reordered).sort_index().tolist()
