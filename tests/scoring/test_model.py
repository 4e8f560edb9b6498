"""The lead model: guards, data sufficiency, calibration, contributions, artifacts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from connector.errors import LeadscoreError
from connector.scoring.guards import ExclusionReason
from connector.scoring.leads import LeadFrame
from connector.scoring.model import LeadModel, NotEnoughData, metadata_from_bytes, train_model
from connector.scoring.target import binary_target, outcome_from_lifecycle
from connector.scoring_files import load_model, read_model_metadata, save_model
from tests.scoring.model_fixtures import NOW, synthetic_leads


@pytest.fixture(scope="module")
def trained() -> tuple[LeadModel, pd.DataFrame, pd.Series]:
    table, outcome = synthetic_leads()
    return train_model(table, outcome, now=NOW, config_hash="cfg123"), table, outcome


def _reasons_of(model: LeadModel) -> dict[str, str]:
    return {e.column: e.reason for e in model.metadata.excluded}


def test_identifier_columns_are_excluded_and_reported(trained) -> None:
    model, _, _ = trained
    reasons = _reasons_of(model)
    for column in ("hs_object_id", "email", "firstname"):
        assert reasons[column] is ExclusionReason.IDENTIFIER
        assert column not in model.plan.source_columns


def test_post_outcome_columns_are_excluded_by_rule(trained) -> None:
    model, _, _ = trained
    reasons = _reasons_of(model)
    assert reasons["hs_lifecyclestage_customer_date"] is ExclusionReason.POST_OUTCOME
    assert reasons["hs_lead_status"] is ExclusionReason.POST_OUTCOME


def test_near_perfect_column_is_reported_as_leak_and_excluded(trained) -> None:
    model, _, _ = trained
    leaks = {leak.column: leak for leak in model.metadata.suspected_leaks}
    assert leaks["outcome_copy"].auc >= 0.95
    assert not leaks["outcome_copy"].kept
    assert _reasons_of(model)["outcome_copy"] is ExclusionReason.SUSPECTED_LEAK
    assert "outcome_copy" not in model.plan.source_columns


def test_forced_leak_is_kept_and_flagged() -> None:
    table, outcome = synthetic_leads(n=600)
    model = train_model(table, outcome, now=NOW, keep_leaks=["outcome_copy"])
    assert "outcome_copy" in model.plan.source_columns
    assert [
        leak.kept for leak in model.metadata.suspected_leaks if leak.column == "outcome_copy"
    ] == [True]


def test_unknown_drop_column_is_a_clear_error() -> None:
    table, outcome = synthetic_leads(n=300)
    with pytest.raises(LeadscoreError, match=r"unknown column.*nope"):
        train_model(table, outcome, now=NOW, drop=["nope"])


def test_string_values_get_sensible_kinds(trained) -> None:
    model, _, _ = trained
    kinds = {c.name: c.kind.value for c in model.plan.columns}
    assert kinds["hs_analytics_num_page_views"] == "numeric"
    assert kinds["hs_analytics_last_visit_timestamp"] == "date"
    assert kinds["newsletter"] == "boolean"
    assert kinds["industry"] == "categorical"
    # Hundreds of distinct titles become keyword features, not one category per title.
    assert kinds["jobtitle"] == "text"
    title = next(c for c in model.plan.columns if c.name == "jobtitle")
    assert "director" in title.tokens and len(title.tokens) <= 40


@pytest.mark.parametrize(
    ("positives", "negatives", "message"),
    [
        (49, 500, "49 conversions and 500 non-conversions"),
        (500, 10, "500 conversions and 10 non-conversions"),
        (300, 0, "one outcome only"),
    ],
)
def test_not_enough_data_refuses_with_counts(positives: int, negatives: int, message: str) -> None:
    table, _ = synthetic_leads(n=positives + negatives)
    outcome = pd.Series([True] * positives + [False] * negatives, index=table.index)
    with pytest.raises(NotEnoughData, match=message):
        train_model(table, outcome, now=NOW)


def test_not_enough_data_is_a_leadscore_error() -> None:
    assert issubclass(NotEnoughData, LeadscoreError)


def test_calibrated_mean_matches_base_rate(trained) -> None:
    model, table, outcome = trained
    probability = model.predict(LeadFrame.from_table(table), NOW).probability
    assert probability.min() >= 0.0 and probability.max() <= 1.0
    assert abs(probability.mean() - outcome.mean()) < 0.03
    # And the ranking is informative on the signal we planted.
    assert model.metadata.metrics.auc > 0.7


def test_contributions_sum_to_raw_margin(trained) -> None:
    model, table, _ = trained
    leads = LeadFrame.from_table(table.head(300))
    explanation = model.explain(leads, NOW)
    from connector.scoring.features import build_matrix

    raw = model.booster.predict(build_matrix(model.plan, leads.contacts, NOW), raw_score=True)
    summed = explanation.contributions.sum(axis=1).to_numpy() + explanation.bias
    np.testing.assert_allclose(summed, raw, atol=1e-4)
    np.testing.assert_allclose(explanation.margin, raw, atol=1e-4)
    assert list(explanation.contributions.columns) == model.plan.source_columns


def test_reasons_are_short_signed_and_named_after_source_columns(trained) -> None:
    model, table, _ = trained
    prediction = model.predict(LeadFrame.from_table(table.head(400)), NOW)
    assert len(prediction.reasons) == 400
    flat = [r for reasons in prediction.reasons for r in reasons]
    assert all(len(reasons) <= 4 for reasons in prediction.reasons)
    assert all(r.startswith(("+ Model: ", "- Model: ")) for r in flat)
    assert all(re.search(r"\(likelihood [+-]\d+ pts?\)$", r) for r in flat)
    assert any("job title mentions 'director'" in r for r in flat)
    assert any(r.startswith("+ Model: page views") for r in flat)
    # Strongest first whatever the sign (tests/scoring/test_contributions.py pins the order).
    assert any(reasons and reasons[0].startswith("- ") for reasons in prediction.reasons)


def test_prediction_handles_missing_columns_and_empty_batches(trained) -> None:
    model, table, _ = trained
    partial = table[["jobtitle"]].head(5)
    assert model.predict(LeadFrame.from_table(partial), NOW).probability.shape == (5,)
    empty = model.predict(LeadFrame.from_table(table.head(0)), NOW)
    assert empty.probability.shape == (0,) and empty.reasons.shape == (0,)


def test_bytes_round_trip_predicts_identically(trained) -> None:
    model, table, _ = trained
    data = model.to_bytes()
    again = LeadModel.from_bytes(data)
    leads = LeadFrame.from_table(table.head(500))
    before, after = model.predict(leads, NOW), again.predict(leads, NOW)
    np.testing.assert_array_equal(before.probability, after.probability)
    assert list(before.reasons) == list(after.reasons)
    assert again.version == model.version
    assert metadata_from_bytes(data).config_hash == "cfg123"
    # Deterministic: the same model always gives the same bytes (stored blobs compare equal).
    assert again.to_bytes() == data


def test_file_round_trip_goes_through_bytes(trained, tmp_path: Path) -> None:
    model, _, _ = trained
    path = tmp_path / "nested" / "m.lsmodel"
    save_model(model, path)
    assert path.read_bytes() == model.to_bytes()
    assert load_model(path).version == model.version
    assert read_model_metadata(path).version == model.version
    with pytest.raises(LeadscoreError, match="no such model file"):
        load_model(tmp_path / "missing.lsmodel")


def test_metadata_is_versioned_and_complete(trained) -> None:
    model, table, outcome = trained
    meta = model.metadata
    assert meta.version.startswith("m") and len(meta.version) == len("m20261122-153000-ab12cd")
    assert meta.rows == len(table) and meta.positives == int(outcome.sum())
    assert meta.features[0].importance >= meta.features[-1].importance
    assert {f.column for f in meta.features} == set(model.plan.source_columns)


def test_loading_a_non_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "not.lsmodel"
    path.write_text("hello")
    with pytest.raises(LeadscoreError, match=r"not\.lsmodel: not a leadscore model file"):
        load_model(path)
    with pytest.raises(LeadscoreError, match="stored: not a leadscore model file"):
        LeadModel.from_bytes(b"hello", "stored")


def test_activity_aggregates_feed_the_model() -> None:
    table, outcome = synthetic_leads(n=800, seed=3)
    rng = np.random.default_rng(1)
    # Converted leads had more recent calls: the model should pick that up.
    rows = []
    for contact, converted in outcome.items():
        for _ in range(rng.poisson(3 if converted else 0.5)):
            rows.append((contact, "call", NOW - pd.Timedelta(days=float(rng.uniform(1, 60)))))
    activities = pd.DataFrame(rows, columns=["contact_id", "kind", "timestamp"])
    activities["timestamp"] = pd.to_datetime(activities["timestamp"], utc=True)
    activities["outcome"] = None
    activities["direction"] = None
    model = train_model(table, outcome, now=NOW, activities=activities)
    assert "activity_call_90d" in model.plan.source_columns
    leads = LeadFrame.from_table(table.head(50), activities)
    prediction = model.predict(leads, NOW)
    assert any(
        "calls in the last" in r or "last activity" in r for rs in prediction.reasons for r in rs
    )


def test_binary_target_errors_are_specific() -> None:
    table = pd.DataFrame({"a": ["1", "2", "3"], "y": ["no", "no", "no"], "z": ["a", "b", "c"]})
    with pytest.raises(LeadscoreError, match="'missing' not found"):
        binary_target(table, "missing")
    with pytest.raises(LeadscoreError, match="single outcome"):
        binary_target(table, "y")
    with pytest.raises(LeadscoreError, match="--positive 'maybe'"):
        binary_target(table, "z", "maybe")
    with pytest.raises(LeadscoreError, match="pass --positive"):
        binary_target(table, "z")
    features, outcome = binary_target(
        pd.DataFrame({"a": ["1", "2", "3"], "y": ["yes", None, "no"]}), "y"
    )
    assert list(outcome) == [True, False] and list(features.columns) == ["a"]


def test_outcome_from_lifecycle_follows_stage_order() -> None:
    stages = pd.Series(["lead", "opportunity", "customer", None, "other", "evangelist"])
    assert list(outcome_from_lifecycle(stages)) == [False, True, True, False, False, True]
    custom = outcome_from_lifecycle(stages, converted_from="customer")
    assert list(custom) == [False, False, True, False, False, True]
    with pytest.raises(LeadscoreError, match="not in the stage order"):
        outcome_from_lifecycle(stages, converted_from="won")
