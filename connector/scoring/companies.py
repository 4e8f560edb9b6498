"""The company (account) score: fit of the company itself plus its contacts' engagement.

1. Fit: the `companies:` criteria run through the same rule engine as contacts'
   (`engine.evaluate_rules`) on a table of companies, so conditions, groups, caps,
   exclusions and reasons behave exactly as documented for contacts.
2. Engagement: each company's `top_contacts` most engaged contacts' engagement scores
   (0–100 each, from the contact score frame) are summed, capped at `cap` and scaled to
   0–100. Excluded (disqualified) contacts do not count. `engaged_contacts` counts the
   company's contacts with engagement ≥ `engaged_at`.
3. Score = weighted mean of fit and engagement; tiers by `tiers`; an excluded company is
   `disqualified` with score 0.

Everything is grouped column-wise (pandas group-bys), never a loop per company.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from connector.scoring.columns import BatchColumns
from connector.scoring.config import CompaniesConfig, ScoringConfig, config_hash
from connector.scoring.engine import evaluate_rules
from connector.scoring.leads import LeadFrame
from connector.scoring.ledger import Ledger
from connector.scoring.reasons import merge_model_reasons
from connector.scoring.score_columns import CompanyScoreColumn, ScoreColumn

_TIER_NAMES = np.array(["disqualified", "hot", "warm", "cold"], dtype=object)


@dataclass(frozen=True)
class CompanyScoreFrame:
    """Company scores for a batch of companies.

    `frame` is indexed by company id (str) with the columns of
    `score_columns.COMPANY_FRAME_COLUMNS`; `ledger` holds the fit criteria's points per
    company; `version` is the configuration hash that produced them.
    """

    version: str
    frame: pd.DataFrame
    ledger: Ledger
    scored_at: datetime


def company_scores(
    config: ScoringConfig,
    companies: pd.DataFrame,
    contact_scores: pd.DataFrame,
    contact_company: pd.Series,
    now: datetime,
) -> CompanyScoreFrame:
    """Score companies from their properties and their contacts' engagement.

    `companies` is indexed by company id with one column per company property (HubSpot's
    names, values as text); `contact_scores` is a contact score frame (the frame of the
    scoring model named by `companies.engagement.model`); `contact_company` maps contact
    id → primary company id (contacts without a company missing or None). Contacts of
    companies not in `companies` are ignored. Raises `ValueError` when the configuration
    has no `companies:` section.
    """
    settings = config.companies
    if settings is None:
        raise ValueError("the scoring configuration has no companies section")
    table = companies.copy()
    table.index = table.index.astype(str)
    columns = BatchColumns(LeadFrame.from_table(table), now)
    rules = evaluate_rules(settings.rules(), columns, config.reasons.top)
    rollup = roll_up_engagement(settings, contact_scores, contact_company, table.index)
    fit = rules.fit
    engagement = rollup[CompanyScoreColumn.ENGAGEMENT].to_numpy(dtype=np.float64)
    engaged = rollup[CompanyScoreColumn.ENGAGED_CONTACTS].to_numpy(dtype=np.int64)
    weights = settings.weights
    score = (weights.fit * fit + weights.engagement * engagement) / (
        weights.fit + weights.engagement
    )
    score = np.where(rules.excluded, 0.0, np.clip(score, 0.0, 100.0))
    rounded = np.round(score, 1)
    code = np.select(
        [
            rules.excluded,
            rounded >= settings.tiers.hot.min_score,
            rounded >= settings.tiers.warm.min_score,
        ],
        [0, 1, 2],
        default=3,
    )
    reasons = merge_model_reasons(rules.reasons, _engagement_reasons(engaged, engagement))
    frame = pd.DataFrame(
        {
            CompanyScoreColumn.SCORE: rounded,
            CompanyScoreColumn.FIT: np.round(fit, 1),
            CompanyScoreColumn.ENGAGEMENT: np.round(engagement, 1),
            CompanyScoreColumn.TIER: _TIER_NAMES[code],
            CompanyScoreColumn.ENGAGED_CONTACTS: engaged,
            CompanyScoreColumn.REASONS: reasons,
            CompanyScoreColumn.EXCLUDED: rules.excluded,
        },
        index=table.index,
    )
    return CompanyScoreFrame(
        version=config_hash(config), frame=frame, ledger=rules.ledger, scored_at=now
    )


def roll_up_engagement(
    settings: CompaniesConfig,
    contact_scores: pd.DataFrame,
    contact_company: pd.Series,
    company_ids: pd.Index,
) -> pd.DataFrame:
    """Per company (`company_ids`, in order): engagement 0–100 and engaged contacts.

    See the module docstring for the rule; companies without scored contacts get 0 and 0.
    """
    rule = settings.engagement
    link = contact_company.dropna()
    link = pd.Series(link.astype(str).to_numpy(), index=link.index.astype(str))
    scores = contact_scores.copy()
    scores.index = scores.index.astype(str)
    engagement = scores[ScoreColumn.ENGAGEMENT].reindex(link.index)
    counted = engagement.notna().to_numpy()
    if ScoreColumn.EXCLUDED in scores.columns:
        excluded = scores[ScoreColumn.EXCLUDED].reindex(link.index)
        counted = counted & ~excluded.fillna(False).to_numpy(dtype=bool)
    pairs = pd.DataFrame(
        {
            "company": link.to_numpy()[counted],
            "engagement": engagement.to_numpy(dtype=np.float64)[counted],
        }
    )
    pairs = pairs.sort_values("engagement", ascending=False, kind="stable")
    top = pairs[pairs.groupby("company").cumcount() < rule.top_contacts]
    summed = top.groupby("company")["engagement"].sum()
    engaged = (pairs["engagement"] >= rule.engaged_at).groupby(pairs["company"]).sum()
    rolled = np.clip(summed.reindex(company_ids).fillna(0.0).to_numpy(), 0.0, rule.cap)
    return pd.DataFrame(
        {
            CompanyScoreColumn.ENGAGEMENT: rolled * (100.0 / rule.cap),
            CompanyScoreColumn.ENGAGED_CONTACTS: engaged.reindex(company_ids)
            .fillna(0)
            .to_numpy(dtype=np.int64),
        },
        index=company_ids,
    )


def _engagement_reasons(engaged: np.ndarray, engagement: np.ndarray) -> np.ndarray:
    """`3 engaged contacts (engagement 72)` per company ("" without engaged contacts).

    Formatted once per distinct (count, engagement) pair, then spread back.
    """
    keys = pd.MultiIndex.from_arrays([engaged, np.rint(engagement).astype(np.int64)])
    codes, uniques = pd.factorize(keys)
    texts = np.array(
        [
            f"{count} engaged contact{'s' if count != 1 else ''} (engagement {level})"
            if count > 0
            else ""
            for count, level in uniques
        ],
        dtype=object,
    )
    return texts[codes] if len(codes) else np.array([], dtype=object)
