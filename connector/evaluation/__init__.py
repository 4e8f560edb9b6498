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
from connector.evaluation.points import CriterionCheck, ValueEvidence, yaml_fragment
from connector.evaluation.points_advice import PointsAdvice, advise_points, points_fragment
from connector.evaluation.provenance import (
    Provenance,
    RowSplit,
    SampleCheck,
    check_sample,
    read_provenance,
    restrict,
)
from connector.evaluation.scorecard import AttributeWeight, BinPoints, Scorecard, fit_scorecard
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
from connector.evaluation.weights import (
    ForwardFigure,
    Setting,
    SubScores,
    TimeSplit,
    WeightsAdvice,
    suggest_weights,
    weights_fragment,
)

__all__ = [
    "SEGMENT_LABELS",
    "SEGMENT_SLUGS",
    "Arm",
    "ArmComparison",
    "ArmResult",
    "AttributeWeight",
    "BandRow",
    "BinPoints",
    "Calibration",
    "ConfigComparison",
    "CriterionCheck",
    "CriterionRow",
    "Distribution",
    "Evidence",
    "ForwardFigure",
    "GainsCurve",
    "History",
    "MetricComparison",
    "PointsAdvice",
    "Provenance",
    "RankedOutcomes",
    "ReviewLead",
    "RowSplit",
    "SampleCheck",
    "Scorecard",
    "ScoredModel",
    "SegmentProfile",
    "SegmentReport",
    "Segmentation",
    "Setting",
    "SubScores",
    "TierRow",
    "TimeSplit",
    "ValueEvidence",
    "WeightsAdvice",
    "ZTest",
    "advise_points",
    "assign_arm",
    "assign_arms",
    "build_evidence",
    "check_sample",
    "choose_model",
    "compare_arms",
    "compare_scorings",
    "fit_scorecard",
    "points_fragment",
    "read_provenance",
    "restrict",
    "score_history",
    "segment_leads",
    "suggest_weights",
    "weights_fragment",
    "yaml_fragment",
]
