"""The column names of the score frames scoring returns: one vocabulary, spelled once.

Everything that reads a contact score frame (`ScoreFrame.frame`) or a company score frame
(`company_scores`) names its columns through these constants, so renaming or adding a
column is one edit here, not a search through the sync, the reports and the web app.
"""

from __future__ import annotations

from typing import Final


class ScoreColumn:
    """Columns of a contact score frame (indexed by contact id)."""

    SCORE: Final = "score"
    """Combined score, 0–100 (one decimal)."""
    FIT: Final = "fit"
    """Fit (who the lead is), 0–100."""
    ENGAGEMENT: Final = "engagement"
    """Engagement (what the lead did, decayed), 0–100."""
    LIKELIHOOD: Final = "likelihood"
    """Calibrated predicted probability to convert × 100 (NaN without a model)."""
    TIER: Final = "tier"
    """hot, warm, cold or disqualified."""
    REASONS: Final = "reasons"
    """Top signed reasons joined by "; "."""
    LIFECYCLE_TARGET: Final = "lifecycle_target"
    """The stage the tier asks for (None), before the forward-only check."""
    EXCLUDED: Final = "excluded"
    """Whether an exclusion disqualified the lead."""
    GRADE: Final = "grade"
    """A1–C3 (fit letter, engagement digit); only when the model's grade is enabled."""
    SEGMENT: Final = "segment"
    """Segment slug; added by segmentation after scoring, not by the engine."""


FRAME_COLUMNS: Final = (
    ScoreColumn.SCORE,
    ScoreColumn.FIT,
    ScoreColumn.ENGAGEMENT,
    ScoreColumn.LIKELIHOOD,
    ScoreColumn.TIER,
    ScoreColumn.REASONS,
    ScoreColumn.LIFECYCLE_TARGET,
    ScoreColumn.EXCLUDED,
)
"""The columns of every contact score frame the engine returns, in order (then `GRADE` when
the model's grade is enabled)."""

NUMERIC_COLUMNS: Final = (
    ScoreColumn.SCORE,
    ScoreColumn.FIT,
    ScoreColumn.ENGAGEMENT,
    ScoreColumn.LIKELIHOOD,
)
"""The 0–100 number columns."""

WRITTEN_COLUMNS: Final = (
    *NUMERIC_COLUMNS,
    ScoreColumn.TIER,
    ScoreColumn.REASONS,
    ScoreColumn.SEGMENT,
    ScoreColumn.GRADE,
)
"""The columns written to CRM properties per scoring model (see `properties.ModelProperties`);
`GRADE` only when the frame has it."""


class CompanyScoreColumn:
    """Columns of a company score frame (indexed by company id)."""

    SCORE: Final = ScoreColumn.SCORE
    """Combined company score, 0–100."""
    FIT: Final = ScoreColumn.FIT
    """Fit of the company's properties, 0–100."""
    ENGAGEMENT: Final = ScoreColumn.ENGAGEMENT
    """Engagement rolled up from the company's contacts, 0–100."""
    TIER: Final = ScoreColumn.TIER
    """hot, warm, cold or disqualified."""
    ENGAGED_CONTACTS: Final = "engaged_contacts"
    """How many of the company's contacts are engaged (int)."""
    REASONS: Final = ScoreColumn.REASONS
    """Top signed fit reasons, then the engagement summary."""
    EXCLUDED: Final = ScoreColumn.EXCLUDED
    """Whether an exclusion disqualified the company."""


COMPANY_FRAME_COLUMNS: Final = (
    CompanyScoreColumn.SCORE,
    CompanyScoreColumn.FIT,
    CompanyScoreColumn.ENGAGEMENT,
    CompanyScoreColumn.TIER,
    CompanyScoreColumn.ENGAGED_CONTACTS,
    CompanyScoreColumn.REASONS,
    CompanyScoreColumn.EXCLUDED,
)
"""The columns of every company score frame, in order."""
