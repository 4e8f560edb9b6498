"""`leadscore insights report|compare|points|segments|experiment`: evidence and advice from history.

Each command reads its history through a `HistorySource` — a CSV with an outcome column
(`--csv`), or else the synced portal's stored contacts (`--portal`, default the only
connected portal) — and hands it to the pure functions of `connector.evaluation`; the
results are drawn by `connector.reports`.
"""

from __future__ import annotations

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

from connector.cli.history_options import PORTAL_HELP, csv_source
from connector.errors import LeadscoreError
from connector.evaluation import (
    History,
    PointsAdvice,
    ScoredModel,
    advise_points,
    build_evidence,
    choose_model,
    compare_scorings,
    score_history,
    segment_leads,
    yaml_fragment,
)
from connector.reports import (
    HistorySource,
    PortalSource,
    dumps,
    experiment_report,
    history_from_csv,
    render_comparison,
    render_report,
    render_segments,
    write_page,
)
from connector.scoring.config import DEFAULT_CONFIG_PATH, ScoringConfig
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

# The history options every insights command shares, declared once.
CsvOption = Annotated[Path | None, typer.Option("--csv", help=CSV_HELP)]
TargetOption = Annotated[str | None, typer.Option("--target", help=TARGET_HELP)]
PositiveOption = Annotated[str | None, typer.Option("--positive", help=POSITIVE_HELP)]
IdColumnOption = Annotated[str | None, typer.Option("--id-column", help=ID_HELP)]
PortalOption = Annotated[int | None, typer.Option("--portal", help=PORTAL_HELP)]
ConfigOption = Annotated[Path, typer.Option("--config", help=CONFIG_HELP)]
ModelOption = Annotated[Path | None, typer.Option("--model", help=MODEL_HELP)]
ScoringModelOption = Annotated[str | None, typer.Option("--scoring-model", help=SCORING_MODEL_HELP)]


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
    scored = _score(history, load_config(config), model, scoring_model, json_output)
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
        write_page(render_report(evidence, now), out_path)
    if json_output:
        print(dumps(evidence))
        return
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
    intervals (AUC, top-decile lift, hot conversion rate), and say which ranks leads better."""
    if len(configs) != 2:
        raise LeadscoreError(f"give exactly two --config files (A then B), got {len(configs)}")
    now = datetime.now(UTC)
    source, model = _history_source(
        CsvOptions(csv, target, positive, id_column), portal, now, configs[0], scoring_model, model
    )
    history = _load(source, json_output)
    loaded = [load_config(path) for path in configs]
    label_a, label_b = (
        (configs[0].name, configs[1].name)
        if configs[0].name != configs[1].name
        else (str(configs[0]), str(configs[1]))
    )
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
        )
    if out_path is not None:
        write_page(render_comparison(result, history.source, now), out_path)
    if json_output:
        print(dumps(result))
        return
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
    min_leads: int = typer.Option(30, "--min-leads", min=1, help="Skip values with fewer leads."),
    top: int = typer.Option(25, "--top", min=1, help="Values to show in the table."),
    json_output: bool = typer.Option(
        False, "--json", help="Print the evidence and suggestions as JSON."
    ),
) -> None:
    """Close rate of each attribute value and engagement signal against the overall rate,
    turned into suggested points; prints a ready-to-paste YAML fragment and the configured
    criteria that disagree most with the data."""
    now = datetime.now(UTC)
    source, model = _history_source(
        CsvOptions(csv, target, positive, id_column), portal, now, config, scoring_model, model
    )
    history = _load(source, json_output)
    scored = _score(history, load_config(config), model, scoring_model, json_output)
    with _step("computing close rates", json_output):
        advice = advise_points(history, scored, min_leads=min_leads)
    if json_output:
        print(dumps(advice))
        return
    _print_points(advice, scored.name, top)


def _print_points(advice: PointsAdvice, model_name: str, top: int) -> None:
    out.print(
        f"overall close rate {advice.base_rate:.1%} over {advice.leads:,} leads; "
        f"{advice.points_per_logit:.1f} points per unit of log-odds; "
        f"{advice.skipped_values} values skipped (< {advice.min_leads} leads)"
    )
    table = Table("attribute", "value", "leads", "close rate", "95% interval", "log-odds", "points")
    for v in advice.values[:top]:
        marker = "" if v.significant else " (n.s.)"
        table.add_row(
            v.signal,
            v.value,
            f"{v.leads:,}",
            f"{v.rate:.1%}",
            f"{v.rate_low:.1%} – {v.rate_high:.1%}",
            f"{v.log_odds_ratio:+.2f}",
            f"{v.suggested_points:+d}{marker}",
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
    print(yaml_fragment(advice.values, model_name))


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
            p.fit_level,
            p.engagement_level,
        )
    out.print(table)
    for p in result.profiles:
        out.print(f"[bold]{p.name}[/]: {p.recommendation}")
    out.print(f"segments written to {out_path}")


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
