"""The company (account) scores as HubSpot shows them on the portal's companies.

The connector writes the company score to company properties (group `leadscore`); the demo
reads them back through HubSpot's public API, as it reads contacts, and reports what it
finds: the tiers and the top accounts, or plainly that no company carries a score.
"""

from __future__ import annotations

import math
from collections import Counter

from connector.crm import ObjectType
from connector.demo.hubspot_view import PortalViewer, SeenCompany
from connector.demo.summary import CompanyScores, TopAccount
from connector.scoring.properties import DEFAULT_MODEL, TIERS, property_names

_NAMES = property_names(DEFAULT_MODEL)
SCORE = _NAMES.score
FIT = _NAMES.fit
ENGAGEMENT = _NAMES.engagement
TIER = _NAMES.tier
ENGAGED_CONTACTS = "leadscore_engaged_contacts"
"""The company score's properties: the default model's names (`leadscore_score`, …) on the
company object, plus the count of engaged contacts."""
SCORE_PROPERTIES = (SCORE, FIT, ENGAGEMENT, TIER, ENGAGED_CONTACTS)
TOP_ACCOUNTS = 5


def company_scores(viewer: PortalViewer, group: str, top: int = TOP_ACCOUNTS) -> CompanyScores:
    """Read the companies' score properties (when the portal defines them) and sum them up."""
    defined = {
        p.name for p in viewer.properties(group=group, object_type=ObjectType.COMPANIES)
    }
    if SCORE not in defined:
        return CompanyScores(
            status="not_provisioned", companies=0, scored=0, tiers={}, top=[],
            note=(
                f"no company score in HubSpot: the portal's companies have no {SCORE} "
                "property, so no company score was written"
            ),
        )
    asked = ["name", "domain", *(p for p in SCORE_PROPERTIES if p in defined)]
    companies = viewer.list_companies(asked)
    scored = [(c, s) for c in companies if (s := _number(c.properties.get(SCORE))) is not None]
    if not scored:
        return CompanyScores(
            status="not_written", companies=len(companies), scored=0, tiers={}, top=[],
            note=(
                f"the company score properties exist, but none of the {len(companies):,} "
                f"companies has a {SCORE} value yet"
            ),
        )
    tiers = Counter(c.properties.get(TIER) or "none" for c, _ in scored)
    ordered = [t for t in TIERS if t in tiers] + sorted(set(tiers) - set(TIERS))
    best = sorted(scored, key=lambda cs: (-cs[1], cs[0].company_id))[:top]
    return CompanyScores(
        status="written",
        companies=len(companies),
        scored=len(scored),
        tiers={t: tiers[t] for t in ordered},
        top=[_account(c, score) for c, score in best],
        note=f"{len(scored):,} of {len(companies):,} companies carry an account score",
    )


def _account(company: SeenCompany, score: float) -> TopAccount:
    props = company.properties
    engaged = _number(props.get(ENGAGED_CONTACTS))
    return TopAccount(
        company_id=company.company_id,
        name=props.get("name"),
        domain=props.get("domain"),
        score=score,
        tier=props.get(TIER),
        fit=_number(props.get(FIT)),
        engagement=_number(props.get(ENGAGEMENT)),
        engaged_contacts=int(engaged) if engaged is not None else None,
    )


def _number(raw: str | None) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
