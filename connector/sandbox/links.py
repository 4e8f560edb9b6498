"""A portal's associations between records, kept in both directions at once.

HubSpot associations are directed types (contact→company 279, company→contact 280) but
always exist in pairs: writing one side writes the other. `AssociationGraph` stores each
direction as `from_type → to_type → from_id → {to_id: {type ids}}` so reading either side
is one dict lookup, and every write goes through methods that keep both sides equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from connector.sandbox.object_types import (
    AssociationTypeDef,
    association_type,
    primary_holder,
    reverse_of,
)

# to_id → type ids linking to it (immutable, so copying the graph copies no sets)
Targets = dict[int, frozenset[int]]


class AssociationGraph:
    """Associations of one portal. Callers hold the portal lock."""

    def __init__(self) -> None:
        self._edges: dict[tuple[str, str], dict[int, Targets]] = {}

    def copy(self) -> AssociationGraph:
        """An independent copy (snapshots and reset)."""
        other = AssociationGraph()
        other._edges = {
            pair: {i: dict(targets) for i, targets in side.items()}
            for pair, side in self._edges.items()
        }
        return other

    # ---- reads -----------------------------------------------------------------------------

    def targets(self, from_type: str, from_id: int, to_type: str) -> Mapping[int, frozenset[int]]:
        """What `from_id` is associated with among `to_type` records (to id → type ids)."""
        return self._edges.get((from_type, to_type), {}).get(from_id, {})

    def ids(self, from_type: str, from_id: int, to_type: str) -> list[int]:
        """The associated `to_type` ids of one record, in id order."""
        return sorted(self.targets(from_type, from_id, to_type))

    def sources(self, from_type: str, to_type: str) -> Mapping[int, Targets]:
        """Every `from_type` record with `to_type` associations (from id → targets)."""
        return self._edges.get((from_type, to_type), {})

    # ---- writes ----------------------------------------------------------------------------

    def add(self, t: AssociationTypeDef, from_id: int, to_id: int) -> list[tuple[int, int]]:
        """Associate `from_id` → `to_id` with type `t` (and the reverse type the other way).

        A primary type is exclusive on the side that points at the company, as in HubSpot:
        a contact (or deal) has one primary company, so its previous primary link is
        dropped (the unlabelled one stays), while a company is the primary company of many.
        Returns the (from_id, to_id) pairs, in `t`'s direction, whose types changed.
        """
        changed: list[tuple[int, int]] = []
        if t.primary:
            holder = primary_holder(t)
            forward = holder is t
            holder_id, company_id = (from_id, to_id) if forward else (to_id, from_id)
            for other, types in list(
                self.targets(holder.from_type, holder_id, holder.to_type).items()
            ):
                if other != company_id and holder.type_id in types:
                    self._discard(holder, holder_id, other)
                    changed.append((holder_id, other) if forward else (other, holder_id))
        if self._put(t, from_id, to_id):
            changed.append((from_id, to_id))
        return changed

    def remove(self, from_type: str, from_id: int, to_type: str, to_id: int) -> bool:
        """Remove every association type between two records; False if there was none."""
        types = self._edges.get((from_type, to_type), {}).get(from_id, {}).get(to_id)
        if not types:
            return False
        for type_id in list(types):
            found = association_type(type_id)
            if found is not None:
                self._discard(found, from_id, to_id)
        return True

    def remove_type(self, t: AssociationTypeDef, from_id: int, to_id: int) -> bool:
        """Remove one association type (both directions); False if it was not there."""
        if t.type_id not in self.targets(t.from_type, from_id, t.to_type).get(to_id, frozenset()):
            return False
        self._discard(t, from_id, to_id)
        return True

    def drop_record(self, object_type: str, record_id: int) -> list[tuple[str, int]]:
        """Forget every association of a record (it was archived or merged away);
        returns the (type, id) of every record it was linked to."""
        dropped: list[tuple[str, int]] = []
        for (from_type, to_type), side in list(self._edges.items()):
            if from_type != object_type or record_id not in side:
                continue
            for to_id in list(side[record_id]):
                self.remove(from_type, record_id, to_type, to_id)
                dropped.append((to_type, to_id))
        return dropped

    def move_record(self, object_type: str, old_id: int, new_id: int) -> None:
        """Give `new_id` every association of `old_id` (a merge), then drop `old_id`'s.

        The surviving record keeps its own primary company; the merged one's primary
        company stays linked, unlabelled (the unlabelled type always comes with it).
        """
        moved: list[tuple[AssociationTypeDef, int]] = []
        for (from_type, _), side in list(self._edges.items()):
            if from_type != object_type or old_id not in side:
                continue
            for to_id, types in side[old_id].items():
                moved.extend((t, to_id) for t in _defs(types))
        self.drop_record(object_type, old_id)
        for t, to_id in sorted(moved, key=lambda pair: pair[0].primary):
            if to_id == new_id:
                continue
            holder = primary_holder(t)
            keeps_own = (
                t.primary
                and holder is t
                and any(
                    t.type_id in types
                    for types in self.targets(t.from_type, new_id, t.to_type).values()
                )
            )
            if not keeps_own:
                self.add(t, new_id, to_id)

    # ---- internals -------------------------------------------------------------------------

    def _put(self, t: AssociationTypeDef, from_id: int, to_id: int) -> bool:
        back = reverse_of(t)
        forward = self._edges.setdefault((t.from_type, t.to_type), {}).setdefault(from_id, {})
        types = forward.get(to_id, frozenset())
        if t.type_id in types:
            return False
        forward[to_id] = types | {t.type_id}
        reverse = self._edges.setdefault((back.from_type, back.to_type), {}).setdefault(to_id, {})
        reverse[from_id] = reverse.get(from_id, frozenset()) | {back.type_id}
        return True

    def _discard(self, t: AssociationTypeDef, from_id: int, to_id: int) -> None:
        back = reverse_of(t)
        _discard_one(self._edges.get((t.from_type, t.to_type)), from_id, to_id, t.type_id)
        _discard_one(self._edges.get((back.from_type, back.to_type)), to_id, from_id, back.type_id)


def _discard_one(side: dict[int, Targets] | None, from_id: int, to_id: int, type_id: int) -> None:
    if side is None or from_id not in side:
        return
    targets = side[from_id]
    types = targets.get(to_id)
    if types is None:
        return
    types = types - {type_id}
    if types:
        targets[to_id] = types
    else:
        del targets[to_id]
    if not targets:
        del side[from_id]


def _defs(type_ids: Iterable[int]) -> list[AssociationTypeDef]:
    return [d for d in (association_type(i) for i in type_ids) if d is not None]
