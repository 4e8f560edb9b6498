"""One HubSpot account (portal): its objects, property registries, associations and the
write rules HubSpot enforces on them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.sandbox.activity_summary import summary_updates
from connector.sandbox.api_errors import HubSpotError, PropertyValueError
from connector.sandbox.counters import Counters
from connector.sandbox.properties import PropertyRegistry
from connector.sandbox.property_catalog import (
    CONTACT_GROUPS,
    CONTACT_PROPERTIES,
    ENGAGEMENT_COMMON,
    ENGAGEMENT_PROPERTIES,
    ENGAGEMENT_TYPES,
    PropertyGroup,
)
from connector.sandbox.ratelimit import PortalLimiter
from connector.sandbox.records import ObjectStore, Record, SearchIndex
from connector.sandbox.values import iso_from_ms, normalize_value
from connector.sandbox.webhooks import WebhookEvent

CONTACTS = "contacts"
OBJECT_TYPES: tuple[str, ...] = (CONTACTS, *ENGAGEMENT_TYPES)
SINGULAR = {
    "contacts": "CONTACT",
    "calls": "CALL",
    "emails": "EMAIL",
    "meetings": "MEETING",
    "notes": "NOTE",
    "tasks": "TASK",
}
# Ids above 2^31 on purpose: HubSpot's ids outgrow 32-bit integers, clients must cope.
FIRST_CONTACT_ID = 2_147_483_001
FIRST_ENGAGEMENT_ID = 40_000_000_001

# Properties HubSpot stamps itself on every record.
_SYSTEM_STAMPS = frozenset(
    {"hs_object_id", "createdate", "lastmodifieddate", "hs_createdate", "hs_lastmodifieddate"}
)

Emit = Callable[[WebhookEvent], None]


@dataclass
class ObjectType:
    """The records, definitions and search view of one object type in a portal."""

    name: str
    store: ObjectStore
    registry: PropertyRegistry
    index: SearchIndex
    # Names search cannot filter on although they exist (silently match nothing).
    search_blind: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SeedContact:
    """A contact as the generator provides it: trusted values, any property, fixed times."""

    properties: dict[str, str]
    created_ms: int
    updated_ms: int
    contact_id: int | None = None


@dataclass(frozen=True)
class SeedEngagement:
    """An engagement of one type associated with contacts (by contact id)."""

    object_type: str
    properties: dict[str, str]
    contact_ids: tuple[int, ...]
    timestamp_ms: int
    record_id: int | None = None


@dataclass
class _Snapshot:
    records: dict[str, dict[int, Record]]
    associations: dict[str, dict[int, list[int]]]
    ground_truth: dict[int, dict[str, Any]]
    next_ids: dict[str, int]


@dataclass
class BatchOutcome:
    """Results and per-input errors of a batch call (207 when both are present)."""

    results: list[Record] = field(default_factory=list)
    errors: list[HubSpotError] = field(default_factory=list)


class PortalState:
    """Everything one portal holds. Every public method takes the portal's lock."""

    def __init__(
        self,
        hub_id: int,
        name: str,
        domain: str,
        now_ms: Callable[[], int],
        emit: Emit,
        limiter: PortalLimiter,
        search_delay_s: float,
    ) -> None:
        self.hub_id = hub_id
        self.name = name
        self.domain = domain
        self.lock = threading.RLock()
        self.counters = Counters()
        self.limiter = limiter
        self.ground_truth: dict[int, dict[str, Any]] = {}
        self._now_ms = now_ms
        self._emit = emit
        contact_groups = tuple(CONTACT_GROUPS)
        self.types: dict[str, ObjectType] = {
            CONTACTS: ObjectType(
                CONTACTS,
                ObjectStore(FIRST_CONTACT_ID),
                PropertyRegistry(CONTACT_PROPERTIES, contact_groups),
                SearchIndex(search_delay_s),
                search_blind=frozenset({"hs_lastmodifieddate"}),
            )
        }
        for offset, engagement in enumerate(ENGAGEMENT_TYPES):
            defs = ENGAGEMENT_COMMON + ENGAGEMENT_PROPERTIES[engagement]
            group = PropertyGroup(defs[-1].group_name, f"{engagement.title()} information", 0)
            self.types[engagement] = ObjectType(
                engagement,
                # Disjoint id ranges per type make mixed-up ids fail loudly in tests.
                ObjectStore(FIRST_ENGAGEMENT_ID + offset * 1_000_000_000),
                PropertyRegistry(defs, (group, PropertyGroup("engagement", "Engagement", 1))),
                SearchIndex(search_delay_s),
            )
        # contact id → engagement type → associated engagement ids (sorted)
        self.associations: dict[str, dict[int, list[int]]] = {t: {} for t in ENGAGEMENT_TYPES}
        self._emails: dict[str, int] = {}
        self._snapshot: _Snapshot | None = None

    # ---- lookups ---------------------------------------------------------------------------

    def object_type(self, name: str) -> ObjectType:
        """The object type called `name` (404 for anything the sandbox does not serve)."""
        found = self.types.get(name)
        if found is None:
            raise HubSpotError.not_found(f"Unable to infer object type from: {name}")
        return found

    def contact_id_by_email(self, email: str) -> int | None:
        """The id of the live contact with this email (case-insensitive), if any."""
        return self._emails.get(email.lower())

    @property
    def contacts(self) -> ObjectType:
        """The contacts object type."""
        return self.types[CONTACTS]

    # ---- seeding and reset -----------------------------------------------------------------

    def seed(
        self,
        contacts: Iterable[SeedContact],
        engagements: Iterable[SeedEngagement],
        ground_truth: Mapping[int, dict[str, Any]] | None = None,
    ) -> list[int]:
        """Load generated data without validation or webhooks; returns the contact ids.

        Generated values are trusted (they include HubSpot-calculated properties that the
        API itself refuses to write).
        """
        with self.lock:
            ids = [self._insert_contact(c) for c in contacts]
            for e in engagements:
                self._insert_engagement(e)
            if ground_truth:
                self.ground_truth.update(ground_truth)
            for t in self.types.values():
                t.index.load(t.store.records)
            return ids

    def add_generated(
        self,
        contacts: list[SeedContact],
        engagements: list[SeedEngagement],
        ground_truth: Mapping[int, dict[str, Any]],
        source: str = "CRM_UI",
    ) -> list[Record]:
        """Add generated leads as if people had just signed up: they become searchable after
        the consistency delay and raise `contact.creation` webhooks."""
        with self.lock:
            t = self.contacts
            if any(c.contact_id is not None and c.contact_id in t.store.records for c in contacts):
                raise HubSpotError.conflict("Generated contact ids collide with existing ones.")
            added = []
            for c in contacts:
                contact_id = self._insert_contact(c)
                record = t.store.records[contact_id]
                t.index.stage(contact_id, record)
                added.append(record)
                self._emit_event("contact.creation", contact_id, record.created_ms, source=source)
            for e in engagements:
                record = self._insert_engagement(e)
                self.types[e.object_type].index.stage(record.id, record)
            self.ground_truth.update(ground_truth)
            return added

    def take_snapshot(self) -> None:
        """Remember the current data as the state `reset()` returns to."""
        with self.lock:
            self._snapshot = _Snapshot(
                records={n: dict(t.store.records) for n, t in self.types.items()},
                associations={
                    t: {c: list(ids) for c, ids in m.items()} for t, m in self.associations.items()
                },
                ground_truth=dict(self.ground_truth),
                next_ids={n: t.store.allocate_id() for n, t in self.types.items()},
            )

    def reset(self) -> None:
        """Put data back to the snapshot (the seeded state); counters and buckets clear too."""
        with self.lock:
            snap = self._snapshot
            if snap is None:
                raise HubSpotError.validation("This portal has no seed snapshot to reset to.")
            for name, t in self.types.items():
                store = ObjectStore(snap.next_ids[name])
                for record in snap.records[name].values():
                    store.put(record)
                t.store = store
                t.index.load(store.records)
            self.associations = {
                t: {c: list(ids) for c, ids in m.items()} for t, m in snap.associations.items()
            }
            self.ground_truth = dict(snap.ground_truth)
            self._emails = {
                r.properties["email"].lower(): r.id
                for r in self.contacts.store.records.values()
                if r.properties.get("email")
            }
            self.counters.reset()
            self.limiter.reset()

    def _insert_contact(self, seed: SeedContact) -> int:
        store = self.contacts.store
        contact_id = seed.contact_id if seed.contact_id is not None else store.allocate_id()
        props = {k: v for k, v in seed.properties.items() if v not in (None, "")}
        _stamp_missing(props, CONTACTS, contact_id, seed.created_ms, seed.updated_ms)
        store.put(Record(contact_id, props, seed.created_ms, seed.updated_ms))
        email = props.get("email")
        if email:
            self._emails[email.lower()] = contact_id
        return contact_id

    def _insert_engagement(self, seed: SeedEngagement) -> Record:
        t = self.object_type(seed.object_type)
        record_id = seed.record_id if seed.record_id is not None else t.store.allocate_id()
        props = {k: v for k, v in seed.properties.items() if v not in (None, "")}
        if "hs_timestamp" not in props:
            props["hs_timestamp"] = iso_from_ms(seed.timestamp_ms)
        # Scheduled meetings and tasks lie in the future but were created before now.
        created = min(seed.timestamp_ms, self._now_ms())
        if created == seed.timestamp_ms:
            props.setdefault("hs_createdate", props["hs_timestamp"])
            props.setdefault("hs_lastmodifieddate", props["hs_timestamp"])
        _stamp_missing(props, seed.object_type, record_id, created, created)
        record = Record(record_id, props, created, created)
        t.store.put(record)
        links = self.associations[seed.object_type]
        for contact_id in seed.contact_ids:
            links.setdefault(contact_id, []).append(record_id)
        return record

    # ---- validation ------------------------------------------------------------------------

    def _validate(
        self, t: ObjectType, current: Record | None, raw: Any, *, trusted: bool = False
    ) -> tuple[dict[str, str], list[PropertyValueError]]:
        """Normalise written values; collect HubSpot's per-property errors.

        Unknown names → PROPERTY_DOESNT_EXIST; HubSpot-calculated → READ_ONLY_VALUE (unless
        `trusted`, for generated data); bad numbers/options/dates; `lifecyclestage` moving
        backward → INVALID_LIFECYCLE_STAGE (clear it with "" first, then set the lower stage).
        """
        if not isinstance(raw, dict):
            raise HubSpotError.validation("Invalid input JSON: 'properties' must be an object.")
        values: dict[str, str] = {}
        problems: list[PropertyValueError] = []
        for name, value in raw.items():
            prop = t.registry.get(name)
            if prop is None:
                problems.append(
                    PropertyValueError(
                        name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'
                    )
                )
                continue
            if name in _SYSTEM_STAMPS or (prop.read_only_value and not trusted):
                problems.append(
                    PropertyValueError(
                        name,
                        "READ_ONLY_VALUE",
                        f'"{name}" is a read only property; its value cannot be set.',
                    )
                )
                continue
            normalized = normalize_value(prop, value)
            if isinstance(normalized, PropertyValueError):
                problems.append(normalized)
            else:
                values[name] = normalized
        stage = values.get("lifecyclestage")
        if stage and current is not None and t.name == CONTACTS:
            problem = self._lifecycle_problem(current.properties.get("lifecyclestage"), stage)
            if problem is not None:
                problems.append(problem)
        return values, problems

    def _lifecycle_problem(self, old: str | None, new: str) -> PropertyValueError | None:
        if not old or old == new:
            return None
        prop = self.contacts.registry.get("lifecyclestage")
        order = [o.value for o in prop.options] if prop is not None else []
        if old in order and new in order and order.index(new) < order.index(old):
            return PropertyValueError(
                "lifecyclestage",
                "INVALID_LIFECYCLE_STAGE",
                f"lifecyclestage can only move forward: {new} is before the current stage "
                f"{old}. Clear the property first to move it backward.",
            )
        return None

    def _check_email(self, values: Mapping[str, str], own_id: int | None) -> None:
        email = values.get("email")
        if not email:
            return
        existing = self._emails.get(email.lower())
        if existing is not None and existing != own_id:
            raise HubSpotError.conflict(f"Contact already exists. Existing ID: {existing}")

    # ---- writes ----------------------------------------------------------------------------

    def create(
        self, object_type: str, raw: Any, *, trusted: bool = False, source: str = "API"
    ) -> Record:
        """Create one object; contacts raise `contact.creation` (+ property changes)."""
        with self.lock:
            outcome = self.batch_create(object_type, [raw], trusted=trusted, source=source)
            return outcome[0]

    def batch_create(
        self, object_type: str, inputs: list[Any], *, trusted: bool = False, source: str = "API"
    ) -> list[Record]:
        """Create objects; any invalid input fails the whole batch (400), as on HubSpot."""
        with self.lock:
            t = self.object_type(object_type)
            validated: list[dict[str, str]] = []
            problems: list[PropertyValueError] = []
            for raw in inputs:
                values, errs = self._validate(t, None, raw, trusted=trusted)
                validated.append(values)
                problems.extend(errs)
            if problems:
                raise HubSpotError.invalid_values(problems)
            if t.name == CONTACTS:
                seen: set[str] = set()
                for values in validated:
                    self._check_email(values, None)
                    email = values.get("email", "").lower()
                    if email and email in seen:
                        raise HubSpotError.conflict(f"Duplicate email in batch input: {email}")
                    seen.add(email)
            now = self._now_ms()
            created = []
            for values in validated:
                record_id = t.store.allocate_id()
                props = {k: v for k, v in values.items() if v != ""}
                if t.name == CONTACTS:
                    self._stamp_lifecycle_dates(props, {}, now)
                elif "hs_timestamp" not in props:
                    props["hs_timestamp"] = iso_from_ms(now)
                _stamp_missing(props, t.name, record_id, now, now)
                record = Record(record_id, props, now, now)
                t.store.put(record)
                t.index.stage(record_id, record)
                created.append(record)
                if t.name == CONTACTS:
                    if props.get("email"):
                        self._emails[props["email"].lower()] = record_id
                    self._emit_event("contact.creation", record_id, now, source=source)
                    for name, value in values.items():
                        if value:
                            self._emit_event(
                                "contact.propertyChange", record_id, now, name, value, source
                            )
            return created

    def update(self, object_type: str, record_id: int, raw: Any, source: str = "API") -> Record:
        """PATCH one object (404 if unknown, 400 on invalid values)."""
        with self.lock:
            outcome = self.batch_update(object_type, [(record_id, raw)], source=source)
            if outcome.errors:
                raise HubSpotError.not_found(
                    f"No {SINGULAR[object_type].lower()} with id {record_id} exists."
                )
            return outcome.results[0]

    def batch_update(
        self, object_type: str, inputs: list[tuple[int, Any]], source: str = "API"
    ) -> BatchOutcome:
        """Update by id. Invalid values fail the whole batch (400); unknown ids are
        per-input errors (the caller answers 207) while the other inputs are applied.
        Every write bumps `lastmodifieddate`, even when no value changes."""
        with self.lock:
            t = self.object_type(object_type)
            ids = [i for i, _ in inputs]
            if len(set(ids)) != len(ids):
                raise HubSpotError.validation("Duplicate IDs found in batch input.")
            problems: list[PropertyValueError] = []
            planned: list[tuple[Record, dict[str, str]]] = []
            missing: list[int] = []
            for record_id, raw in inputs:
                current = t.store.get(record_id)
                values, errs = self._validate(t, current, raw)
                problems.extend(errs)
                if current is None:
                    missing.append(record_id)
                else:
                    planned.append((current, values))
            if problems:
                raise HubSpotError.invalid_values(problems)
            if t.name == CONTACTS:
                for current, values in planned:
                    self._check_email(values, current.id)
            now = self._now_ms()
            outcome = BatchOutcome()
            for current, values in planned:
                outcome.results.append(self._apply_update(t, current, values, now, source))
            if missing:
                outcome.errors.append(self.not_found_error(object_type, missing))
            return outcome

    def _apply_update(
        self, t: ObjectType, current: Record, values: dict[str, str], now: int, source: str
    ) -> Record:
        old = current.properties
        props = dict(old)
        changed: list[tuple[str, str]] = []
        for name, value in values.items():
            if old.get(name, "") != value:
                changed.append((name, value))
            if value == "":
                props.pop(name, None)
            else:
                props[name] = value
        if t.name == CONTACTS:
            self._stamp_lifecycle_dates(props, old, now)
            props["lastmodifieddate"] = iso_from_ms(now)
            email_old, email_new = old.get("email"), props.get("email")
            if email_old != email_new:
                if email_old:
                    self._emails.pop(email_old.lower(), None)
                if email_new:
                    self._emails[email_new.lower()] = current.id
        else:
            props["hs_lastmodifieddate"] = iso_from_ms(now)
        record = Record(current.id, props, current.created_ms, now)
        t.store.put(record)
        t.index.stage(current.id, record)
        if t.name == CONTACTS:
            for name, value in changed:
                self._emit_event("contact.propertyChange", current.id, now, name, value, source)
        return record

    def _stamp_lifecycle_dates(
        self, props: dict[str, str], old: Mapping[str, str], now: int
    ) -> None:
        """HubSpot records when a contact entered each stage (hs_lifecyclestage_X_date)."""
        stage = props.get("lifecyclestage")
        if stage and stage != old.get("lifecyclestage"):
            date_prop = f"hs_lifecyclestage_{stage}_date"
            if self.contacts.registry.get(date_prop) is not None and date_prop not in props:
                props[date_prop] = iso_from_ms(now)

    def archive(self, object_type: str, record_id: int) -> None:
        """DELETE an object (HubSpot archives it; deleting a missing id is still 204)."""
        with self.lock:
            t = self.object_type(object_type)
            now = self._now_ms()
            archived = t.store.archive(record_id, now)
            if archived is None:
                return
            t.index.stage(record_id, None)
            if t.name == CONTACTS:
                email = archived.properties.get("email")
                if email:
                    self._emails.pop(email.lower(), None)
                for links in self.associations.values():
                    links.pop(record_id, None)
                self._emit_event("contact.deletion", record_id, now)
            else:
                for contact_links in self.associations[t.name].values():
                    if record_id in contact_links:
                        contact_links.remove(record_id)

    def merge(self, primary_id: int, merged_id: int, source: str = "API") -> Record:
        """Merge two contacts as HubSpot does: the primary keeps its id and its values, gains
        the values it lacks from the other and the other's engagements; the other is
        archived. One `contact.merge` webhook names both (`primaryObjectId`,
        `mergedObjectIds`, `newObjectId`)."""
        with self.lock:
            store = self.contacts.store
            primary, other = store.get(primary_id), store.get(merged_id)
            if primary is None or other is None or primary_id == merged_id:
                raise HubSpotError.validation(
                    f"Cannot merge {merged_id} into {primary_id}: "
                    "both must be distinct, live contacts."
                )
            now = self._now_ms()
            # Stored values are never empty, so "missing on the primary" is "absent".
            moved = {
                k: v for k, v in other.properties.items()
                if k not in primary.properties and k not in _SYSTEM_STAMPS
            }
            props = {**primary.properties, **moved}
            props["lastmodifieddate"] = iso_from_ms(now)
            if other.created_ms < primary.created_ms and other.properties.get("createdate"):
                # The merged record is as old as the older of the two.
                props["createdate"] = other.properties["createdate"]
            for links in self.associations.values():
                linked = links.pop(merged_id, [])
                if linked:
                    links[primary_id] = sorted(set(links.get(primary_id, [])) | set(linked))
            email = other.properties.get("email")
            store.archive(merged_id, now)
            self.contacts.index.stage(merged_id, None)
            if email and self._emails.get(email.lower()) == merged_id:
                self._emails.pop(email.lower())
            if moved.get("email"):
                self._emails[moved["email"].lower()] = primary_id
            record = Record(primary_id, props, min(primary.created_ms, other.created_ms), now)
            store.put(record)
            self.contacts.index.stage(primary_id, record)
            self._emit(
                WebhookEvent(
                    portal_id=self.hub_id,
                    subscription_type="contact.merge",
                    object_id=primary_id,
                    occurred_at_ms=now,
                    change_source=source,
                    primary_object_id=primary_id,
                    merged_object_ids=(merged_id,),
                    new_object_id=primary_id,
                    properties_moved=len(moved),
                )
            )
            return record

    def add_engagement(
        self, object_type: str, contact_id: int, raw: Any, timestamp_ms: int | None = None
    ) -> Record:
        """Log an engagement on a contact (control endpoint): validated, then associated.

        As in HubSpot, the contact's activity summary properties are recalculated, which
        bumps its `lastmodifieddate` and raises `contact.propertyChange` (source CALCULATED).
        """
        with self.lock:
            if object_type == CONTACTS or object_type not in self.types:
                raise HubSpotError.validation(
                    f"Unknown engagement type '{object_type}'; "
                    f"expected one of {list(ENGAGEMENT_TYPES)}."
                )
            contact = self.contacts.store.get(contact_id)
            if contact is None:
                raise HubSpotError.not_found(f"No contact with id {contact_id} exists.")
            t = self.types[object_type]
            values, problems = self._validate(t, None, raw, trusted=True)
            if problems:
                raise HubSpotError.invalid_values(problems)
            when = timestamp_ms if timestamp_ms is not None else self._now_ms()
            seed = SeedEngagement(object_type, values, (contact_id,), when)
            record = self._insert_engagement(seed)
            t.index.stage(record.id, record)
            self._recalculate_summary(contact, object_type, record.properties, when)
            return record

    def _recalculate_summary(
        self, contact: Record, object_type: str, engagement: Mapping[str, str], when_ms: int
    ) -> None:
        now = self._now_ms()
        updates = summary_updates(contact.properties, object_type, engagement, when_ms, now)
        if updates:
            self._apply_update(self.contacts, contact, updates, now, source="CALCULATED")

    # ---- associations ----------------------------------------------------------------------

    def associated(self, to_type: str, contact_id: int) -> list[int] | None:
        """Engagement ids of `to_type` associated with a contact (None if no such contact)."""
        with self.lock:
            if self.contacts.store.get(contact_id) is None:
                return None
            return sorted(self.associations[to_type].get(contact_id, []))

    # ---- helpers ---------------------------------------------------------------------------

    @staticmethod
    def not_found_error(object_type: str, ids: list[int]) -> HubSpotError:
        """HubSpot's batch error for ids that do not exist."""
        return HubSpotError(
            404,
            "OBJECT_NOT_FOUND",
            f"Could not get some {SINGULAR[object_type]} objects, they may be deleted or not "
            "exist. Check that ids are valid.",
            context={"ids": [str(i) for i in ids]},
        )

    def _emit_event(
        self,
        kind: str,
        object_id: int,
        now: int,
        name: str | None = None,
        value: str | None = None,
        source: str = "API",
    ) -> None:
        self._emit(
            WebhookEvent(
                portal_id=self.hub_id,
                subscription_type=kind,
                object_id=object_id,
                occurred_at_ms=now,
                property_name=name,
                property_value=value,
                change_source=source,
            )
        )


def _stamp_missing(
    props: dict[str, str], object_type: str, record_id: int, created_ms: int, updated_ms: int
) -> None:
    """Fill the properties HubSpot stamps on every record, where not already given."""
    props.setdefault("hs_object_id", str(record_id))
    created_name, updated_name = (
        ("createdate", "lastmodifieddate")
        if object_type == CONTACTS
        else ("hs_createdate", "hs_lastmodifieddate")
    )
    if created_name not in props:
        props[created_name] = iso_from_ms(created_ms)
    if updated_name not in props:
        props[updated_name] = iso_from_ms(updated_ms)
