"""Report figures on hand-made score frames, and the HTML page that opens offline."""

from __future__ import annotations

import json
import re
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from connector.evaluation.evidence import build_evidence
from connector.reports.json_output import dumps
from connector.reports.render import render_report
from connector.scoring.ledger import Ledger, LedgerEntry

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _frame() -> tuple[pd.DataFrame, np.ndarray]:
    # 10 leads: 2 hot (1 converted), 3 warm (1), 4 cold (0), 1 disqualified (0).
    tiers = ["hot", "hot", "warm", "warm", "warm", "cold", "cold", "cold", "cold", "disqualified"]
    scores = [90.0, 80, 60, 55, 50, 30, 20, 10, 5, 0]
    converted = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    frame = pd.DataFrame(
        {
            "score": scores,
            "tier": tiers,
            "likelihood": [70.0, 60, 40, 30, 30, 10, 10, 5, 5, 1],
            "reasons": ["+30 Demo"] * 10,
        },
        index=[f"c{i}" for i in range(10)],
    )
    return frame, converted


def test_tier_shares_and_hot_vs_cold() -> None:
    frame, converted = _frame()
    converted[5] = True  # one cold conversion so the ratio is defined: hot 1/2 vs cold 1/4
    ev = build_evidence(frame, converted, model="default", source="hand")
    tiers = {t.tier: t for t in ev.tiers}
    assert [t.tier for t in ev.tiers] == ["hot", "warm", "cold", "disqualified"]
    assert (tiers["hot"].leads, tiers["hot"].conversions) == (2, 1)
    assert ev.hot_warm_share_of_leads == pytest.approx(0.5)
    assert ev.hot_warm_share_of_conversions == pytest.approx(2 / 3)
    assert ev.hot_vs_cold_ratio == pytest.approx(0.5 / 0.25)


def test_review_lists_hot_leads_that_never_converted() -> None:
    frame, converted = _frame()
    ev = build_evidence(frame, converted, model="default", source="hand")
    assert [lead.contact_id for lead in ev.review] == ["c1"]
    assert ev.review_total == 1


def test_criteria_rates_when_fired_and_not() -> None:
    frame, converted = _frame()
    fired = np.zeros((10, 2), dtype=bool)
    fired[[0, 1, 2, 3], 0] = True  # fires for 4 leads, 2 converted; the other 6: 0
    entries = (
        LedgerEntry("demo", "Requested a demo", "engagement", "critical", 30, 30),
        LedgerEntry("student", "Student", "fit", "negative", -15, -15),
    )
    ledger = Ledger(frame.index, entries, np.zeros((10, 2), np.float32), fired)
    ev = build_evidence(frame, converted, model="default", source="hand", ledger=ledger)
    demo, student = ev.criteria
    assert (demo.criterion_id, demo.fired, demo.rate_when_fired, demo.rate_when_not) == (
        "demo",
        4,
        0.5,
        0.0,
    )
    assert student.fired == 0


def test_auc_and_calibration_come_from_score_and_likelihood() -> None:
    frame, converted = _frame()
    ev = build_evidence(frame, converted, model="default", source="hand")
    # Converted leads score 90 and 60; 8 others: 90 beats all 8, 60 beats 7 (not 80).
    assert ev.auc_score == pytest.approx(15 / 16)
    assert ev.calibration is not None
    assert sum(b.leads for b in ev.calibration.bins) == 10


def test_without_likelihood_the_calibration_is_left_out() -> None:
    frame, converted = _frame()
    frame["likelihood"] = np.nan
    ev = build_evidence(frame, converted, model="default", source="hand")
    assert ev.calibration is None and ev.auc_likelihood is None


def test_html_report_is_self_contained_with_inline_svg(now: datetime) -> None:
    frame, converted = _frame()
    arms = np.array(["champion", "challenger"] * 5, dtype=object)
    ev = build_evidence(frame, converted, model="default", source="hand", arms=arms)
    html = render_report(ev, now)
    assert not EXTERNAL.search(html)
    assert "<link" not in html and "<script" not in html
    assert html.count("<svg") == 6  # deciles, tiers, gains, reliability, distributions, arms
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html


def test_json_has_the_same_figures_and_no_nan() -> None:
    frame, converted = _frame()
    ev = build_evidence(frame, converted, model="default", source="hand")
    data = json.loads(dumps(ev))
    assert data["auc_score"] == pytest.approx(ev.auc_score)
    assert len(data["deciles"]) == 10
    assert data["hot_vs_cold_ratio"] is None  # cold tier never converts: ratio undefined
