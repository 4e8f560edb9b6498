"""What a pass reads per contact, and the hash that tells whether those inputs changed.

How the inputs are stored and how they come back (`StoredInputs`, `stored_inputs`,
`lead_frame_from_states`) is `connector.scoring.stored_inputs`, shared with the reports;
they are re-exported here. The sync keeps one state row per contact for all scoring models:
every model reads the same inputs, and the write-back is one batch update per contact
carrying every model's properties.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from connector.crm import ReadVocabulary
from connector.scoring.config import ScoringConfig
from connector.scoring.leads import LeadFrame
from connector.scoring.needs import properties_needed
from connector.scoring.stored_inputs import StoredInputs as StoredInputs
from connector.scoring.stored_inputs import lead_frame_from_states as lead_frame_from_states
from connector.scoring.stored_inputs import stored_inputs as stored_inputs
from connector.sync.fingerprints import input_hashes


def read_properties(config: ScoringConfig, vocabulary: ReadVocabulary) -> list[str]:
    """The contact properties a pass reads: the rules' inputs and what the CRM says to read
    always (stage, engagement summaries, model features), minus volatile ones."""
    needs = properties_needed(config)
    names = {*needs.contact, *needs.outcome, *vocabulary.always}
    return sorted(n for n in names if n not in vocabulary.volatile)


def frame_hashes(frame: LeadFrame, properties: Sequence[str]) -> pd.Series:
    """The input hash per contact over the read properties and the activities."""
    return input_hashes(frame, [p for p in properties if p in frame.contacts.columns])

