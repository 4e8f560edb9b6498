"""Counts HubSpot keeps on records about their associations (read-only, recalculated).

Companies count their contacts, deals and open deals; contacts count their deals. The
portal recalculates them whenever an association or a deal's stage changes, and applies
only the values that differ, so unchanged records are not bumped.
"""

from __future__ import annotations

from collections.abc import Mapping

from connector.sandbox.links import AssociationGraph
from connector.sandbox.object_types import COMPANIES, CONTACTS, DEALS
from connector.sandbox.records import Record

ROLLUP_TYPES = frozenset({COMPANIES, CONTACTS, DEALS})


def rollups(
    object_type: str, record_id: int, links: AssociationGraph, deals: Mapping[int, Record]
) -> dict[str, str]:
    """The association counts `record_id` should show now (empty for other types)."""
    if object_type == COMPANIES:
        deal_ids = links.targets(COMPANIES, record_id, DEALS)
        open_deals = sum(
            1
            for d in deal_ids
            if d in deals and deals[d].properties.get("hs_is_closed", "false") != "true"
        )
        return {
            "num_associated_contacts": str(len(links.targets(COMPANIES, record_id, CONTACTS))),
            "num_associated_deals": str(len(deal_ids)),
            "hs_num_open_deals": str(open_deals),
        }
    if object_type == CONTACTS:
        return {"num_associated_deals": str(len(links.targets(CONTACTS, record_id, DEALS)))}
    if object_type == DEALS:
        return {"num_associated_contacts": str(len(links.targets(DEALS, record_id, CONTACTS)))}
    return {}


def changed_rollups(record: Record, wanted: Mapping[str, str]) -> dict[str, str]:
    """The rollups whose stored value differs (a missing count equals "0")."""
    return {k: v for k, v in wanted.items() if record.properties.get(k, "0") != v}
