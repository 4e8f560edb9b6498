"""Every URL prefix the sandbox serves, in one place.

HubSpot is moving CRM paths to date versions (`/crm/objects/2026-03/...`); the sandbox
serves the v3/v4 paths and the dated ones side by side with identical behaviour.
"""

from __future__ import annotations

OBJECTS_PREFIXES = ("/crm/v3/objects", "/crm/objects/2026-03")
PROPERTIES_PREFIXES = ("/crm/v3/properties", "/crm/properties/2026-03")
ASSOCIATIONS_PREFIXES = ("/crm/v4/associations", "/crm/associations/2026-03")
# Per-record association routes (`/crm/v4/objects/{from}/{id}/associations/{to}`); the dated
# form lives under the dated objects prefix.
RECORD_ASSOCIATIONS_PREFIXES = ("/crm/v4/objects", "/crm/objects/2026-03")
PIPELINES_PREFIXES = ("/crm/v3/pipelines", "/crm/pipelines/2026-03")
ACCOUNT_INFO_PREFIXES = ("/account-info/v3", "/account-info/2026-03")
CRM_ROUTER_PREFIXES = (
    OBJECTS_PREFIXES
    + PROPERTIES_PREFIXES
    + ASSOCIATIONS_PREFIXES
    + RECORD_ASSOCIATIONS_PREFIXES[:1]
    + PIPELINES_PREFIXES
    + ACCOUNT_INFO_PREFIXES
)
# Authenticated, rate-limited (the general bucket unless search/associations), subject to faults.
# HubSpot's other API roots are gated too: what the sandbox does not model there answers
# 403 MISSING_SCOPES (`missing_scopes.py`) after the same authentication and limits.
GATED_PREFIXES = (
    "/crm/", "/account-info/", "/crm-object-schemas/", "/automation/", "/marketing/", "/cms/",
    "/files/", "/conversations/", "/events/", "/communication-preferences/", "/settings/",
    "/properties/", "/contacts/", "/companies/", "/deals/", "/engagements/", "/owners/",
    "/integrations/", "/webhooks/",
)
CONTROL_PREFIX = "/_sandbox"  # no auth, no limits, no faults
OAUTH_PREFIX = "/oauth/"  # handled by oauth.py: no bearer auth, no limits, no faults
