"""Evaluation of a scoring on leads with known outcomes: pure, no file, network or database I/O.

It takes a `History` (leads, who converted, optional scores and A/B arms) and returns
dataclasses: the evidence (conversion by band and tier, AUC, lift, calibration), A/B and
configuration comparisons, points suggested from close rates, segments with
recommendations. Where the history comes from, and how results are drawn, is
`connector.reports`.
"""

from connector.evaluation.ab import (
    Arm,
    ArmComparison,
    ArmResult,
    assign_arm,
    assign_arms,
    compare_arms,
)
from connector.evaluation.compare import ConfigComparison, MetricComparison, compare_scorings
from connector.evaluation.evidence import (
    CriterionRow,
    Distribution,
    Evidence,
    ReviewLead,
    TierRow,
    build_evidence,
)
from connector.evaluation.history import History
from connector.evaluation.points import (
    CriterionCheck,
    PointsAdvice,
    ValueEvidence,
    advise_points,
    yaml_fragment,
)
from connector.evaluation.scoring_run import ScoredModel, choose_model, score_history
from connector.evaluation.segments import (
    SEGMENT_LABELS,
    SEGMENT_SLUGS,
    Segmentation,
    SegmentProfile,
    SegmentReport,
    segment_leads,
)
from connector.evaluation.stats import BandRow, Calibration, GainsCurve, RankedOutcomes, ZTest

__all__ = [
    "SEGMENT_LABELS",
    "SEGMENT_SLUGS",
    "Arm",
    "ArmComparison",
    "ArmResult",
    "BandRow",
    "Calibration",
    "ConfigComparison",
    "CriterionCheck",
    "CriterionRow",
    "Distribution",
    "Evidence",
    "GainsCurve",
    "History",
    "MetricComparison",
    "PointsAdvice",
    "RankedOutcomes",
    "ReviewLead",
    "ScoredModel",
    "SegmentProfile",
    "SegmentReport",
    "Segmentation",
    "TierRow",
    "ValueEvidence",
    "ZTest",
    "advise_points",
    "assign_arm",
    "assign_arms",
    "build_evidence",
    "choose_model",
    "compare_arms",
    "compare_scorings",
    "score_history",
    "segment_leads",
    "yaml_fragment",
]
