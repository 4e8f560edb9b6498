"""A small synthetic portal with property histories and a planted post-outcome property.

Leads have a latent intent that drives both their meetings before converting and whether
they convert. After converting, every converted lead gets account-team meetings and, for
most of them, sales fills in `budget_confirmed`: a model trained on current values learns
those, a point-in-time model cannot see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from connector.scoring.histories import ContactHistory, ValueChange
from connector.scoring.leads import LeadFrame

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY_MS = 86_400_000


@dataclass(frozen=True)
class HistoryPortal:
    """Leads as they are now, their histories and when each converted (NaT: not yet)."""

    leads: LeadFrame
    histories: dict[str, ContactHistory]
    converted_at: pd.Series


def history_portal(n: int = 3000, seed: int = 5) -> HistoryPortal:
    """The portal described in the module doc (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    now_ms = int(NOW.timestamp() * 1000)
    created = now_ms - rng.integers(0, 365, n) * DAY_MS - rng.integers(0, DAY_MS, n)
    intent = rng.normal(0, 1, n)
    seniority = np.where(intent + rng.normal(0, 1, n) > 0.5, "Director", "Analyst")
    p = 1 / (1 + np.exp(-(-1.6 + 1.4 * intent)))
    lag = (np.exp(rng.normal(np.log(25), 0.5, n)) * DAY_MS).astype(np.int64)
    will = rng.random(n) < p
    at_ms = np.where(will, created + lag, -1)
    happened = will & (at_ms <= now_ms)
    ids = [str(i + 1) for i in range(n)]
    rows: list[dict[str, object]] = []
    histories: dict[str, ContactHistory] = {}
    for i, cid in enumerate(ids):
        end = at_ms[i] if happened[i] else now_ms
        # Meetings before converting follow intent; after it the account team meets often.
        k = rng.poisson(max(0.0, 0.8 + 0.9 * intent[i]))
        meetings = list(created[i] + rng.random(k) * max(end - created[i], 1))
        notes: list[float] = []
        if happened[i]:
            meetings += list(at_ms[i] + rng.random(2) * max(now_ms - at_ms[i], 1))
            notes += list(at_ms[i] + rng.random(3) * max(now_ms - at_ms[i], 1))
        for kind, stamps in (("meeting", meetings), ("note", notes)):
            rows.extend({"contact_id": cid, "kind": kind, "timestamp": int(ts),
                         "outcome": "completed", "direction": None} for ts in stamps)
        budget: list[ValueChange] = []
        if happened[i] and rng.random() < 0.75:
            budget.append(ValueChange(int(at_ms[i] + DAY_MS), "true", "CRM_UI"))
        elif not happened[i] and rng.random() < 0.05:
            budget.append(ValueChange(int(created[i] + DAY_MS), "true", "CRM_UI"))
        histories[cid] = ContactHistory.from_versions({
            "jobtitle": [ValueChange(int(created[i]), f"{seniority[i]} of Sales", "FORM")],
            "budget_confirmed": budget,
        })
    activities = pd.DataFrame(rows)
    activities["timestamp"] = pd.to_datetime(activities["timestamp"], unit="ms", utc=True)
    budget_now = [h.value_at("budget_confirmed", now_ms + 1) for h in histories.values()]
    contacts = pd.DataFrame(
        {
            "createdate": pd.to_datetime(created, unit="ms", utc=True).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z"),
            "jobtitle": [f"{s} of Sales" for s in seniority],
            "budget_confirmed": budget_now,
        },
        index=pd.Index(ids),
    )
    converted_at = pd.Series(
        pd.to_datetime(np.where(happened, at_ms, np.iinfo(np.int64).min), unit="ms", utc=True),
        index=contacts.index,
    ).where(happened)
    return HistoryPortal(LeadFrame(contacts, activities), histories, converted_at)
