"""Speed of the stored inputs: frame → records, records ⇄ the store, records → frame.

The daily rescore, training and the portal history all rebuild `LeadFrame`s from the
stored inputs of every contact of a portal (20k–1M), and every pass stores the inputs of
the contacts it scored. On a generated portal (28 columns per contact: contact properties
plus `company.*` / `account.*` columns, ~3 activities per contact) this measures, with
wall and CPU seconds (CPU too, the machine may be shared):
- `to_records`: `stored_inputs(frame, columns)` for the whole frame;
- `upsert`: `store.contacts.upsert` of those records, 1,000 per call, into SQLite;
- `rescore_read`: `store.contacts.iter_batches` + `lead_frame_from_states` per batch (the
  daily rescore's read side, one batch in memory at a time);
- `history`: every state read, then one `lead_frame_from_states` over all of them
  (training, the portal history); `history_frame` is that last step alone.

    python benchmarks/stored_inputs.py [--contacts 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._sync_support import temporary_store
from connector.scoring.leads import LeadFrame
from connector.scoring.stored_inputs import lead_frame_from_states, stored_inputs
from connector.store import ContactState, Tokens

HUB = 9_100_001
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CONTACT_COLUMNS = [f"prop_{i:02d}" for i in range(20)]
ACCOUNT_COLUMNS = [
    "company.industry", "company.numberofemployees", "company.country", "company.type",
    "account.engaged_contacts", "account.open_deals", "account.has_open_deal",
    "account.last_activity_at",
]
KINDS = np.array(["call", "email", "meeting", "note", "task"], dtype=object)
OUTCOMES = np.array([None, "completed", "no_answer", "scheduled"], dtype=object)
DIRECTIONS = np.array([None, "INCOMING_EMAIL", "EMAIL", "OUTBOUND"], dtype=object)


def generated_frame(contacts: int, seed: int) -> LeadFrame:
    """A portal-like frame: text values with ~15 % empty, ~3 activities per contact."""
    rng = np.random.default_rng(seed)
    ids = pd.Index([str(100 + i) for i in range(contacts)], dtype="object", name="id")
    data: dict[str, Any] = {}
    for column in [*CONTACT_COLUMNS, *ACCOUNT_COLUMNS]:
        values = np.array([f"{column}-v{k}" for k in range(12)], dtype=object)[
            rng.integers(0, 12, contacts)
        ]
        values[rng.random(contacts) < 0.15] = None
        data[column] = pd.Series(values, index=ids, dtype="object")
    per_contact = rng.poisson(3, contacts)
    owners = np.repeat(ids.to_numpy(), per_contact)
    count = len(owners)
    stamps = pd.to_datetime(NOW) - pd.to_timedelta(rng.integers(0, 86_400 * 365, count), "s")
    activities = pd.DataFrame({
        "contact_id": pd.Series(owners, dtype="object"),
        "kind": pd.Series(KINDS[rng.integers(0, len(KINDS), count)], dtype="object"),
        "timestamp": pd.Series(stamps).dt.tz_convert("UTC"),
        "outcome": pd.Series(OUTCOMES[rng.integers(0, len(OUTCOMES), count)], dtype="object"),
        "direction": pd.Series(DIRECTIONS[rng.integers(0, len(DIRECTIONS), count)],
                               dtype="object"),
    })
    return LeadFrame(contacts=pd.DataFrame(data, index=ids), activities=activities)


def timed(work: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run `work` once; its result and wall/CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }


def measure(contacts: int, seed: int) -> dict[str, Any]:
    """Every measurement on one generated portal."""
    frame = generated_frame(contacts, seed)
    columns = [*CONTACT_COLUMNS, *ACCOUNT_COLUMNS]
    figures: dict[str, Any] = {"contacts": contacts, "activities": len(frame.activities),
                               "columns": len(columns)}
    records, figures["to_records"] = timed(lambda: stored_inputs(frame, columns))
    template = ContactState(portal_id=HUB, contact_id=0, input_hash="h",
                            inputs=next(iter(records.values())))
    states = [replace(template, contact_id=int(cid), inputs=inputs)
              for cid, inputs in records.items()]
    with temporary_store() as (store, _):
        store.portals.connect(HUB, kind="static", tokens=Tokens("t"))

        batches = [states[start : start + 1000] for start in range(0, len(states), 1000)]
        _, figures["upsert"] = timed(lambda: [store.contacts.upsert(b) for b in batches])
        batches.clear()
        states.clear()
        records.clear()

        def rescore_read() -> int:
            return sum(
                len(lead_frame_from_states(batch))
                for batch in store.contacts.iter_batches(HUB, 1000)
            )

        _, figures["rescore_read"] = timed(rescore_read)

        def history() -> LeadFrame:
            read = [s for batch in store.contacts.iter_batches(HUB, 1000) for s in batch]
            rebuilt, figures["history_frame"] = timed(lambda: lead_frame_from_states(read))
            return rebuilt

        rebuilt, figures["history"] = timed(history)
    figures["round_trip_equal"] = bool(
        rebuilt.contacts.shape == (contacts, len(columns))
        and len(rebuilt.activities) == len(frame.activities)
    )
    return figures


def main() -> None:
    """Print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="10,000 contacts")
    args = parser.parse_args()
    contacts = 10_000 if args.quick else args.contacts
    print(json.dumps({"benchmark": "stored_inputs", **measure(contacts, args.seed)}))


if __name__ == "__main__":
    main()
