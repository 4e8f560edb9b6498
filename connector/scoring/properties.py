"""Names of the contact properties each scoring model writes, and the tier values.

The default model writes `leadscore_score`, `leadscore_fit`, ...; a model named e.g.
`analytics` writes `leadscore_analytics_score`, `leadscore_analytics_fit`, ... The HubSpot
layer provisions and writes these; nothing here knows HubSpot's wire format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connector.errors import LeadscoreError

TIERS = ("hot", "warm", "cold", "disqualified")
GRADES = tuple(f"{letter}{digit}" for letter in "ABC" for digit in "123")
"""The fit × engagement grades, best first: A1, A2, A3, B1, ..., C3."""
UNSEGMENTED = "unsegmented"
"""The segment value of a lead no segmentation has named yet (HubSpot's segment enumeration
needs at least one option)."""
DEFAULT_MODEL = "default"
PREFIX = "leadscore"
MODEL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
"""What a scoring model may be called (it becomes part of HubSpot property names)."""


@dataclass(frozen=True)
class ModelProperties:
    """The property names one scoring model writes."""

    score: str
    fit: str
    engagement: str
    likelihood: str
    tier: str
    reasons: str
    segment: str
    scored_at: str
    version: str
    grade: str

    def all(self) -> tuple[str, ...]:
        """Every name, in the order above."""
        return (
            self.score,
            self.fit,
            self.engagement,
            self.likelihood,
            self.tier,
            self.reasons,
            self.segment,
            self.scored_at,
            self.version,
            self.grade,
        )


def property_names(model_name: str) -> ModelProperties:
    """The property names of a scoring model (`default` → `leadscore_*`, else `leadscore_<name>_*`).

    Raises `LeadscoreError` for a name that cannot form a HubSpot property name.
    """
    if not MODEL_NAME.match(model_name):
        raise LeadscoreError(
            f"scoring model name {model_name!r}: expected lowercase letters, digits and _ "
            "starting with a letter (at most 40 characters)"
        )
    stem = PREFIX if model_name == DEFAULT_MODEL else f"{PREFIX}_{model_name}"
    return ModelProperties(
        score=f"{stem}_score",
        fit=f"{stem}_fit",
        engagement=f"{stem}_engagement",
        likelihood=f"{stem}_likelihood",
        tier=f"{stem}_tier",
        reasons=f"{stem}_reasons",
        segment=f"{stem}_segment",
        scored_at=f"{stem}_scored_at",
        version=f"{stem}_version",
        grade=f"{stem}_grade",
    )


@dataclass(frozen=True)
class CompanyProperties:
    """The company properties the company (account) score writes, in group `leadscore`."""

    score: str = f"{PREFIX}_score"
    fit: str = f"{PREFIX}_fit"
    engagement: str = f"{PREFIX}_engagement"
    tier: str = f"{PREFIX}_tier"
    reasons: str = f"{PREFIX}_reasons"
    engaged_contacts: str = f"{PREFIX}_engaged_contacts"
    scored_at: str = f"{PREFIX}_scored_at"
    version: str = f"{PREFIX}_version"


COMPANY_PROPERTIES = CompanyProperties()
