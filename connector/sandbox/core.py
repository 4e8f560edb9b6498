"""The `Sandbox`: configuration, clock, tokens, webhooks and the portals, built together."""

from __future__ import annotations

from connector.sandbox.clock import Clock
from connector.sandbox.config import SandboxConfig
from connector.sandbox.counters import Counters
from connector.sandbox.faults import ConnectionDropper, FaultInjector, FaultRates
from connector.sandbox.portal import PortalState
from connector.sandbox.ratelimit import PortalLimiter
from connector.sandbox.seeding import seed_portal
from connector.sandbox.tokens import TokenRegistry
from connector.sandbox.webhooks import WebhookDispatcher


class Sandbox:
    """One local HubSpot: several portals, one OAuth app, one webhook target.

    Thread-safety: each portal has its own lock; tokens and webhooks lock internally.
    """

    def __init__(self, config: SandboxConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.tokens = TokenRegistry(
            self.clock,
            config.access_token_lifetime_s,
            rotate_refresh_tokens=config.refresh_token_rotation,
        )
        self.webhooks = WebhookDispatcher(config, self.clock)
        self.faults = FaultInjector(
            FaultRates(
                error_rate=config.fault_error_rate,
                slow_rate=config.fault_slow_rate,
                slow_s=config.fault_slow_s,
                drop_rate=config.fault_drop_rate,
            ),
            seed=config.seed,
        )
        self.dropper = ConnectionDropper()
        # Requests whose token names no portal are counted here.
        self.unauthenticated = Counters()
        self.portals: dict[int, PortalState] = {}
        self.static_tokens: dict[int, str] = {}
        seeded_at = self.clock.now_ms()
        for index, hub_id in enumerate(config.portal_hub_ids()):
            portal = self._new_portal(hub_id, index)
            seed_portal(
                portal,
                config.contacts_per_portal,
                config.seed + index,
                seeded_at,
                companies_per_contact=config.companies_per_contact,
            )
            portal.take_snapshot()
            self.portals[hub_id] = portal
            self.static_tokens[hub_id] = self.tokens.add_static_token(hub_id)

    def _new_portal(self, hub_id: int, index: int) -> PortalState:
        config = self.config
        limiter = PortalLimiter(
            profile=config.profile_for(hub_id),
            search_per_second=config.search_per_second,
            associations_per_ten_seconds=config.associations_per_ten_seconds,
            sandbox_now_ms=self.clock.now_ms,
            enabled=config.rate_limits_enabled,
        )
        return PortalState(
            hub_id=hub_id,
            name=f"Sandbox Portal {index + 1}",
            domain=f"portal-{hub_id}.sandbox.hubspot.test",
            now_ms=self.clock.now_ms,
            emit=self.webhooks.emit,
            limiter=limiter,
            search_delay_s=config.search_consistency_delay_s,
        )

    def set_rate_limits(self, enabled: bool) -> None:
        """Switch rate limiting on or off for every portal."""
        self.config.rate_limits_enabled = enabled
        for portal in self.portals.values():
            portal.limiter.enabled = enabled

    def set_search_delay(self, delay_s: float) -> None:
        """Change how long writes take to become visible to search."""
        self.config.search_consistency_delay_s = delay_s
        for portal in self.portals.values():
            for object_type in portal.types.values():
                object_type.index.delay_s = delay_s
