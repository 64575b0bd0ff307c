"""The remediation smart computer group adapter (Classic ``/JSSResource/computergroups``; the vendored
Classic spec's ``computer_group`` schema).  Only smart groups with their criteria are managed; the
membership (``<computers>``) is the server's and never compared.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ..client import JamfClient, classic_path
from .base import GROUP, Adapter, Context, Desired, Remote
from .classic_xml import as_bool, child_text, created_id, get_by_name, leaf, list_ids_and_names, node, parse_xml, xml_document

_FIELDS = ("name", "priority", "and_or", "search_type", "value", "opening_paren", "closing_paren")


def _criterion_text(c: dict[str, Any]) -> str:
    """One criterion as compared: ``0 and "jamf-enforcer Status" is "FAILED"`` (parens marked)."""
    text = f'{c["priority"]} {str(c["and_or"]).lower()} {c["name"]!s} {c["search_type"]} {c["value"]!s}'.strip()
    return ("( " if as_bool(c["opening_paren"]) else "") + text + (" )" if as_bool(c["closing_paren"]) else "")


class ComputerGroupAdapter(Adapter):
    """Classic ``/JSSResource/computergroups`` (no Jamf Pro API write for smart groups' criteria in 11.12)."""

    kind = GROUP
    classic = True

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = list_ids_and_names(client, "computergroups", "computer_group")
        return [Remote(self.kind, i, n, complete=False) for i, n in rows]

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return self._from_xml(parse_xml(client.classic_get(classic_path("computergroups", "id", obj.id))), obj)

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        root = get_by_name(client, "computergroups", name)
        return None if root is None else self._from_xml(root, Remote(self.kind, child_text(root, "id"), name))

    def _from_xml(self, root: ET.Element, obj: Remote) -> Remote:
        criteria = [{f: child_text(c, f) for f in _FIELDS} for c in root.findall("criteria/criterion")]
        criteria.sort(key=lambda c: int(c["priority"]) if c["priority"].lstrip("-").isdigit() else 0)
        data = {"name": child_text(root, "name", obj.name), "is_smart": as_bool(child_text(root, "is_smart", "false")),
                "criteria": criteria}
        return Remote(self.kind, obj.id, data["name"], data)

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        return {"name": want.name, "is_smart": True, "criteria": [_criterion_text(c) for c in want.spec["criteria"]]}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        return {"name": obj.name, "is_smart": d.get("is_smart"), "criteria": [_criterion_text(c) for c in d.get("criteria", [])]}

    def _xml(self, want: Desired) -> str:
        criteria = "".join(node("criterion", *(leaf(f, c[f]) for f in _FIELDS)) for c in want.spec["criteria"])
        return xml_document(node("computer_group", leaf("name", want.name), leaf("is_smart", True),
                                 node("criteria", leaf("size", len(want.spec["criteria"])), criteria)))

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        resp = client.request("POST", classic_path("computergroups", "id", 0), xml=self._xml(want), accept="application/xml")
        return created_id(resp.content)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        client.request("PUT", classic_path("computergroups", "id", obj.id), xml=self._xml(want), accept="application/xml")

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", classic_path("computergroups", "id", obj.id), accept="application/xml")
