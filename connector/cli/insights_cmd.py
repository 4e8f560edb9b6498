"""`leadscore insights report|compare|points|segments|weights|experiment`: evidence and advice.

Each command reads its history through a `HistorySource` — a CSV with an outcome column
(`--csv`), or else the synced portal's stored contacts (`--portal`, default the only
connected portal) — and hands it to the pure functions of `connector.evaluation`; the
results are drawn by `connector.reports`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from connector.cli.forward_output import forward_json, print_forward
from connector.cli.history_options import PORTAL_HELP, csv_source
from connector.errors import LeadscoreError
from connector.evaluation import (
    History,
    PointsAdvice,
    Provenance,
    RowSplit,
    ScoredModel,
    SubScores,
    advise_points,
    build_evidence,
    check_sample,
    choose_model,
    compare_scorings,
    points_fragment,
    read_provenance,
    restrict,
    score_history,
    segment_leads,
    suggest_weights,
    weights_fragment,
)
from connector.evaluation.forward import ForwardBacktest
from connector.reports import (
    HistorySource,
    PortalSource,
    dumps,
    experiment_report,
    history_from_csv,
    input_coverage,
    render_comparison,
    render_report,
    render_segments,
    to_jsonable,
    write_page,
)
from connector.scoring.config import DEFAULT_CONFIG_PATH, ScoringConfig
from connector.scoring.model import NotEnoughData
from connector.scoring.score_columns import ScoreColumn
from connector.scoring_files import load_config, load_model
from connector.settings import get_settings
from connector.store import open_store

insights_app = typer.Typer(
    name="insights",
    help="Evidence that the scoring works, and advice to improve it, from leads with outcomes.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)


@dataclass(frozen=True)
class CsvOptions:
    """Where the history comes from in CSV mode."""

    csv: Path | None
    target: str | None
    positive: str | None
    id_column: str | None

    def source(self, now: datetime) -> HistorySource:
        """A history source reading the CSV (checked for the required options first)."""
        if self.csv is None or self.target is None:
            raise LeadscoreError("give the history as --csv FILE --target COLUMN")
        csv, target = self.csv, self.target
        return lambda: history_from_csv(csv, target, now, self.positive, self.id_column)


def _history_source(
    options: CsvOptions,
    portal: int | None,
    now: datetime,
    config: Path,
    scoring_model: str | None,
    model: Path | None,
) -> tuple[HistorySource, Path | None]:
    """The CSV when `--csv` is given, else the synced portal (with its trained model).

    In portal mode the outcome is the lifecycle stage, so the CSV-only flags are refused
    rather than silently ignored.
    """
    csv_only = (
        ("--target", options.target),
        ("--positive", options.positive),
        ("--id-column", options.id_column),
    )
    if csv_source(options.csv, portal, csv_only) is not None:
        return options.source(now), model
    source = PortalSource(portal, choose_model(load_config(config), scoring_model), now)
    return source, model if model is not None else source.model_file()


CSV_HELP = "CSV export of leads with a known outcome (one row per lead)."
TARGET_HELP = "Column holding the outcome (removed from the properties the scoring sees)."
POSITIVE_HELP = "Value of the target column meaning 'converted' (default: yes/true/1/won...)."
CONFIG_HELP = "Scoring configuration file (default: the shipped config/scoring.yaml)."
ID_HELP = (
    "Column holding the contact id (default: hs_object_id, contact_id, id or vid; else row number)."
)
MODEL_HELP = "Trained likelihood model file (from `leadscore model train`) to score with."
SCORING_MODEL_HELP = "Which scoring model of the config to evaluate (default: the first)."

HOLDOUT_HELP = (
    "Hold out this share of the rows (0-1, seeded by --seed): `points` derives on the other "
    "rows, `compare` grades only on these, so a derived config is graded on rows it never saw."
)
SPLIT_SEED_HELP = "Seed of the --holdout rows (same CSV, share and seed: same rows)."

# The history options every insights command shares, declared once.
CsvOption = Annotated[Path | None, typer.Option("--csv", help=CSV_HELP)]
TargetOption = Annotated[str | None, typer.Option("--target", help=TARGET_HELP)]
PositiveOption = Annotated[str | None, typer.Option("--positive", help=POSITIVE_HELP)]
IdColumnOption = Annotated[str | None, typer.Option("--id-column", help=ID_HELP)]
PortalOption = Annotated[int | None, typer.Option("--portal", help=PORTAL_HELP)]
ConfigOption = Annotated[Path, typer.Option("--config", help=CONFIG_HELP)]
ModelOption = Annotated[Path | None, typer.Option("--model", help=MODEL_HELP)]
ScoringModelOption = Annotated[str | None, typer.Option("--scoring-model", help=SCORING_MODEL_HELP)]
HoldoutOption = Annotated[float | None, typer.Option("--holdout", help=HOLDOUT_HELP)]
SplitSeedOption = Annotated[int, typer.Option("--split-seed", help=SPLIT_SEED_HELP)]


@contextmanager
def _step(message: str, quiet: bool) -> Iterator[None]:
    """A spinner on stderr while a long step runs (stdout stays clean for --json)."""
    if quiet or not err.is_terminal:
        yield
        return
    with err.status(message):
        yield


def _load(source: HistorySource, quiet: bool) -> History:
    with _step("reading the history", quiet):
        history = source()
    if history.conversions == 0 or history.conversions == len(history.leads):
        raise LeadscoreError(
            f"{history.source}: every lead has the same outcome; insights need both converted "
            "and unconverted leads"
        )
    return history


def _split(holdout: float | None, seed: int) -> RowSplit | None:
    return None if holdout is None else RowSplit(holdout, seed)


def _digest(csv: Path | None) -> str | None:
    """sha256 of the CSV the history comes from (None in portal mode)."""
    if csv is None:
        return None
    try:
        return hashlib.sha256(csv.read_bytes()).hexdigest()
    except OSError as exc:
        raise LeadscoreError(f"{csv}: cannot read ({exc.strerror})") from exc


def _config_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LeadscoreError(f"{path}: cannot read ({exc.strerror})") from exc


def _forward(source: HistorySource, config: ScoringConfig, quiet: bool) -> ForwardBacktest | None:
    """A portal's forward grade as of T − 90 days (None for a CSV, or too little history
    then: said on stderr)."""
    if not isinstance(source, PortalSource):
        return None
    try:
        with _step("forward backtest as of 90 days ago", quiet):
            return source.forward(config)
    except NotEnoughData as exc:
        Console(stderr=True).print(f"no forward grade: {exc}")
        return None


def _ratio(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}×"


def _score(
    history: History, config: ScoringConfig, model_path: Path | None, name: str | None, quiet: bool
) -> ScoredModel:
    with _step(f"scoring {len(history.leads):,} leads", quiet):
        model = load_model(model_path) if model_path else None
        return score_history(history, config, model, name)


@insights_app.command("report")
def report(
    csv: CsvOption = None,
    target: TargetOption = None,
    positive: PositiveOption = None,
    id_column: IdColumnOption = None,
    portal: PortalOption = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    model: ModelOption = None,
    scoring_model: ScoringModelOption = None,
    out_path: Path = typer.Option(
        Path("report.html"), "--out", help="Where to write the HTML report."
    ),
    review: int = typer.Option(
        100, "--review", min=0, help="High-scoring non-converted leads to list."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the report's figures as JSON."),
) -> None:
    """Conversion by score decile and tier, AUC, lift and gains, calibration, criteria and the
    high scorers that never converted; writes a self-contained HTML report (opens offline)."""
    now = datetime.now(UTC)
    source, model = _history_source(
        CsvOptions(csv, target, positive, id_column), portal, now, config, scoring_model, model
    )
    history = _load(source, json_output)
    rules = load_config(config)
    coverage = None
    if not isinstance(source, PortalSource):
        coverage = input_coverage(history.leads.contacts.columns, rules, history.source)
        if coverage.warning:
            Console(stderr=True).print(f"[yellow]warning:[/] {coverage.warning}", soft_wrap=True)
    forward = _forward(source, rules, json_output)
    scored = _score(history, rules, model, scoring_model, json_output)
    evidence = build_evidence(
        scored.frame,
        history.converted,
        model=scored.name,
        source=history.source,
        ledger=scored.ledger,
        arms=history.arms,
        review_limit=review,
    )
    with _step("drawing the report", json_output):
        write_page(render_report(evidence, now, forward=forward), out_path)
    if json_output:
        figures = to_jsonable(evidence)
        if coverage is not None:
            figures["input"] = coverage.to_json()
        print(dumps(figures if forward is None else {"forward": forward_json(forward), **figures}))
        return
    if forward is not None:
        print_forward(forward, out)
        out.print("\n[bold]secondary: every contact as it is now[/] (includes leads already "
                  "converted, with what their conversion caused: flattering)")
    out.print(
        f"[bold]{history.source}[/]: {evidence.leads:,} leads, {evidence.conversions:,} converted "
        f"({evidence.base_rate:.1%})"
    )
    out.print(
        f"AUC {evidence.auc_score:.3f} · top-decile lift {evidence.top_decile_lift:.2f}× · "
        f"hot+warm hold {evidence.hot_warm_share_of_leads:.1%} of leads and "
        f"{evidence.hot_warm_share_of_conversions:.1%} of conversions · "
        f"hot vs cold {_ratio(evidence.hot_vs_cold_ratio)}"
    )
    table = Table("tier", "leads", "conversions", "rate", "95% interval")
    for row in evidence.tiers:
        table.add_row(
            row.tier,
            f"{row.leads:,}",
            f"{row.conversions:,}",
            f"{row.rate:.1%}",
            f"{row.rate_low:.1%} – {row.rate_high:.1%}",
        )
    out.print(table)
    if evidence.arms is not None:
        out.print(f"live A/B experiment: {evidence.arms.verdict}")
    out.print(f"report written to {out_path}")


@insights_app.command("compare")
def compare(
    configs: list[Path] = typer.Option(
        ..., "--config", help="Two scoring configurations: A then B."
    ),
    csv: CsvOption = None,
    target: TargetOption = None,
    positive: PositiveOption = None,
    id_column: IdColumnOption = None,
    portal: PortalOption = None,
    model: ModelOption = None,
    scoring_model: ScoringModelOption = None,
    holdout: HoldoutOption = None,
    split_seed: SplitSeedOption = 0,
    replicates: int = typer.Option(1000, "--replicates", min=50, help="Bootstrap resamples."),
    seed: int = typer.Option(
        0, "--seed", help="Seed of the bootstrap (same seed, same intervals)."
    ),
    out_path: Path | None = typer.Option(
        None, "--out", help="Also write an HTML page of the comparison."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Backtest two rule sets on the same history, side by side with paired bootstrap
    intervals (AUC, top-decile lift, hot conversion rate), and say which ranks leads better.
    A config derived from this CSV (`insights points` records it) is flagged as in-sample;
    --holdout grades only on the rows a `points --holdout` derivation left out."""
    if len(configs) != 2:
        raise LeadscoreError(f"give exactly two --config files (A then B), got {len(configs)}")
    now = datetime.now(UTC)
    source, model = _history_source(
        CsvOptions(csv, target, positive, id_column), portal, now, configs[0], scoring_model, model
    )
    grading = _split(holdout, split_seed)
    history = _load(source, json_output)
    graded_rows = "all rows"
    if grading is not None:
        history = restrict(history, grading.held_out(len(history.leads)))
        graded_rows = f"held-out rows ({grading.describe()}): {len(history.leads):,} leads"
    loaded = [load_config(path) for path in configs]
    label_a, label_b = (
        (configs[0].name, configs[1].name)
        if configs[0].name != configs[1].name
        else (str(configs[0]), str(configs[1]))
    )
    digest = _digest(csv)
    samples = [
        check_sample(label, read_provenance(_config_text(path)), digest, grading)
        for label, path in ((label_a, configs[0]), (label_b, configs[1]))
        if digest is not None
    ]
    scored_a = _score(history.without_scores(), loaded[0], model, scoring_model, json_output)
    scored_b = _score(history.without_scores(), loaded[1], model, scoring_model, json_output)
    with _step(f"bootstrapping ({replicates} resamples)", json_output):
        result = compare_scorings(
            scored_a.frame,
            scored_b.frame,
            history.converted,
            label_a=label_a,
            label_b=label_b,
            replicates=replicates,
            seed=seed,
            samples=samples,
            graded_rows=graded_rows,
        )
    if out_path is not None:
        write_page(render_comparison(result, history.source, now), out_path)
    if json_output:
        print(dumps(result))
        return
    out.print(f"graded on {graded_rows}")
    table = Table("metric", label_a, label_b, f"{label_b} − {label_a}")
    for m in result.metrics:
        table.add_row(
            m.metric,
            f"{m.a.estimate:.3f} [{m.a.low:.3f}, {m.a.high:.3f}]",
            f"{m.b.estimate:.3f} [{m.b.low:.3f}, {m.b.high:.3f}]",
            f"{m.difference.estimate:+.3f} [{m.difference.low:+.3f}, {m.difference.high:+.3f}]"
            + (" *" if m.significant else ""),
        )
    out.print(table)
    for sample in result.samples:
        if sample.derived_from_this_data:
            out.print(("[red]" if sample.in_sample else "") + sample.note, markup=True)
    out.print(f"[bold]{result.verdict}[/]")
    if out_path is not None:
        out.print(f"comparison written to {out_path}")


