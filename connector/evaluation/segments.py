"""Unsupervised segments of leads on fit and engagement, named from a fixed vocabulary.

Features: the fit and engagement sub-scores (standardised, weighted most), the exclusion
flag, and a few key attributes — numeric ones standardised, categorical ones one-hot — each
block weighted so that it counts about as much as one sub-score whatever its width. KMeans
(seeded) clusters them; the number of segments is the one with the best silhouette on a
sample, within a range. Each cluster is then named by where it sits on fit × engagement
(or by being mostly excluded) and checked against its own conversion: a segment whose
conversion is significantly below the average is never sent to sales (`fast_track`,
`direct_outreach` become `nurture`), one significantly above is never left in
`long_nurture`. So the slugs written to HubSpot come from `SEGMENT_SLUGS` and the
enumeration's options never change between trainings. Display names are unique: clusters
sharing a slug are told apart by what sets each apart (its strongest distinction, by the
property's HubSpot label), else by their conversion.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from connector.errors import LeadscoreError
from connector.evaluation.attributes import (
    Attribute,
    category_labels,
    numeric_values,
    usable_attributes,
)
from connector.evaluation.stats import wilson_interval
from connector.scoring.features import friendly_label
from connector.scoring.leads import LeadFrame
from connector.scoring.score_columns import ScoreColumn

SEGMENT_SLUGS = ("fast_track", "direct_outreach", "nurture", "requalify", "long_nurture", "exclude")
"""Every slug a segment can have: the options of the `leadscore_segment` enumeration."""

SEGMENT_LABELS = {
    "fast_track": "Fast track",
    "direct_outreach": "Direct outreach",
    "nurture": "Nurture",
    "requalify": "Requalify",
    "long_nurture": "Long nurture",
    "exclude": "Exclude",
}
"""Display label of each slug (the enumeration option labels)."""

ACTIONS = {
    "fast_track": "hand to sales now, same-day follow-up.",
    "direct_outreach": "direct sales outreach (call, personal e-mail) rather than waiting "
    "for them to engage.",
    "nurture": "keep in marketing nurture and watch for a jump in engagement.",
    "requalify": "requalify (the profile data may be wrong or stale) or nurture with "
    "low-touch content.",
    "long_nurture": "long, low-cost nurture; no sales time.",
    "exclude": "exclude from sales and scoring workflows (students, job seekers, "
    "competitors, bad data).",
}
"""What to do with the leads of each segment; the recommendation puts the segment's own
figures before it, so every "high" or "low" is read next to the number it describes."""

SUBSCORE_WEIGHT = 2.0
"""Weight of the standardised fit and engagement columns against an attribute block (1)."""

EXCLUDED_WEIGHT = 3.0
"""Weight of the 0/1 exclusion flag: excluded leads should gather in their own segment."""

LEVEL_THRESHOLD = 0.25
"""A segment is "high" (or "low") on a sub-score this many standard deviations above (below)
the mean of all leads."""

EXCLUDE_SHARE = 0.5
"""A segment where at least this share of leads is excluded is named `exclude`."""

MAX_CATEGORIES_PER_ATTRIBUTE = 8
"""One-hot columns per categorical attribute; rarer values share an "other" column."""

Level = Literal["low", "mid", "high"]
LEVEL_WORDS: dict[Level, str] = {"low": "low", "mid": "middling", "high": "high"}


@dataclass
class FeatureSpace:
    """How leads become feature vectors; fitted on the training leads and reused to assign."""

    fit_mean: float
    fit_std: float
    engagement_mean: float
    engagement_std: float
    numeric: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    """name → (median used for missing values, mean, std)."""
    categorical: dict[str, list[str]] = field(default_factory=dict)
    """name → kept category values (anything else is "other")."""

    @classmethod
    def fit(
        cls, contacts: pd.DataFrame, scores: pd.DataFrame, attributes: list[Attribute]
    ) -> FeatureSpace:
        """Learn centring, scaling and categories from the training leads."""
        space = cls(
            fit_mean=float(scores[ScoreColumn.FIT].mean()),
            fit_std=_std(scores[ScoreColumn.FIT]),
            engagement_mean=float(scores[ScoreColumn.ENGAGEMENT].mean()),
            engagement_std=_std(scores[ScoreColumn.ENGAGEMENT]),
        )
        for attribute in attributes:
            column = contacts[attribute.name]
            if attribute.kind == "numeric":
                values = numeric_values(column)
                median = float(values.median()) if values.notna().any() else 0.0
                filled = values.fillna(median)
                space.numeric[attribute.name] = (median, float(filled.mean()), _std(filled))
            else:
                counts = category_labels(column).value_counts()
                space.categorical[attribute.name] = [
                    str(v) for v in counts.index[:MAX_CATEGORIES_PER_ATTRIBUTE]
                ]
        return space

    def transform(self, contacts: pd.DataFrame, scores: pd.DataFrame) -> NDArray[np.float64]:
        """Feature matrix (one row per lead, in `contacts` order)."""
        blocks = [
            SUBSCORE_WEIGHT
            * (scores[ScoreColumn.FIT].to_numpy(float) - self.fit_mean)
            / self.fit_std,
            SUBSCORE_WEIGHT
            * (scores[ScoreColumn.ENGAGEMENT].to_numpy(float) - self.engagement_mean)
            / self.engagement_std,
            EXCLUDED_WEIGHT * scores[ScoreColumn.EXCLUDED].to_numpy(bool).astype(float),
        ]
        if self.numeric:
            # Each numeric column gets 1/sqrt(k) so the k columns together weigh one block.
            weight = 1 / math.sqrt(len(self.numeric))
            for name, (median, mean, std) in self.numeric.items():
                values = _column(contacts, name, numeric=True).fillna(median).to_numpy(float)
                blocks.append(weight * (values - mean) / std)
        if self.categorical:
            weight = 1 / math.sqrt(len(self.categorical))
            for name, kept in self.categorical.items():
                labels = _column(contacts, name, numeric=False).to_numpy(dtype=object)
                for value in kept:
                    blocks.append(weight * (labels == value).astype(float))
                blocks.append(weight * ~np.isin(labels, kept).astype(bool))
        return np.column_stack(blocks).astype(np.float64)


@dataclass(frozen=True)
class Distinction:
    """A feature a segment over- or under-represents compared with all leads."""

    feature: str
    direction: Literal["over", "under"]
    segment_value: float
    overall_value: float
    description: str

    @property
    def qualifier(self) -> str | None:
        """The distinction as a few words for a name, e.g. "industry = Retail" or "higher
        page views"; None for an under-represented category (a name says what is there)."""
        if " = " in self.feature:
            return self.feature if self.direction == "over" else None
        return f"{'higher' if self.direction == 'over' else 'lower'} {self.feature}"


