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

from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectId,
)
from hubspot.crm.objects import BatchReadInputSimplePublicObjectId as ObjectsBatchReadInput
from hubspot.crm.objects import SimplePublicObjectId as ObjectsId
from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate, PropertyUpdate

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
from connector.hubspot.pacing import Pacer, PortalLimits
from connector.hubspot.paths import CRM_V3, ApiPaths
from connector.hubspot.properties import (
    PropertyDefinition,
    PropertyGroup,
    PropertyOption,
)
from connector.hubspot.raw import (
    RawResponse,
    contact_record,
    next_after,
    properties_of,
    read_json,
)
from connector.hubspot.records import (
    ENGAGEMENT_OBJECT_TYPES,
    AccountDetails,
    BatchFailure,
    BatchWriteResult,
    ContactPage,
    ContactRecord,
    ContactUpdate,
    EngagementRecord,
    SearchPage,
)
from connector.hubspot.retry import RetryPolicy, retrying
from connector.hubspot.transport import HttpPool, SdkTransport

T = TypeVar("T")

BATCH_LIMIT = 100
ASSOCIATIONS_BATCH_LIMIT = 1000
SEARCH_PAGE_LIMIT = 200
LIST_PAGE_LIMIT = 100
# Query strings past ~2 kB risk 414s at proxies; list property names beyond this budget are
# fetched with a batch read (a POST body) instead.
LIST_PROPERTIES_URL_BUDGET = 1800
CONTACTS = "contacts"


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
    ) -> None:
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
        self._contacts_basic = crm.contacts.basic_api
        self._contacts_batch = crm.contacts.batch_api
        self._contacts_search = crm.contacts.search_api
        self._objects_batch = crm.objects.batch_api
        self._associations_batch = crm.associations.v4.batch_api
        self._properties_core = crm.properties.core_api
        self._properties_groups = crm.properties.groups_api

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

    def account_details(self) -> AccountDetails:
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

    # ---- contacts -------------------------------------------------------------------

    def iter_contact_pages(
        self, properties: Sequence[str], after: str | None = None, limit: int = LIST_PAGE_LIMIT
    ) -> Iterator[ContactPage]:
        """Every contact, page by page (full sync), starting at cursor `after`.

        Property lists too long for a URL are completed by a batch read of each page.
        """
        in_url, extra = split_for_url(list(properties))
        cursor = after
        while True:
            body = self._call_json(
                CallKind.LIST,
                partial(self._contacts_basic.get_page, limit=min(limit, LIST_PAGE_LIMIT),
                        after=cursor, properties=in_url, archived=False),
            )
            records = tuple(contact_record(r) for r in body.get("results") or [])
            if extra and records:
                records = self._with_extra_properties(records, extra)
            following = next_after(body)
            yield ContactPage(records=records, after=cursor, next_after=following)
            if not following:
                return
            cursor = following

    def _with_extra_properties(self, records: tuple[ContactRecord, ...],
                               extra: Sequence[str]) -> tuple[ContactRecord, ...]:
        more = {r.id: r.properties for r in self.batch_read_contacts([r.id for r in records],
                                                                     extra)}
        return tuple(
            ContactRecord(r.id, {**r.properties, **more.get(r.id, {})}, r.updated_at,
                          r.created_at)
            for r in records
        )

    def search_modified(
        self,
        window_start_ms: int,
        window_end_ms: int,
        after_id: str | None,
        properties: Sequence[str],
        limit: int = SEARCH_PAGE_LIMIT,
    ) -> SearchPage:
        """One page of contacts modified in [start, end] with id > `after_id`, by id.

        The compound cursor: every page is a fresh query from offset 0 that moves
        `after_id`, so HubSpot's 10,000-results-per-query cap is never reached however
        many contacts share one `lastmodifieddate`.
        """
        filters = [
            Filter(property_name="lastmodifieddate", operator="GTE", value=str(window_start_ms)),
            Filter(property_name="lastmodifieddate", operator="LTE", value=str(window_end_ms)),
        ]
        if after_id is not None:
            filters.append(Filter(property_name="hs_object_id", operator="GT", value=str(after_id)))
        request = PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=filters)],
            sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            properties=list(properties),
            limit=min(limit, SEARCH_PAGE_LIMIT),
        )
        body = self._call_json(
            CallKind.SEARCH, partial(self._contacts_search.do_search, request)
        )
        records = tuple(contact_record(r) for r in body.get("results") or [])
        total = int(body.get("total") or 0)
        return SearchPage(
            records=records,
            total=total,
            last_id=records[-1].id if records else after_id,
            has_more=total > len(records),
        )

    def iter_modified(
        self,
        window_start_ms: int,
        window_end_ms: int,
        properties: Sequence[str],
        after_id: str | None = None,
        limit: int = SEARCH_PAGE_LIMIT,
    ) -> Iterator[SearchPage]:
        """All pages of `search_modified` for one window, moving the id cursor."""
        cursor = after_id
        while True:
            page = self.search_modified(window_start_ms, window_end_ms, cursor, properties, limit)
            yield page
            if not page.has_more or not page.records:
                return
            cursor = page.last_id

    def batch_read_contacts(self, ids: Sequence[str],
                            properties: Sequence[str]) -> list[ContactRecord]:
        """The given contacts (≤100 per call, chunked); ids that no longer exist are skipped."""
        found: list[ContactRecord] = []
        for chunk in _chunks(list(dict.fromkeys(str(i) for i in ids)), BATCH_LIMIT):
            request = BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=i) for i in chunk],
                properties=list(properties),
                properties_with_history=[],
            )
            body = self._call_json(
                CallKind.BATCH_READ, partial(self._contacts_batch.read, request)
            )
            found.extend(contact_record(r) for r in body.get("results") or [])
        return found

    def batch_update_contacts(self, updates: Sequence[ContactUpdate]) -> BatchWriteResult:
        """Write property values (≤100 per call, chunked), collecting partial failures.

        A 207 lists failed inputs; a 400 for a whole chunk is split in halves until the bad
        inputs are isolated, so one invalid contact never blocks the other 99.
        """
        updated: list[str] = []
        failures: list[BatchFailure] = []
        for chunk in _chunks(list(updates), BATCH_LIMIT):
            self._update_chunk(chunk, updated, failures)
        return BatchWriteResult(updated_ids=tuple(updated), failures=tuple(failures))

    def _update_chunk(self, chunk: Sequence[ContactUpdate], updated: list[str],
                      failures: list[BatchFailure]) -> None:
        request = BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=u.id, properties=dict(u.properties))
                    for u in chunk]
        )
        try:
            response = self._call(
                CallKind.BATCH_UPDATE, partial(self._contacts_batch.update, request)
            )
        except ValidationFailed as error:
            if len(chunk) == 1:
                failures.append(BatchFailure((chunk[0].id,), error.message, error.category))
                return
            middle = len(chunk) // 2
            self._update_chunk(chunk[:middle], updated, failures)
            self._update_chunk(chunk[middle:], updated, failures)
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

    def read_associations(self, contact_ids: Sequence[str], to_type: str) -> dict[str, list[str]]:
        """Ids of `to_type` objects (e.g. "calls") associated with each contact.

        v4 batch read, ≤1000 inputs per call; inputs whose associations span several pages
        are re-asked with their `after` cursor until done. Contacts with none map to [].
        """
        unique = list(dict.fromkeys(str(i) for i in contact_ids))
        linked: dict[str, list[str]] = {i: [] for i in unique}
        pending = [PublicFetchAssociationsBatchRequest(id=i) for i in unique]
        while pending:
            next_round: list[PublicFetchAssociationsBatchRequest] = []
            for chunk in _chunks(pending, ASSOCIATIONS_BATCH_LIMIT):
                request = BatchInputPublicFetchAssociationsBatchRequest(inputs=list(chunk))
                body = self._call_json(
                    CallKind.ASSOCIATIONS,
                    partial(self._associations_batch.get_page, CONTACTS, to_type, request),
                )
                for result in body.get("results") or []:
                    source = str(result["from"]["id"])
                    linked.setdefault(source, []).extend(
                        str(target["toObjectId"]) for target in result.get("to") or []
                    )
                    after = next_after(result)
                    if after:
                        next_round.append(
                            PublicFetchAssociationsBatchRequest(id=source, after=after)
                        )
            pending = next_round
        return linked

    def batch_read_engagements(self, kind: str, ids: Sequence[str],
                               properties: Sequence[str]) -> list[EngagementRecord]:
        """Engagement objects of one kind ("call", "email", ...) by id (≤100 per call)."""
        try:
            object_type = ENGAGEMENT_OBJECT_TYPES[kind]
        except KeyError:
            known = ", ".join(ENGAGEMENT_OBJECT_TYPES)
            raise ValueError(f"unknown engagement kind {kind!r}; expected one of {known}") from None
        found: list[EngagementRecord] = []
        for chunk in _chunks(list(dict.fromkeys(str(i) for i in ids)), BATCH_LIMIT):
            request = ObjectsBatchReadInput(
                inputs=[ObjectsId(id=i) for i in chunk],
                properties=list(properties),
                properties_with_history=[],
            )
            body = self._call_json(
                CallKind.ENGAGEMENTS, partial(self._objects_batch.read, object_type, request)
            )
            found.extend(
                EngagementRecord(id=str(r["id"]), kind=kind, properties=properties_of(r))
                for r in body.get("results") or []
            )
        return found

    # ---- properties ----------------------------------------------------------------

    def get_property(self, name: str) -> PropertyDefinition:
        """One contact property's definition (raises `NotFound`)."""
        prop = self._call(
            CallKind.PROPERTIES, partial(self._properties_core.get_by_name, CONTACTS, name)
        )
        return _definition(prop)

    def list_properties(self) -> list[PropertyDefinition]:
        """Every contact property definition of the portal."""
        response = self._call(
            CallKind.PROPERTIES, partial(self._properties_core.get_all, CONTACTS)
        )
        return [_definition(p) for p in response.results or []]

    def create_group(self, group: PropertyGroup) -> None:
        """Create a contact property group (raises `Conflict` if it exists)."""
        request = PropertyGroupCreate(name=group.name, label=group.label,
                                      display_order=group.display_order)
        self._call(CallKind.PROPERTIES,
                   partial(self._properties_groups.create, CONTACTS, request))

    def create_property(self, definition: PropertyDefinition) -> PropertyDefinition:
        """Create a contact property (raises `Conflict` if it exists)."""
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
            CallKind.PROPERTIES, partial(self._properties_core.create, CONTACTS, request)
        )
        return _definition(created)

    def update_property(self, definition: PropertyDefinition) -> PropertyDefinition:
        """PATCH a contact property's label, description, group, field type and options."""
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
            partial(self._properties_core.update, CONTACTS, definition.name, request),
        )
        return _definition(updated)

    def lifecycle_stages(self) -> list[str]:
        """The portal's own lifecycle stage values, in the portal's order."""
        stage = self.get_property("lifecyclestage")
        # Hidden options are still stages (hidden only from forms), so all of them count.
        return [o.value for o in sorted(stage.options, key=lambda o: o.display_order)]