@insights_app.command("points")
def points(
    csv: CsvOption = None,
    target: TargetOption = None,
    positive: PositiveOption = None,
    id_column: IdColumnOption = None,
    portal: PortalOption = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    model: ModelOption = None,
    scoring_model: ScoringModelOption = None,
    drop: list[str] = typer.Option(
        [], "--drop", help="Column(s) to leave out (repeat, or comma-separated)."
    ),
    holdout: HoldoutOption = None,
    split_seed: SplitSeedOption = 0,
    min_leads: int = typer.Option(30, "--min-leads", min=1, help="Skip values with fewer leads."),
    top: int = typer.Option(25, "--top", min=1, help="Values to show in the table."),
    json_output: bool = typer.Option(
        False, "--json", help="Print the evidence and suggestions as JSON."
    ),
) -> None:
    """Suggested points from a joint scorecard (weight of evidence per attribute, L2 logistic
    regression), so overlapping attributes share their effect, next to each value's own close
    rate; the leak guard leaves out identifiers, post-outcome and too-predictive columns. Prints
    a ready-to-paste YAML fragment (recording the CSV it came from) and the configured
    criteria that disagree most with the data."""
    now = datetime.now(UTC)
    source, model = _history_source(
        CsvOptions(csv, target, positive, id_column), portal, now, config, scoring_model, model
    )
    split = _split(holdout, split_seed)
    history = _load(source, json_output)
    rows = len(history.leads)
    if split is not None:
        history = restrict(history, ~split.held_out(rows))
    scored = _score(history, load_config(config), model, scoring_model, json_output)
    dropped = [name.strip() for item in drop for name in item.split(",") if name.strip()]
    with _step("fitting the scorecard", json_output):
        advice = advise_points(history, scored, min_leads=min_leads, drop=dropped)
    digest = _digest(csv)
    provenance = None if digest is None else Provenance(digest, rows, split)
    fragment = points_fragment(advice, scored.name, provenance)
    if json_output:
        print(dumps({"advice": advice, "fragment": fragment}))
        return
    if split is not None:
        out.print(
            f"derived on {len(history.leads):,} of {rows:,} rows ({split.describe()} held out)"
        )
    _print_points(advice, top)
    print(fragment)


