"""HubSpot's default contact, company, deal and engagement property definitions, as a
portal starts with them.

Only definitions live here (no state): `PropertyDef` / `PropertyGroup` and the default
catalogue. `properties.py` holds a portal's mutable registry built from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from connector.sandbox.pipelines import DEAL_PIPELINES
from connector.sandbox.vocabulary import INDUSTRY_OPTIONS

PropertyType = Literal["string", "number", "date", "datetime", "enumeration", "bool"]

# HubSpot's accepted (type, fieldType) pairs for custom properties.
VALID_FIELD_TYPES: dict[str, frozenset[str]] = {
    "number": frozenset({"number"}),
    "string": frozenset({"text", "textarea"}),
    "enumeration": frozenset({"select", "radio", "checkbox", "booleancheckbox"}),
    "datetime": frozenset({"date"}),
    "date": frozenset({"date"}),
    "bool": frozenset({"booleancheckbox"}),
}

LIFECYCLE_STAGES: tuple[tuple[str, str], ...] = (
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
)

# A fixed instant for "when HubSpot defined its own properties" so responses are stable.
_HUBSPOT_EPOCH = "2019-08-06T02:43:01.320Z"


@dataclass(frozen=True)
class PropertyOption:
    """One value of an enumeration property."""

    label: str
    value: str
    display_order: int = 0
    hidden: bool = False
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        """HubSpot's option shape."""
        return {
            "label": self.label,
            "value": self.value,
            "description": self.description,
            "displayOrder": self.display_order,
            "hidden": self.hidden,
        }


