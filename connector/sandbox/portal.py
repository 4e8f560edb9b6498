"""One HubSpot account (portal): its objects, property registries, associations and the
write rules HubSpot enforces on them."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connector.sandbox.activity_summary import (
    SUMMARY_PROPERTIES,
    LoggedEngagement,
    summary_history,
    summary_updates,
)
from connector.sandbox.api_errors import HubSpotError, PropertyValueError
from connector.sandbox.counters import Counters
from connector.sandbox.history import PropertyHistory, SeededVersions, Source, Version, WriteSource
from connector.sandbox.links import AssociationGraph
from connector.sandbox.object_types import (
    COMPANIES,
    CONTACTS,
    DEALS,
    ENGAGEMENT_TYPES,
    OBJECT_TYPES,
    AssociationTypeDef,
    ObjectTypeDef,
    association_types,
    lookup_object_type,
    reverse_of,
)
from connector.sandbox.pipelines import DEFAULT_PIPELINE, deal_pipeline, stage_effects
from connector.sandbox.properties import PropertyRegistry
from connector.sandbox.property_catalog import (
    COMPANY_GROUPS,
    COMPANY_PROPERTIES,
    CONTACT_GROUPS,
    CONTACT_PROPERTIES,
    DEAL_GROUPS,
    DEAL_PROPERTIES,
    ENGAGEMENT_COMMON,
    ENGAGEMENT_PROPERTIES,
    PropertyGroup,
)
from connector.sandbox.ratelimit import PortalLimiter
from connector.sandbox.records import ObjectStore, Record, SearchIndex
from connector.sandbox.rollups import ROLLUP_TYPES, changed_rollups, rollups
from connector.sandbox.values import iso_from_ms, normalize_value, parse_time_ms
from connector.sandbox.webhooks import WebhookEvent

# Properties HubSpot stamps itself on every record.
_SYSTEM_STAMPS = frozenset(
    {"hs_object_id", "createdate", "lastmodifieddate", "hs_createdate", "hs_lastmodifieddate"}
)
# Object types whose lifecycle stage only moves forward.
_LIFECYCLE_TYPES = frozenset({CONTACTS, COMPANIES})
# Object types HubSpot can merge (`POST /crm/v3/objects/{type}/merge`).
MERGEABLE_TYPES = frozenset({CONTACTS, COMPANIES, DEALS})

Emit = Callable[[WebhookEvent], None]


@dataclass
class ObjectType:
    """The records, definitions and search view of one object type in a portal."""

    definition: ObjectTypeDef
    store: ObjectStore
    registry: PropertyRegistry
    index: SearchIndex
    history: PropertyHistory = field(default_factory=PropertyHistory)

    @property
    def name(self) -> str:
        """The plural API name (`contacts`)."""
        return self.definition.name

    @property
    def search_blind(self) -> frozenset[str]:
        """Names search cannot filter on although they exist (silently match nothing)."""
        return self.definition.search_blind


@dataclass(frozen=True)
class SeedContact:
    """A contact as the generator provides it: trusted values, any property, fixed times."""

    properties: dict[str, str]
    created_ms: int
    updated_ms: int
    contact_id: int | None = None
    history: Mapping[str, tuple[Version, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedEngagement:
    """An engagement of one type associated with contacts (by contact id)."""

    object_type: str
    properties: dict[str, str]
    contact_ids: tuple[int, ...]
    timestamp_ms: int
    record_id: int | None = None


@dataclass(frozen=True)
class SeedRecord:
    """A company or deal as the generator provides it (trusted values, fixed times)."""

    object_type: str
    properties: dict[str, str]
    created_ms: int
    updated_ms: int
    record_id: int
    history: Mapping[str, tuple[Version, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedLink:
    """A generated association: the unlabelled type, plus the primary one if `primary`."""

    from_type: str
    from_id: int
    to_type: str
    to_id: int
    primary: bool = False


@dataclass
class _Snapshot:
    records: dict[str, dict[int, Record]]
    histories: dict[str, PropertyHistory]
    links: AssociationGraph
    ground_truth: dict[int, dict[str, Any]]
    next_ids: dict[str, int]


@dataclass
class BatchOutcome:
    """Results and per-input errors of a batch call (207 when both are present)."""

    results: list[Record] = field(default_factory=list)
    errors: list[HubSpotError] = field(default_factory=list)


def _object_type(definition: ObjectTypeDef, search_delay_s: float) -> ObjectType:
    registry = _registry(definition.name)
    calculated = frozenset(p.name for p in registry.all() if p.read_only_value)
    # Contact activity summaries: their history is replayed from the engagements.
    derived = SUMMARY_PROPERTIES if definition.name == CONTACTS else frozenset()
    return ObjectType(
        definition,
        ObjectStore(definition.first_id),
        registry,
        SearchIndex(search_delay_s),
        PropertyHistory(calculated, derived),
    )


def _registry(name: str) -> PropertyRegistry:
    if name == CONTACTS:
        return PropertyRegistry(CONTACT_PROPERTIES, CONTACT_GROUPS)
    if name == COMPANIES:
        return PropertyRegistry(COMPANY_PROPERTIES, COMPANY_GROUPS)
    if name == DEALS:
        return PropertyRegistry(DEAL_PROPERTIES, DEAL_GROUPS)
    defs = ENGAGEMENT_COMMON + ENGAGEMENT_PROPERTIES[name]
    group = PropertyGroup(defs[-1].group_name, f"{name.title()} information", 0)
    return PropertyRegistry(defs, (group, PropertyGroup("engagement", "Engagement", 1)))


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
        self.types: dict[str, ObjectType] = {
            d.name: _object_type(d, search_delay_s) for d in OBJECT_TYPES.values()
        }
        self.links = AssociationGraph()
        self._emails: dict[str, int] = {}
        self._domains: dict[str, int] = {}
        self._snapshot: _Snapshot | None = None

    # ---- lookups ---------------------------------------------------------------------------

    def object_type(self, name: str) -> ObjectType:
        """The object type `name` names (plural, singular or type id); 404 otherwise."""
        found = lookup_object_type(name)
        if found is None:
            raise HubSpotError.not_found(f"Unable to infer object type from: {name}")
        return self.types[found.name]

    def contact_id_by_email(self, email: str) -> int | None:
        """The id of the live contact with this email (case-insensitive), if any."""
        return self._emails.get(email.lower())

    def history_json(
        self, t: ObjectType, record: Record, names: Iterable[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """`propertiesWithHistory` of a record: per defined name, its versions newest first.

        A contact's activity summaries are replayed from its engagements (`summary_history`)
        rather than read from stored versions."""
        defined = t.registry.names()
        wanted = [n for n in names if n in defined]
        derived: dict[str, list[Version]] = {}
        if any(n in t.history.derived for n in wanted):
            derived = summary_history(self._logged_engagements(record.id), self._now_ms())
        return {
            n: (
                [v.to_json() for v in reversed(derived.get(n, []))]
                if n in t.history.derived
                else t.history.versions_json(record, n)
            )
            for n in wanted
        }

    def _logged_engagements(self, contact_id: int) -> list[LoggedEngagement]:
        logged = []
        for kind in ENGAGEMENT_TYPES:
            store = self.types[kind].store
            for engagement_id in self.links.ids(CONTACTS, contact_id, kind):
                record = store.get(engagement_id)
                if record is None:
                    continue
                when = parse_time_ms(record.properties.get("hs_timestamp", ""))
                at = record.created_ms if when is None else when
                booked = parse_time_ms(record.properties.get("hs_createdate", ""))
                logged.append(
                    LoggedEngagement(
                        kind,
                        at,
                        record.properties.get("hs_email_direction"),
                        min(at, record.created_ms) if booked is None else booked,
                    )
                )
        return logged

    def company_id_by_domain(self, domain: str) -> int | None:
        """The id of the (first) live company with this domain, if any."""
        return self._domains.get(domain.lower())

    @property
    def contacts(self) -> ObjectType:
        """The contacts object type."""
        return self.types[CONTACTS]

    @property
    def companies(self) -> ObjectType:
        """The companies object type."""
        return self.types[COMPANIES]

    @property
    def deals(self) -> ObjectType:
        """The deals object type."""
        return self.types[DEALS]

    # ---- seeding and reset -----------------------------------------------------------------

    def seed(
        self,
        contacts: Iterable[SeedContact],
        engagements: Iterable[SeedEngagement],
        ground_truth: Mapping[int, dict[str, Any]] | None = None,
        *,
        records: Iterable[SeedRecord] = (),
        links: Iterable[SeedLink] = (),
        versions: Mapping[str, SeededVersions] | None = None,
    ) -> list[int]:
        """Load generated data without validation or webhooks; returns the contact ids.

        Generated values are trusted (they include HubSpot-calculated properties that the
        API itself refuses to write, such as association counts). `versions` are generated
        property histories by object type.
        """
        with self.lock:
            for object_type, columns in (versions or {}).items():
                self.types[object_type].history.seed_columns(columns)
            ids = [self._insert_contact(c) for c in contacts]
            for e in engagements:
                self._insert_engagement(e)
            for r in records:
                self._insert_record(r)
            for link in links:
                self._insert_link(link)
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
        source: Source = "CRM_UI",
        *,
        companies: Sequence[SeedRecord] = (),
        company_links: Sequence[SeedLink] = (),
        versions: Mapping[str, SeededVersions] | None = None,
    ) -> list[Record]:
        """Add generated leads as if people had just signed up: they become searchable after
        the consistency delay and raise `contact.creation` webhooks.

        Their companies are matched by domain as HubSpot's automatic company association
        does: a known domain links to the existing company, an unknown one creates a new
        company (`company.creation`). `company_links` (contact → company) name companies
        by their generated `record_id`; `versions` are the contacts' generated histories.
        """
        with self.lock:
            t = self.contacts
            if any(c.contact_id is not None and c.contact_id in t.store.records for c in contacts):
                raise HubSpotError.conflict("Generated contact ids collide with existing ones.")
            for object_type, columns in (versions or {}).items():
                self.types[object_type].history.seed_columns(columns)
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
            portal_ids = {c.record_id: self._company_for(c, source) for c in companies}
            now = self._now_ms()
            for link in company_links:
                self.associate(
                    CONTACTS,
                    link.from_id,
                    COMPANIES,
                    portal_ids[link.to_id],
                    self._link_types(link),
                    source,
                    now,
                )
            self.ground_truth.update(ground_truth)
            return added

    def _company_for(self, seed: SeedRecord, source: Source) -> int:
        existing = self.company_id_by_domain(seed.properties.get("domain", ""))
        if existing is not None:
            return existing
        t = self.companies
        record = self._insert_record(
            SeedRecord(
                COMPANIES, seed.properties, seed.created_ms, seed.updated_ms, t.store.allocate_id()
            )
        )
        t.index.stage(record.id, record)
        self._emit_event("company.creation", record.id, record.created_ms, source=source)
        return record.id

    def take_snapshot(self) -> None:
        """Remember the current data as the state `reset()` returns to."""
        with self.lock:
            self._snapshot = _Snapshot(
                records={n: dict(t.store.records) for n, t in self.types.items()},
                histories={n: t.history.copy() for n, t in self.types.items()},
                links=self.links.copy(),
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
                t.history = snap.histories[name].copy()
                t.index.load(store.records)
            self.links = snap.links.copy()
            self.ground_truth = dict(snap.ground_truth)
            self._emails = _index_by(self.contacts.store.records.values(), "email")
            self._domains = _index_by(self.companies.store.records.values(), "domain")
            self.counters.reset()
            self.limiter.reset()

    def _insert_contact(self, seed: SeedContact) -> int:
        store = self.contacts.store
        contact_id = seed.contact_id if seed.contact_id is not None else store.allocate_id()
        props = {k: v for k, v in seed.properties.items() if v not in (None, "")}
        _stamp_missing(
            props, self.contacts.definition, contact_id, seed.created_ms, seed.updated_ms
        )
        store.put(Record(contact_id, props, seed.created_ms, seed.updated_ms))
        self.contacts.history.seed(contact_id, seed.history)
        email = props.get("email")
        if email:
            self._emails[email.lower()] = contact_id
        return contact_id

    def _insert_record(self, seed: SeedRecord) -> Record:
        t = self.types[seed.object_type]
        props = {k: v for k, v in seed.properties.items() if v not in (None, "")}
        _stamp_missing(props, t.definition, seed.record_id, seed.created_ms, seed.updated_ms)
        record = Record(seed.record_id, props, seed.created_ms, seed.updated_ms)
        t.store.put(record)
        t.history.seed(seed.record_id, seed.history)
        self._index_domain(t.name, None, props.get("domain"), seed.record_id)
        return record

    def _insert_link(self, link: SeedLink) -> None:
        for t in self._link_types(link):
            self.links.add(t, link.from_id, link.to_id)

    @staticmethod
    def _link_types(link: SeedLink) -> tuple[AssociationTypeDef, ...]:
        return _seed_types(link.from_type, link.to_type, link.primary)

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
        _stamp_missing(props, t.definition, record_id, created, created)
        record = Record(record_id, props, created, created)
        t.store.put(record)
        for contact_id in seed.contact_ids:
            self._insert_link(SeedLink(CONTACTS, contact_id, t.name, record_id))
        return record

    # ---- validation ------------------------------------------------------------------------

    def _validate(
        self, t: ObjectType, current: Record | None, raw: Any, *, trusted: bool = False
    ) -> tuple[dict[str, str], list[PropertyValueError]]:
        """Normalise written values; collect HubSpot's per-property errors.

        Unknown names → PROPERTY_DOESNT_EXIST; HubSpot-calculated → READ_ONLY_VALUE (unless
        `trusted`, for generated data); bad numbers/options/dates; `lifecyclestage` moving
        backward → INVALID_LIFECYCLE_STAGE (clear it with "" first, then set the lower
        stage); a deal stage outside the deal's pipeline → INVALID_OPTION.
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
        if stage and current is not None and t.name in _LIFECYCLE_TYPES:
            problem = self._lifecycle_problem(t, current.properties.get("lifecyclestage"), stage)
            if problem is not None:
                problems.append(problem)
        if t.name == DEALS:
            problems.extend(_deal_stage_problems(current, values))
        return values, problems

    @staticmethod
    def _lifecycle_problem(t: ObjectType, old: str | None, new: str) -> PropertyValueError | None:
        if not old or old == new:
            return None
        prop = t.registry.get("lifecyclestage")
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
        self, object_type: str, raw: Any, *, trusted: bool = False, source: Source = "API"
    ) -> Record:
        """Create one object; CRM objects raise `<type>.creation` (+ property changes)."""
        with self.lock:
            outcome = self.batch_create(object_type, [raw], trusted=trusted, source=source)
            return outcome[0]

    def batch_create(
        self, object_type: str, inputs: list[Any], *, trusted: bool = False, source: Source = "API"
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
                elif t.name == DEALS:
                    props.update(_deal_effects(props, {}, now))
                elif t.name in ENGAGEMENT_TYPES and "hs_timestamp" not in props:
                    props["hs_timestamp"] = iso_from_ms(now)
                _stamp_missing(props, t.definition, record_id, now, now)
                record = Record(record_id, props, now, now)
                t.store.put(record)
                t.history.record(None, record_id, props, now, WriteSource.of(source))
                t.index.stage(record_id, record)
                created.append(record)
                if t.name == CONTACTS and props.get("email"):
                    self._emails[props["email"].lower()] = record_id
                self._index_domain(t.name, None, props.get("domain"), record_id)
                if t.definition.webhooks:
                    kind = t.definition.singular
                    self._emit_event(f"{kind}.creation", record_id, now, source=source)
                    for name, value in values.items():
                        if value:
                            self._emit_event(
                                f"{kind}.propertyChange", record_id, now, name, value, source
                            )
            return created

    def update(self, object_type: str, record_id: int, raw: Any, source: Source = "API") -> Record:
        """PATCH one object (404 if unknown, 400 on invalid values)."""
        with self.lock:
            outcome = self.batch_update(object_type, [(record_id, raw)], source=source)
            if outcome.errors:
                singular = self.object_type(object_type).definition.singular
                raise HubSpotError.not_found(f"No {singular} with id {record_id} exists.")
            return outcome.results[0]

    def batch_update(
        self, object_type: str, inputs: list[tuple[int, Any]], source: Source = "API"
    ) -> BatchOutcome:
        """Update by id. Invalid values fail the whole batch (400); unknown ids are
        per-input errors (the caller answers 207) while the other inputs are applied.
        Every write bumps the type's last-modified property, even when no value changes."""
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
                outcome.errors.append(self.not_found_error(t.name, missing))
            return outcome

    def _apply_update(
        self, t: ObjectType, current: Record, values: dict[str, str], now: int, source: Source
    ) -> Record:
        old = current.properties
        props = dict(old)
        for name, value in values.items():
            if value == "":
                props.pop(name, None)
            else:
                props[name] = value
        if t.name == CONTACTS:
            self._stamp_lifecycle_dates(props, old, now)
            email_old, email_new = old.get("email"), props.get("email")
            if email_old != email_new:
                if email_old:
                    self._emails.pop(email_old.lower(), None)
                if email_new:
                    self._emails[email_new.lower()] = current.id
        effects: dict[str, str] = {}
        if t.name == DEALS:
            effects = _deal_effects(props, old, now)
            props.update(effects)
        self._index_domain(t.name, old.get("domain"), props.get("domain"), current.id)
        props[t.definition.modified_property] = iso_from_ms(now)
        record = Record(current.id, props, current.created_ms, now)
        t.store.put(record)
        t.index.stage(current.id, record)
        changed = {
            name: props.get(name, "")
            for name in dict.fromkeys([*values, *effects])
            if old.get(name, "") != props.get(name, "")
        }
        t.history.record(current, current.id, changed, now, WriteSource.of(source))
        if t.name == CONTACTS:
            stamped = {n: props.get(n, "") for n in _stage_dates(props, old)}
            t.history.record(current, current.id, stamped, now, WriteSource("CALCULATED"))
        if t.definition.webhooks:
            kind = t.definition.singular
            for name, value in changed.items():
                self._emit_event(f"{kind}.propertyChange", current.id, now, name, value, source)
        if t.name == DEALS and old.get("hs_is_closed") != props.get("hs_is_closed"):
            for company_id in self.links.ids(DEALS, current.id, COMPANIES):
                self._refresh_rollups(COMPANIES, company_id, now)
        return record

    def _stamp_lifecycle_dates(
        self, props: dict[str, str], old: Mapping[str, str], now: int
    ) -> None:
        """HubSpot records when a contact entered each stage: first entry in the legacy
        `hs_lifecyclestage_X_date`, the latest entry and exit in `hs_v2_date_entered_X` and
        `hs_v2_date_exited_X` (a stage is exited when the contact moves on or the stage is
        cleared)."""
        stage, before = props.get("lifecyclestage"), old.get("lifecyclestage")
        if stage == before:
            return
        registry = self.contacts.registry
        stamp = iso_from_ms(now)
        if stage:
            date_prop = f"hs_lifecyclestage_{stage}_date"
            if registry.get(date_prop) is not None and date_prop not in props:
                props[date_prop] = stamp
            if registry.get(f"hs_v2_date_entered_{stage}") is not None:
                props[f"hs_v2_date_entered_{stage}"] = stamp
        if before and registry.get(f"hs_v2_date_exited_{before}") is not None:
            props[f"hs_v2_date_exited_{before}"] = stamp

    def _index_domain(
        self, object_type: str, old: str | None, new: str | None, record_id: int
    ) -> None:
        if object_type != COMPANIES or old == new:
            return
        if old and self._domains.get(old.lower()) == record_id:
            del self._domains[old.lower()]
        if new:
            self._domains.setdefault(new.lower(), record_id)

    def archive(self, object_type: str, record_id: int) -> None:
        """DELETE an object (HubSpot archives it; deleting a missing id is still 204)."""
        with self.lock:
            t = self.object_type(object_type)
            now = self._now_ms()
            archived = t.store.archive(record_id, now)
            if archived is None:
                return
            t.index.stage(record_id, None)
            email = archived.properties.get("email")
            if t.name == CONTACTS and email:
                self._emails.pop(email.lower(), None)
            self._index_domain(t.name, archived.properties.get("domain"), None, record_id)
            for other_type, other_id in self.links.drop_record(t.name, record_id):
                self._refresh_rollups(other_type, other_id, now)
            if t.definition.webhooks:
                self._emit_event(f"{t.definition.singular}.deletion", record_id, now)

    def merge(
        self, object_type: str, primary_id: int, merged_id: int, source: Source = "API"
    ) -> Record:
        """Merge two contacts, companies or deals as HubSpot does: the primary keeps its id and its
        values, gains the values it lacks from the other and the other's associations; the
        other is archived. One `<type>.merge` webhook names both (`primaryObjectId`,
        `mergedObjectIds`, `newObjectId`)."""
        with self.lock:
            t = self.object_type(object_type)
            if t.name not in MERGEABLE_TYPES:
                raise HubSpotError.validation(f"Objects of type {t.name} cannot be merged.")
            store = t.store
            primary, other = store.get(primary_id), store.get(merged_id)
            if primary is None or other is None or primary_id == merged_id:
                raise HubSpotError.validation(
                    f"Cannot merge {merged_id} into {primary_id}: "
                    f"both must be distinct, live {t.name}."
                )
            now = self._now_ms()
            # Stored values are never empty, so "missing on the primary" is "absent".
            moved = {
                k: v
                for k, v in other.properties.items()
                if k not in primary.properties and k not in _SYSTEM_STAMPS
            }
            props = {**primary.properties, **moved}
            props[t.definition.modified_property] = iso_from_ms(now)
            created_name = t.definition.created_property
            if other.created_ms < primary.created_ms and other.properties.get(created_name):
                # The merged record is as old as the older of the two.
                props[created_name] = other.properties[created_name]
            self.links.move_record(t.name, merged_id, primary_id)
            store.archive(merged_id, now)
            t.index.stage(merged_id, None)
            for key in ("email", "domain"):
                gone = other.properties.get(key)
                index = self._emails if key == "email" else self._domains
                if gone and index.get(gone.lower()) == merged_id:
                    index.pop(gone.lower())
                if moved.get(key):
                    index[moved[key].lower()] = primary_id
            record = Record(primary_id, props, min(primary.created_ms, other.created_ms), now)
            store.put(record)
            t.index.stage(primary_id, record)
            self._emit(
                WebhookEvent(
                    portal_id=self.hub_id,
                    subscription_type=f"{t.definition.singular}.merge",
                    object_id=primary_id,
                    occurred_at_ms=now,
                    change_source=WriteSource.of(source).source_type,
                    primary_object_id=primary_id,
                    merged_object_ids=(merged_id,),
                    source_id=WriteSource.of(source).source_id,
                    new_object_id=primary_id,
                    properties_moved=len(moved),
                )
            )
            self._refresh_rollups(t.name, primary_id, now)
            for other_type in OBJECT_TYPES:
                for other_id in self.links.ids(t.name, primary_id, other_type):
                    self._refresh_rollups(other_type, other_id, now)
            return t.store.records[primary_id]

    def add_engagement(
        self, object_type: str, contact_id: int, raw: Any, timestamp_ms: int | None = None
    ) -> Record:
        """Log an engagement on a contact (control endpoint): validated, then associated.

        As in HubSpot, the contact's activity summary properties are recalculated, which
        bumps its `lastmodifieddate` and raises `contact.propertyChange` (source CALCULATED).
        """
        with self.lock:
            if object_type not in ENGAGEMENT_TYPES:
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

    def associated(
        self, from_type: str, from_id: int, to_type: str
    ) -> Mapping[int, frozenset[int]] | None:
        """What a record is associated with among `to_type` (id → type ids); None if the
        record does not exist."""
        with self.lock:
            if self.types[from_type].store.get(from_id) is None:
                return None
            return self.links.targets(from_type, from_id, to_type)

    def associate(
        self,
        from_type: str,
        from_id: int,
        to_type: str,
        to_id: int,
        types: Sequence[AssociationTypeDef],
        source: Source = "API",
        now: int | None = None,
    ) -> list[AssociationTypeDef]:
        """Create associations of `types` between two live records (404 if either is
        missing); returns the types that were new. Raises `associationChange` webhooks on
        both sides and recalculates the association counts of both records."""
        with self.lock:
            self._require(from_type, from_id)
            self._require(to_type, to_id)
            when = self._now_ms() if now is None else now
            added: list[AssociationTypeDef] = []
            for t in types:
                for changed_from, changed_to in self.links.add(t, from_id, to_id):
                    primary_moved = changed_to != to_id
                    self._emit_association(t, changed_from, changed_to, primary_moved, when, source)
                    if not primary_moved:
                        added.append(t)
            if added:
                self._refresh_rollups(from_type, from_id, when)
                self._refresh_rollups(to_type, to_id, when)
            return added

    def dissociate(
        self,
        from_type: str,
        from_id: int,
        to_type: str,
        to_id: int,
        types: Sequence[AssociationTypeDef] | None = None,
        source: Source = "API",
    ) -> bool:
        """Remove some (`types`) or all associations between two records; False if there
        were none to remove."""
        with self.lock:
            now = self._now_ms()
            if types is None:
                existing = self.links.targets(from_type, from_id, to_type).get(to_id, frozenset())
                removed = [
                    t for t in association_types(from_type, to_type) if t.type_id in existing
                ]
                self.links.remove(from_type, from_id, to_type, to_id)
            else:
                removed = [t for t in types if self.links.remove_type(t, from_id, to_id)]
            for t in removed:
                self._emit_association(t, from_id, to_id, True, now, source)
            if removed:
                self._refresh_rollups(from_type, from_id, now)
                self._refresh_rollups(to_type, to_id, now)
            return bool(removed)

    def _require(self, object_type: str, record_id: int) -> None:
        if self.types[object_type].store.get(record_id) is None:
            raise HubSpotError.not_found(
                f"No {OBJECT_TYPES[object_type].singular} with id {record_id} exists."
            )

    def _refresh_rollups(self, object_type: str, record_id: int, now: int) -> None:
        if object_type not in ROLLUP_TYPES:
            return
        t = self.types[object_type]
        record = t.store.get(record_id)
        if record is None:
            return
        wanted = rollups(object_type, record_id, self.links, self.deals.store.records)
        changes = changed_rollups(record, wanted)
        if changes:
            self._apply_update(t, record, changes, now, source="CALCULATED")

    def _emit_association(
        self,
        t: AssociationTypeDef,
        from_id: int,
        to_id: int,
        removed: bool,
        now: int,
        source: Source,
    ) -> None:
        """`<type>.associationChange` from each side (HubSpot fires one per direction)."""
        for side, a, b in ((t, from_id, to_id), (reverse_of(t), to_id, from_id)):
            definition = OBJECT_TYPES[side.from_type]
            if not definition.webhooks or not OBJECT_TYPES[side.to_type].webhooks:
                continue
            self._emit(
                WebhookEvent(
                    portal_id=self.hub_id,
                    subscription_type=f"{definition.singular}.associationChange",
                    object_id=a,
                    occurred_at_ms=now,
                    change_source=WriteSource.of(source).source_type,
                    source_id=WriteSource.of(source).source_id,
                    association_type=side.v3_name.upper(),
                    from_object_id=a,
                    to_object_id=b,
                    association_removed=removed,
                    is_primary_association=side.primary,
                )
            )

    # ---- helpers ---------------------------------------------------------------------------

    @staticmethod
    def not_found_error(object_type: str, ids: list[int]) -> HubSpotError:
        """HubSpot's batch error for ids that do not exist."""
        return HubSpotError(
            404,
            "OBJECT_NOT_FOUND",
            f"Could not get some {OBJECT_TYPES[object_type].upper} objects, they may be "
            "deleted or not exist. Check that ids are valid.",
            context={"ids": [str(i) for i in ids]},
        )

    def _emit_event(
        self,
        kind: str,
        object_id: int,
        now: int,
        name: str | None = None,
        value: str | None = None,
        source: Source = "API",
    ) -> None:
        author = WriteSource.of(source)
        self._emit(
            WebhookEvent(
                portal_id=self.hub_id,
                subscription_type=kind,
                object_id=object_id,
                occurred_at_ms=now,
                property_name=name,
                property_value=value,
                change_source=author.source_type,
                source_id=author.source_id,
            )
        )


def _stage_dates(props: Mapping[str, str], old: Mapping[str, str]) -> list[str]:
    """The stage-date properties a lifecycle stage move stamped (they get versions too)."""
    if props.get("lifecyclestage") == old.get("lifecyclestage"):
        return []
    return [
        n
        for n in props.keys() | old.keys()
        if n.startswith(("hs_lifecyclestage_", "hs_v2_date_")) and props.get(n) != old.get(n)
    ]


def _stamp_missing(
    props: dict[str, str], t: ObjectTypeDef, record_id: int, created_ms: int, updated_ms: int
) -> None:
    """Fill the properties HubSpot stamps on every record, where not already given."""
    props.setdefault("hs_object_id", str(record_id))
    if t.created_property not in props:
        props[t.created_property] = iso_from_ms(created_ms)
    if t.modified_property not in props:
        props[t.modified_property] = iso_from_ms(updated_ms)


@functools.cache
def _seed_types(from_type: str, to_type: str, primary: bool) -> tuple[AssociationTypeDef, ...]:
    """The types a generated link gets: the unlabelled one, plus the primary one if asked."""
    return tuple(t for t in association_types(from_type, to_type) if primary or not t.primary)


def _index_by(records: Iterable[Record], name: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for r in records:
        value = r.properties.get(name)
        if value:
            index.setdefault(value.lower(), r.id)
    return index


def _deal_stage_problems(
    current: Record | None, values: Mapping[str, str]
) -> list[PropertyValueError]:
    """A deal needs a stage, and the stage must belong to the deal's pipeline."""
    old = current.properties if current is not None else {}
    pipeline_id = values.get("pipeline") or old.get("pipeline") or DEFAULT_PIPELINE
    stage_id = values.get("dealstage", old.get("dealstage", ""))
    pipeline = deal_pipeline(pipeline_id)
    if not stage_id:
        if current is None or "dealstage" in values:
            return [PropertyValueError("dealstage", "REQUIRED", "dealstage is required.")]
        return []
    if pipeline is None or pipeline.stage(stage_id) is None:
        return [
            PropertyValueError(
                "dealstage",
                "INVALID_OPTION",
                f"{stage_id} is not a valid stage of pipeline {pipeline_id}.",
            )
        ]
    return []


def _deal_effects(props: Mapping[str, str], old: Mapping[str, str], now: int) -> dict[str, str]:
    """What HubSpot calculates on a deal whose stage is (or becomes) `props["dealstage"]`."""
    pipeline_id = props.get("pipeline") or DEFAULT_PIPELINE
    pipeline = deal_pipeline(pipeline_id)
    stage = pipeline.stage(props["dealstage"]) if pipeline else None
    if stage is None or (old and old.get("dealstage") == props["dealstage"]):
        return {"pipeline": pipeline_id} if "pipeline" not in props else {}
    effects = stage_effects(stage, iso_from_ms(now), props.get("closedate"))
    effects["pipeline"] = pipeline_id
    return effects
