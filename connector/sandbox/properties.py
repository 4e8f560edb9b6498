"""A portal's property registry for one object type: definitions and groups, mutable via
the Properties API with HubSpot's validation rules."""

from __future__ import annotations

import re
from typing import Any

from connector.sandbox.api_errors import ErrorDetail, HubSpotError
from connector.sandbox.property_catalog import (
    VALID_FIELD_TYPES,
    PropertyDef,
    PropertyGroup,
    PropertyOption,
)
from connector.sandbox.values import iso_from_ms

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_TYPES = frozenset(VALID_FIELD_TYPES)


class PropertyRegistry:
    """Definitions and groups of one object type. Callers hold the portal lock."""

    def __init__(self, defs: tuple[PropertyDef, ...], groups: tuple[PropertyGroup, ...]) -> None:
        self._defs: dict[str, PropertyDef] = {d.name: d for d in defs}
        self._groups: dict[str, PropertyGroup] = {g.name: g for g in groups}
        # Group names that HubSpot-defined properties use but no group lists yet.
        for d in defs:
            self._groups.setdefault(d.group_name, PropertyGroup(d.group_name, d.group_name))

    # ---- reads -----------------------------------------------------------------------------

    def get(self, name: str) -> PropertyDef | None:
        """The live (non-archived) definition of `name`, if any."""
        prop = self._defs.get(name)
        return prop if prop is not None and not prop.archived else None

    def get_any(self, name: str) -> PropertyDef | None:
        """The definition of `name`, archived or not."""
        return self._defs.get(name)

    def all(self, archived: bool = False) -> list[PropertyDef]:
        """Every definition, live ones or (with `archived`) only archived ones."""
        return [d for d in self._defs.values() if d.archived == archived]

    def names(self) -> frozenset[str]:
        """Names of every live property."""
        return frozenset(d.name for d in self._defs.values() if not d.archived)

    def groups(self) -> list[PropertyGroup]:
        """Every live group."""
        return [g for g in self._groups.values() if not g.archived]

    def group(self, name: str) -> PropertyGroup | None:
        """A live group by name."""
        group = self._groups.get(name)
        return group if group is not None and not group.archived else None

    # ---- writes ----------------------------------------------------------------------------

    def create(self, body: Any, now_ms: int) -> PropertyDef:
        """Create a custom property from a PropertyCreate JSON body (400 / 409 on error)."""
        if not isinstance(body, dict):
            raise HubSpotError.validation("Invalid input JSON: expected a property object.")
        missing = [
            f for f in ("name", "label", "type", "fieldType", "groupName") if not body.get(f)
        ]
        if missing:
            raise HubSpotError.validation(
                f"Missing required field(s): {', '.join(missing)}.",
                *(
                    ErrorDetail(f"{f} is required", "REQUIRED_FIELD", {"field": [f]})
                    for f in missing
                ),
            )
        name = str(body["name"])
        if not _NAME.match(name):
            raise HubSpotError.validation(
                f"Property name '{name}' is invalid: use lowercase letters, digits and underscores,"
                " starting with a letter."
            )
        existing = self._defs.get(name)
        if existing is not None and not existing.archived:
            raise HubSpotError(
                409, "OBJECT_ALREADY_EXISTS", f"Property named '{name}' already exists."
            )
        type_, field_type = str(body["type"]), str(body["fieldType"])
        self._check_types(type_, field_type)
        group = str(body["groupName"])
        if self.group(group) is None:
            raise HubSpotError.validation(f"Property group '{group}' does not exist.")
        options = self._parse_options(type_, body.get("options"), required=True)
        stamp = iso_from_ms(now_ms)
        prop = PropertyDef(
            name=name,
            label=str(body["label"]),
            type=type_,  # type: ignore[arg-type]  # checked by _check_types
            field_type=field_type,
            group_name=group,
            description=str(body.get("description") or ""),
            options=options,
            display_order=int(body.get("displayOrder", -1)),
            has_unique_value=bool(body.get("hasUniqueValue", False)),
            hidden=bool(body.get("hidden", False)),
            form_field=bool(body.get("formField", False)),
            created_at=stamp,
            updated_at=stamp,
        )
        self._defs[name] = prop
        return prop

    def update(self, name: str, body: Any, now_ms: int) -> PropertyDef:
        """PATCH a property. HubSpot-defined ones only accept new options and labels."""
        prop = self.get(name)
        if prop is None:
            raise HubSpotError.not_found(f"Unable to find property {name}.")
        if not isinstance(body, dict):
            raise HubSpotError.validation("Invalid input JSON: expected a property object.")
        if prop.hubspot_defined and set(body) - {"options", "label"}:
            raise HubSpotError.validation(
                f"The property {name} is a HubSpot-defined property: only its options can change."
            )
        type_ = str(body.get("type", prop.type))
        field_type = str(body.get("fieldType", prop.field_type))
        self._check_types(type_, field_type)
        group = str(body.get("groupName", prop.group_name))
        if self.group(group) is None:
            raise HubSpotError.validation(f"Property group '{group}' does not exist.")
        options = prop.options
        if "options" in body:
            options = self._parse_options(type_, body["options"], required=True)
        elif type_ == "enumeration" and not options:
            raise HubSpotError.validation("Enumeration properties need at least one option.")
        updated = prop.with_changes(
            label=str(body.get("label", prop.label)),
            type=type_,
            field_type=field_type,
            group_name=group,
            description=str(body.get("description", prop.description) or ""),
            options=options,
            display_order=int(body.get("displayOrder", prop.display_order)),
            hidden=bool(body.get("hidden", prop.hidden)),
            form_field=bool(body.get("formField", prop.form_field)),
            updated_at=iso_from_ms(now_ms),
        )
        self._defs[name] = updated
        return updated

    def archive(self, name: str) -> None:
        """DELETE a custom property (archive it). HubSpot's own cannot be deleted."""
        prop = self.get(name)
        if prop is None:
            raise HubSpotError.not_found(f"Unable to find property {name}.")
        if prop.hubspot_defined:
            raise HubSpotError.validation(
                f"The property {name} is HubSpot-defined and cannot be deleted."
            )
        self._defs[name] = prop.with_changes(archived=True)

    def create_group(self, body: Any) -> PropertyGroup:
        """Create a property group (409 if the name is taken)."""
        if not isinstance(body, dict) or not body.get("name") or not body.get("label"):
            raise HubSpotError.validation("A property group needs a name and a label.")
        name = str(body["name"])
        if not _NAME.match(name):
            raise HubSpotError.validation(f"Property group name '{name}' is invalid.")
        if self.group(name) is not None:
            raise HubSpotError(
                409, "OBJECT_ALREADY_EXISTS", f"A property group named '{name}' already exists."
            )
        group = PropertyGroup(name, str(body["label"]), int(body.get("displayOrder", -1)))
        self._groups[name] = group
        return group

    # ---- validation ------------------------------------------------------------------------

    @staticmethod
    def _check_types(type_: str, field_type: str) -> None:
        if type_ not in _TYPES:
            raise HubSpotError.validation(
                f"Invalid type '{type_}': expected one of {sorted(_TYPES)}."
            )
        if field_type not in VALID_FIELD_TYPES[type_]:
            allowed = sorted(VALID_FIELD_TYPES[type_])
            raise HubSpotError.validation(
                f"fieldType '{field_type}' is not valid for type '{type_}': "
                f"expected one of {allowed}."
            )

    @staticmethod
    def _parse_options(type_: str, raw: Any, *, required: bool) -> tuple[PropertyOption, ...]:
        if type_ == "bool" and not raw:
            return (PropertyOption("Yes", "true", 0), PropertyOption("No", "false", 1))
        if type_ != "enumeration":
            return ()
        if not isinstance(raw, list) or (required and not raw):
            raise HubSpotError.validation("Enumeration properties need at least one option.")
        options: list[PropertyOption] = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or "label" not in item or "value" not in item:
                raise HubSpotError.validation(f"Option {i} needs a label and a value.")
            value = str(item["value"])
            if value in seen:
                raise HubSpotError.validation(f"Duplicate option value '{value}'.")
            seen.add(value)
            options.append(
                PropertyOption(
                    label=str(item["label"]),
                    value=value,
                    display_order=int(item.get("displayOrder", i)),
                    hidden=bool(item.get("hidden", False)),
                    description=str(item.get("description") or ""),
                )
            )
        return tuple(options)
