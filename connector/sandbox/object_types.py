"""The CRM object types and association types the sandbox serves, as data.

Every place that needs to know "which kinds exist" (routers, the portal, seeding, webhooks,
scopes) reads these two tables; adding an object type is a row here plus its property
catalogue, not a copy of the contact code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from connector.sandbox.api_errors import HubSpotError

CONTACTS = "contacts"
COMPANIES = "companies"
DEALS = "deals"
ENGAGEMENT_TYPES: tuple[str, ...] = ("calls", "emails", "meetings", "notes", "tasks")


@dataclass(frozen=True)
class ObjectTypeDef:
    """One CRM object type as HubSpot names and stamps it."""

    name: str  # plural API name (`contacts`)
    singular: str  # `contact`; also the webhook subscription prefix where `webhooks`
    type_id: str  # HubSpot's object type id (`0-1`)
    created_property: str  # what HubSpot stamps at creation
    modified_property: str  # what search filters on as "last modified"
    default_read: tuple[str, ...]  # properties a read returns when none are named
    query_properties: tuple[str, ...]  # what search's free-text `query` looks in
    scope: str  # the `crm.objects.<scope>.*` / `crm.schemas.<scope>.*` scope family
    first_id: int  # disjoint id ranges per type make mixed-up ids fail loudly in tests
    webhooks: bool = False  # has legacy `<singular>.*` webhook subscriptions
    # Properties that exist but that search does not index (filters silently match nothing).
    search_blind: frozenset[str] = frozenset()

    @property
    def upper(self) -> str:
        """The singular in HubSpot's upper-case form (`CONTACT`), as error messages use it."""
        return self.singular.upper()


_ENGAGEMENT_READ = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")
_ENGAGEMENT_IDS = {
    "calls": "0-48",
    "emails": "0-49",
    "meetings": "0-47",
    "notes": "0-46",
    "tasks": "0-27",
}
# Ids above 2^31 on purpose: HubSpot's ids outgrow 32-bit integers, clients must cope.
FIRST_CONTACT_ID = 2_147_483_001
FIRST_COMPANY_ID = 20_000_000_001
FIRST_DEAL_ID = 30_000_000_001
FIRST_ENGAGEMENT_ID = 40_000_000_001

OBJECT_TYPES: dict[str, ObjectTypeDef] = {
    CONTACTS: ObjectTypeDef(
        CONTACTS,
        "contact",
        "0-1",
        "createdate",
        "lastmodifieddate",
        ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
        ("firstname", "lastname", "email", "phone", "company", "website"),
        "contacts",
        FIRST_CONTACT_ID,
        webhooks=True,
        # HubSpot's trap: contacts' hs_lastmodifieddate exists but search ignores it.
        search_blind=frozenset({"hs_lastmodifieddate"}),
    ),
    COMPANIES: ObjectTypeDef(
        COMPANIES,
        "company",
        "0-2",
        "createdate",
        "hs_lastmodifieddate",
        ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
        ("name", "domain", "website", "phone"),
        "companies",
        FIRST_COMPANY_ID,
        webhooks=True,
    ),
    DEALS: ObjectTypeDef(
        DEALS,
        "deal",
        "0-3",
        "createdate",
        "hs_lastmodifieddate",
        (
            "amount",
            "closedate",
            "createdate",
            "dealname",
            "dealstage",
            "hs_lastmodifieddate",
            "hs_object_id",
            "pipeline",
        ),
        ("dealname",),
        "deals",
        FIRST_DEAL_ID,
        webhooks=True,
    ),
    **{
        kind: ObjectTypeDef(
            kind,
            kind[:-1],
            _ENGAGEMENT_IDS[kind],
            "hs_createdate",
            "hs_lastmodifieddate",
            _ENGAGEMENT_READ,
            (),
            # Engagements are readable with the contacts scopes (HUBSPOT.md).
            "contacts",
            FIRST_ENGAGEMENT_ID + offset * 1_000_000_000,
        )
        for offset, kind in enumerate(ENGAGEMENT_TYPES)
    },
}

# Names HubSpot accepts for an object type in a path: plural, singular and type id.
_ALIASES: dict[str, str] = {
    alias: t.name for t in OBJECT_TYPES.values() for alias in (t.name, t.singular, t.type_id)
}


