"""What a sync must read for a scoring configuration, split by where it comes from.

Contact criteria may read the contact's own properties, its primary company's
(`company.<property>`, joined by the sync) and account signals (`account.*`); the
`companies:` section reads company properties; the outcome reads lifecycle dates or deals.
The sync reads exactly these and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.scoring.config import ScoringConfig
from connector.scoring.leads import COMPANY_PREFIX, column_source
from connector.scoring.outcomes import outcome_inputs


@dataclass(frozen=True)
class PropertiesNeeded:
    """The inputs a configuration reads, each tuple sorted."""

    contact: tuple[str, ...]
    """Contact properties the criteria read (fallbacks included)."""
    company: tuple[str, ...]
    """Company properties (HubSpot names, no prefix): the `company.*` columns of contact
    criteria plus what the `companies:` section reads."""
    account: tuple[str, ...]
    """Account signal columns used (`account.open_deals`, ...)."""
    activity_kinds: tuple[str, ...]
    """Engagement object kinds (call, email, ...)."""
    outcome: tuple[str, ...]
    """Contact properties the outcome reads (training and evidence, not scoring)."""
    deals: bool
    """Whether the outcome reads deals."""


def properties_needed(config: ScoringConfig) -> PropertiesNeeded:
    """Split everything `config` reads into contact, company and account inputs."""
    columns = config.properties_used()
    contact = {c for c in columns if column_source(c) == "contact"}
    contact |= {p for m in config.models.values() for p in m.likelihood.learn_from}
    company = {c.removeprefix(COMPANY_PREFIX) for c in columns if column_source(c) == "company"}
    account = {c for c in columns if column_source(c) == "account"}
    if config.companies is not None:
        company |= config.companies.properties()
    stages = [s for s in config.lifecycle.stages if s != "other"]
    outcome = outcome_inputs(config.outcome, stages)
    return PropertiesNeeded(
        contact=tuple(sorted(contact)),
        company=tuple(sorted(company)),
        account=tuple(sorted(account)),
        activity_kinds=tuple(config.activity_kinds_used()),
        outcome=tuple(outcome.contact_properties),
        deals=outcome.needs_deals,
    )
