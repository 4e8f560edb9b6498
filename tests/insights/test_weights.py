"""Suggested weights and tiers: chosen on earlier leads, graded forward on later ones."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from connector.cli.insights_cmd import insights_app
from connector.errors import LeadscoreError
from connector.evaluation.history import History
from connector.evaluation.weights import SubScores, suggest_weights, weights_fragment
from connector.scoring.config import ModelConfig, parse_config
from tests.insights.conftest import REPO

CONFIG = REPO / "config" / "scoring.yaml"
runner = CliRunner()


def _model() -> ModelConfig:
    return ModelConfig.model_validate(
        {
            "weights": {"fit": 50, "engagement": 50, "likelihood": 0},
            "criteria": [
                {
                    "id": "is_a",
                    "label": "Plan A",
                    "kind": "fit",
                    "importance": "important",
                    "when": {"property": "plan", "equals": "a"},
                },
                {
                    "id": "met",
                    "label": "Met",
                    "kind": "engagement",
                    "importance": "important",
                    "when": {"activity": "meeting", "within_days": 90},
                },
            ],
        }
    )


def _leads(n: int = 3000, seed: int = 0) -> tuple[SubScores, np.ndarray, pd.Series]:
    """Engagement predicts conversion, fit is noise; created over a year."""
    rng = np.random.default_rng(seed)
    engagement = rng.uniform(0, 100, n)
    fit = rng.uniform(0, 100, n)
    converted = rng.random(n) < 1 / (1 + np.exp(-(engagement - 70) / 8))
    created = pd.Series(pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(
        rng.uniform(0, 365, n), unit="D"))  # fmt: skip
    scores = SubScores(fit, engagement, np.full(n, np.nan), np.zeros(n, dtype=bool))
    return scores, converted, created


def test_weights_follow_the_signal_and_are_graded_on_the_later_leads() -> None:
    scores, converted, created = _leads()
    advice = suggest_weights(scores, converted, created, _model(), replicates=100)
    assert advice.suggested.engagement > advice.suggested.fit
    # The split is by create date: the later part is the latest 30 %.
    cutoff = pd.Timestamp(advice.split.cutoff)
    assert advice.split.later == int((created >= cutoff).sum()) == pytest.approx(900, abs=5)
    assert advice.split.earlier + advice.split.later == 3000
    auc = next(f for f in advice.forward if f.metric == "AUC")
    assert auc.suggested.low < auc.suggested.estimate < auc.suggested.high
    assert auc.difference.low > 0  # better than 50/50 on leads it was not chosen on
    hot = next(f for f in advice.forward if f.metric == "hot conversion rate")
    assert hot.suggested.estimate > converted.mean()
    assert advice.suggested.warm < advice.suggested.hot


def test_the_hot_tier_keeps_its_minimum_share_on_the_earlier_leads() -> None:
    scores, converted, created = _leads()
    advice = suggest_weights(scores, converted, created, _model(), min_hot_share=0.1)
    early = (created < pd.Timestamp(advice.split.cutoff)).to_numpy()
    combined = scores.rows(early).combined(advice.suggested.weights)
    assert (combined >= advice.suggested.hot).mean() >= 0.1


def test_the_fragment_is_valid_scoring_config() -> None:
    scores, converted, created = _leads()
    model = _model()
    advice = suggest_weights(scores, converted, created, model, replicates=50)
    fragment = yaml.safe_load(weights_fragment(advice, model, "default"))
    body = {"criteria": [c.model_dump(mode="json", exclude_none=True) for c in model.criteria]}
    config = parse_config({"models": {"default": body | fragment}}, "fragment")
    parsed = config.models["default"]
    assert parsed.tiers.hot.min_score == advice.suggested.hot
    assert parsed.weights.engagement == advice.suggested.engagement


def test_too_few_dated_leads_are_refused() -> None:
    scores, converted, created = _leads(n=80)
    with pytest.raises(LeadscoreError, match="a time split needs at least"):
        suggest_weights(scores, converted, created, _model())


def test_weights_command_on_a_generated_portal_csv(
    tmp_path: Path, sandbox_history: History
) -> None:
    csv = tmp_path / "portal.csv"
    contacts = sandbox_history.leads.contacts.assign(converted=sandbox_history.converted)
    contacts.to_csv(csv, index_label="hs_object_id")
    args = ["weights", "--csv", str(csv), "--target", "converted", "--config", str(CONFIG)]
    result = runner.invoke(insights_app, [*args, "--replicates", "60", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    split = data["advice"]["split"]
    assert split["column"] == "createdate" and split["later"] == 900
    assert [f["metric"] for f in data["advice"]["forward"]] == [
        "AUC",
        "hot conversion rate",
        "hot share of leads",
    ]
    fragment = yaml.safe_load(data["fragment"])
    assert set(fragment) == {"weights", "tiers"}
    printed = runner.invoke(insights_app, [*args, "--replicates", "60"])
    assert printed.exit_code == 0, printed.output
    assert f"created before {split['cutoff']}" in printed.stdout
    assert "# Suggested by `leadscore insights weights`" in printed.stdout