def lookup_object_type(raw: str) -> ObjectTypeDef | None:
    """The object type a path segment names (`contacts`, `contact`, `0-1`), if any."""
    name = _ALIASES.get(raw.lower())
    return OBJECT_TYPES[name] if name is not None else None


def resolve_object_type(raw: str) -> ObjectTypeDef:
    """Like `lookup_object_type`, with HubSpot's 400 for a type it cannot infer."""
    found = lookup_object_type(raw)
    if found is None:
        raise HubSpotError.validation(f"Unable to infer object type from: {raw}")
    return found


@dataclass(frozen=True)
class AssociationTypeDef:
    """A HUBSPOT_DEFINED association type: one direction between two object types."""

    from_type: str
    to_type: str
    type_id: int
    label: str | None  # None for the unlabelled default type
    v3_name: str  # the legacy name (`contact_to_company`) v3 responses use
    primary: bool = False  # the "primary company" flavour of the pair


def _pair(a: str, b: str, forward: int, reverse: int) -> tuple[AssociationTypeDef, ...]:
    sa, sb = OBJECT_TYPES[a].singular, OBJECT_TYPES[b].singular
    return (
        AssociationTypeDef(a, b, forward, None, f"{sa}_to_{sb}"),
        AssociationTypeDef(b, a, reverse, None, f"{sb}_to_{sa}"),
    )


def _primary(a: str, b: str, forward: int, reverse: int) -> tuple[AssociationTypeDef, ...]:
    sa, sb = OBJECT_TYPES[a].singular, OBJECT_TYPES[b].singular
    return (
        AssociationTypeDef(a, b, forward, "Primary", f"{sa}_to_{sb}", primary=True),
        AssociationTypeDef(b, a, reverse, "Primary", f"{sb}_to_{sa}", primary=True),
    )


_ENGAGEMENT_TYPE_IDS = {
    "calls": (193, 194),
    "emails": (197, 198),
    "meetings": (199, 200),
    "notes": (201, 202),
    "tasks": (203, 204),
}

ASSOCIATION_TYPES: tuple[AssociationTypeDef, ...] = (
    # The unlabelled contact ↔ company pair; v3 calls it "..._unlabeled" because the
    # primary flavour took the plain name.
    AssociationTypeDef(CONTACTS, COMPANIES, 279, None, "contact_to_company_unlabeled"),
    AssociationTypeDef(COMPANIES, CONTACTS, 280, None, "company_to_contact_unlabeled"),
    *_primary(CONTACTS, COMPANIES, 1, 2),
    *_pair(CONTACTS, DEALS, 4, 3),
    *_pair(COMPANIES, DEALS, 342, 341),
    *_primary(DEALS, COMPANIES, 5, 6),
    *(
        t
        for kind, (forward, reverse) in _ENGAGEMENT_TYPE_IDS.items()
        for t in _pair(CONTACTS, kind, forward, reverse)
    ),
)


@functools.cache
def association_types(from_type: str, to_type: str) -> tuple[AssociationTypeDef, ...]:
    """Every HubSpot-defined type from `from_type` to `to_type` (primary first)."""
    found = [t for t in ASSOCIATION_TYPES if t.from_type == from_type and t.to_type == to_type]
    return tuple(sorted(found, key=lambda t: not t.primary))


def default_association(from_type: str, to_type: str) -> AssociationTypeDef:
    """The unlabelled type of a pair (what "associate default" creates); 400 if none."""
    for t in association_types(from_type, to_type):
        if not t.primary:
            return t
    raise HubSpotError.validation(
        f"No association is defined between {from_type} and {to_type} in this sandbox."
    )


def association_type(type_id: int) -> AssociationTypeDef | None:
    """The definition with this HUBSPOT_DEFINED type id, if any."""
    return _BY_ID.get(type_id)


@functools.cache
def reverse_of(t: AssociationTypeDef) -> AssociationTypeDef:
    """The same association seen from the other side."""
    for other in association_types(t.to_type, t.from_type):
        if other.primary == t.primary:
            return other
    raise KeyError(t)


def primary_holder(t: AssociationTypeDef) -> AssociationTypeDef:
    """The direction of a primary type that is exclusive: the one pointing at the company
    (a contact or deal has one primary company; a company is primary for many)."""
    return t if t.to_type == COMPANIES else reverse_of(t)


_BY_ID = {t.type_id: t for t in ASSOCIATION_TYPES}
