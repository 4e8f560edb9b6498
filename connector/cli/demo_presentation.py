"""How the demo shows its summary to a person (rich tables); `--json` prints `to_json` instead."""

from __future__ import annotations

import math

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from connector.demo.forward import forward_headline, trainings_sentence
from connector.demo.summary import (
    CompanyScores,
    DemoSummary,
    Evaluation,
    ForwardGrade,
    GradeDistribution,
    RulesComparison,
    WebhookRun,
)
from connector.evaluation import TierRow
from connector.evaluation.forward import ForwardFigures

TIER_STYLES = {"hot": "bold red", "warm": "yellow", "cold": "cyan", "disqualified": "dim"}


def _pct(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.1%}"


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _auc(figures: ForwardFigures | None) -> tuple[str, str]:
    if figures is None or figures.auc is None:
        return "–", "–"
    auc = figures.auc
    return f"{auc.estimate:.3f}", f"{auc.low:.3f}–{auc.high:.3f}"


def _forward(grade: ForwardGrade) -> Table | str:
    if grade.not_available_because is not None:
        return f"[dim]Forward grade: {grade.not_available_because}.[/]"
    table = Table(
        title=f"Forward: as of {grade.as_of} (T − {grade.horizon_days} days), what was known then",
        title_justify="left",
        caption=(
            f"Outcome: {grade.outcome}. Of the {grade.contacts_then:,} contacts that existed "
            f"on {grade.as_of}, {grade.converted_by_then:,} had converted"
            + (f" and {grade.conversion_time_unknown:,} converted at an unknown time"
               if grade.conversion_time_unknown else "")
            + f"; the {grade.open_leads or 0:,} open ones are ranked against the "
            f"{grade.conversions or 0:,} that converted in the next {grade.horizon_days} days. "
            "Claimed = the model's own cross-validated AUC on its training rows."
        ),
        caption_justify="left",
    )
    table.add_column("scoring as of then", no_wrap=True)
    table.add_column("claimed AUC", justify="right")
    table.add_column("forward AUC", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_column("lift top 10%", justify="right")
    if grade.score is not None:
        table.add_row("[bold]the score[/] (rules + point-in-time model)", "–",
                      *_auc(grade.score), f"{_num(grade.score.top_decile_lift, 2)}×")
    for label, training in (("model trained point in time", grade.point_in_time),
                            ("same model, values as they stood then", grade.current_values)):
        if training is not None:
            table.add_row(label, _num(training.in_sample_auc), *_auc(training.forward),
                          f"{_num(training.forward.top_decile_lift, 2)}×")
    return table


def _post_outcome(grade: ForwardGrade) -> Table | str:
    planted = {check.column: check.found for check in grade.planted or []}
    if not grade.post_outcome and not planted:
        return "[dim]Property history shows no property set after the conversion.[/]"
    table = Table(
        title="Properties set after the conversion, found by time (excluded from training)",
        title_justify="left",
        caption=(
            "Planted by the sandbox: " + ", ".join(
                f"{column} {'found' if found else 'MISSED'}" for column, found in planted.items()
            ) if planted else None
        ),
        caption_justify="left",
    )
    table.add_column("property", no_wrap=True)
    table.add_column("evidence")
    for finding in grade.post_outcome:
        table.add_row(finding.column, finding.evidence)
    return table


def _tiers(evaluation: Evaluation) -> Table:
    table = Table(
        title="Secondary, against the hidden truth: tiers (all contacts, includes leads "
        "already converted)",
        title_justify="left",
    )
    table.add_column("tier")
    table.add_column("contacts", justify="right")
    table.add_column("share", justify="right")
    table.add_column("converted", justify="right")
    table.add_column("rate", justify="right")
    table.add_column("share of conversions", justify="right")
    for row in evaluation.tiers:
        table.add_row(
            f"[{TIER_STYLES.get(row.tier, '')}]{row.tier}[/]",
            f"{row.leads:,}",
            _pct(row.share_of_leads),
            f"{row.conversions:,}",
            _pct(row.rate),
            _pct(row.share_of_conversions),
        )
    return table


def _deciles(evaluation: Evaluation) -> Table:
    table = Table(
        title="Secondary, against the hidden truth: conversion by score band (deciles, best "
        "first; all contacts)",
        title_justify="left",
    )
    table.add_column("band", justify="right")
    table.add_column("score", justify="right")
    table.add_column("contacts", justify="right")
    table.add_column("rate", justify="right")
    table.add_column("lift", justify="right")
    table.add_column("cumulative conversions", justify="right")
    for row in evaluation.deciles:
        table.add_row(
            str(row.band),
            f"{row.score_min:.0f}–{row.score_max:.0f}",
            f"{row.leads:,}",
            _pct(row.rate),
            f"{_num(row.lift, 2)}×",
            _pct(row.cumulative_share_of_conversions),
        )
    return table


def _comparison(comparison: RulesComparison) -> Table:
    aware, baseline = comparison.company_aware, comparison.contact_only
    diff = comparison.forward_auc_difference
    caption = (
        f"Forward = the {comparison.open_leads:,} leads still open when scored, against the "
        f"{comparison.open_leads_future_conversions} that convert later; all leads = "
        f"{comparison.leads:,} contacts, {comparison.conversions:,} conversions (including "
        "leads already converted). Both rule sets rules only (no model) on the same stored "
        f"inputs: {aware.config} ({aware.label}) and {baseline.config} ({baseline.label})."
    )
    if diff is not None:
        caption += (
            f" Forward AUC company-aware − contact-only: {diff.estimate:+.3f} "
            f"[{diff.low:+.3f}, {diff.high:+.3f}] ({diff.confidence:.0%} paired bootstrap"
            f"{'' if diff.significant else ', not significant'})."
        )
    table = Table(
        title="Secondary, against the hidden truth: company-aware against contact-only rules "
        "(rules only, same leads)",
        title_justify="left",
        caption=caption,
        caption_justify="left",
    )
    table.add_column("scoring", no_wrap=True)
    table.add_column("forward AUC", justify="right")
    table.add_column("AUC all", justify="right")
    table.add_column("lift top 10%", justify="right")
    table.add_column("hot (n)", justify="right")
    table.add_column("cold (n)", justify="right")

    def tier(rows: list[TierRow], name: str) -> str:
        row = next((r for r in rows if r.tier == name), None)
        return "–" if row is None else f"{_pct(row.rate)} ({row.leads:,})"

    for grade in (aware, baseline):
        table.add_row(
            grade.label,
            _num(grade.forward_auc),
            _num(grade.auc),
            f"{_num(grade.top_decile_lift, 2)}×",
            tier(grade.tiers, "hot"),
            tier(grade.tiers, "cold"),
        )
    table.add_row(
        "[dim]written, + model[/]",
        f"[dim]{_num(comparison.forward_auc_combined)}[/]",
        f"[dim]{_num(comparison.auc_combined)}[/]",
        "", "", "",
    )
    return table


def _grades(grades: GradeDistribution) -> Table:
    table = Table(
        title=f"Grades ({grades.property}: fit letter × engagement digit)",
        title_justify="left",
        caption=f"{grades.graded:,} contacts graded; {grades.without_grade:,} without a grade "
        "(excluded leads get none). Rate = who really converts.",
        caption_justify="left",
    )
    table.add_column("fit \\ engagement")
    for digit in "123":
        table.add_column(digit, justify="right")
    by_grade = {row.grade: row for row in grades.rows}
    for letter in "ABC":
        cells = []
        for digit in "123":
            row = by_grade.get(letter + digit)
            cells.append(
                "–" if row is None or row.contacts == 0
                else f"{row.contacts:,} · {_pct(row.rate)}"
            )
        table.add_row(letter, *cells)
    return table


def _companies(companies: CompanyScores) -> Table | str:
    if companies.status != "written":
        return f"[dim]Company scores: {companies.note}.[/]"
    tiers = ", ".join(f"{tier} {count:,}" for tier, count in companies.tiers.items())
    table = Table(
        title="Top accounts by company score (as HubSpot shows them)",
        title_justify="left",
        caption=f"{companies.note}; tiers: {tiers}",
        caption_justify="left",
    )
    table.add_column("company")
    table.add_column("score", justify="right")
    table.add_column("tier")
    table.add_column("fit", justify="right")
    table.add_column("engagement", justify="right")
    table.add_column("engaged contacts", justify="right")
    for account in companies.top:
        tier = account.tier or "–"
        table.add_row(
            account.name or account.domain or account.company_id,
            _num(account.score, 1),
            f"[{TIER_STYLES.get(tier, '')}]{tier}[/]",
            _num(account.fit, 1),
            _num(account.engagement, 1),
            "–" if account.engaged_contacts is None else str(account.engaged_contacts),
        )
    return table


def _webhooks(run: WebhookRun) -> Table:
    table = Table(
        title="New leads scored through webhooks",
        title_justify="left",
        caption=(
            f"{run.leads_scored} of {run.leads_added} scored in HubSpot; time from creation: "
            f"median {_seconds(run.median_seconds_to_score)}, "
            f"max {_seconds(run.max_seconds_to_score)}"
        ),
        caption_justify="left",
    )
    table.add_column("contact")
    table.add_column("score", justify="right")
    table.add_column("tier")
    table.add_column("time to score", justify="right")
    for lead in run.leads:
        tier = lead.tier or "–"
        table.add_row(
            str(lead.contact_id),
            _num(lead.score, 1),
            f"[{TIER_STYLES.get(tier, '')}]{tier}[/]",
            _seconds(lead.seconds_to_score),
        )
    return table


def _api(summary: DemoSummary) -> Table:
    api = summary.api
    table = Table(
        title="HubSpot API calls by the connector",
        title_justify="left",
        caption=f"{api.rate_limits} · 429 answers: {api.rate_limited_seen}",
        caption_justify="left",
    )
    table.add_column("kind")
    table.add_column("calls", justify="right")
    for kind, calls in sorted(api.connector_calls.items(), key=lambda kv: -kv[1]):
        if kind != "total":
            table.add_row(kind, f"{calls:,}")
    table.add_row("connection (provisioning, stages)", f"{api.connection_requests:,}")
    table.add_row("[bold]total[/]", f"[bold]{api.connector_total:,}[/]")
    table.add_row("[dim]the demo's own reads[/]", f"[dim]{api.demo_reads:,}[/]")
    table.add_row("[dim]requests the sandbox answered[/]", f"[dim]{api.sandbox_requests:,}[/]")
    return table


def _timings(summary: DemoSummary) -> Table:
    table = Table(title=f"Timings (total {summary.total_seconds:.1f} s)", title_justify="left")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    for timing in summary.timings:
        table.add_row(timing.title, f"{timing.seconds:.1f}")
    return table


def headline(summary: DemoSummary) -> str:
    """The figures that matter: forward first (as of T − 90 days, by the portal's recorded
    outcome), then the sync, then the secondary grades against the sandbox's hidden truth."""
    ev = summary.evaluation
    model = summary.model
    forward = " ".join(
        part for part in (forward_headline(summary.forward), trainings_sentence(summary.forward))
        if part
    )
    forecast = (
        f"the {ev.open_leads:,} leads open now rank the {ev.open_leads_future_conversions} "
        f"that convert later at AUC {_num(ev.auc_open_leads)}"
        if ev.auc_open_leads is not None
        else f"{ev.open_leads:,} leads are open now"
    )
    trained = (
        f"Model {model.version} trained on {model.trained_on:,} contacts "
        f"({model.conversions:,} conversions)."
        if model.version is not None
        else f"No model: {model.not_trained_because}."
    )
    return (
        f"{forward}\n\n"
        f"Portal {summary.hub_id}: {summary.contacts_synced:,} of {summary.portal_contacts:,} "
        f"contacts synced, {summary.contacts_written:,} written back "
        f"({len(summary.properties_provisioned)} properties provisioned). {trained}\n\n"
        f"Secondary, against the sandbox's hidden truth: {forecast}; all contacts, includes "
        f"leads already converted (flattering): AUC {_num(ev.auc_score)} (likelihood "
        f"{_num(ev.auc_likelihood)}), the top decile converts {_num(ev.top_decile_lift, 1)}× "
        f"the base rate of {_pct(ev.base_rate)}. {_rules_sentence(summary.rules_comparison)}"
    )


def _rules_sentence(comparison: RulesComparison) -> str:
    aware = comparison.forward_auc_rules_company_aware
    baseline = comparison.forward_auc_rules_contact_only
    if aware is None or baseline is None:
        return (
            f"Rules only, same leads: AUC {_num(comparison.auc_rules_company_aware)} with the "
            f"company criteria vs {_num(comparison.auc_rules_contact_only)} contact-only."
        )
    return (
        f"Rules only, same leads: the company criteria give the open leads a forward AUC of "
        f"{_num(aware)} against {_num(baseline)} for the contact-only rules."
    )


def show_summary(console: Console, summary: DemoSummary) -> None:
    """Print the summary: headline, the forward grade and the post-outcome properties, then
    the secondary grades against the hidden truth (tiers, bands, the rule sets compared,
    grades), company scores, webhook leads, API usage, timings, where."""
    console.print(Panel(headline(summary), title="leadscore demo", border_style="green"))
    console.print(_forward(summary.forward))
    console.print(_post_outcome(summary.forward))
    console.print(_tiers(summary.evaluation))
    console.print(_deciles(summary.evaluation))
    console.print(_comparison(summary.rules_comparison))
    console.print(_grades(summary.grades))
    console.print(_companies(summary.companies))
    console.print(_webhooks(summary.webhooks))
    console.print(Group(_api(summary), _timings(summary)))
    console.print(f"Report: [bold]{summary.report_path}[/]")
    if summary.data_dir is not None:
        console.print(
            f"Demo data kept in: [bold]{summary.data_dir}[/] (e.g. "
            f"LEADSCORE_DATA_DIR={summary.data_dir} leadscore insights segments "
            f"--portal {summary.hub_id})",
            soft_wrap=True,
        )
