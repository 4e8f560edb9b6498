"""Point-in-time training against training on current values, on a sandbox portal.

A generated portal (with property histories, properties sales fills in after a conversion
and post-conversion activity) is synced, the portal's model is trained (reading the
property histories first: the calls are counted), then graded "as of T − 90 days": the
point-in-time model and the same model trained on the values as they stood then, both on
the leads open then against the next 90 days' conversions, beside their own in-sample
(cross-validated) AUC; and which of the properties the generator planted as post-outcome
the time-based guard named. Prints JSON.

Usage: python -m benchmarks.honest_learning [--contacts 5000]
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime

from benchmarks._sync_support import (
    connect_static,
    contacts_argument,
    sandbox_process,
    settings_for,
    temporary_store,
    unpaced,
)
from connector.evaluation.forward import TrainedVariant
from connector.reports.forward import portal_forward
from connector.sandbox.generator_history import PLANTED_POST_OUTCOME_PROPERTIES
from connector.wiring import sync_service


def _variant(v: TrainedVariant | None) -> dict[str, object] | None:
    if v is None:
        return None
    auc = v.forward.auc
    return {
        "rows": v.rows,
        "positives": v.positives,
        "in_sample_auc": v.in_sample_auc,
        "forward_auc": None if auc is None else round(auc.estimate, 4),
        "forward_auc_95": None if auc is None else [round(auc.low, 4), round(auc.high, 4)],
        "forward_top_decile_lift": v.forward.top_decile_lift,
        "top_features": [[f.column, f.importance] for f in v.features],
    }


def main() -> None:
    """Run the benchmark and print one JSON document."""
    contacts = contacts_argument(__doc__)
    with sandbox_process(contacts, rate_limits=False) as box, temporary_store() as (store, tmp):
        service = sync_service(settings_for(box, tmp), store, options=unpaced())
        connect_static(box, store)
        print(f"syncing {contacts} contacts ...", file=sys.stderr)
        synced = service.run_pass(box.hub_id, full=True)
        started = time.monotonic()
        trained = service.train(box.hub_id)
        train_s = time.monotonic() - started
        started = time.monotonic()
        result = portal_forward(store, box.hub_id, service.config, datetime.now(UTC))
        forward_s = time.monotonic() - started
        artifact = store.models.active(box.hub_id, service.config.artifact_key("default"))
    named = [v.column for v in result.post_outcome]
    score = result.score.auc if result.score is not None else None
    print(json.dumps({
        "benchmark": "honest_learning",
        "contacts": contacts,
        "sync_completed": synced.completed,
        "training": {
            "model": trained.model_version,
            "api_calls_by_kind": trained.api_calls,
            "seconds": round(train_s, 1),
            "window": artifact.meta.get("training") if artifact is not None else None,
        },
        "forward": {
            "as_of": result.as_of.isoformat(),
            "horizon_days": result.horizon_days,
            "outcome": result.outcome,
            "open_leads": result.point_in_time.forward.open_leads,
            "conversions_next_days": result.point_in_time.forward.conversions,
            "score_forward_auc": None if score is None else round(score.estimate, 4),
            "point_in_time": _variant(result.point_in_time),
            "current_values": _variant(result.current_values),
            "seconds": round(forward_s, 1),
        },
        "post_outcome_planted": list(PLANTED_POST_OUTCOME_PROPERTIES),
        "post_outcome_named": named,
        "post_outcome_evidence": [asdict(v) for v in result.post_outcome],
        "planted_missed": [p for p in PLANTED_POST_OUTCOME_PROPERTIES if p not in named],
        "unknown_past": list(result.unknown_past),
    }, indent=2))


if __name__ == "__main__":
    main()
