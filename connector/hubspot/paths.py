"""HubSpot API path prefixes, kept in one place.

The SDK hard-codes CRM v3/v4 paths; HubSpot moves them to date versions
(`/crm/objects/2026-03/contacts`, v3 works until September 2027, v4 associations until
2027-03-30). `ApiPaths` rewrites the SDK's paths at the transport so switching is one
setting, and names the OAuth paths the SDK does not wrap.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Bucket(StrEnum):
    """Which of HubSpot's rate-limit allowances a request draws on."""

    GENERAL = "general"
    SEARCH = "search"
    ASSOCIATIONS = "associations"


@dataclass(frozen=True)
class ApiPaths:
    """Path prefixes for one API generation.

    `crm_objects`, `crm_properties` and `crm_associations` replace the SDK's own prefixes
    (`/crm/v3/objects`, `/crm/v3/properties`, `/crm/v4/associations`); `oauth` prefixes the
    token endpoints; `account_info` prefixes the account details (which portal a token is for).
    """

    crm_objects: str = "/crm/v3/objects"
    crm_properties: str = "/crm/v3/properties"
    crm_associations: str = "/crm/v4/associations"
    oauth: str = "/oauth/v3"
    account_info: str = "/account-info/v3"

    @property
    def account_details(self) -> str:
        """The token's account: hub id, time zone, currency (`GET`)."""
        return f"{self.account_info}/details"

    @property
    def token(self) -> str:
        """Code exchange and refresh."""
        return f"{self.oauth}/token"

    @property
    def introspect(self) -> str:
        """Token introspection (hub id, scopes, expiry)."""
        return f"{self.oauth}/token/introspect"

    @property
    def revoke(self) -> str:
        """Token revocation."""
        return f"{self.oauth}/token/revoke"

    def rewrite(self, path: str) -> str:
        """Map a path the SDK built (v3/v4) onto this generation's prefixes."""
        replacements = (
            ("/crm/v3/objects", self.crm_objects),
            ("/crm/v3/properties", self.crm_properties),
            ("/crm/v4/associations", self.crm_associations),
        )
        for sdk_prefix, ours in replacements:
            if path == sdk_prefix or path.startswith(sdk_prefix + "/"):
                return ours + path[len(sdk_prefix) :]
        return path


CRM_V3 = ApiPaths()
"""Today's paths: CRM v3 objects/properties, v4 associations, OAuth v3, account-info v3."""

CRM_2026_03 = ApiPaths(
    crm_objects="/crm/objects/2026-03",
    crm_properties="/crm/properties/2026-03",
    crm_associations="/crm/associations/2026-03",
    oauth="/oauth/2026-03",
    account_info="/account-info/2026-03",
)
"""HubSpot's date-versioned paths (March 2026 release)."""

