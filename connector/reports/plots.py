"""Figures as inline SVG text, drawn with matplotlib's object API on the Agg canvas.

No pyplot: its global figure registry is not thread-safe and the dashboard renders these
inside a web server. Each SVG is stripped of its XML prologue and metadata so it can sit
inside an HTML page that opens offline and renders the same bytes on every run.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from connector.evaluation import BandRow, Calibration, GainsCurve
from connector.evaluation.stats import Interval

PALETTE = ("#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04", "#64748b")
"""Colour per series; the first two are also "converted" vs "not" and "A" vs "B"."""

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def _figure(width: float = 6.4, height: float = 3.4) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def to_svg(figure: Figure, name: str) -> str:
    """The figure as an `<svg>` element: fonts as text, deterministic ids, no metadata."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)


def band_rates(rows: Sequence[BandRow], base_rate: float, title: str) -> str:
    """Conversion rate per rank band with Wilson intervals and the base rate as a line."""
    figure = _figure()
    axes = figure.add_subplot()
    x = np.array([row.band for row in rows])
    rates = np.array([row.rate for row in rows]) * 100
    errors = np.array(
        [
            [(row.rate - row.rate_low) * 100 for row in rows],
            [(row.rate_high - row.rate) * 100 for row in rows],
        ]
    ).clip(min=0)
    axes.bar(x, rates, color=PALETTE[0], yerr=errors, capsize=3, ecolor="#334155")
    axes.axhline(
        base_rate * 100, color=PALETTE[3], linestyle="--", label=f"overall {base_rate:.1%}"
    )
    axes.set_xticks(x)
    axes.set_xlabel("score decile (1 = highest scores)")
    axes.set_ylabel("conversion rate (%)")
    axes.set_title(title)
    axes.legend(frameon=False)
    return to_svg(figure, "band-rates")


def category_rates(
    labels: Sequence[str],
    rates: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    base_rate: float,
    title: str,
    name: str,
    colour_index: Sequence[int] | None = None,
) -> str:
    """Conversion rate per category (tier, segment, arm) with interval bars.

    `colour_index` picks each bar's palette colour (default: by position), so a segment
    keeps the colour it has on the segment map.
    """
    figure = _figure(6.4, 3.0)
    axes = figure.add_subplot()
    r = np.array(rates) * 100
    errors = np.array([r - np.array(lows) * 100, np.array(highs) * 100 - r]).clip(min=0)
    order = range(len(labels)) if colour_index is None else colour_index
    colours = [PALETTE[i % len(PALETTE)] for i in order]
    axes.bar(list(labels), r, color=colours, yerr=errors, capsize=3, ecolor="#334155")
    axes.axhline(
        base_rate * 100, color=PALETTE[3], linestyle="--", label=f"overall {base_rate:.1%}"
    )
    axes.set_ylabel("conversion rate (%)")
    axes.set_title(title)
    axes.legend(frameon=False)
    return to_svg(figure, name)


def gains(curves: dict[str, GainsCurve], title: str) -> str:
    """Cumulative gains (left) and lift (right) for one or more rankings."""
    figure = _figure(7.6, 3.4)
    left, right = figure.subplots(1, 2)
    left.plot([0, 100], [0, 100], color="#94a3b8", linestyle=":", label="random")
    for i, (label, curve) in enumerate(curves.items()):
        x = np.array(curve.share_of_leads) * 100
        left.plot(x, np.array(curve.share_of_conversions) * 100, color=PALETTE[i], label=label)
        right.plot(x[1:], curve.lift[1:], color=PALETTE[i], marker="o", markersize=3, label=label)
    right.axhline(1, color="#94a3b8", linestyle=":")
    left.set_xlabel("top % of leads by score")
    left.set_ylabel("% of conversions captured")
    left.set_title("cumulative gains")
    right.set_xlabel("top % of leads by score")
    right.set_ylabel("lift")
    right.set_title("lift")
    left.legend(frameon=False, fontsize="small")
    figure.suptitle(title)
    return to_svg(figure, "gains")


def reliability(result: Calibration, title: str) -> str:
    """Reliability diagram: observed conversion against predicted likelihood per bin."""
    figure = _figure(4.6, 4.0)
    axes = figure.add_subplot()
    axes.plot([0, 100], [0, 100], color="#94a3b8", linestyle=":", label="perfect calibration")
    predicted = np.array([b.mean_predicted for b in result.bins]) * 100
    observed = np.array([b.observed_rate for b in result.bins]) * 100
    errors = np.array(
        [
            observed - np.array([b.observed_low for b in result.bins]) * 100,
            np.array([b.observed_high for b in result.bins]) * 100 - observed,
        ]
    ).clip(min=0)
    axes.errorbar(
        predicted, observed, yerr=errors, color=PALETTE[0], marker="o", capsize=3, label="observed"
    )
    axes.set_xlim(0, 100)
    axes.set_ylim(0, 100)
    axes.set_xlabel("predicted likelihood (%)")
    axes.set_ylabel("observed conversion (%)")
    axes.set_title(title)
    axes.legend(frameon=False, fontsize="small")
    return to_svg(figure, "reliability")


