"""Jamf Pro API handlers for computer inventory (``/api/v1`` and ``/api/v3/computers-inventory``).

The list takes ``section`` (repeatable; GENERAL by default), an RSQL ``filter`` (on ``udid``,
``id``, ``general.name``, ``general.managementId``, ``hardware.serialNumber`` and a few more),
``sort``, ``page`` and ``page-size``, and answers ``{"totalCount", "results"}``.  Sections not
asked for are left out rather than sent as ``null`` (the spec's section schemas are not
nullable); object sections the simulator does not model are left out too, list sections are
empty lists.  Every Mac-specific field comes from the Mac's fact record (``fleet.MacFacts``).
Extension attribute values: every enabled SCRIPT extension attribute that prints a key of the
agent's status plist carries the Mac's value for that key (``agent_states``), in the section its
``inventoryDisplayType`` names; other extension attributes are not listed (the simulator cannot
run their scripts).
"""

from __future__ import annotations

import re
from typing import Any

from . import agent_states, rsql
from .context import Ctx
from .messages import Response, fail, json_response

SECTIONS_V1 = frozenset({
    "GENERAL", "DISK_ENCRYPTION", "PURCHASING", "APPLICATIONS", "STORAGE", "USER_AND_LOCATION",
    "CONFIGURATION_PROFILES", "PRINTERS", "SERVICES", "HARDWARE", "LOCAL_USER_ACCOUNTS", "CERTIFICATES",
    "ATTACHMENTS", "PLUGINS", "PACKAGE_RECEIPTS", "FONTS", "SECURITY", "OPERATING_SYSTEM", "LICENSED_SOFTWARE",
    "IBEACONS", "SOFTWARE_UPDATES", "EXTENSION_ATTRIBUTES", "CONTENT_CACHING", "GROUP_MEMBERSHIPS",
})
SECTIONS_V3 = SECTIONS_V1 - {"PLUGINS", "FONTS"}
_LIST_SECTIONS = {
    "APPLICATIONS": "applications", "CONFIGURATION_PROFILES": "configurationProfiles", "PRINTERS": "printers",
    "SERVICES": "services", "LOCAL_USER_ACCOUNTS": "localUserAccounts", "CERTIFICATES": "certificates",
    "ATTACHMENTS": "attachments", "PLUGINS": "plugins", "FONTS": "fonts", "LICENSED_SOFTWARE": "licensedSoftware",
    "IBEACONS": "ibeacons", "SOFTWARE_UPDATES": "softwareUpdates", "EXTENSION_ATTRIBUTES": "extensionAttributes",
    "GROUP_MEMBERSHIPS": "groupMemberships",
}
FILTER_FIELDS: dict[str, Any] = {
    "id": lambda c: c["id"],
    "udid": lambda c: c["udid"],
    "general.name": lambda c: c["name"],
    "general.managementId": lambda c: c["managementId"],
    "general.platform": lambda _c: "Mac",
    "general.lastContactTime": lambda c: c["lastContactTime"],
    "general.reportDate": lambda c: c["reportDate"],
    "general.remoteManagement.managed": lambda c: c["managed"],
    "general.supervised": lambda c: c["supervised"],
    "hardware.serialNumber": lambda c: c["serialNumber"],
    "hardware.model": lambda c: c["model"],
    "hardware.modelIdentifier": lambda c: c["modelIdentifier"],
    "hardware.make": lambda _c: "Apple",
    "hardware.appleSilicon": lambda c: c["appleSilicon"],
    "operatingSystem.version": lambda c: c["osVersion"],
    "operatingSystem.build": lambda c: c["osBuild"],
    "operatingSystem.name": lambda _c: "macOS",
}
SORT_FIELDS: dict[str, Any] = {k: FILTER_FIELDS[k] for k in (
    "id", "udid", "general.name", "general.platform", "general.lastContactTime", "general.reportDate",
    "hardware.make", "hardware.model", "operatingSystem.version", "operatingSystem.build", "operatingSystem.name")}


def _general(computer: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": computer["name"], "lastIpAddress": "10.0.0.1", "lastReportedIp": "10.0.0.1",
        "jamfBinaryVersion": "11.12.0-t1725380820", "platform": "Mac", "barcode1": "", "barcode2": "",
        "assetTag": "", "remoteManagement": {"managed": computer["managed"]},
        "supervised": computer["supervised"], "mdmCapable": {"capable": computer["managed"], "capableUsers": []},
        "reportDate": computer["reportDate"], "lastContactTime": computer["lastContactTime"],
        "lastEnrolledDate": computer["reportDate"], "initialEntryDate": computer["reportDate"][:10],
        "enrolledViaAutomatedDeviceEnrollment": True, "userApprovedMdm": True,
        "declarativeDeviceManagementEnabled": True, "managementId": computer["managementId"],
        "site": {"id": "-1", "name": "None"}, "extensionAttributes": [],
    }


def _hardware(computer: dict[str, Any]) -> dict[str, Any]:
    silicon = computer["appleSilicon"]
    return {
        "make": "Apple", "model": computer["model"], "modelIdentifier": computer["modelIdentifier"],
        "serialNumber": computer["serialNumber"], "processorType": computer["processorType"],
        "processorArchitecture": "arm64" if silicon else "x86_64", "appleSilicon": silicon,
        "coreCount": 10 if silicon else 6, "totalRamMegabytes": 16384, "extensionAttributes": [],
    }


