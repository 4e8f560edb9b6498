"""The evidence report on a generated sandbox portal, scored with the default config."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np

from connector.evaluation.evidence import build_evidence
from connector.evaluation.history import History
from connector.evaluation.points_advice import advise_points
from connector.evaluation.scoring_run import score_history
from connector.reports.render import render_report
from connector.scoring_files import load_config

CONFIG = Path(__file__).resolve().parents[2] / "config" / "scoring.yaml"


def test_default_rules_rank_sandbox_leads(sandbox_history: History, now: datetime) -> None:
    scored = score_history(sandbox_history, load_config(CONFIG))
    ev = build_evidence(
        scored.frame, sandbox_history.converted, model=scored.name,
        source=sandbox_history.source, ledger=scored.ledger,
    )  # fmt: skip
    assert ev.auc_score > 0.7
    tiers = {t.tier: t for t in ev.tiers}
    assert tiers["hot"].rate > tiers["warm"].rate > tiers["cold"].rate
    assert ev.hot_warm_share_of_conversions > ev.hot_warm_share_of_leads
    firing = [c for c in ev.criteria if c.fired]
    assert firing and firing == sorted(firing, key=lambda c: -c.fired)
    assert all(not sandbox_history.converted[np.flatnonzero(
        scored.frame.index == lead.contact_id)[0]] for lead in ev.review)  # fmt: skip
    html = render_report(ev, now)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html)
    assert html.count("<svg") == 4  # no likelihood model: no reliability diagram


def test_points_advice_on_the_sandbox_portal(sandbox_history: History) -> None:
    scored = score_history(sandbox_history, load_config(CONFIG))
    advice = advise_points(sandbox_history, scored, min_leads=30)
    assert all(v.leads >= 30 for v in advice.values)
    assert {c.criterion_id for c in advice.checks} == {c.id for c in scored.config.criteria}
    meetings = [v for v in advice.values if v.signal.startswith("meetings") and v.value == "1"]
    assert meetings and meetings[0].suggested_points > 0
    # The generator's post-outcome properties are left out by the leak guard, never points.
    excluded = {e.column for e in advice.excluded}
    assert not excluded & {b.signal for b in advice.scorecard.bins}
