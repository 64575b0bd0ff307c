"""The Jamf Pro API request bodies the simulator accepts, field by field.

Jamf Pro rejects a POST/PUT body with an unknown property, a wrong type, a missing required
property or a value outside an enum with a 400 ApiError; so does the simulator, from these
tables.  They are hand-kept (the simulator must not need PyYAML at run time) and a contract
test proves each one equals the request schema in Jamf's vendored OpenAPI files: same
properties, same required set, same enums.  Names longer than 255 characters are rejected
(Jamf's columns are VARCHAR(255)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .messages import fail

MAX_NAME = 255


@dataclass(frozen=True)
class F:
    type: str  # "string" | "integer" | "boolean" | "array" | "object"
    required: bool = False
    enum: tuple[str, ...] | None = None
    nullable: bool = False
    items: F | None = None
    fields: dict[str, F] | None = None
    max_length: int | None = None
    minimum: int | None = None
    min_items: int | None = None
    unique: bool = False


def _s(**kw: Any) -> F:
    return F("string", **kw)


_NAME = _s(required=True, max_length=MAX_NAME)

API_ROLE = {"displayName": _NAME, "privileges": F("array", required=True, items=_s())}
API_INTEGRATION = {
    "authorizationScopes": F("array", required=True, items=_s()),
    "displayName": _NAME,
    "enabled": F("boolean"),
    "accessTokenLifetimeSeconds": F("integer"),
}
SCRIPT = {
    "id": _s(), "name": _NAME, "info": _s(), "notes": _s(),
    "priority": _s(enum=("BEFORE", "AFTER", "AT_REBOOT")),
    "categoryId": _s(), "categoryName": _s(),
    **{f"parameter{n}": _s() for n in range(4, 12)},
    "osRequirements": _s(), "scriptContents": _s(),
}
CATEGORY = {"id": _s(), "name": _NAME, "priority": F("integer", required=True)}
EXTENSION_ATTRIBUTE = {
    "id": _s(), "name": _NAME, "description": _s(),
    "dataType": _s(required=True, enum=("INTEGER", "STRING", "DATE")),
    "enabled": F("boolean"),
    "inventoryDisplayType": _s(required=True, enum=("GENERAL", "HARDWARE", "OPERATING_SYSTEM", "USER_AND_LOCATION",
                                                    "PURCHASING", "EXTENSION_ATTRIBUTES")),
    "inputType": _s(required=True, enum=("SCRIPT", "TEXT", "POPUP", "DIRECTORY_SERVICE_ATTRIBUTE_MAPPING")),
    "scriptContents": _s(nullable=True),
    "popupMenuChoices": F("array", items=_s()),
    "ldapAttributeMapping": _s(),
    "ldapExtensionAttributeAllowed": F("boolean"),
    "manageExistingData": _s(enum=("RETAIN", "DELETE")),
}
FEATURE_TOGGLE = {
    "toggle": F("boolean", required=True),
    "forceInstallLocalDateEnabled": F("boolean"), "dssEnabled": F("boolean"),
    "recipeEnabled": F("boolean"), "customVersionEnabled": F("boolean"),
}
UPDATE_ACTIONS = ("DOWNLOAD_ONLY", "DOWNLOAD_INSTALL", "DOWNLOAD_INSTALL_ALLOW_DEFERRAL", "DOWNLOAD_INSTALL_RESTART",
                  "DOWNLOAD_INSTALL_SCHEDULE", "UNKNOWN")
VERSION_TYPES = ("LATEST_MAJOR", "LATEST_MINOR", "LATEST_ANY", "SPECIFIC_VERSION", "CUSTOM_VERSION", "UNKNOWN")
OBJECT_TYPES = ("COMPUTER", "MOBILE_DEVICE", "APPLE_TV")
PLAN_POST = {
    "devices": F("array", required=True, min_items=1, unique=True, items=F("object", fields={
        "deviceId": _s(required=True, max_length=None), "objectType": _s(required=True, enum=OBJECT_TYPES),
    })),
    "config": F("object", required=True, fields={
        "updateAction": _s(required=True, enum=UPDATE_ACTIONS),
        "versionType": _s(required=True, enum=VERSION_TYPES),
        "specificVersion": _s(), "buildVersion": _s(nullable=True),
        "maxDeferrals": F("integer", minimum=0), "forceInstallLocalDateTime": _s(nullable=True),
    }),
}
SEND_UPDATES = {
    "deviceIds": F("array", items=_s()), "groupId": _s(), "maxDeferrals": F("integer", minimum=0),
    "version": _s(), "skipVersionVerification": F("boolean"), "applyMajorUpdate": F("boolean"),
    "updateAction": _s(enum=("DOWNLOAD_AND_INSTALL", "DOWNLOAD_ONLY")), "forceRestart": F("boolean"),
    "priority": _s(enum=("HIGH", "LOW")),
}
# Not in the vendored specs: from Jamf's API reference page post_v2-mdm-blank-push (ASSUMPTIONS.md).
BLANK_PUSH = {"clientManagementIds": F("array", required=True, min_items=1, items=_s())}

# Which schema of the vendored specs each table mirrors (file, schema name) — for the contract test.
MIRRORS: dict[str, tuple[dict[str, F], str, str]] = {
    "API_ROLE": (API_ROLE, "ApiRoles.yaml", "ApiRoleRequest"),
    "API_INTEGRATION": (API_INTEGRATION, "ApiIntegrations.yaml", "ApiIntegrationRequest"),
    "SCRIPT": (SCRIPT, "Script.yaml", "Script"),
    "CATEGORY": (CATEGORY, "Category.yaml", "Category"),
    "EXTENSION_ATTRIBUTE": (EXTENSION_ATTRIBUTE, "ComputerExtensionAttribute.yaml", "ComputerExtensionAttributes"),
    "FEATURE_TOGGLE": (FEATURE_TOGGLE, "ManagedSoftwareUpdatesPlans.yaml", "ManagedSoftwareUpdatePlanToggle"),
    "PLAN_POST": (PLAN_POST, "ManagedSoftwareUpdatesPlans.yaml", "ManagedSoftwareUpdatePlanPost"),
    "SEND_UPDATES": (SEND_UPDATES, "MacOsManagedSoftwareUpdates.yaml", "MacOsManagedSoftwareUpdate"),
}

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "boolean": (bool,), "array": (list,), "object": (dict,),
}


def _bad(field: str, description: str) -> Exception:
    return fail(400, "INVALID_FIELD", description, field=field or None)


def _check_value(value: Any, spec: F, where: str) -> None:
    if value is None:
        if spec.nullable:
            return
        raise _bad(where, f"{where} must not be null")
    expected = _PY_TYPES[spec.type]
    if not isinstance(value, expected) or (spec.type == "integer" and isinstance(value, bool)):
        raise _bad(where, f"{where} must be of type {spec.type}")
    if spec.enum is not None and value not in spec.enum:
        raise _bad(where, f"{where} must be one of {', '.join(spec.enum)}")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise _bad(where, f"{where} must be at most {spec.max_length} characters")
    if spec.minimum is not None and value < spec.minimum:
        raise _bad(where, f"{where} must be at least {spec.minimum}")
    if spec.type == "array":
        if spec.min_items is not None and len(value) < spec.min_items:
            raise _bad(where, f"{where} must have at least {spec.min_items} item(s)")
        if spec.unique:
            seen = [repr(sorted(v.items())) if isinstance(v, dict) else repr(v) for v in value]
            if len(set(seen)) != len(seen):
                raise _bad(where, f"{where} must not contain duplicate items")
        if spec.items is not None:
            for i, item in enumerate(value):
                _check_value(item, spec.items, f"{where}[{i}]")
    if spec.type == "object" and spec.fields is not None:
        check_object(value, spec.fields, where + ".")


def check_object(body: Any, table: dict[str, F], prefix: str = "") -> dict[str, Any]:
    """Validate a decoded JSON body against a table; return it, or raise a 400 ``Failure``."""
    if not isinstance(body, dict):
        raise _bad(prefix.rstrip("."), "The request body must be a JSON object")
    for key in body:
        if key not in table:
            raise _bad(prefix + key, f'Unrecognized field "{prefix}{key}"')
    for key, spec in table.items():
        if key not in body:
            if spec.required:
                raise _bad(prefix + key, f"{prefix}{key} is required")
            continue
        _check_value(body[key], spec, prefix + key)
    return body
