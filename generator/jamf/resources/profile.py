"""The configuration profile adapter (Classic ``/JSSResource/osxconfigurationprofiles``) and the plist
handling it needs: the ``<payloads>`` wire form (Jamf's double decode), parsing and semantic comparison.
"""

from __future__ import annotations

import plistlib
import re
import xml.etree.ElementTree as ET
from typing import Any

from ..client import JamfClient, classic_path
from .base import PROFILE, Adapter, Context, Desired, Remote, trim
from .classic_xml import (
    as_bool,
    child_text,
    classic_category,
    created_id,
    get_by_name,
    leaf,
    list_ids_and_names,
    node,
    parse_xml,
    scope_groups,
    scope_xml,
    xml_document,
)

# Keys Jamf rewrites at the top level of an uploaded profile (jamf-api-facts §6 quirk 4).
SERVER_MANAGED_PROFILE_KEYS = ("PayloadUUID", "PayloadIdentifier", "PayloadOrganization", "PayloadDisplayName")


def payloads_wire(plist_text: str) -> str:
    """The ``<payloads>`` element for a Classic profile upload.

    Jamf entity-decodes ``<payloads>`` once even inside CDATA (Jamf bug PI-827, see jamf-cli
    PR #310 and jamf-upload #129): so escape ``&`` once and wrap the plist in CDATA; the
    server's single decode then gives back the plist byte for byte.  Escaping everything
    (``&lt;`` too), as plain XML escaping does, doubles the ``&`` escapes of the values
    (``&amp;`` → ``&amp;amp;``: jamf-upload #129, TF #579).  A literal ``]]>`` in the plist
    would end the CDATA, so it is split across two sections.
    """
    body = plist_text.replace("&", "&amp;").replace("]]>", "]]]]><![CDATA[>")
    return f"<payloads><![CDATA[{body}]]></payloads>"


def parse_payloads(text: str) -> dict[str, Any]:
    """The server's ``general/payloads`` string → a plist dict.

    Jamf may export an empty ``<key/>``; jamf-upload strips it before parsing because the
    plistlib it runs on rejects it (jamf-api-facts §6 quirk 3).  Python 3.11's plistlib accepts
    it, and stripping can orphan a value, so the plist is parsed as sent first and stripped only
    when that fails.
    """
    try:
        data = plistlib.loads(text.encode("utf-8"))
    except Exception:  # plistlib raises several unrelated types for malformed input
        data = plistlib.loads(re.sub(r"<key\s*/>", "", text).encode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("profile payload is not a plist dictionary")
    return data


def profile_semantic(data: dict[str, Any]) -> str:
    """A profile plist as comparable text: sorted keys, without the keys Jamf rewrites."""
    trimmed = {k: v for k, v in data.items() if k not in SERVER_MANAGED_PROFILE_KEYS}
    return plistlib.dumps(trimmed, sort_keys=True).decode("utf-8")


class ProfileAdapter(Adapter):
    """Classic ``/JSSResource/osxconfigurationprofiles`` (§6: no Jamf Pro API CRUD exists)."""

    kind = PROFILE
    classic = True

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = list_ids_and_names(client, "osxconfigurationprofiles", "os_x_configuration_profile")
        return [Remote(self.kind, i, n, complete=False) for i, n in rows]

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return self._from_xml(parse_xml(client.classic_get(classic_path("osxconfigurationprofiles", "id", obj.id))), obj)

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        root = get_by_name(client, "osxconfigurationprofiles", name)
        return None if root is None else self._from_xml(root, Remote(self.kind, child_text(root, "general/id"), name))

    def _from_xml(self, root: ET.Element, obj: Remote) -> Remote:
        general = root.find("general")
        payloads = child_text(general, "payloads")
        data: dict[str, Any] = {
            "name": child_text(general, "name", obj.name), "description": child_text(general, "description"),
            "category": child_text(general, "category/name"), "distribution_method": child_text(general, "distribution_method"),
            "user_removable": as_bool(child_text(general, "user_removable", "false")), "level": child_text(general, "level"),
            "all_computers": as_bool(child_text(root, "scope/all_computers", "false")), "groups": scope_groups(root),
            "payloads": payloads,
        }
        try:
            data["plist"] = parse_payloads(payloads) if payloads.strip() else {}
            data["plist_error"] = ""
        except Exception as exc:  # any parser error: a corrupted stored payload is a diff, not a crash
            data["plist"], data["plist_error"] = {}, f"unreadable payload ({type(exc).__name__})"
        return Remote(self.kind, obj.id, data["name"], data)

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        return {"name": want.name, "description": trim(s["description"]), "category": s["category"] or "NONE",
                "distribution_method": "Install Automatically", "user_removable": False, "level": s["level"],
                "scope all_computers": False, "scope computer_groups": sorted(s["groups"]),
                "payload": profile_semantic(parse_payloads(s["plist"]))}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        return {"name": obj.name, "description": trim(d.get("description")), "category": classic_category(d.get("category")),
                "distribution_method": d.get("distribution_method"), "user_removable": d.get("user_removable"),
                "level": str(d.get("level") or "").lower(), "scope all_computers": d.get("all_computers"),
                "scope computer_groups": d.get("groups", []),
                "payload": d.get("plist_error") or profile_semantic(d.get("plist") or {})}

    def _xml(self, want: Desired, plist_text: str, *, update: bool) -> str:
        s = want.spec
        general = node("general",
                     leaf("name", want.name), leaf("description", s["description"]),
                     node("category", leaf("name", s["category"])) if s["category"] else "",
                     leaf("distribution_method", "Install Automatically"), leaf("user_removable", False),
                     leaf("level", s["level"]),
                     # GET always reports "Newly Assigned" whatever was sent, so set it on every
                     # write; "All" makes a changed profile reach Macs that already have it ([TF], §6 quirk 5).
                     leaf("redeploy_on_update", "All" if update else "Newly Assigned"),
                     payloads_wire(plist_text))
        return xml_document(node("os_x_configuration_profile", general, scope_xml(s["groups"])))

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        resp = client.request("POST", classic_path("osxconfigurationprofiles", "id", 0),
                              xml=self._xml(want, want.spec["plist"], update=False), accept="application/xml")
        return created_id(resp.content)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        # Keep the server's top-level PayloadUUID/PayloadIdentifier: a new pair makes every Mac
        # install a second ("ghost") profile (jamf-upload get_existing_uuid_and_identifier, TF #539).
        plist = parse_payloads(want.spec["plist"])
        server = obj.data.get("plist") or {}
        for key in ("PayloadUUID", "PayloadIdentifier"):
            if server.get(key):
                plist[key] = server[key]
        text = plistlib.dumps(plist, sort_keys=True).decode("utf-8")
        client.request("PUT", classic_path("osxconfigurationprofiles", "id", obj.id),
                       xml=self._xml(want, text, update=True), accept="application/xml")

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", classic_path("osxconfigurationprofiles", "id", obj.id), accept="application/xml")