@dataclass(frozen=True)
class SegmentProfile:
    """One segment: who is in it, how it converts and what to do with it."""

    cluster: int
    slug: str
    name: str
    leads: int
    share: float
    conversions: int
    rate: float
    rate_low: float
    rate_high: float
    mean_fit: float
    mean_engagement: float
    excluded_share: float
    fit_level: Level
    engagement_level: Level
    recommendation: str
    distinctions: list[Distinction]


@dataclass
class Segmentation:
    """A fitted segmentation: feature space, cluster centres and each cluster's slug."""

    space: FeatureSpace
    centres: list[list[float]]
    slugs: list[str]
    names: list[str]
    silhouettes: dict[int, float]
    """Silhouette per candidate number of segments (the chosen one is the best)."""

    def assign_clusters(self, leads: LeadFrame, scores: pd.DataFrame) -> NDArray[np.int64]:
        """Nearest cluster per lead (scores: the lead's score frame, indexed like contacts)."""
        features = self.space.transform(leads.contacts, scores.reindex(leads.contacts.index))
        centres = np.asarray(self.centres)
        distances = ((features[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        return np.asarray(distances.argmin(axis=1), dtype=np.int64)

    def assign(self, leads: LeadFrame, scores: pd.DataFrame) -> pd.Series:
        """Segment slug per lead, indexed by contact id: what the sync writes to HubSpot."""
        clusters = self.assign_clusters(leads, scores)
        return pd.Series(
            np.asarray(self.slugs, dtype=object)[clusters],
            index=leads.contacts.index,
            name="segment",
        )

    def to_json(self) -> str:
        """The fitted segmentation as JSON (to store with the model, then `from_json`)."""
        data = asdict(self)
        data["silhouettes"] = {str(k): v for k, v in self.silhouettes.items()}
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Segmentation:
        """Rebuild a segmentation saved by `to_json`."""
        try:
            data: dict[str, Any] = json.loads(text)
            space = data.pop("space")
            space["numeric"] = {k: tuple(v) for k, v in space["numeric"].items()}
            data["silhouettes"] = {int(k): v for k, v in data["silhouettes"].items()}
            return cls(space=FeatureSpace(**space), **data)
        except (ValueError, KeyError, TypeError) as exc:
            raise LeadscoreError(f"not a saved segmentation: {exc}") from exc


@dataclass(frozen=True)
class SegmentReport:
    """A fitted segmentation with the profile of each segment on the training leads."""

    segmentation: Segmentation
    profiles: list[SegmentProfile]
    clusters: NDArray[np.int64]
    """Cluster of each training lead (for plots)."""
    base_rate: float


def segment_leads(
    leads: LeadFrame,
    scores: pd.DataFrame,
    converted: NDArray[np.bool_],
    attributes: list[str] | None = None,
    k_range: tuple[int, int] = (3, 8),
    sample_size: int = 3000,
    seed: int = 0,
) -> SegmentReport:
    """Cluster leads, choose the number of segments by silhouette, then name and profile them.

    `scores` is the score frame (columns fit, engagement, excluded) indexed by contact id;
    `attributes` are the property names to add to the sub-scores (default: every usable
    property). Outcomes are used only to profile, never to cluster.
    """
    low, high = k_range
    if low < 2 or high < low:
        raise LeadscoreError(f"segment range must satisfy 2 <= min <= max, got {low}-{high}")
    n = len(leads)
    if n < high * 5:
        raise LeadscoreError(f"too few leads to segment ({n}); need at least {high * 5}")
    frame = scores.reindex(leads.contacts.index)
    chosen = usable_attributes(leads.contacts, attributes)
    space = FeatureSpace.fit(leads.contacts, frame, chosen)
    features = space.transform(leads.contacts, frame)
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, size=min(sample_size, n), replace=False)
    silhouettes: dict[int, float] = {}
    models: dict[int, KMeans] = {}
    # One thread: KMeans' OpenMP/BLAS threads fight each other (and the web server's) on a
    # busy small machine, turning a tenth of a second into many seconds.
    with threadpool_limits(1):
        for k in range(low, high + 1):
            model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(features)
            labels = model.labels_[sample]
            if len(set(labels.tolist())) < 2:
                continue
            silhouettes[k] = float(silhouette_score(features[sample], labels, random_state=seed))
            models[k] = model
    if not silhouettes:
        raise LeadscoreError("leads are too alike to segment (every lead has the same features)")
    best = max(silhouettes, key=lambda k: (silhouettes[k], -k))
    model = models[best]
    clusters = model.labels_.astype(np.int64)
    y = np.asarray(converted, dtype=bool)
    base_rate = float(y.mean())
    levels = [_levels(frame, clusters == c, space) for c in range(best)]
    conversion = [_conversion_level(y[clusters == c], base_rate) for c in range(best)]
    slugs = [_slug(*lv, conversion[c]) for c, lv in enumerate(levels)]
    distinctions = [_distinctions(leads.contacts, clusters == c, chosen) for c in range(best)]
    rates = [float(y[clusters == c].mean()) for c in range(best)]
    names = _names(slugs, rates, distinctions)
    segmentation = Segmentation(
        space=space,
        centres=model.cluster_centers_.tolist(),
        slugs=slugs,
        names=names,
        silhouettes=silhouettes,
    )
    profiles = [
        _profile(c, segmentation, levels[c], frame, y, clusters, distinctions[c], space)
        for c in range(best)
    ]
    profiles.sort(key=lambda p: -p.rate)
    return SegmentReport(segmentation, profiles, clusters, base_rate)


def _std(values: pd.Series) -> float:
    std = float(values.std(ddof=0))
    # A constant column (e.g. engagement when no activity is synced) must not divide by 0.
    return std if std > 0 else 1.0


def _column(contacts: pd.DataFrame, name: str, numeric: bool) -> pd.Series:
    if name not in contacts.columns:
        # A lead batch without the property: every value is missing.
        column = pd.Series(np.nan, index=contacts.index, dtype=object, name=name)
    else:
        column = contacts[name]
    return numeric_values(column) if numeric else category_labels(column)


def _levels(
    frame: pd.DataFrame, mask: NDArray[np.bool_], space: FeatureSpace
) -> tuple[Level, Level, float]:
    fit_z = (
        float(frame[ScoreColumn.FIT].to_numpy(float)[mask].mean()) - space.fit_mean
    ) / space.fit_std
    engagement_z = (
        float(frame[ScoreColumn.ENGAGEMENT].to_numpy(float)[mask].mean()) - space.engagement_mean
    ) / space.engagement_std
    excluded = float(frame[ScoreColumn.EXCLUDED].to_numpy(bool)[mask].mean())
    return _level(fit_z), _level(engagement_z), excluded


def _level(z: float) -> Level:
    if z >= LEVEL_THRESHOLD:
        return "high"
    if z <= -LEVEL_THRESHOLD:
        return "low"
    return "mid"


def _conversion_level(converted: NDArray[np.bool_], base_rate: float) -> Level:
    """Where a segment's conversion sits: its Wilson interval above, around or below the base."""
    low, high = wilson_interval(int(converted.sum()), len(converted))
    if low > base_rate:
        return "high"
    if high < base_rate:
        return "low"
    return "mid"


def _slug(fit: Level, engagement: Level, excluded_share: float, conversion: Level) -> str:
    """Name a segment by its position on fit × engagement, checked against its conversion."""
    if excluded_share >= EXCLUDE_SHARE:
        return "exclude"
    table: dict[tuple[Level, Level], str] = {
        ("high", "high"): "fast_track",
        ("high", "mid"): "direct_outreach",
        ("high", "low"): "direct_outreach",
        ("mid", "high"): "nurture",
        ("mid", "mid"): "nurture",
        # Engagement can still grow, a poor profile rarely changes: low fit weighs heavier.
        ("mid", "low"): "nurture",
        ("low", "high"): "requalify",
        ("low", "mid"): "long_nurture",
        ("low", "low"): "long_nurture",
    }
    slug = table[(fit, engagement)]
    # Sales time goes where leads convert: the figures overrule the profile's promise.
    if conversion == "low" and slug in ("fast_track", "direct_outreach"):
        return "nurture"
    if conversion == "high" and slug == "long_nurture":
        return "nurture"
    return slug


def _names(
    slugs: list[str], rates: list[float], distinctions: list[list[Distinction]]
) -> list[str]:
    """Unique display names: a shared slug is qualified by what sets each cluster apart.

    Each cluster sharing a slug takes its strongest distinction that no peer has, else its
    conversion; clusters still alike after that are numbered by conversion, best first.
    """
    names = [SEGMENT_LABELS[slug] for slug in slugs]
    for slug in set(slugs):
        peers = [i for i, s in enumerate(slugs) if s == slug]
        if len(peers) < 2:
            continue
        features = {
            i: [q for q in (d.qualifier for d in distinctions[i]) if q is not None] for i in peers
        }
        for i in peers:
            others = {f for j in peers if j != i for f in features[j][:1]}
            own = next((f for f in features[i] if f not in others), None)
            names[i] += f" · {own}" if own is not None else f" · {rates[i]:.1%} conversion"
        order = sorted(peers, key=lambda i: (-rates[i], i))
        for i in peers:
            if sum(names[j] == names[i] for j in peers) > 1:
                names[i] += f" ({order.index(i) + 1})"
    return names


def _profile(
    cluster: int,
    segmentation: Segmentation,
    level: tuple[Level, Level, float],
    frame: pd.DataFrame,
    converted: NDArray[np.bool_],
    clusters: NDArray[np.int64],
    distinctions: list[Distinction],
    space: FeatureSpace,
) -> SegmentProfile:
    mask = clusters == cluster
    n = int(mask.sum())
    hits = int(converted[mask].sum())
    low, high = wilson_interval(hits, n)
    slug = segmentation.slugs[cluster]
    rate = hits / n if n else 0.0
    mean_fit = float(frame[ScoreColumn.FIT].to_numpy(float)[mask].mean())
    mean_engagement = float(frame[ScoreColumn.ENGAGEMENT].to_numpy(float)[mask].mean())
    base = float(converted.mean())
    compared = "above" if low > base else "below" if high < base else "about"
    figures = (
        f"{LEVEL_WORDS[level[0]]} fit (mean {mean_fit:.0f} vs {space.fit_mean:.0f} overall), "
        f"{LEVEL_WORDS[level[1]]} engagement (mean {mean_engagement:.0f} vs "
        f"{space.engagement_mean:.0f}), converts {rate:.1%} ({compared} the {base:.1%} average)"
    )
    if slug == "exclude":
        figures = f"{level[2]:.0%} disqualified, converts {rate:.1%} (vs {base:.1%} average)"
    return SegmentProfile(
        cluster=cluster,
        slug=slug,
        name=segmentation.names[cluster],
        leads=n,
        share=n / len(mask),
        conversions=hits,
        rate=rate,
        rate_low=low,
        rate_high=high,
        mean_fit=mean_fit,
        mean_engagement=mean_engagement,
        excluded_share=level[2],
        fit_level=level[0],
        engagement_level=level[1],
        recommendation=f"{figures[0].upper()}{figures[1:]}: {ACTIONS[slug]}",
        distinctions=distinctions,
    )


def _distinctions(
    contacts: pd.DataFrame, mask: NDArray[np.bool_], attributes: list[Attribute], top: int = 6
) -> list[Distinction]:
    """Features most over/under-represented in the segment, strongest first.

    Categorical values are compared by share (ratio of shares, values holding at least 5%
    of either group); numeric attributes by mean, in standard deviations of all leads. Both
    are ranked on a common effect size: |log share ratio| and |standardised difference|.
    """
    found: list[tuple[float, Distinction]] = []
    for attribute in attributes:
        column = contacts[attribute.name]
        if attribute.kind == "numeric":
            values = numeric_values(column)
            overall_mean, inside_mean = float(values.mean()), float(values[mask].mean())
            std = _std(values.dropna())
            if math.isnan(inside_mean):
                continue
            effect = (inside_mean - overall_mean) / std
            direction: Literal["over", "under"] = "over" if effect > 0 else "under"
            word = "higher" if effect > 0 else "lower"
            label = friendly_label(attribute.name)
            text = f"{label} {word}: mean {inside_mean:.3g} vs {overall_mean:.3g}"
            found.append(
                (abs(effect), Distinction(label, direction, inside_mean, overall_mean, text))
            )
            continue
        labels = category_labels(column)
        overall = labels.value_counts(normalize=True)
        inside = labels[mask].value_counts(normalize=True).reindex(overall.index, fill_value=0.0)
        shares = zip(overall.index, overall.to_numpy(float), inside.to_numpy(float), strict=True)
        for value, share_all, share_in in shares:
            if max(share_in, share_all) < 0.05:
                continue
            # Half a lead of smoothing keeps "absent from the segment" finite.
            ratio = (share_in + 0.5 / mask.sum()) / share_all
            direction = "over" if ratio > 1 else "under"
            feature = f"{friendly_label(attribute.name)} = {value}"
            text = f"{feature}: {share_in:.0%} of the segment vs {share_all:.0%} overall"
            found.append(
                (
                    abs(math.log(ratio)),
                    Distinction(feature, direction, float(share_in), float(share_all), text),
                )
            )
    found.sort(key=lambda item: -item[0])
    return [d for effect, d in found[:top] if effect > 0.1]