def distributions(
    edges: Sequence[float], converted: Sequence[float], other: Sequence[float], title: str
) -> str:
    """Score histograms of converted and non-converted leads, each normalised to 100%."""
    figure = _figure()
    axes = figure.add_subplot()
    e = np.asarray(edges)
    widths = np.diff(e)
    for i, (label, counts) in enumerate((("converted", converted), ("not converted", other))):
        c = np.asarray(counts, dtype=float)
        share = c / c.sum() * 100 if c.sum() else c
        axes.bar(
            e[:-1], share, width=widths, align="edge", alpha=0.55, color=PALETTE[i], label=label
        )
    axes.set_xlabel("score")
    axes.set_ylabel("% of the group")
    axes.set_title(title)
    axes.legend(frameon=False)
    return to_svg(figure, "distributions")


def interval_comparison(
    metrics: Sequence[str],
    estimates: dict[str, Sequence[float]],
    lows: dict[str, Sequence[float]],
    highs: dict[str, Sequence[float]],
    title: str,
) -> str:
    """Side-by-side estimates with confidence intervals, one panel per metric."""
    figure = _figure(7.6, 2.8)
    panels = np.atleast_1d(figure.subplots(1, len(metrics)))
    labels = list(estimates)
    for m, (axes, metric) in enumerate(zip(panels, metrics, strict=True)):
        for i, label in enumerate(labels):
            value = estimates[label][m]
            error = [[max(value - lows[label][m], 0)], [max(highs[label][m] - value, 0)]]
            axes.errorbar([i], [value], yerr=error, marker="o", capsize=4, color=PALETTE[i])
        axes.set_xticks(range(len(labels)), labels)
        axes.set_xlim(-0.6, len(labels) - 0.4)
        axes.set_title(metric, fontsize="medium")
    figure.suptitle(title)
    return to_svg(figure, "interval-comparison")


def segment_map(
    fit: ArrayLike,
    engagement: ArrayLike,
    labels: ArrayLike,
    names: Sequence[str],
    title: str,
) -> str:
    """Leads on the fit × engagement plane coloured by segment (caller passes a sample)."""
    figure = _figure(6.0, 4.2)
    axes = figure.add_subplot()
    lab = np.asarray(labels)
    f, g = np.asarray(fit, dtype=float), np.asarray(engagement, dtype=float)
    for k, name in enumerate(names):
        mask = lab == k
        axes.scatter(f[mask], g[mask], s=6, alpha=0.5, color=PALETTE[k % len(PALETTE)], label=name)
    axes.set_xlabel("fit")
    axes.set_ylabel("engagement")
    axes.set_title(title)
    axes.legend(frameon=False, fontsize="small", markerscale=2, loc="best")
    return to_svg(figure, "segment-map")


def claimed_vs_forward(
    labels: Sequence[str],
    claimed: Sequence[float | None],
    forward: Sequence[Interval | None],
    title: str,
) -> str:
    """Per scorer, the AUC it claims (its own cross-validation, hollow) beside the AUC it
    reached forward with its interval (filled): a leak shows as a high claim, a low result."""
    figure = _figure(6.4, 0.6 + 0.55 * len(labels) + 0.9)
    axes = figure.add_subplot()
    rows = np.arange(len(labels))[::-1]
    for row, own, ahead in zip(rows, claimed, forward, strict=True):
        if ahead is not None:
            error = [[max(ahead.estimate - ahead.low, 0)], [max(ahead.high - ahead.estimate, 0)]]
            axes.errorbar([ahead.estimate], [row], xerr=error, fmt="o", capsize=4,
                          color=PALETTE[0], label="forward")
        if own is not None:
            axes.plot([own], [row], marker="o", markerfacecolor="none", linestyle="none",
                      color=PALETTE[1], markersize=8, label="claimed (own CV)")
    axes.axvline(0.5, color="#94a3b8", linestyle=":")
    axes.set_yticks(rows, list(labels))
    axes.set_ylim(-0.7, len(labels) - 0.3)
    shown = [v for v in claimed if v is not None] + [i.low for i in forward if i is not None]
    axes.set_xlim(min([0.4, *(v - 0.05 for v in shown)]), 1.0)
    axes.set_xlabel("AUC (0.5 = random)")
    handles, names = axes.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    axes.legend(unique.values(), unique.keys(), frameon=False, fontsize="small",
                loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    figure.suptitle(title)
    return to_svg(figure, "claimed-vs-forward")
