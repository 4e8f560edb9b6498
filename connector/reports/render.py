"""Self-contained HTML pages of the reports: jinja2 templates, inline CSS, inline SVG plots.

Nothing is fetched when a page opens (no CDN, no web fonts, no external images), so a
report mailed as a file or opened on a plane looks the same.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import numpy as np
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from connector.errors import LeadscoreError
from connector.evaluation import ConfigComparison, Evidence, SegmentReport
from connector.evaluation.forward import ForwardBacktest
from connector.evaluation.stats import Interval
from connector.reports import plots

TEMPLATES = Path(__file__).parent / "templates"

MAP_SAMPLE = 3000
"""Points drawn on the segment map: enough to see the shapes, few enough to keep the file light."""


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = _percent
    env.filters["num"] = _number
    env.filters["count"] = _count
    return env


def _undefined(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _percent(value: float | None) -> str:
    return "–" if _undefined(value) else f"{value * 100:.1f}%"  # type: ignore[operator]


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if _undefined(value) else f"{value:,.{digits}f}"


def _count(value: int) -> str:
    return f"{value:,}"


def evidence_figures(evidence: Evidence) -> dict[str, str]:
    """The inline-SVG figures every view of the evidence shows (the report, the dashboard):
    conversion by decile and by tier, and the score distributions of converted vs not."""
    return {
        "deciles": plots.band_rates(
            evidence.deciles, evidence.base_rate, "conversion rate by score decile"
        ),
        "tiers": plots.category_rates(
            [t.tier for t in evidence.tiers],
            [t.rate for t in evidence.tiers],
            [t.rate_low for t in evidence.tiers],
            [t.rate_high for t in evidence.tiers],
            evidence.base_rate,
            "conversion rate by tier",
            "tier-rates",
        ),
        "distributions": plots.distributions(
            evidence.distribution.edges,
            evidence.distribution.converted,
            evidence.distribution.not_converted,
            "score distributions, converted vs not",
        ),
    }


def forward_figure(forward: ForwardBacktest) -> str:
    """The forward backtest's figure (the report, the dashboard): per scorer, the AUC its
    own cross-validation claims beside the one it reached on the leads open then."""
    labels: list[str] = []
    claimed: list[float | None] = []
    reached: list[Interval | None] = []
    if forward.score is not None:
        labels.append("the score")
        claimed.append(None)
        reached.append(forward.score.auc)
    for variant, label in ((forward.point_in_time, "model, point in time"),
                           (forward.current_values, "model, values as they stood")):
        if variant is not None:
            labels.append(label)
            claimed.append(variant.in_sample_auc)
            reached.append(variant.forward.auc)
    return plots.claimed_vs_forward(
        labels, claimed, reached,
        f"as of {forward.as_of:%Y-%m-%d}: the next {forward.horizon_days} days' conversions",
    )


def render_report(
    evidence: Evidence, generated_at: datetime, forward: ForwardBacktest | None = None
) -> str:
    """The evidence report as one HTML page.

    With `forward` (a portal's `reports.portal_forward`), the page leads with the forward
    grade "as of T − N days" and the evidence over every contact follows as secondary: it
    includes leads already converted, whose record shows what converting changed.
    """
    figures = evidence_figures(evidence)
    if forward is not None:
        figures["forward"] = forward_figure(forward)
    figures["gains"] = plots.gains(
        {"score": evidence.gains}
        | ({"likelihood": evidence.gains_likelihood} if evidence.gains_likelihood else {}),
        "ranking quality",
    )
    if evidence.calibration is not None:
        figures["reliability"] = plots.reliability(
            evidence.calibration, "reliability of the likelihood"
        )
    if evidence.arms is not None:
        arms = [evidence.arms.champion, evidence.arms.challenger]
        figures["arms"] = plots.category_rates(
            [a.arm for a in arms],
            [a.rate for a in arms],
            [a.rate_low for a in arms],
            [a.rate_high for a in arms],
            evidence.base_rate,
            "conversion per arm",
            "arms",
        )
    return (
        _environment()
        .get_template("report.html")
        .render(ev=evidence, fw=forward, figures=figures, generated_at=_stamp(generated_at))
    )


def render_comparison(comparison: ConfigComparison, source: str, generated_at: datetime) -> str:
    """The comparison of two rule sets as one HTML page."""
    labels = [comparison.label_a, comparison.label_b]
    metrics = [m.metric for m in comparison.metrics]
    figures = {
        "gains": plots.gains(
            {comparison.label_a: comparison.gains_a, comparison.label_b: comparison.gains_b},
            "ranking quality",
        ),
        "intervals": plots.interval_comparison(
            metrics,
            {
                labels[0]: [m.a.estimate for m in comparison.metrics],
                labels[1]: [m.b.estimate for m in comparison.metrics],
            },
            {
                labels[0]: [m.a.low for m in comparison.metrics],
                labels[1]: [m.b.low for m in comparison.metrics],
            },
            {
                labels[0]: [m.a.high for m in comparison.metrics],
                labels[1]: [m.b.high for m in comparison.metrics],
            },
            "95% bootstrap intervals",
        ),
    }
    return (
        _environment()
        .get_template("compare.html")
        .render(
            cmp=comparison,
            figures=figures,
            source=source,
            generated_at=_stamp(generated_at),
            deciles=list(zip(comparison.deciles_a, comparison.deciles_b, strict=True)),
        )
    )


def render_segments(
    report: SegmentReport,
    fit: np.ndarray,
    engagement: np.ndarray,
    source: str,
    generated_at: datetime,
    seed: int = 0,
) -> str:
    """The segments with their profiles and recommendations as one HTML page.

    `fit` and `engagement` are the training leads' sub-scores, in the order of `report.clusters`.
    """
    n = len(report.clusters)
    if len(fit) != n or len(engagement) != n:
        raise LeadscoreError("fit and engagement must be given for every segmented lead")
    sample = np.random.default_rng(seed).choice(n, size=min(MAP_SAMPLE, n), replace=False)
    profiles = report.profiles
    figures = {
        "map": plots.segment_map(
            fit[sample],
            engagement[sample],
            report.clusters[sample],
            report.segmentation.names,
            "segments on fit × engagement",
        ),
        "rates": plots.category_rates(
            [p.name for p in profiles],
            [p.rate for p in profiles],
            [p.rate_low for p in profiles],
            [p.rate_high for p in profiles],
            report.base_rate,
            "conversion rate by segment",
            "segment-rates",
            colour_index=[p.cluster for p in profiles],
        ),
    }
    return (
        _environment()
        .get_template("segments.html")
        .render(
            profiles=profiles,
            figures=figures,
            source=source,
            base_rate=report.base_rate,
            silhouettes=sorted(report.segmentation.silhouettes.items()),
            generated_at=_stamp(generated_at),
        )
    )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def write_page(html: str, path: Path) -> None:
    """Write a rendered page, with a clear error when the place cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise LeadscoreError(f"{path}: cannot write the report ({exc.strerror})") from exc
