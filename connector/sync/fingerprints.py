"""Fingerprints of what feeds scoring, per contact, to recognise our own echoes.

Our writes bump the contact's modification time, so the next pass sees every contact it
just scored; comparing a hash of the inputs (not timestamps) tells a real change apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import pandas as pd

from connector.crm.values import text
from connector.scoring.leads import LeadFrame


def input_hashes(frame: LeadFrame, columns: Sequence[str]) -> pd.Series:
    """A stable SHA-256 per contact over the given property columns and its activities.

    Activities are hashed in a canonical order, so the same inputs give the same hash in
    any run, process or row order.
    """
    chosen = sorted(columns)
    activity_rows: dict[str, list[list[str | None]]] = {}
    for row in frame.activities.itertuples(index=False):
        activity_rows.setdefault(str(row.contact_id), []).append(
            [text(row.kind), text(row.timestamp), text(row.outcome), text(row.direction)]
        )
    table = frame.contacts.reindex(columns=chosen)
    hashes = []
    for contact_id, values in zip(table.index, table.itertuples(index=False), strict=True):
        payload = {
            "p": [[c, text(v)] for c, v in zip(chosen, values, strict=True)],
            "a": sorted(activity_rows.get(str(contact_id), []), key=lambda r: [x or "" for x in r]),
        }
        encoded = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        hashes.append(hashlib.sha256(encoded).hexdigest())
    return pd.Series(hashes, index=table.index, dtype="object", name="input_hash")
