"""Configuration of a sandbox run: portals, data size, limits, OAuth app, webhooks, faults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, model_validator

RateLimitProfile = Literal["oauth", "starter", "pro", "enterprise"]

FIRST_HUB_ID = 1000001


@dataclass(frozen=True)
class RateLimitPolicy:
    """HubSpot's request allowance for one kind of caller: per rolling 10 s and per day."""

    per_ten_seconds: int
    daily: int | None


# HubSpot's published numbers (HUBSPOT.md, "Rate limits"). OAuth apps get 110/10 s per
# installed account and no daily cap; static tokens follow the account's subscription.
RATE_LIMIT_POLICIES: dict[RateLimitProfile, RateLimitPolicy] = {
    "oauth": RateLimitPolicy(per_ten_seconds=110, daily=None),
    "starter": RateLimitPolicy(per_ten_seconds=100, daily=250_000),
    "pro": RateLimitPolicy(per_ten_seconds=190, daily=625_000),
    "enterprise": RateLimitPolicy(per_ten_seconds=190, daily=1_000_000),
}


def _required_scopes() -> list[str]:
    return [
        "oauth",
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
        "crm.schemas.contacts.write",
    ]


class SandboxConfig(BaseModel):
    """Everything that shapes one sandbox run. Defaults give a realistic single portal."""

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0 = pick a free port")
    seed: int = 42
    portals: int = Field(default=1, ge=1, le=50)
    hub_ids: list[int] = Field(
        default_factory=list, description="explicit hub ids; empty = 1000001, 1000002, ..."
    )
    contacts_per_portal: int = Field(default=1000, ge=0, le=500_000)
    companies_per_contact: float = Field(
        default=0.3, gt=0, le=1, description="generated companies per generated contact"
    )

    rate_limits_enabled: bool = True
    rate_limit_profile: RateLimitProfile = Field(
        default="pro", description="static-token allowance of every portal without an override"
    )
    portal_profiles: dict[int, RateLimitProfile] = Field(default_factory=dict)
    search_per_second: int = Field(default=5, ge=1)
    associations_per_ten_seconds: int = Field(default=150, ge=1)

    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    app_id: int = 424242
    redirect_uris: list[str] = Field(
        default_factory=list, description="allowed OAuth redirect URIs; empty = any"
    )
    access_token_lifetime_s: int = Field(default=1800, ge=1)
    # /oauth/authorize refuses a `scope` lacking any of these (HubSpot's rule).
    oauth_required_scopes: list[str] = Field(default_factory=_required_scopes)
    # Whether HubSpot rotates refresh tokens is unverified: the connector must cope with both.
    refresh_token_rotation: bool = False

    webhook_target_url: str | None = None
    webhook_subscribed_properties: list[str] = Field(
        default_factory=list, description="contact properties whose changes are delivered"
    )
    webhook_subscriptions: list[str] = Field(
        default_factory=list,
        description=(
            "further subscriptions: company.creation, company.deletion, company.merge, "
            "deal.creation, deal.deletion, deal.merge, <object>.associationChange, and "
            "<object>.propertyChange:<property> (e.g. deal.propertyChange:dealstage)"
        ),
    )
    webhook_duplicate_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    webhook_retry_base_s: float = Field(default=1.0, gt=0.0)
    webhook_timeout_s: float = Field(
        default=5.0, gt=0.0, description="a delivery slower than this counts as failed"
    )
    webhook_flush_window_s: float = Field(
        default=0.1, ge=0.0, description="events closer together than this share one POST"
    )

    fault_error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fault_slow_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fault_slow_s: float = Field(default=2.0, ge=0.0)
    fault_drop_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    search_consistency_delay_s: float = Field(default=0.5, ge=0.0)

    @model_validator(mode="after")
    def _hub_ids_match_portals(self) -> SandboxConfig:
        if self.hub_ids:
            if len(set(self.hub_ids)) != len(self.hub_ids):
                raise ValueError("hub_ids must be distinct")
            self.portals = len(self.hub_ids)
        return self

    def portal_hub_ids(self) -> list[int]:
        """The hub ids of the configured portals, in order."""
        if self.hub_ids:
            return list(self.hub_ids)
        return [FIRST_HUB_ID + i for i in range(self.portals)]

    def profile_for(self, hub_id: int) -> RateLimitProfile:
        """The static-token rate-limit profile of a portal."""
        return self.portal_profiles.get(hub_id, self.rate_limit_profile)