@dataclass(frozen=True)
class PropertyDef:
    """A property definition as HubSpot's Properties API describes it."""

    name: str
    label: str
    type: PropertyType
    field_type: str
    group_name: str
    description: str = ""
    options: tuple[PropertyOption, ...] = ()
    display_order: int = -1
    hubspot_defined: bool = False
    read_only_value: bool = False  # HubSpot calculates it: writes are rejected
    calculated: bool = False
    has_unique_value: bool = False
    hidden: bool = False
    form_field: bool = False
    archived: bool = False
    created_at: str = _HUBSPOT_EPOCH
    updated_at: str = _HUBSPOT_EPOCH
    option_values: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "option_values", frozenset(o.value for o in self.options))

    def with_changes(self, **changes: Any) -> PropertyDef:
        """A copy with some fields replaced (option_values is recomputed)."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """HubSpot's Property shape (what the SDK's `Property` model deserialises)."""
        body: dict[str, Any] = {
            "updatedAt": self.updated_at,
            "createdAt": self.created_at,
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group_name,
            "options": [o.to_json() for o in self.options],
            "displayOrder": self.display_order,
            "calculated": self.calculated,
            "externalOptions": False,
            "hasUniqueValue": self.has_unique_value,
            "hidden": self.hidden,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only_value,
            },
            "formField": self.form_field,
            "archived": self.archived,
        }
        return body


@dataclass(frozen=True)
class PropertyGroup:
    """A property group (HubSpot's PropertyGroup shape)."""

    name: str
    label: str
    display_order: int = -1
    archived: bool = False

    def to_json(self) -> dict[str, Any]:
        """HubSpot's group shape."""
        return {
            "name": self.name,
            "label": self.label,
            "displayOrder": self.display_order,
            "archived": self.archived,
        }


def _opts(*pairs: tuple[str, str]) -> tuple[PropertyOption, ...]:
    return tuple(PropertyOption(label, value, i) for i, (value, label) in enumerate(pairs))


_BOOL_OPTIONS = _opts(("true", "Yes"), ("false", "No"))


def _hs(
    name: str,
    label: str,
    type_: PropertyType,
    field_type: str,
    group: str,
    *,
    read_only: bool = False,
    options: tuple[PropertyOption, ...] = (),
    unique: bool = False,
) -> PropertyDef:
    return PropertyDef(
        name=name,
        label=label,
        type=type_,
        field_type=field_type,
        group_name=group,
        options=options,
        hubspot_defined=True,
        read_only_value=read_only,
        calculated=read_only,
        has_unique_value=unique,
        form_field=not read_only and type_ in ("string", "enumeration"),
    )


def _ro_number(name: str, label: str, group: str) -> PropertyDef:
    return _hs(name, label, "number", "number", group, read_only=True)


def _ro_datetime(name: str, label: str, group: str) -> PropertyDef:
    return _hs(name, label, "datetime", "date", group, read_only=True)


def _text(name: str, label: str, group: str = "contactinformation") -> PropertyDef:
    return _hs(name, label, "string", "text", group)


BUYING_ROLES: tuple[tuple[str, str], ...] = (
    ("BLOCKER", "Blocker"),
    ("BUDGET_HOLDER", "Budget Holder"),
    ("CHAMPION", "Champion"),
    ("DECISION_MAKER", "Decision Maker"),
    ("END_USER", "End User"),
    ("EXECUTIVE_SPONSOR", "Executive Sponsor"),
    ("INFLUENCER", "Influencer"),
    ("LEGAL_AND_COMPLIANCE", "Legal and Compliance"),
    ("OTHER", "Other"),
)
"""`hs_buying_role` (a HubSpot-defined multiple checkbox): value → label."""

BUDGET_CONFIRMED_PROPERTY = PropertyDef(
    name="budget_confirmed",
    label="Budget confirmed",
    type="bool",
    field_type="booleancheckbox",
    group_name="sales_properties",
    description="Sales confirmed the buyer has budget (set on the discovery call).",
    options=_BOOL_OPTIONS,
    form_field=False,
)
"""A custom property of the generated portals' sales team (not HubSpot-defined)."""

LIFECYCLE_PROPERTY = _hs(
    "lifecyclestage",
    "Lifecycle Stage",
    "enumeration",
    "radio",
    "contactinformation",
    options=_opts(*LIFECYCLE_STAGES),
)

CONTACT_GROUPS: tuple[PropertyGroup, ...] = (
    PropertyGroup("contactinformation", "Contact information", 0),
    PropertyGroup("emailinformation", "Email information", 1),
    PropertyGroup("analyticsinformation", "Web analytics history", 2),
    PropertyGroup("conversioninformation", "Conversion information", 3),
    PropertyGroup("sales_properties", "Sales properties", 4),
    PropertyGroup("contact_activity", "Contact activity", 5),
    PropertyGroup("deal_information", "Deal information", 6),
)

CONTACT_PROPERTIES: tuple[PropertyDef, ...] = (
    _ro_datetime("createdate", "Create Date", "contactinformation"),
    _ro_datetime("lastmodifieddate", "Last Modified Date", "contactinformation"),
    _ro_number("hs_object_id", "Record ID", "contactinformation"),
    _hs("email", "Email", "string", "text", "contactinformation", unique=True),
    _text("firstname", "First Name"),
    _text("lastname", "Last Name"),
    _text("phone", "Phone Number"),
    _text("mobilephone", "Mobile Phone Number"),
    _text("company", "Company Name"),
    _text("jobtitle", "Job Title"),
    _text("website", "Website URL"),
    _text("address", "Street Address"),
    _text("city", "City"),
    _text("state", "State/Region"),
    _text("zip", "Postal Code"),
    _text("country", "Country/Region"),
    _text("industry", "Industry"),
    _hs("annualrevenue", "Annual Revenue", "number", "number", "contactinformation"),
    _text("hs_language", "Preferred language"),
    _hs("message", "Message", "string", "textarea", "contactinformation"),
    _hs(
        "numemployees",
        "Number of Employees",
        "enumeration",
        "select",
        "contactinformation",
        options=_opts(
            ("1-5", "1-5"),
            ("5-25", "5-25"),
            ("25-50", "25-50"),
            ("50-100", "50-100"),
            ("100-500", "100-500"),
            ("500-1000", "500-1000"),
            ("1000+", "1000+"),
        ),
    ),
    LIFECYCLE_PROPERTY,
    _hs(
        "hs_lead_status",
        "Lead Status",
        "enumeration",
        "radio",
        "sales_properties",
        options=_opts(
            ("NEW", "New"),
            ("OPEN", "Open"),
            ("IN_PROGRESS", "In Progress"),
            ("OPEN_DEAL", "Open Deal"),
            ("UNQUALIFIED", "Unqualified"),
            ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
            ("CONNECTED", "Connected"),
            ("BAD_TIMING", "Bad Timing"),
        ),
    ),
    _hs(
        "hs_persona",
        "Persona",
        "enumeration",
        "radio",
        "contactinformation",
        options=_opts(
            ("persona_1", "Decision maker"), ("persona_2", "Influencer"), ("persona_3", "End user")
        ),
    ),
    _hs("hubspot_owner_id", "Contact owner", "enumeration", "select", "sales_properties"),
    _hs(
        "hs_analytics_source",
        "Original Source",
        "enumeration",
        "select",
        "analyticsinformation",
        read_only=True,
        options=_opts(
            ("ORGANIC_SEARCH", "Organic Search"),
            ("PAID_SEARCH", "Paid Search"),
            ("EMAIL_MARKETING", "Email Marketing"),
            ("SOCIAL_MEDIA", "Organic Social"),
            ("REFERRALS", "Referrals"),
            ("OTHER_CAMPAIGNS", "Other Campaigns"),
            ("DIRECT_TRAFFIC", "Direct Traffic"),
            ("OFFLINE", "Offline Sources"),
            ("PAID_SOCIAL", "Paid Social"),
            ("AI_REFERRALS", "AI Referrals"),
        ),
    ),
    _hs(
        "hs_latest_source",
        "Latest Traffic Source",
        "enumeration",
        "select",
        "analyticsinformation",
        read_only=True,
        options=_opts(
            ("ORGANIC_SEARCH", "Organic Search"),
            ("PAID_SEARCH", "Paid Search"),
            ("EMAIL_MARKETING", "Email Marketing"),
            ("SOCIAL_MEDIA", "Organic Social"),
            ("REFERRALS", "Referrals"),
            ("OTHER_CAMPAIGNS", "Other Campaigns"),
            ("DIRECT_TRAFFIC", "Direct Traffic"),
            ("OFFLINE", "Offline Sources"),
            ("PAID_SOCIAL", "Paid Social"),
            ("AI_REFERRALS", "AI Referrals"),
        ),
    ),
    _ro_number("hs_analytics_num_page_views", "Number of Pageviews", "analyticsinformation"),
    _ro_number("hs_analytics_num_visits", "Number of Sessions", "analyticsinformation"),
    _ro_number(
        "hs_analytics_num_event_completions", "Number of event completions", "analyticsinformation"
    ),
    _ro_datetime("hs_analytics_first_timestamp", "Time First Seen", "analyticsinformation"),
    _ro_datetime(
        "hs_analytics_last_visit_timestamp", "Time of Last Session", "analyticsinformation"
    ),
    _ro_datetime(
        "hs_analytics_first_visit_timestamp", "Time of First Session", "analyticsinformation"
    ),
    _ro_number("num_conversion_events", "Number of Form Submissions", "conversioninformation"),
    _ro_number(
        "num_unique_conversion_events", "Number of Unique Forms Submitted", "conversioninformation"
    ),
    _hs(
        "recent_conversion_event_name",
        "Recent Conversion",
        "string",
        "text",
        "conversioninformation",
        read_only=True,
    ),
    _ro_datetime("recent_conversion_date", "Recent Conversion Date", "conversioninformation"),
    _hs(
        "first_conversion_event_name",
        "First Conversion",
        "string",
        "text",
        "conversioninformation",
        read_only=True,
    ),
    _ro_datetime("first_conversion_date", "First Conversion Date", "conversioninformation"),
    _ro_number("hs_email_open", "Marketing emails opened", "emailinformation"),
    _ro_number("hs_email_click", "Marketing emails clicked", "emailinformation"),
    _ro_number("hs_email_bounce", "Marketing emails bounced", "emailinformation"),
    _ro_number("hs_email_delivered", "Marketing emails delivered", "emailinformation"),
    _ro_number("hs_email_replied", "Marketing emails replied", "emailinformation"),
    _hs(
        "hs_email_optout",
        "Unsubscribed from all email",
        "enumeration",
        "booleancheckbox",
        "emailinformation",
        read_only=True,
        options=_BOOL_OPTIONS,
    ),
    _hs(
        "hs_email_bad_address",
        "Invalid email address",
        "bool",
        "booleancheckbox",
        "emailinformation",
        read_only=True,
        options=_BOOL_OPTIONS,
    ),
    _ro_datetime("hs_email_last_open_date", "Last marketing email open date", "emailinformation"),
    _ro_datetime("hs_email_last_click_date", "Last marketing email click date", "emailinformation"),
    _ro_datetime("hs_email_last_send_date", "Last marketing email send date", "emailinformation"),
    _ro_datetime(
        "hs_sales_email_last_replied", "Recent Sales Email Replied Date", "sales_properties"
    ),
    _ro_datetime("hs_sales_email_last_opened", "Last sales email opened date", "sales_properties"),
    _ro_datetime("hs_last_sales_activity_timestamp", "Last Engagement Date", "sales_properties"),
    _ro_datetime("notes_last_contacted", "Last Contacted", "contact_activity"),
    _ro_datetime("notes_last_updated", "Last Activity Date", "contact_activity"),
    _ro_datetime("notes_next_activity_date", "Next Activity Date", "contact_activity"),
    _ro_number("num_contacted_notes", "Number of times contacted", "contact_activity"),
    _ro_number("num_notes", "Number of Sales Activities", "contact_activity"),
    _ro_datetime(
        "engagements_last_meeting_booked",
        "Date of last meeting booked in meetings tool",
        "contact_activity",
    ),
    _ro_number("num_associated_deals", "Number of Associated Deals", "deal_information"),
    _ro_datetime(
        "hs_lifecyclestage_subscriber_date", "Date entered 'Subscriber'", "contactinformation"
    ),
    _ro_datetime("hs_lifecyclestage_lead_date", "Date entered 'Lead'", "contactinformation"),
    _ro_datetime(
        "hs_lifecyclestage_marketingqualifiedlead_date",
        "Date entered 'Marketing Qualified Lead'",
        "contactinformation",
    ),
    _ro_datetime(
        "hs_lifecyclestage_salesqualifiedlead_date",
        "Date entered 'Sales Qualified Lead'",
        "contactinformation",
    ),
    _ro_datetime(
        "hs_lifecyclestage_opportunity_date", "Date entered 'Opportunity'", "contactinformation"
    ),
    _ro_datetime(
        "hs_lifecyclestage_customer_date", "Date entered 'Customer'", "contactinformation"
    ),
    _ro_datetime(
        "hs_lifecyclestage_evangelist_date", "Date entered 'Evangelist'", "contactinformation"
    ),
    _ro_datetime("hs_lifecyclestage_other_date", "Date entered 'Other'", "contactinformation"),
    *(
        _ro_datetime(
            f"hs_v2_date_{way}_{stage}",
            f'Date {way} "{label} (Lifecycle Stage Pipeline)"',
            "contactinformation",
        )
        for stage, label in LIFECYCLE_STAGES
        for way in ("entered", "exited")
    ),
    _hs(
        "hs_buying_role",
        "Buying Role",
        "enumeration",
        "checkbox",
        "sales_properties",
        options=_opts(*BUYING_ROLES),
    ),
    BUDGET_CONFIRMED_PROPERTY,
    _ro_datetime("hs_lastmodifieddate", "Object last modified date/time", "contactinformation"),
    _ro_datetime("hs_createdate", "Object create date/time", "contactinformation"),
    _ro_datetime("closedate", "Close Date", "sales_properties"),
)

# Engagement objects: the fields a connector reads. All are API-writable in HubSpot.
ENGAGEMENT_PROPERTIES: dict[str, tuple[PropertyDef, ...]] = {
    "calls": (
        _hs("hs_call_title", "Call Title", "string", "text", "call"),
        _hs("hs_call_body", "Call notes", "string", "textarea", "call"),
        _hs(
            "hs_call_status",
            "Call status",
            "enumeration",
            "select",
            "call",
            options=_opts(
                ("COMPLETED", "Completed"),
                ("BUSY", "Busy"),
                ("NO_ANSWER", "No answer"),
                ("FAILED", "Failed"),
                ("CANCELED", "Canceled"),
                ("IN_PROGRESS", "In progress"),
                ("QUEUED", "Queued"),
                ("RINGING", "Ringing"),
                ("CONNECTING", "Connecting"),
            ),
        ),
        _hs("hs_call_duration", "Call duration (ms)", "number", "number", "call"),
        _hs(
            "hs_call_direction",
            "Call direction",
            "enumeration",
            "select",
            "call",
            options=_opts(("INBOUND", "Inbound"), ("OUTBOUND", "Outbound")),
        ),
        _hs("hs_call_disposition", "Call outcome", "string", "text", "call"),
    ),
    "emails": (
        _hs("hs_email_subject", "Email subject", "string", "text", "email"),
        _hs("hs_email_text", "Email body", "string", "textarea", "email"),
        _hs(
            "hs_email_direction",
            "Email direction",
            "enumeration",
            "select",
            "email",
            options=_opts(
                ("EMAIL", "Logged/sent email"),
                ("INCOMING_EMAIL", "Reply"),
                ("FORWARDED_EMAIL", "Forwarded"),
            ),
        ),
        _hs(
            "hs_email_status",
            "Email send status",
            "enumeration",
            "select",
            "email",
            options=_opts(
                ("SENT", "Sent"),
                ("BOUNCED", "Bounced"),
                ("FAILED", "Failed"),
                ("SCHEDULED", "Scheduled"),
                ("SENDING", "Sending"),
            ),
        ),
    ),
    "meetings": (
        _hs("hs_meeting_title", "Meeting name", "string", "text", "meeting"),
        _hs("hs_meeting_body", "Meeting description", "string", "textarea", "meeting"),
        _hs("hs_meeting_start_time", "Start time", "datetime", "date", "meeting"),
        _hs("hs_meeting_end_time", "End time", "datetime", "date", "meeting"),
        _hs(
            "hs_meeting_outcome",
            "Meeting outcome",
            "enumeration",
            "select",
            "meeting",
            options=_opts(
                ("SCHEDULED", "Scheduled"),
                ("COMPLETED", "Completed"),
                ("RESCHEDULED", "Rescheduled"),
                ("NO_SHOW", "No show"),
                ("CANCELED", "Canceled"),
            ),
        ),
    ),
    "notes": (_hs("hs_note_body", "Note body", "string", "textarea", "note"),),
    "tasks": (
        _hs("hs_task_subject", "Task title", "string", "text", "task"),
        _hs("hs_task_body", "Task notes", "string", "textarea", "task"),
        _hs(
            "hs_task_status",
            "Task status",
            "enumeration",
            "select",
            "task",
            options=_opts(
                ("NOT_STARTED", "Not started"),
                ("IN_PROGRESS", "In progress"),
                ("WAITING", "Waiting"),
                ("COMPLETED", "Completed"),
                ("DEFERRED", "Deferred"),
            ),
        ),
        _hs(
            "hs_task_priority",
            "Priority",
            "enumeration",
            "select",
            "task",
            options=_opts(("NONE", "None"), ("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High")),
        ),
        _hs(
            "hs_task_type",
            "Task type",
            "enumeration",
            "select",
            "task",
            options=_opts(("CALL", "Call"), ("EMAIL", "Email"), ("TODO", "To-do")),
        ),
    ),
}

# Every engagement carries these, whatever its type.
ENGAGEMENT_COMMON: tuple[PropertyDef, ...] = (
    _hs("hs_timestamp", "Activity date", "datetime", "date", "engagement"),
    _hs("hubspot_owner_id", "Activity assigned to", "enumeration", "select", "engagement"),
    _ro_datetime("hs_createdate", "Create date", "engagement"),
    _ro_datetime("hs_lastmodifieddate", "Last modified date", "engagement"),
    _ro_number("hs_object_id", "Record ID", "engagement"),
)


COMPANY_GROUPS: tuple[PropertyGroup, ...] = (
    PropertyGroup("companyinformation", "Company information", 0),
    PropertyGroup("company_activity", "Company activity", 1),
    PropertyGroup("deal_information", "Deal information", 2),
    PropertyGroup("analyticsinformation", "Web analytics history", 3),
)

_COMPANY = "companyinformation"
COMPANY_PROPERTIES: tuple[PropertyDef, ...] = (
    _ro_datetime("createdate", "Create Date", _COMPANY),
    _ro_datetime("hs_lastmodifieddate", "Last Modified Date", _COMPANY),
    _ro_number("hs_object_id", "Record ID", _COMPANY),
    _text("name", "Company name", _COMPANY),
    _text("domain", "Company Domain Name", _COMPANY),
    _text("website", "Website URL", _COMPANY),
    _text("phone", "Phone Number", _COMPANY),
    _text("address", "Street Address", _COMPANY),
    _text("city", "City", _COMPANY),
    _text("state", "State/Region", _COMPANY),
    _text("zip", "Postal Code", _COMPANY),
    _text("country", "Country/Region", _COMPANY),
    _text("founded_year", "Year Founded", _COMPANY),
    _hs("description", "Description", "string", "textarea", _COMPANY),
    _hs(
        "industry",
        "Industry",
        "enumeration",
        "select",
        _COMPANY,
        options=_opts(*((v, v.replace("_", " ").title()) for v in INDUSTRY_OPTIONS)),
    ),
    _hs("numberofemployees", "Number of Employees", "number", "number", _COMPANY),
    _hs("annualrevenue", "Annual Revenue", "number", "number", _COMPANY),
    _hs(
        "type",
        "Type",
        "enumeration",
        "select",
        _COMPANY,
        options=_opts(
            ("PROSPECT", "Prospect"),
            ("PARTNER", "Partner"),
            ("RESELLER", "Reseller"),
            ("VENDOR", "Vendor"),
            ("OTHER", "Other"),
        ),
    ),
    LIFECYCLE_PROPERTY.with_changes(group_name=_COMPANY),
    _hs("hubspot_owner_id", "Company owner", "enumeration", "select", _COMPANY),
    _hs(
        "hs_is_target_account",
        "Target Account",
        "bool",
        "booleancheckbox",
        _COMPANY,
        options=_BOOL_OPTIONS,
    ),
    _ro_number("num_associated_contacts", "Number of Associated Contacts", _COMPANY),
    _ro_number("num_associated_deals", "Number of Associated Deals", "deal_information"),
    _ro_number("hs_num_open_deals", "Number of open deals", "deal_information"),
    _ro_number("total_revenue", "Total Revenue", "deal_information"),
    _ro_number("recent_deal_amount", "Recent Deal Amount", "deal_information"),
    _ro_datetime("recent_deal_close_date", "Recent Deal Close Date", "deal_information"),
    _ro_datetime("first_deal_created_date", "First Deal Created Date", "deal_information"),
    _ro_datetime("first_contact_createdate", "First Contact Create Date", _COMPANY),
    _ro_datetime("notes_last_updated", "Last Activity Date", "company_activity"),
    _ro_datetime("notes_last_contacted", "Last Contacted", "company_activity"),
    _ro_number("num_contacted_notes", "Number of times contacted", "company_activity"),
    _ro_datetime("hs_last_sales_activity_timestamp", "Last Engagement Date", "company_activity"),
    _ro_number("hs_analytics_num_page_views", "Number of Pageviews", "analyticsinformation"),
)

DEAL_GROUPS: tuple[PropertyGroup, ...] = (PropertyGroup("dealinformation", "Deal information", 0),)

_DEAL = "dealinformation"
DEAL_PROPERTIES: tuple[PropertyDef, ...] = (
    _ro_datetime("createdate", "Create Date", _DEAL),
    _ro_datetime("hs_lastmodifieddate", "Last Modified Date", _DEAL),
    _ro_number("hs_object_id", "Record ID", _DEAL),
    _text("dealname", "Deal Name", _DEAL),
    _hs("amount", "Amount", "number", "number", _DEAL),
    _hs(
        "pipeline",
        "Pipeline",
        "enumeration",
        "select",
        _DEAL,
        options=_opts(*((p.id, p.label) for p in DEAL_PIPELINES)),
    ),
    _hs(
        "dealstage",
        "Deal Stage",
        "enumeration",
        "radio",
        _DEAL,
        options=_opts(*((s.id, s.label) for p in DEAL_PIPELINES for s in p.stages)),
    ),
    _hs("closedate", "Close Date", "datetime", "date", _DEAL),
    _hs(
        "dealtype",
        "Deal Type",
        "enumeration",
        "radio",
        _DEAL,
        options=_opts(("newbusiness", "New Business"), ("existingbusiness", "Existing Business")),
    ),
    _hs(
        "hs_priority",
        "Priority",
        "enumeration",
        "select",
        _DEAL,
        options=_opts(("low", "Low"), ("medium", "Medium"), ("high", "High")),
    ),
    _hs("description", "Deal Description", "string", "textarea", _DEAL),
    _hs("closed_lost_reason", "Closed Lost Reason", "string", "textarea", _DEAL),
    _hs("closed_won_reason", "Closed Won Reason", "string", "textarea", _DEAL),
    _hs("hubspot_owner_id", "Deal owner", "enumeration", "select", _DEAL),
    _hs(
        "hs_is_closed",
        "Is Deal Closed?",
        "bool",
        "booleancheckbox",
        _DEAL,
        read_only=True,
        options=_BOOL_OPTIONS,
    ),
    _hs(
        "hs_is_closed_won",
        "Is Closed Won",
        "bool",
        "booleancheckbox",
        _DEAL,
        read_only=True,
        options=_BOOL_OPTIONS,
    ),
    _hs(
        "hs_is_closed_lost",
        "Is Closed Lost",
        "bool",
        "booleancheckbox",
        _DEAL,
        read_only=True,
        options=_BOOL_OPTIONS,
    ),
    _ro_number("hs_deal_stage_probability", "Deal probability", _DEAL),
    _ro_number("num_associated_contacts", "Number of Associated Contacts", _DEAL),
)
