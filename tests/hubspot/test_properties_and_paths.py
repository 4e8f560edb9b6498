"""Property definitions, provisioning decisions (pure), API path rewriting, OAuth state."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from connector.errors import LeadscoreError
from connector.hubspot.oauth import REQUIRED_SCOPES, InvalidState, StateSigner, authorize_url
from connector.hubspot.paths import CRM_2026_03, CRM_V3
from connector.hubspot.properties import PropertyOption, model_definitions
from connector.hubspot.provisioning import differs, reconcile


def test_model_names_must_form_hubspot_property_names() -> None:
    with pytest.raises(LeadscoreError, match="lowercase letters"):
        model_definitions("EMEA Team")


def test_model_definitions_types() -> None:
    by_name = {d.name: d for d in model_definitions("default", ["smb", "enterprise"])}
    assert by_name["leadscore_score"].type == "number"
    assert by_name["leadscore_tier"].field_type == "select"
    assert [o.value for o in by_name["leadscore_tier"].options] == [
        "hot", "warm", "cold", "disqualified"]
    assert [o.value for o in by_name["leadscore_segment"].options] == ["smb", "enterprise"]
    assert by_name["leadscore_reasons"].field_type == "textarea"
    assert (by_name["leadscore_scored_at"].type, by_name["leadscore_scored_at"].field_type) == (
        "datetime", "date")
    assert all(d.group_name == "leadscore" for d in by_name.values())
    unsegmented = {d.name: d for d in model_definitions("default")}["leadscore_segment"]
    assert [o.value for o in unsegmented.options] == ["unsegmented"]


def test_reconcile_keeps_removed_options_hidden() -> None:
    wanted = {d.name: d for d in model_definitions("default", ["smb"])}["leadscore_segment"]
    existing = {d.name: d for d in model_definitions("default", ["smb", "old"])}[
        "leadscore_segment"]
    target = reconcile(wanted, existing)
    assert [(o.value, o.hidden) for o in target.options] == [("smb", False), ("old", True)]
    assert differs(target, existing)
    assert not differs(wanted, wanted)


def test_differs_on_label_change() -> None:
    definition = model_definitions("default")[0]
    from dataclasses import replace
    assert differs(replace(definition, label="Other"), definition)
    shuffled = replace(definition, options=(PropertyOption("a", "A", display_order=1),
                                            PropertyOption("b", "B", display_order=0)))
    ordered = replace(definition, options=(PropertyOption("b", "B", display_order=0),
                                           PropertyOption("a", "A", display_order=1)))
    assert not differs(shuffled, ordered)


def test_paths_rewrite_to_date_versions() -> None:
    assert CRM_V3.rewrite("/crm/v3/objects/contacts/search") == "/crm/v3/objects/contacts/search"
    assert CRM_2026_03.rewrite("/crm/v3/objects/contacts/search") == \
        "/crm/objects/2026-03/contacts/search"
    assert CRM_2026_03.rewrite("/crm/v4/associations/contacts/calls/batch/read") == \
        "/crm/associations/2026-03/contacts/calls/batch/read"
    assert CRM_2026_03.rewrite("/crm/v3/objectsx") == "/crm/v3/objectsx"
    assert CRM_2026_03.token == "/oauth/2026-03/token"
    assert CRM_V3.introspect == "/oauth/v3/token/introspect"


def test_authorize_url() -> None:
    url = authorize_url("https://app.hubspot.com/", client_id="cid",
                        redirect_uri="https://me/oauth/callback", state="s1",
                        optional_scopes=["crm.objects.companies.read"])
    parts = urlsplit(url)
    assert parts.path == "/oauth/authorize"
    query = parse_qs(parts.query)
    assert query["scope"] == [" ".join(REQUIRED_SCOPES)]
    assert query["optional_scope"] == ["crm.objects.companies.read"]
    assert query["state"] == ["s1"]
    assert query["redirect_uri"] == ["https://me/oauth/callback"]


def test_state_round_trip_and_rejections() -> None:
    signer = StateSigner.from_secret("client-secret", ttl_s=60)
    state = signer.issue(now=1000.0)
    signer.verify(state, now=1030.0)
    with pytest.raises(InvalidState, match="expired"):
        signer.verify(state, now=1061.0)
    with pytest.raises(InvalidState, match="signature"):
        StateSigner.from_secret("other").verify(state, now=1000.0)
    with pytest.raises(InvalidState, match="malformed"):
        signer.verify("abc", now=1000.0)
    with pytest.raises(InvalidState, match="without state"):
        signer.verify(None)
    assert signer.issue() != signer.issue()