def _print_points(advice: PointsAdvice, top: int) -> None:
    out.print(
        f"overall close rate {advice.base_rate:.1%} over {advice.leads:,} leads; "
        f"{advice.points_per_logit:.1f} points per unit of log-odds; "
        f"{advice.skipped_values} values skipped (< {advice.min_leads} leads)"
    )
    if advice.excluded:
        table = Table("column", "left out because", title="columns the leak guard left out")
        for column in advice.excluded:
            table.add_row(column.column, column.detail)
        out.print(table)
    table = Table(
        "attribute",
        "value",
        "leads",
        "close rate",
        "95% interval",
        "alone",
        "joint points",
        title="suggested points (joint scorecard) beside each value's own close rate",
    )
    for b in advice.scorecard.bins[:top]:
        marker = "" if b.significant else " (n.s.)"
        table.add_row(
            b.signal,
            b.value,
            f"{b.leads:,}",
            f"{b.rate:.1%}",
            f"{b.rate_low:.1%} – {b.rate_high:.1%}",
            f"{b.alone_points:+d}",
            f"{b.points:+d}{marker}",
        )
    out.print(table)
    checks = [c for c in advice.checks if c.suggested_points is not None][:10]
    if checks:
        table = Table(
            "criterion",
            "configured",
            "data suggests",
            "fires for",
            "close rate when fired",
            title="where the config disagrees most with the data",
        )
        for c in checks:
            table.add_row(
                c.label + (" [red](sign differs)[/]" if c.sign_differs else ""),
                f"{c.configured_points:+g}",
                f"{c.suggested_points:+d}",
                f"{c.fired:,}",
                f"{c.rate_when_fired:.1%}",
            )
        out.print(table)
    silent = [c.label for c in advice.checks if c.suggested_points is None]
    if silent:
        shown = ", ".join(silent[:8]) + (f" and {len(silent) - 8} more" if len(silent) > 8 else "")
        out.print(f"{len(silent)} configured criteria fire too rarely to judge: {shown}")


