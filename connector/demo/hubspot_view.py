"""Looking at the portal from outside the connector: what a HubSpot user would see.

The demo checks that new leads really got their scores *in HubSpot*, and which companies
carry an account score, by reading the contacts and companies
through HubSpot's public CRM API with the portal's own private-app token, as any other
integration would, rather than by asking the connector. That token has its own rate-limit
allowance, so watching never slows the connector down; the calls it makes are counted here
so the summary can tell them apart from the connector's in the sandbox's request counters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connector.crm import ObjectType
from connector.hubspot.auth import StaticTokenProvider
from connector.hubspot.gateway import HubSpotGateway
from connector.hubspot.pacing import limits_for


@dataclass(frozen=True)
class SeenContact:
    """A contact's current values of the properties asked for."""

    contact_id: int
    properties: dict[str, str | None]


@dataclass(frozen=True)
class SeenCompany:
    """A company's current values of the properties asked for."""

    company_id: str
    properties: dict[str, str | None]


@dataclass(frozen=True)
class PropertyInfo:
    """One property definition of the portal (of contacts, or of the type asked for)."""

    name: str
    group: str
    type: str


class PortalViewer:
    """Reads one portal's contacts, companies and properties through the HubSpot gateway, as a
    private app of its own (its own rate-limit allowance and call counter)."""

    def __init__(self, api_url: str, token: str) -> None:
        """Read from `api_url` (HubSpot or the sandbox) with a private-app `token`."""
        self._gateway = HubSpotGateway(
            api_url, StaticTokenProvider(token), limits=limits_for("pro")
        )

    @property
    def requests(self) -> int:
        """Every HubSpot request this viewer made (the sandbox counts them with the rest)."""
        return self._gateway.counter.snapshot().total

    def read_contacts(
        self, contact_ids: Sequence[int], properties: Sequence[str]
    ) -> list[SeenContact]:
        """Current values of `properties` for these contacts (ones HubSpot lacks are left out)."""
        records = self._gateway.read(ObjectType.CONTACTS, [str(i) for i in contact_ids],
                                     properties)
        return [
            SeenContact(
                contact_id=int(r.id),
                properties={name: r.properties.get(name) for name in properties},
            )
            for r in records
        ]

    def list_companies(self, properties: Sequence[str]) -> list[SeenCompany]:
        """Every company of the portal with its values of `properties`, a list page (100
        companies) per request; a property the portal lacks has no value."""
        return [
            SeenCompany(
                company_id=r.id,
                properties={name: r.properties.get(name) for name in properties},
            )
            for page in self._gateway.list_pages(ObjectType.COMPANIES, properties)
            for r in page.records
        ]

    def properties(
        self, group: str | None = None, object_type: ObjectType = ObjectType.CONTACTS
    ) -> list[PropertyInfo]:
        """The portal's property definitions of an object type (contacts by default), of
        one group when given."""
        found = [
            PropertyInfo(name=d.name, group=d.group_name, type=d.type)
            for d in self._gateway.list_properties(object_type)
        ]
        return [p for p in found if group is None or p.group == group]
