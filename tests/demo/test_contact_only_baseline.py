"""The contact-only baseline the demo grades beside the shipped rules: a valid configuration
that reads contact properties only, compared with the shipped one on equal terms."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from connector.demo.evaluation import GradedLeads, RuleSet, compare_rule_sets
from connector.demo.session import CONTACT_ONLY_CONFIG_PATH
from connector.errors import LeadscoreError
from connector.scoring.config import DEFAULT_CONFIG_PATH
from connector.scoring.leads import LeadFrame, empty_activities
from connector.scoring.needs import properties_needed
from connector.scoring.score_columns import ScoreColumn
from connector.scoring_files import load_config

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "config" / "contact-only.yaml"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_the_baseline_passes_config_check() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "connector", "config", "check", str(BASELINE), "--json"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "1000"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["valid"] is True


def test_the_demo_packages_the_same_file() -> None:
    assert CONTACT_ONLY_CONFIG_PATH.read_bytes() == BASELINE.read_bytes()


def test_the_baseline_reads_contact_properties_only() -> None:
    baseline, shipped = load_config(BASELINE), load_config(DEFAULT_CONFIG_PATH)
    used = baseline.properties_used()
    assert not [p for p in used if p.startswith(("company.", "account."))]
    assert baseline.companies is None
    assert any(p.startswith("company.") for p in shipped.properties_used())
    needs = properties_needed(baseline)
    assert not needs.company and not needs.account
    # A sync with the shipped rules stores every contact property the baseline reads, so
    # both can be scored on the same stored inputs.
    assert set(needs.contact) <= set(properties_needed(shipped).contact)


def _leads(n: int = 400, seed: int = 3) -> tuple[LeadFrame, GradedLeads]:
    rng = np.random.default_rng(seed)
    ids = pd.Index([str(1000 + i) for i in range(n)], dtype="object", name="id")
    senior = rng.random(n) < 0.3
    big = rng.random(n) < 0.5
    contacts = pd.DataFrame(
        {
            "jobtitle": np.where(senior, "VP Marketing", "Analyst"),
            "email": [f"p{i}@firm{i % 50}.com" for i in range(n)],
            # The contact's own copy is mostly blank; the company record has the size.
            "numemployees": np.where(rng.random(n) < 0.2, np.where(big, "100-500", "1-5"),
                                     None),
            "company.numberofemployees": np.where(big, "200", "3"),
        },
        index=ids,
    ).astype(object)
    # Every other column the rule sets read is there, empty, as a sync stores it.
    used = {*load_config(DEFAULT_CONFIG_PATH).properties_used(),
            *load_config(BASELINE).properties_used()}
    contacts = contacts.reindex(columns=sorted(used | set(contacts.columns))).astype(object)
    converted = rng.random(n) < 0.05 + 0.3 * senior + 0.3 * big
    open_mask = rng.random(n) < 0.8
    scored = pd.DataFrame({ScoreColumn.SCORE: rng.random(n) * 100}, index=ids)
    return (
        LeadFrame(contacts=contacts, activities=empty_activities()),
        GradedLeads(scored=scored, converted=converted, open_mask=open_mask),
    )


def test_a_rule_set_against_itself_differs_by_nothing() -> None:
    stored, leads = _leads()
    config = load_config(DEFAULT_CONFIG_PATH)
    same = compare_rule_sets(
        stored, leads, RuleSet("a", "a.yaml", config), RuleSet("b", "b.yaml", config), NOW,
        replicates=50,
    )
    assert same.auc_rules_company_aware == same.auc_rules_contact_only
    assert same.forward_auc_rules_company_aware == same.forward_auc_rules_contact_only
    assert same.forward_auc_difference is not None
    assert same.forward_auc_difference.estimate == 0
    assert not same.forward_auc_difference.significant
    assert same.leads == 400 and same.open_leads == int(leads.open_mask.sum())


def test_company_columns_help_where_the_contact_copy_is_blank() -> None:
    stored, leads = _leads()
    result = compare_rule_sets(
        stored, leads,
        RuleSet("company-aware", "scoring.yaml", load_config(DEFAULT_CONFIG_PATH)),
        RuleSet("contact-only", "contact-only.yaml", load_config(BASELINE)),
        NOW, replicates=100,
    )
    # Size drives conversion here and only the company record has it for most leads.
    assert result.auc_rules_company_aware > result.auc_rules_contact_only
    assert result.forward_auc_rules_company_aware is not None
    assert result.forward_auc_rules_contact_only is not None
    assert result.forward_auc_rules_company_aware > result.forward_auc_rules_contact_only


def test_missing_inputs_refuse_the_comparison() -> None:
    stored, leads = _leads()
    without = LeadFrame(contacts=stored.contacts.drop(columns=["jobtitle"]),
                        activities=stored.activities)
    config = load_config(BASELINE)
    with pytest.raises(LeadscoreError, match="jobtitle"):
        compare_rule_sets(without, leads, RuleSet("a", "a", config), RuleSet("b", "b", config),
                          NOW)