@insights_app.command("segments")
def segments(
    csv: CsvOption = None,
    target: TargetOption = None,
    positive: PositiveOption = None,
    id_column: IdColumnOption = None,
    portal: PortalOption = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    model: ModelOption = None,
    scoring_model: ScoringModelOption = None,
    min_segments: int = typer.Option(3, "--min-segments", min=2, help="Fewest segments to try."),
    max_segments: int = typer.Option(8, "--max-segments", min=2, help="Most segments to try."),
    seed: int = typer.Option(
        0, "--seed", help="Random state of the clustering (same seed, same segments)."
    ),
    out_path: Path = typer.Option(
        Path("segments.html"), "--out", help="Where to write the HTML page."
    ),
    save: Path | None = typer.Option(
        None, "--save", help="Save the fitted segmentation (JSON) to assign new leads."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the segment profiles as JSON."),
) -> None:
    """Cluster leads on fit, engagement and their key attributes; name each segment, profile it
    (size, conversion, what sets it apart) and recommend what to do with it."""
    now = datetime.now(UTC)
    source, model = _history_source(
        CsvOptions(csv, target, positive, id_column), portal, now, config, scoring_model, model
    )
    history = _load(source, json_output)
    loaded = load_config(config)
    scored = _score(history, loaded, model, scoring_model, json_output)
    present = [p for p in loaded.properties_used() if p in history.leads.contacts.columns]
    with _step("segmenting", json_output):
        result = segment_leads(
            history.leads,
            scored.frame,
            history.converted,
            attributes=present or None,
            k_range=(min_segments, max_segments),
            seed=seed,
        )
        frame = scored.frame.reindex(history.leads.contacts.index)
        write_page(
            render_segments(
                result,
                frame[ScoreColumn.FIT].to_numpy(float),
                frame[ScoreColumn.ENGAGEMENT].to_numpy(float),
                history.source,
                now,
                seed,
            ),
            out_path,
        )
    if save is not None:
        try:
            save.write_text(result.segmentation.to_json(), encoding="utf-8")
        except OSError as exc:
            raise LeadscoreError(f"{save}: cannot write the segmentation ({exc.strerror})") from exc
    if json_output:
        print(dumps(result.profiles))
        return
    table = Table("segment", "slug", "leads", "conversion", "fit", "engagement")
    for p in result.profiles:
        table.add_row(
            p.name,
            p.slug,
            f"{p.leads:,} ({p.share:.0%})",
            f"{p.rate:.1%}",
            f"{p.fit_level} ({p.mean_fit:.0f})",
            f"{p.engagement_level} ({p.mean_engagement:.0f})",
        )
    out.print(table)
    for p in result.profiles:
        out.print(f"[bold]{p.name}[/]: {p.recommendation}")
    out.print(f"segments written to {out_path}")


@insights_app.command("weights")
def weights(
    csv: CsvOption = None,
    target: TargetOption = None,
    positive: PositiveOption = None,
    id_column: IdColumnOption = None,
    portal: PortalOption = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    model: ModelOption = None,
    scoring_model: ScoringModelOption = None,
    created_column: str = typer.Option(
        "createdate", "--created-column", help="Column with each lead's create date."
    ),
    later_share: float = typer.Option(
        0.3, "--later", min=0.05, max=0.95, help="Share of the latest leads that grade."
    ),
    step: float = typer.Option(0.1, "--step", min=0.01, max=0.5, help="Weight grid step."),
    min_hot_share: float = typer.Option(
        0.05, "--min-hot-share", min=0.0, max=1.0, help="Fewest leads the hot tier may hold."
    ),
    replicates: int = typer.Option(500, "--replicates", min=50, help="Bootstrap resamples."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    json_output: bool = typer.Option(False, "--json", help="Print the suggestion as JSON."),
) -> None:
    """Suggest fit/engagement/likelihood weights and hot/warm thresholds: chosen on the leads
    created first, graded on the latest ones (forward AUC and hot conversion rate, with
    bootstrap intervals, beside the config's current weights); prints a YAML fragment."""
    now = datetime.now(UTC)
    source, model = _history_source(
        CsvOptions(csv, target, positive, id_column), portal, now, config, scoring_model, model
    )
    history = _load(source, json_output)
    contacts = history.leads.contacts
    if created_column not in contacts.columns:
        raise LeadscoreError(
            f"{history.source}: no {created_column!r} column to split by time "
            "(give it with --created-column)"
        )
    scored = _score(history, load_config(config), model, scoring_model, json_output)
    with _step("searching weights", json_output):
        advice = suggest_weights(
            SubScores.from_frame(scored.frame),
            history.converted,
            contacts[created_column],
            scored.config,
            column=created_column,
            later_share=later_share,
            step=step,
            min_hot_share=min_hot_share,
            replicates=replicates,
            seed=seed,
        )
    fragment = weights_fragment(advice, scored.config, scored.name)
    if json_output:
        print(dumps({"advice": advice, "fragment": fragment}))
        return
    split = advice.split
    out.print(
        f"chosen on {split.earlier:,} leads created before {split.cutoff} "
        f"({split.earlier_conversions:,} converted), graded on the {split.later:,} created "
        f"from then on ({split.later_conversions:,} converted)"
        + (f"; {split.undated:,} without a {split.column} left out" if split.undated else "")
    )
    table = Table("", "fit", "engagement", "likelihood", "hot ≥", "warm ≥")
    for name, s in (("suggested", advice.suggested), ("current", advice.current)):
        table.add_row(
            name,
            f"{s.fit:g}",
            f"{s.engagement:g}",
            f"{s.likelihood:g}",
            f"{s.hot:g}",
            f"{s.warm:g}",
        )
    out.print(table)
    table = Table(
        "on the later leads", "suggested", "current", "suggested − current",
        title=f"forward figures ({advice.replicates} bootstrap resamples, 95% intervals)",
    )  # fmt: skip
    for f in advice.forward:
        table.add_row(
            f.metric,
            f"{f.suggested.estimate:.3f} [{f.suggested.low:.3f}, {f.suggested.high:.3f}]",
            f"{f.current.estimate:.3f} [{f.current.low:.3f}, {f.current.high:.3f}]",
            f"{f.difference.estimate:+.3f} [{f.difference.low:+.3f}, {f.difference.high:+.3f}]",
        )
    out.print(table)
    print(fragment)


@insights_app.command("experiment")
def experiment(
    portal: int | None = typer.Option(
        None, "--portal", help="Hub id of the portal (default: the only connected portal)."
    ),
    salt: str | None = typer.Option(
        None, "--experiment", help="The experiment's salt (default: LEADSCORE_EXPERIMENT_SALT)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """The live A/B experiment: leads, conversions and conversion rate per arm, the
    two-proportion z-test and a plain verdict (converted = lifecycle stage opportunity or
    later)."""
    settings = get_settings()
    with open_store(settings=settings) as store:
        result = experiment_report(
            store, portal, salt or settings.experiment_salt, datetime.now(UTC)
        )
    if json_output:
        # JSON has no datetime: the start goes out as ISO 8601.
        print(dumps({**vars(result), "started_at": result.started_at.isoformat()}))
        return
    c = result.comparison
    out.print(
        f"[bold]experiment {result.experiment!r}[/] on portal {result.portal_id}, "
        f"new leads since {result.started_at:%Y-%m-%d %H:%M} UTC"
    )
    table = Table("arm", "leads", "conversions", "rate", "95% interval")
    for arm in (c.champion, c.challenger):
        table.add_row(
            arm.arm,
            f"{arm.leads:,}",
            f"{arm.conversions:,}",
            f"{arm.rate:.1%}",
            f"{arm.rate_low:.1%} – {arm.rate_high:.1%}",
        )
    out.print(table)
    if c.test is not None:
        out.print(f"z = {c.test.z:.3f}, p = {c.test.p_value:.3g} (alpha {c.alpha})")
    out.print(f"[bold]{c.verdict}[/]")


def register(app: typer.Typer) -> None:
    """Add the `insights` command group to the CLI."""
    app.add_typer(insights_app, name="insights")
