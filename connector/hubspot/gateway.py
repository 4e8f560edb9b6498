"""`HubSpotGateway`: one portal's HubSpot API, paced, retried, counted and typed.

Built once per portal on the SDK (`hubspot.HubSpot(host=api_url)`); its sub-clients are
built once too (every `api.crm.contacts.basic_api` access would build a new client). All
requests go through `SdkTransport`, which attaches the current token and feeds response
headers to the `Pacer`. Each public method makes calls through `_call`, which paces,
counts, retries (tenacity) and translates failures into `connector.hubspot.errors` types.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

import pandas as pd
from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectId,
)
from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate, PropertyUpdate

from connector.crm.objects import ObjectType
from connector.crm.records import (
    AccountDetails,
    BatchFailure,
    BatchWriteResult,
    CallTally,
    CrmRecord,
    ListPage,
    ModifiedPage,
    ProvisioningReport,
    RecordUpdate,
)
from connector.hubspot.auth import TokenProvider
from connector.hubspot.counters import CallCounter, CallKind
from connector.hubspot.errors import (
    DailyLimitReached,
    HubSpotError,
    RateLimited,
    ValidationFailed,
    error_from_response,
    translate,
)
from connector.hubspot.mapping import activities_frame
from connector.hubspot.objects import ID_PROPERTY, OBJECTS, association, engagement
from connector.hubspot.pacing import Pacer, PortalLimits
from connector.hubspot.paging import AfterCursor, IdCursor, PerInputCursor, paginate
from connector.hubspot.paths import CRM_V3, ApiPaths
from connector.hubspot.properties import (
    PropertyDefinition,
    PropertyGroup,
    PropertyOption,
    company_definitions,
)
from connector.hubspot.provisioning import provision, provision_definitions
from connector.hubspot.raw import (
    RawResponse,
    contact_history,
    crm_record,
    properties_of,
    read_json,
)
from connector.hubspot.records import ActivityLinks, EngagementRecord
from connector.hubspot.retry import RetryPolicy, retrying
from connector.hubspot.transport import HttpPool, SdkTransport
from connector.scoring.histories import ContactHistory

T = TypeVar("T")

BATCH_LIMIT = 100
HISTORY_BATCH_LIMIT = 50
"""Inputs per batch read with `propertiesWithHistory`. HubSpot caps list pages with history
at 50; whether it caps batch reads with history below 100 is not documented, and 50 works
either way (it costs at most twice the calls of 100)."""
ASSOCIATIONS_BATCH_LIMIT = 1000
SEARCH_PAGE_LIMIT = 200
LIST_PAGE_LIMIT = 100
# Query strings past ~2 kB risk 414s at proxies; list property names beyond this budget are
# fetched with a batch read (a POST body) instead.
LIST_PROPERTIES_URL_BUDGET = 1800
_RECORD_PATHS = frozenset(o.path_name for o in OBJECTS.values())
"""Batch reads of these count as record reads; of any other object, as engagement reads."""
# The search window has no real end: this bound only satisfies the filter's shape.
_OPEN_END_MS = 10 * 365 * 86_400_000


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def split_for_url(properties: Sequence[str],
                  budget: int = LIST_PROPERTIES_URL_BUDGET) -> tuple[list[str], list[str]]:
    """Split property names into those that fit a GET query string and the rest."""
    fitting: list[str] = []
    used = 0
    for index, name in enumerate(properties):
        cost = len("&properties=") + len(name)
        if used + cost > budget:
            return fitting, list(properties[index:])
        fitting.append(name)
        used += cost
    return fitting, []


def _definition(prop: Any) -> PropertyDefinition:
    options = tuple(
        PropertyOption(
            value=str(o.value),
            label=str(o.label),
            hidden=bool(o.hidden),
            display_order=int(o.display_order) if o.display_order is not None else 0,
        )
        for o in (prop.options or [])
    )
    return PropertyDefinition(
        name=str(prop.name),
        label=str(prop.label),
        type=str(prop.type),
        field_type=str(prop.field_type),
        group_name=str(prop.group_name or ""),
        description=str(prop.description or ""),
        options=options,
    )


def _option_inputs(options: Sequence[PropertyOption]) -> list[OptionInput]:
    return [
        OptionInput(label=o.label, value=o.value, hidden=o.hidden, display_order=o.display_order)
        for o in options
    ]


def _has_type(target: Mapping[str, Any], type_id: int | None) -> bool:
    """Whether an association target carries the given association type id."""
    if type_id is None:
        return False
    return any(t.get("typeId") == type_id for t in target.get("associationTypes") or [])


def _error_ids(error: Any) -> tuple[str, ...]:
    context = getattr(error, "context", None) or {}
    for key in ("ids", "id", "objectIds"):
        if key in context:
            values = context[key]
            return tuple(str(v) for v in (values if isinstance(values, list) else [values]))
    return ()


class HubSpotGateway:
    """Everything the connector asks of one HubSpot portal.

    `tokens` supplies the bearer token per request; `limits` seeds pacing (see
    `connector.hubspot.pacing.limits_for`). `counter` may be shared to aggregate across
    gateways; `pool` replaces the urllib3 pool (tests); `sleep` is used for retry waits.
    """

    def __init__(
        self,
        api_url: str,
        tokens: TokenProvider,
        *,
        limits: PortalLimits,
        paths: ApiPaths = CRM_V3,
        retry_policy: RetryPolicy | None = None,
        counter: CallCounter | None = None,
        pacer: Pacer | None = None,
        pool: HttpPool | None = None,
        sleep: Callable[[float], None] = time.sleep,
        hub_id: int | None = None,
        on_close: Sequence[Callable[[], None]] = (),
        scopes: Sequence[str] = (),
    ) -> None:
        self._hub_id = hub_id
        self._closers = list(on_close)
        self._scopes = frozenset(scopes)
        self.counter = counter or CallCounter()
        self.pacer = pacer or Pacer(limits)
        self._tokens = tokens
        self._retry_policy = retry_policy or RetryPolicy()
        self._sleep = sleep
        self._api_url = api_url.rstrip("/")
        self._paths = paths
        self._transport = SdkTransport(tokens, paths=paths, observer=self._observe, pool=pool)
        # No access_token here: the transport attaches the current one to every request.
        client = HubSpot(host=api_url.rstrip("/"), api_factory=self._transport.api_factory)
        crm = client.crm
        self._objects_basic = crm.objects.basic_api
        self._objects_batch = crm.objects.batch_api
        self._objects_search = crm.objects.search_api
        self._associations_batch = crm.associations.v4.batch_api
        self._properties_core = crm.properties.core_api
        self._properties_groups = crm.properties.groups_api

    @property
    def hub_id(self) -> int:
        """The portal this gateway is bound to (0 before it is known)."""
        return self._hub_id or 0

    def can_read(self, object_type: ObjectType) -> bool:
        """Whether the grant lets us read this object type (unknown scopes: try)."""
        if not self._scopes:
            return True
        return f"crm.objects.{OBJECTS[object_type].path_name}.read" in self._scopes

    def can_write(self, object_type: ObjectType) -> bool:
        """Whether the grant lets us write this object type and create its properties."""
        if not self._scopes:
            return True
        name = OBJECTS[object_type].path_name
        return {f"crm.objects.{name}.write", f"crm.schemas.{name}.write"} <= self._scopes

    def calls(self) -> CallTally:
        """The calls made so far; search calls do not count against the daily allowance."""
        counts = self.counter.snapshot()
        return CallTally(
            calls={kind.value: n for kind, n in counts.calls.items() if n},
            rate_limited=counts.rate_limited,
            billable=counts.billable,
        )

    def close(self) -> None:
        """Release what the session owns (its OAuth client); the HTTP pool is shared."""
        for close in self._closers:
            close()
        self._closers.clear()

    def _observe(self, path: str, status: int, headers: Mapping[str, str]) -> None:
        self.pacer.observe(headers)

    def _call(self, kind: CallKind, fn: Callable[[], T]) -> T:
        def attempt() -> T:
            self.pacer.acquire(kind.bucket)
            self.counter.record(kind)
            try:
                return fn()
            except Exception as exc:
                error = translate(exc, secrets=(self._transport.last_token,))
                if error is None:
                    raise
                if isinstance(error, (RateLimited, DailyLimitReached)) and error.status == 429:
                    self.counter.record_rate_limited()
                if error is exc:
                    raise
                raise error from None

        policy = retrying(
            self._retry_policy, on_unauthorized=self._tokens.invalidate, sleep=self._sleep
        )
        return policy(attempt)

    def _call_json(self, kind: CallKind, fn: Callable[..., RawResponse]) -> dict[str, Any]:
        """`_call` for a hot read path: the SDK call without its models, parsed here.

        The body is read inside the attempt, so a connection dropped mid-body is retried
        like any other network failure.
        """
        return self._call(kind, lambda: read_json(fn(_preload_content=False)))

    # ---- account --------------------------------------------------------------------

    def account(self) -> AccountDetails:
        """The account the token belongs to: its hub id, type, time zone and currency.

        The SDK does not wrap the account-info API, so the request goes straight through
        the transport (same token, pacing, counting and retries as every other call).
        """
        body = self._call(CallKind.ACCOUNT, self._get_account_details)
        portal_id = body.get("portalId")
        if isinstance(portal_id, bool) or not isinstance(portal_id, int):
            raise HubSpotError(
                f"HubSpot's account details have no usable portalId (got {portal_id!r})",
                status=200,
            )
        return AccountDetails(
            portal_id=portal_id,
            account_type=str(body.get("accountType") or ""),
            time_zone=str(body.get("timeZone") or ""),
            company_currency=str(body.get("companyCurrency") or ""),
            ui_domain=body.get("uiDomain") if isinstance(body.get("uiDomain"), str) else None,
            data_hosting_location=(
                body.get("dataHostingLocation")
                if isinstance(body.get("dataHostingLocation"), str)
                else None
            ),
        )

    def _get_account_details(self) -> dict[str, Any]:
        url = self._api_url + self._paths.account_details
        response = self._transport.request("GET", url, headers={"Accept": "application/json"})
        status = int(response.status)
        if not 200 <= status < 300:
            raise error_from_response(
                status, response.data, dict(response.headers),
                secrets=(self._transport.last_token,),
            )
        try:
            body = json.loads(response.data)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise HubSpotError("HubSpot's account details are not a JSON object", status=status)
        return body

    # ---- records ------------------------------------------------------------------

    def list_pages(
        self,
        object_type: ObjectType,
        properties: Sequence[str],
        after: str | None = None,
        *,
        page_size: int = LIST_PAGE_LIMIT,
    ) -> Iterator[ListPage]:
        """Every record of a type, page by page (full sync), starting at cursor `after`.

        Property lists too long for a URL are completed by a batch read of each page.
        """
        in_url, extra = split_for_url(list(properties))
        name = OBJECTS[object_type].path_name

        def fetch(cursor: AfterCursor) -> dict[str, Any]:
            return self._call_json(
                CallKind.LIST,
                partial(self._objects_basic.get_page, name,
                        limit=min(page_size, LIST_PAGE_LIMIT),
                        after=cursor.after, properties=in_url, archived=False),
            )

        paginator = AfterCursor(after)
        asked = after
        for body in paginate(fetch, paginator):
            records = tuple(crm_record(r) for r in body.get("results") or [])
            if extra and records:
                records = self._with_extra_properties(object_type, records, extra)
            yield ListPage(records=records, after=asked, next_after=paginator.after)
            asked = paginator.after

    def _with_extra_properties(self, object_type: ObjectType, records: tuple[CrmRecord, ...],
                               extra: Sequence[str]) -> tuple[CrmRecord, ...]:
        more = {r.id: r.properties for r in self.read(object_type, [r.id for r in records],
                                                      extra)}
        return tuple(
            CrmRecord(r.id, {**r.properties, **more.get(r.id, {})}, r.updated_at, r.created_at)
            for r in records
        )

    def modified_pages(
        self,
        object_type: ObjectType,
        since_ms: int,
        properties: Sequence[str],
        after_id: str | None = None,
        *,
        page_size: int = SEARCH_PAGE_LIMIT,
    ) -> Iterator[ModifiedPage]:
        """Records modified at or after `since_ms`, by ascending id after `after_id`.

        The compound cursor: every page is a fresh search from offset 0 that moves the id
        cursor, so HubSpot's 10,000-results-per-query cap is never reached however many
        records share one modification time.
        """
        hubspot = OBJECTS[object_type]
        window = [
            Filter(property_name=hubspot.modified_property, operator="GTE",
                   value=str(since_ms)),
            Filter(property_name=hubspot.modified_property, operator="LTE",
                   value=str(since_ms + _OPEN_END_MS + int(time.time() * 1000))),
        ]

        def fetch(cursor: IdCursor) -> dict[str, Any]:
            filters = list(window)
            if cursor.after_id is not None:
                filters.append(Filter(property_name=ID_PROPERTY, operator="GT",
                                      value=cursor.after_id))
            request = PublicObjectSearchRequest(
                filter_groups=[FilterGroup(filters=filters)],
                sorts=[{"propertyName": ID_PROPERTY, "direction": "ASCENDING"}],
                properties=list(properties),
                limit=min(page_size, SEARCH_PAGE_LIMIT),
            )
            return self._call_json(
                CallKind.SEARCH, partial(self._objects_search.do_search, hubspot.path_name,
                                         request)
            )

        paginator = IdCursor(after_id)
        for body in paginate(fetch, paginator):
            records = tuple(crm_record(r) for r in body.get("results") or [])
            yield ModifiedPage(records=records, last_id=paginator.after_id,
                               has_more=paginator.has_next)

    def read(self, object_type: ObjectType, ids: Sequence[str],
             properties: Sequence[str]) -> list[CrmRecord]:
        """The given records (≤100 per call, chunked); ids that no longer exist are skipped."""
        name = OBJECTS[object_type].path_name
        return [crm_record(r) for r in self._batch_read(name, ids, properties)]

    def _batch_read(self, path_name: str, ids: Sequence[str],
                    properties: Sequence[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for chunk in _chunks(list(dict.fromkeys(str(i) for i in ids)), BATCH_LIMIT):
            request = BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=i) for i in chunk],
                properties=list(properties),
                properties_with_history=[],
            )
            kind = CallKind.BATCH_READ if path_name in _RECORD_PATHS else CallKind.ENGAGEMENTS
            body = self._call_json(kind, partial(self._objects_batch.read, path_name, request))
            found.extend(body.get("results") or [])
        return found

    def histories(self, object_type: ObjectType, ids: Sequence[int],
                  properties: Sequence[str]) -> Iterator[dict[int, ContactHistory]]:
        """The property histories of these records, one mapping per batch read of ≤50.

        Every asked property is in each history (empty when it never held a value); ids
        HubSpot no longer has are left out. The JSON is parsed in `raw` (the SDK's models
        cost ~16x the CPU on versions: each one builds a model and parses its date).
        """
        name = OBJECTS[object_type].path_name
        wanted = list(dict.fromkeys(properties))
        for chunk in _chunks(list(dict.fromkeys(int(i) for i in ids)), HISTORY_BATCH_LIMIT):
            request = BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=str(i)) for i in chunk],
                # Current values are not needed; the id alone keeps the response small.
                properties=[ID_PROPERTY],
                properties_with_history=wanted,
            )
            body = self._call_json(CallKind.HISTORY,
                                   partial(self._objects_batch.read, name, request))
            yield {int(r["id"]): contact_history(r, wanted) for r in body.get("results") or []}

    def update(self, object_type: ObjectType,
               updates: Sequence[RecordUpdate]) -> BatchWriteResult:
        """Write property values (≤100 per call, chunked), collecting partial failures.

        A 207 lists failed inputs; a 400 for a whole chunk is split in halves until the bad
        inputs are isolated, so one invalid record never blocks the other 99.
        """
        updated: list[str] = []
        failures: list[BatchFailure] = []
        name = OBJECTS[object_type].path_name
        for chunk in _chunks(list(updates), BATCH_LIMIT):
            self._update_chunk(name, chunk, updated, failures)
        return BatchWriteResult(updated_ids=tuple(updated), failures=tuple(failures))

    def _update_chunk(self, path_name: str, chunk: Sequence[RecordUpdate], updated: list[str],
                      failures: list[BatchFailure]) -> None:
        request = BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=u.id, properties=dict(u.properties))
                    for u in chunk]
        )
        try:
            response = self._call(
                CallKind.BATCH_UPDATE, partial(self._objects_batch.update, path_name, request)
            )
        except ValidationFailed as error:
            if len(chunk) == 1:
                failures.append(BatchFailure((chunk[0].id,), error.message, error.category))
                return
            middle = len(chunk) // 2
            self._update_chunk(path_name, chunk[:middle], updated, failures)
            self._update_chunk(path_name, chunk[middle:], updated, failures)
            return
        done = [str(r.id) for r in response.results or []]
        updated.extend(done)
        attributed: set[str] = set(done)
        for item in getattr(response, "errors", None) or []:
            ids = _error_ids(item)
            attributed.update(ids)
            failures.append(BatchFailure(ids, str(item.message or ""), item.category))
        unaccounted = tuple(u.id for u in chunk if u.id not in attributed)
        if unaccounted:
            failures.append(BatchFailure(unaccounted, "HubSpot did not report these inputs"))

    # ---- associations and engagements ---------------------------------------------

    def associations(self, from_type: ObjectType, to_type: ObjectType,
                     ids: Sequence[str]) -> dict[str, list[str]]:
        """Ids of `to_type` records associated with each `from_type` record; where HubSpot
        labels one link primary (contact → primary company), that one comes first."""
        primary = association(from_type, to_type).primary_type_id
        return self._linked(OBJECTS[from_type].path_name, OBJECTS[to_type].path_name, ids,
                            primary)

    def _linked(self, from_name: str, to_name: str, ids: Sequence[str],
                primary_type_id: int | None = None) -> dict[str, list[str]]:
        """v4 batch read, ≤1000 inputs per call; inputs whose associations span several
        pages are asked again with their `after` cursor. Records with none map to []."""
        unique = list(dict.fromkeys(str(i) for i in ids))
        linked: dict[str, list[str]] = {i: [] for i in unique}

        def fetch(cursor: PerInputCursor) -> dict[str, Any]:
            inputs = [PublicFetchAssociationsBatchRequest(id=p.id, after=p.after)
                      for p in cursor.take()]
            request = BatchInputPublicFetchAssociationsBatchRequest(inputs=inputs)
            return self._call_json(
                CallKind.ASSOCIATIONS,
                partial(self._associations_batch.get_page, from_name, to_name, request),
            )

        for body in paginate(fetch, PerInputCursor(unique, ASSOCIATIONS_BATCH_LIMIT)):
            for result in body.get("results") or []:
                source = str(result["from"]["id"])
                found = linked.setdefault(source, [])
                for target in result.get("to") or []:
                    if _has_type(target, primary_type_id):
                        found.insert(0, str(target["toObjectId"]))
                    else:
                        found.append(str(target["toObjectId"]))
        return linked

    def engagements(self, kind: str, ids: Sequence[str],
                    properties: Sequence[str] | None = None) -> list[EngagementRecord]:
        """Engagement objects of one kind ("call", "email", ...) by id (≤100 per call)."""
        spec = engagement(kind)
        wanted = spec.properties if properties is None else properties
        return [
            EngagementRecord(id=str(r["id"]), kind=kind, properties=properties_of(r))
            for r in self._batch_read(spec.path_name, ids, wanted)
        ]

    def activities(self, contact_ids: Sequence[str], kinds: Sequence[str]) -> pd.DataFrame:
        """The contacts' engagements as activity rows: one v4 associations call per kind
        per 1,000 contacts, then batch reads of 100 engagements."""
        records: list[EngagementRecord] = []
        links: list[ActivityLinks] = []
        if not contact_ids:
            return activities_frame((), ())
        for kind in kinds:
            spec = engagement(kind)
            linked = self._linked(OBJECTS[ObjectType.CONTACTS].path_name, spec.path_name,
                                  contact_ids)
            ids = list(dict.fromkeys(i for targets in linked.values() for i in targets))
            if ids:
                records.extend(self.engagements(kind, ids))
            links.append(ActivityLinks(kind=kind, by_contact=linked))
        return activities_frame(records, links)

    # ---- properties ----------------------------------------------------------------

    def get_property(self, name: str,
                     object_type: ObjectType = ObjectType.CONTACTS) -> PropertyDefinition:
        """One property's definition (raises `NotFound`)."""
        prop = self._call(
            CallKind.PROPERTIES,
            partial(self._properties_core.get_by_name, OBJECTS[object_type].path_name, name),
        )
        return _definition(prop)

    def list_properties(
        self, object_type: ObjectType = ObjectType.CONTACTS
    ) -> list[PropertyDefinition]:
        """Every property definition of an object type."""
        response = self._call(
            CallKind.PROPERTIES,
            partial(self._properties_core.get_all, OBJECTS[object_type].path_name),
        )
        return [_definition(p) for p in response.results or []]

    def create_group(self, group: PropertyGroup,
                     object_type: ObjectType = ObjectType.CONTACTS) -> None:
        """Create a property group (raises `Conflict` if it exists)."""
        request = PropertyGroupCreate(name=group.name, label=group.label,
                                      display_order=group.display_order)
        self._call(CallKind.PROPERTIES,
                   partial(self._properties_groups.create, OBJECTS[object_type].path_name,
                           request))

    def create_property(self, definition: PropertyDefinition,
                        object_type: ObjectType = ObjectType.CONTACTS) -> PropertyDefinition:
        """Create a property (raises `Conflict` if it exists)."""
        request = PropertyCreate(
            name=definition.name,
            label=definition.label,
            type=definition.type,
            field_type=definition.field_type,
            group_name=definition.group_name,
            description=definition.description,
            options=_option_inputs(definition.options),
        )
        created = self._call(
            CallKind.PROPERTIES,
            partial(self._properties_core.create, OBJECTS[object_type].path_name, request),
        )
        return _definition(created)

    def update_property(self, definition: PropertyDefinition,
                        object_type: ObjectType = ObjectType.CONTACTS) -> PropertyDefinition:
        """PATCH a property's label, description, group, field type and options."""
        request = PropertyUpdate(
            label=definition.label,
            type=definition.type,
            field_type=definition.field_type,
            group_name=definition.group_name,
            description=definition.description,
            options=_option_inputs(definition.options),
        )
        updated = self._call(
            CallKind.PROPERTIES,
            partial(self._properties_core.update, OBJECTS[object_type].path_name,
                    definition.name, request),
        )
        return _definition(updated)

    def provision(self, models: Sequence[str],
                  segment_options: Sequence[str]) -> ProvisioningReport:
        """Create or update the `leadscore` group and every model's contact properties."""
        return provision(self, models, segment_options)

    def provision_companies(self) -> ProvisioningReport:
        """Create or update the company score's properties (group `leadscore` on companies)."""
        return provision_definitions(_ObjectAdmin(self, ObjectType.COMPANIES),
                                     company_definitions())

    def lifecycle_stages(self) -> list[str]:
        """The portal's own lifecycle stage values, in the portal's order."""
        stage = self.get_property("lifecyclestage")
        # Hidden options are still stages (hidden only from forms), so all of them count.
        return [o.value for o in sorted(stage.options, key=lambda o: o.display_order)]



class _ObjectAdmin:
    """The gateway's property administration bound to one object type (provisioning)."""

    def __init__(self, gateway: HubSpotGateway, object_type: ObjectType) -> None:
        self._gateway = gateway
        self._type = object_type

    def list_properties(self) -> list[PropertyDefinition]:
        """Every property definition of the object type."""
        return self._gateway.list_properties(self._type)

    def get_property(self, name: str) -> PropertyDefinition:
        """One property definition."""
        return self._gateway.get_property(name, self._type)

    def create_group(self, group: PropertyGroup) -> None:
        """Create a property group."""
        self._gateway.create_group(group, self._type)

    def create_property(self, definition: PropertyDefinition) -> PropertyDefinition:
        """Create a property."""
        return self._gateway.create_property(definition, self._type)

    def update_property(self, definition: PropertyDefinition) -> PropertyDefinition:
        """PATCH a property."""
        return self._gateway.update_property(definition, self._type)
