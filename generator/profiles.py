"""The configuration profiles and the Jamf custom schema for the agent's managed preferences.

Owns the managed keys the agent reads (``MANAGED_KEYS``), the unsigned ``.mobileconfig``
files (a full one and an ID-only one, both ``com.apple.ManagedClient.preferences`` for the
agent's domain) and the Jamf "Application & Custom Settings → External Applications" JSON
schema.  Payload UUIDs are uuid5 values of the bundle identity, so a re-render never changes
them; credentials are never a managed key (any user could read them in System Settings).
"""

from __future__ import annotations

import plistlib
import uuid
from dataclasses import dataclass
from typing import Any

from .bundle import MDM_FAILOVER_TYPES, BundleSpec

_NAMESPACE = uuid.UUID("6f1d8f5e-3c55-5b8e-9a63-6a0f3f1c2b7d")


@dataclass(frozen=True)
class ManagedKey:
    key: str
    type: str  # "string" | "boolean"
    title: str
    description: str


MANAGED_KEYS: tuple[ManagedKey, ...] = (
    ManagedKey("AuthJamfComputerID", "string", "Jamf Pro computer ID",
               "The computer's Jamf Pro ID for the MDM push workflow. Always $JSSID: Jamf substitutes it."),
    ManagedKey("AuthJamfCustomURL", "string", "Custom Jamf Pro API URL",
               "https:// URL used for Jamf Pro API calls instead of the Jamf client's URL. X disables."),
    ManagedKey("AuthMDMFailoverToUser", "string", "MDM failover to user authentication",
               "Comma-separated failover types (" + ", ".join(MDM_FAILOVER_TYPES) + "), no spaces. X disables."),
    ManagedKey("AuthCredentialFailoverToUser", "boolean", "Credential failover to user",
               "Let the logged-in user authenticate when a managed credential fails validation."),
    ManagedKey("AuthAskUserToSavePassword", "boolean", "Ask the user to save their password",
               "Ask the end user to save their password for later installs (highest-priority method)."),
)


def payload_uuid(spec: BundleSpec, kind: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{spec.domain}:{kind}")).upper()


def managed_settings(spec: BundleSpec) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if spec.profile["computer_id_from_jssid"]:
        settings["AuthJamfComputerID"] = "$JSSID"
    if spec.profile["custom_url"]:
        settings["AuthJamfCustomURL"] = spec.profile["custom_url"]
    if spec.profile["include_failover_keys"]:
        if spec.agent["mdm_failover_to_user"]:
            settings["AuthMDMFailoverToUser"] = ",".join(spec.agent["mdm_failover_to_user"])
        settings["AuthCredentialFailoverToUser"] = spec.agent["credential_failover_to_user"]
    if spec.profile["ask_user_to_save_password"]:
        settings["AuthAskUserToSavePassword"] = True
    return settings


def _mobileconfig(spec: BundleSpec, kind: str, display: str, settings: dict[str, Any]) -> bytes:
    outer_id = f"{spec.domain}.profile.{kind}"
    inner = {
        "PayloadType": "com.apple.ManagedClient.preferences",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{outer_id}.preferences",
        "PayloadUUID": payload_uuid(spec, f"{kind}.preferences"),
        "PayloadEnabled": True,
        "PayloadDisplayName": "Custom Settings",
        "PayloadContent": {spec.domain: {"Forced": [{"mcx_preference_settings": settings}]}},
    }
    outer = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadScope": "System",
        "PayloadIdentifier": outer_id,
        "PayloadUUID": payload_uuid(spec, kind),
        "PayloadDisplayName": display,
        "PayloadOrganization": spec.bundle["name"],
        "PayloadRemovalDisallowed": True,
        "PayloadEnabled": True,
        "PayloadContent": [inner],
    }
    return plistlib.dumps(outer, sort_keys=True)


def full_profile(spec: BundleSpec) -> bytes:
    return _mobileconfig(spec, "settings", f"{spec.bundle['name']} settings", managed_settings(spec))


def id_only_profile(spec: BundleSpec) -> bytes:
    return _mobileconfig(spec, "computer-id", f"{spec.bundle['name']} computer ID", {"AuthJamfComputerID": "$JSSID"})


def custom_schema(spec: BundleSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for mk in MANAGED_KEYS:
        prop: dict[str, Any] = {"title": mk.title, "description": mk.description, "type": mk.type}
        if mk.key == "AuthJamfComputerID":
            prop.update({"enum": ["$JSSID"], "default": "$JSSID"})
        elif mk.key == "AuthJamfCustomURL":
            prop["options"] = {"inputAttributes": {"placeholder": "https://jamf-api.example.com"}}
        elif mk.key == "AuthMDMFailoverToUser":
            prop["options"] = {"inputAttributes": {"placeholder": ",".join(MDM_FAILOVER_TYPES)}}
        properties[mk.key] = prop
    return {
        "title": f"{spec.bundle['name']} ({spec.domain})",
        "description": "Managed settings of the software update enforcement agent. Credentials are never set here.",
        "__preferencedomain": spec.domain,
        "__version": spec.bundle["version"],
        "options": {"remove_empty_properties": True},
        "properties": properties,
    }
