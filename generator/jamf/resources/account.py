"""The service account adapter (Classic ``/JSSResource/accounts``) for ``credential_method = jamf-account``:
privileges by group, and the password (sent only on create or a credential hand-over).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ..client import JamfClient, Secret, classic_path
from .base import ACCOUNT, Adapter, Context, Desired, Remote
from .classic_xml import child_text, created_id, get_by_name, leaf, node, parse_xml, xml_document

PRIVILEGE_GROUPS = ("jss_objects", "jss_settings", "jss_actions")


class AccountAdapter(Adapter):
    """Classic ``/JSSResource/accounts/userid/{id}`` (standard account for ``jamf-account``)."""

    kind = ACCOUNT
    classic = True

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        root = parse_xml(client.classic_get(classic_path("accounts")))
        users = root.find("users")
        rows = [] if users is None else [(child_text(u, "id"), child_text(u, "name")) for u in users.iter("user")]
        return [Remote(self.kind, i, n, complete=False) for i, n in rows if i]

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return self._from_xml(parse_xml(client.classic_get(classic_path("accounts", "userid", obj.id))), obj)

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        root = get_by_name(client, "accounts", name, "username")
        return None if root is None else self._from_xml(root, Remote(self.kind, child_text(root, "id"), name))

    def _from_xml(self, root: ET.Element, obj: Remote) -> Remote:
        privileges = {g: sorted(p.text or "" for p in root.findall(f"privileges/{g}/privilege")) for g in PRIVILEGE_GROUPS}
        data = {"name": child_text(root, "name", obj.name), "enabled": child_text(root, "enabled"),
                "access_level": child_text(root, "access_level"), "privilege_set": child_text(root, "privilege_set"),
                "privileges": privileges}
        return Remote(self.kind, obj.id, data["name"], data)

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        out: dict[str, Any] = {"name": want.name, "enabled": "Enabled", "access_level": s["access_level"],
                               "privilege_set": s["privilege_set"]}
        for g in PRIVILEGE_GROUPS:
            out[f"privileges {g}"] = sorted(s["privileges"].get(g, []))
        return out

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        out: dict[str, Any] = {"name": obj.name, "enabled": d.get("enabled"), "access_level": d.get("access_level"),
                               "privilege_set": d.get("privilege_set")}
        for g in PRIVILEGE_GROUPS:
            out[f"privileges {g}"] = sorted(d.get("privileges", {}).get(g, []))
        return out

    def xml(self, want: Desired, password: Secret | None) -> str:
        s = want.spec
        groups = "".join(node(g, *(leaf("privilege", p) for p in sorted(s["privileges"].get(g, []))))
                         for g in PRIVILEGE_GROUPS)
        parts = [leaf("name", want.name), leaf("directory_user", False), leaf("full_name", s.get("full_name", want.name)),
                 leaf("enabled", "Enabled"), leaf("force_password_change", False), leaf("access_level", s["access_level"]),
                 leaf("privilege_set", s["privilege_set"])]
        if password is not None:
            # Only on create and on a credential hand-over: an update without <password> keeps it.
            parts.append(leaf("password", password.reveal()))
        parts.append(node("privileges", groups))
        return xml_document(node("account", *parts))

    def create(self, client: JamfClient, want: Desired, ctx: Context, password: Secret | None = None) -> str:
        resp = client.request("POST", classic_path("accounts", "userid", 0), xml=self.xml(want, password),
                              accept="application/xml")
        return created_id(resp.content)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context,
               password: Secret | None = None) -> None:
        client.request("PUT", classic_path("accounts", "userid", obj.id), xml=self.xml(want, password),
                       accept="application/xml")

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", classic_path("accounts", "userid", obj.id), accept="application/xml")

