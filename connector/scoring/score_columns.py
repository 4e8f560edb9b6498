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
"""The columns of every contact score frame the engine returns, in order."""

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
)
"""The columns written to CRM properties per scoring model (see `properties.ModelProperties`)."""
