"""Shared inputs of the insights tests: the bank CSV, a small trained model, a sandbox portal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from connector.evaluation import History
from connector.reports import history_from_csv
from connector.sandbox.generator import POST_OUTCOME_PROPERTIES, generate_portal
from connector.scoring.leads import LeadFrame, empty_activities
from connector.scoring.model import train_model
from connector.scoring_files import save_model

BANK_CSV = Path("/work/shared/data/bank-additional-full.csv")
REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# Sandbox engagement kinds → the scoring layer's activity kinds and their outcome/direction.
_KINDS = {
    "calls": ("call", "hs_call_status", "hs_call_direction"),
    "emails": ("email", "hs_email_status", "hs_email_direction"),
    "meetings": ("meeting", "hs_meeting_outcome", None),
    "notes": ("note", None, None),
    "tasks": ("task", "hs_task_status", None),
}


@pytest.fixture(scope="session")
def bank_history() -> History:
    """The whole bank marketing data set as a history (target y = yes)."""
    return history_from_csv(BANK_CSV, "y", NOW)


@pytest.fixture(scope="session")
def bank_model(tmp_path_factory: pytest.TempPathFactory, bank_history: History) -> Path:
    """A likelihood model trained on every 40th bank lead (small, so the tests stay fast)."""
    sample = bank_history.leads.contacts.iloc[::40]
    target = pd.Series(bank_history.converted[::40], index=sample.index)
    model = train_model(sample, target, now=NOW, drop=["duration"], folds=2)
    path = tmp_path_factory.mktemp("models") / "bank.zip"
    save_model(model, path)
    return path


def portal_history(n_contacts: int, seed: int) -> History:
    """A generated sandbox portal as a history: properties without post-outcome columns,
    engagements as activities, the generator's hidden truth as outcomes."""
    portal = generate_portal(n_contacts, seed, int(NOW.timestamp() * 1000))
    contacts = pd.DataFrame(portal.contacts).set_index("hs_object_id")
    contacts = contacts.drop(columns=[c for c in POST_OUTCOME_PROPERTIES if c in contacts])
    frames = []
    for kind, (name, outcome, direction) in _KINDS.items():
        table = portal.engagements[kind]
        count = len(table["contact_id"])
        frames.append(
            pd.DataFrame(
                {
                    "contact_id": table["contact_id"].astype(str),
                    "kind": name,
                    "timestamp": pd.to_datetime(pd.Series(table["hs_timestamp"]), utc=True),
                    "outcome": pd.Series(table[outcome]).str.lower() if outcome else [None] * count,
                    "direction": table[direction] if direction else [None] * count,
                }
            )
        )
    activities = pd.concat([empty_activities(), *frames], ignore_index=True)
    truth = dict(zip(portal.truth["contact_id"], portal.truth["converted"], strict=True))
    converted = np.array([truth[i] for i in contacts.index.astype(str)], dtype=bool)
    return History(
        leads=LeadFrame.from_table(contacts, activities),
        converted=converted,
        now=NOW,
        source=f"sandbox portal (seed {seed})",
    )


@pytest.fixture(scope="session")
def sandbox_history() -> History:
    """A 3,000-contact generated portal with engagements and known outcomes."""
    return portal_history(3000, seed=11)


@pytest.fixture(scope="session")
def now() -> datetime:
    """The instant histories are scored as of."""
    return NOW
