"""What a pass reads per contact, and the hash that tells whether those inputs changed.

How the inputs are stored and how they come back (`stored_inputs`, `lead_frame_from_states`,
`STATE_MODEL`) is `connector.scoring.stored_inputs`, shared with the reports; they are
re-exported here. The sync keeps one state row per contact for all scoring models, under
the key `STATE_MODEL`: every model reads the same inputs, and the write-back is one batch
update per contact carrying every model's properties.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from connector.hubspot.mapping import VOLATILE_PROPERTIES, input_hashes
from connector.scoring.config import ScoringConfig
from connector.scoring.leads import LeadFrame
from connector.scoring.stored_inputs import STATE_MODEL as STATE_MODEL
from connector.scoring.stored_inputs import lead_frame_from_states as lead_frame_from_states
from connector.scoring.stored_inputs import properties_of as properties_of
from connector.scoring.stored_inputs import stored_inputs as stored_inputs

ALWAYS_READ: tuple[str, ...] = ("lifecyclestage",)
"""Read whatever the rules use: the stage moves forward from it and is the training outcome."""

ENGAGEMENT_SUMMARY: tuple[str, ...] = (
    "hs_last_sales_activity_timestamp",
    "notes_last_contacted",
    "notes_last_updated",
    "num_contacted_notes",
    "engagements_last_meeting_booked",
)
"""Summary properties HubSpot updates when an engagement is logged on a contact.

Reading them makes a new call or meeting visible as a property change, so a contact whose
properties did not move can be recognised as unchanged without reading its engagements.
"""

MODEL_FEATURES: tuple[str, ...] = (
    "annualrevenue",
    "hs_analytics_source",
    "first_conversion_event_name",
    "hs_lead_status",
)
"""Profile properties the predictive model may learn from beyond what the rules read."""


def read_properties(config: ScoringConfig) -> list[str]:
    """The contact properties a pass reads: rules' inputs, stage, summaries, model features."""
    names = {*config.properties_used(), *ALWAYS_READ, *ENGAGEMENT_SUMMARY, *MODEL_FEATURES}
    return sorted(n for n in names if n not in VOLATILE_PROPERTIES)


def frame_hashes(frame: LeadFrame, properties: Sequence[str]) -> pd.Series:
    """The input hash per contact over the read properties and the activities."""
    return input_hashes(frame, [p for p in properties if p in frame.contacts.columns])

