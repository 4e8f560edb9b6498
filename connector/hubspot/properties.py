"""The contact properties the connector writes, as plain definitions (no I/O).

One group, `leadscore` ("Lead scoring"). The default model's properties are
`leadscore_<field>`; any other model gets `leadscore_<model>_<field>`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# Names and tiers are the scoring domain's; this module adds HubSpot's definitions.
from connector.scoring.properties import (
    COMPANY_PROPERTIES,
    DEFAULT_MODEL,
    GRADES,
    TIERS,
    UNSEGMENTED,
    property_names,
)

GROUP_NAME = "leadscore"
GROUP_LABEL = "Lead scoring"

@dataclass(frozen=True)
class PropertyOption:
    """One enumeration option."""

    value: str
    label: str
    hidden: bool = False
    display_order: int = 0


@dataclass(frozen=True)
class PropertyGroup:
    """A property group (where properties show up in HubSpot's UI)."""

    name: str
    label: str
    display_order: int = -1


@dataclass(frozen=True)
class PropertyDefinition:
    """A HubSpot property definition: what provisioning creates and compares."""

    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    description: str = ""
    options: tuple[PropertyOption, ...] = ()


LEADSCORE_GROUP = PropertyGroup(GROUP_NAME, GROUP_LABEL)


def _options(values: Sequence[str]) -> tuple[PropertyOption, ...]:
    return tuple(
        PropertyOption(value=v, label=v.replace("_", " ").capitalize(), display_order=i)
        for i, v in enumerate(values)
    )


def _define(name: str, label: str, type_: str, field_type: str, description: str,
            options: tuple[PropertyOption, ...] = ()) -> PropertyDefinition:
    """A property of the `leadscore` group."""
    return PropertyDefinition(name, label, type_, field_type, GROUP_NAME, description, options)


def model_definitions(model: str, segment_options: Sequence[str] = ()) -> list[PropertyDefinition]:
    """The property definitions of one model (see DESIGN.md's table)."""
    names = property_names(model)
    suffix = "" if model == DEFAULT_MODEL else f" ({model})"

    def define(name: str, label: str, type_: str, field_type: str, description: str,
               options: tuple[PropertyOption, ...] = ()) -> PropertyDefinition:
        return _define(name, label + suffix, type_, field_type, description, options)

    return [
        define(names.score, "Lead score", "number", "number", "Combined lead score, 0-100."),
        define(names.fit, "Lead fit score", "number", "number",
               "Explicit/profile criteria, 0-100."),
        define(names.engagement, "Lead engagement score", "number", "number",
               "Behaviour criteria with decay, 0-100."),
        define(names.likelihood, "Lead likelihood to convert (%)", "number", "number",
               "Calibrated predicted probability to convert, in percent."),
        define(names.tier, "Lead tier", "enumeration", "select",
               "What sales acts on.", _options(TIERS)),
        define(names.reasons, "Lead score reasons", "string", "textarea",
               "Top signed reasons behind the score."),
        define(names.segment, "Lead segment", "enumeration", "select",
               "Segment from segmentation.", _options(segment_options or (UNSEGMENTED,))),
        define(names.scored_at, "Lead scored at", "datetime", "date",
               "When these values were computed."),
        define(names.version, "Lead score version", "string", "text",
               "Scoring config hash and model version that produced the values."),
        define(names.grade, "Lead grade", "enumeration", "select",
               "Fit letter (A best) and engagement digit (1 best), A1 to C3.", _options(GRADES)),
    ]


def all_definitions(models: Sequence[str], segment_options: Sequence[str] = ()
                    ) -> Iterator[PropertyDefinition]:
    """Definitions of every model's properties, models in the given order."""
    for model in dict.fromkeys(models):
        yield from model_definitions(model, segment_options)


def company_definitions() -> list[PropertyDefinition]:
    """The company score's property definitions (on companies, group `leadscore`)."""
    names = COMPANY_PROPERTIES
    return [
        _define(names.score, "Account score", "number", "number",
                "Company fit and its contacts' engagement, 0-100."),
        _define(names.fit, "Account fit score", "number", "number",
                "Fit of the company's own properties, 0-100."),
        _define(names.engagement, "Account engagement score", "number", "number",
                "Engagement rolled up from the company's contacts, 0-100."),
        _define(names.tier, "Account tier", "enumeration", "select",
                "What account-based workflows act on.", _options(TIERS)),
        _define(names.reasons, "Account score reasons", "string", "textarea",
                "Top signed reasons behind the account score."),
        _define(names.engaged_contacts, "Engaged contacts", "number", "number",
                "How many of the company's contacts are engaged."),
        _define(names.scored_at, "Account scored at", "datetime", "date",
                "When these values were computed."),
        _define(names.version, "Account score version", "string", "text",
                "Scoring config hash that produced the values."),
    ]