def _operating_system(computer: dict[str, Any]) -> dict[str, Any]:
    return {"name": "macOS", "version": computer["osVersion"], "build": computer["osBuild"],
            "fileVault2Status": "ALL_ENCRYPTED", "extensionAttributes": []}


_EA_SECTION = {"GENERAL": "general", "HARDWARE": "hardware", "OPERATING_SYSTEM": "operatingSystem",
               "EXTENSION_ATTRIBUTES": "extensionAttributes"}


EaDefinition = tuple[dict[str, Any], str, str, str]  # (definition, inventory section, status key, value when absent)


def ea_definitions(tenant: Any) -> list[EaDefinition]:
    """The tenant's enabled SCRIPT extension attributes with the status key each prints (read from each
    script once per request, not once per Mac)."""
    out = []
    for ea in tenant.eas.values():
        found = agent_states.script_key(ea.get("scriptContents")) if ea.get("inputType") == "SCRIPT" else None
        if ea.get("enabled", True) and found:
            out.append((ea, _EA_SECTION.get(ea.get("inventoryDisplayType", ""), "extensionAttributes"), *found))
    return out


def _ea_values(computer: dict[str, Any], definitions: list[EaDefinition]) -> dict[str, list[Any]]:
    """Each section's extension attribute values, as Jamf stores what the EA scripts printed at the Mac's
    last recon (the simulator reads the agent status seeded on the Mac: ``agent_states``)."""
    by_section: dict[str, list[Any]] = {}
    status = computer.get("agentStatus") or {}
    for ea, section, key, missing in definitions:
        value = status.get(key, missing)
        by_section.setdefault(section, []).append({
            "definitionId": ea["id"], "name": ea["name"], "description": ea.get("description", ""),
            "enabled": True, "multiValue": False, "values": [value] if value else [],
            "dataType": "DATE_TIME" if ea.get("dataType") == "DATE" else ea.get("dataType", "STRING"),
            "options": [], "inputType": "SCRIPT"})
    return by_section


def render(computer: dict[str, Any], sections: set[str], definitions: list[EaDefinition] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": computer["id"], "udid": computer["udid"]}
    eas = _ea_values(computer, definitions) if definitions else {}
    if "GENERAL" in sections:
        out["general"] = {**_general(computer), "extensionAttributes": eas.get("general", [])}
    if "HARDWARE" in sections:
        out["hardware"] = {**_hardware(computer), "extensionAttributes": eas.get("hardware", [])}
    if "OPERATING_SYSTEM" in sections:
        out["operatingSystem"] = {**_operating_system(computer), "extensionAttributes": eas.get("operatingSystem", [])}
    if "STORAGE" in sections:
        out["storage"] = {"bootDriveAvailableSpaceMegabytes": computer["freeDiskGb"] * 1024, "disks": []}
    for section, key in _LIST_SECTIONS.items():
        if section in sections:
            out[key] = eas.get(key, []) if key == "extensionAttributes" else []
    return out


def _sections(ctx: Ctx, allowed: frozenset[str]) -> set[str]:
    asked = [s.strip().upper() for value in ctx.request.query.get("section", []) for s in value.split(",") if s.strip()]
    bad = [s for s in asked if s not in allowed]
    if bad:
        raise fail(400, "INVALID_QUERY_PARAMETER", "Invalid section: " + ", ".join(bad), field="section")
    return set(asked) or {"GENERAL"}


_EXACT = re.compile(r"""^\s*(hardware\.serialNumber|udid|general\.managementId|id)\s*==\s*"""
                    r"""(?:"([^"\\*]*)"|'([^'\\*]*)'|([^\s"'*;,()=!<>]+))\s*$""")
_INDEX_FIELD = {"hardware.serialNumber": "serialNumber", "udid": "udid", "general.managementId": "managementId"}


def _candidates(ctx: Ctx) -> list[dict[str, Any]]:
    """Every computer, or -- for the agent's lookup, one exact serial/UDID/id match -- just that one.
    The RSQL filter still runs on the candidates, so the answer is the same either way."""
    match = _EXACT.match(ctx.request.arg("filter", "") or "")
    if match is None:
        return list(ctx.tenant.computers.values())
    field, value = match.group(1), next(v for v in match.group(2, 3, 4) if v is not None)
    found = (ctx.tenant.find_computer(value) if field == "id"
             else ctx.tenant.computer_by(_INDEX_FIELD[field], value))
    return [found] if found is not None else []


def _list(ctx: Ctx, allowed: frozenset[str]) -> Response:
    sections = _sections(ctx, allowed)
    total, results = rsql.page(ctx.request, _candidates(ctx), SORT_FIELDS, "general.name:asc", FILTER_FIELDS)
    definitions = ea_definitions(ctx.tenant)
    return json_response(200, {"totalCount": total, "results": [render(c, sections, definitions) for c in results]})


def _one(ctx: Ctx, allowed: frozenset[str]) -> Response:
    computer = ctx.tenant.find_computer(ctx.params["id"])
    if computer is None:
        raise fail(404, "INVALID_ID", f"Computer with id {ctx.params['id']} not found", id=ctx.params["id"])
    return json_response(200, render(computer, _sections(ctx, allowed), ea_definitions(ctx.tenant)))


def list_v1(ctx: Ctx) -> Response:
    return _list(ctx, SECTIONS_V1)


def list_v3(ctx: Ctx) -> Response:
    return _list(ctx, SECTIONS_V3)


def get_v1(ctx: Ctx) -> Response:
    return _one(ctx, SECTIONS_V1)


def get_v3(ctx: Ctx) -> Response:
    return _one(ctx, SECTIONS_V3)
