"""The extension attribute adapter (Jamf Pro API ``/v1/computer-extension-attributes``),
script-input EAs only.
"""

from __future__ import annotations

from typing import Any

from ..client import JamfClient
from .base import EA, Adapter, Context, Desired, Remote, prefix_filter, trim


class ExtensionAttributeAdapter(Adapter):
    """Jamf Pro API ``/v1/computer-extension-attributes`` (§4).

    Only the fields that fit ``inputType`` SCRIPT are sent: Jamf answers 400 "Fields which
    are not associated with provided inputType has some value" otherwise (§4, TF #630), and
    ``manageExistingData`` must be absent on create (jamfplatform PR #294).  Update answers 202.
    """

    kind = EA
    FIELDS = ("name", "description", "dataType", "inputType", "inventoryDisplayType", "enabled", "scriptContents")

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/computer-extension-attributes",
                               rsql=prefix_filter("name", prefix, names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("name", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        return {"name": want.name, "description": trim(s.get("description")), "dataType": s["dataType"],
                "inputType": "SCRIPT", "inventoryDisplayType": s["inventoryDisplayType"], "enabled": bool(s["enabled"]),
                "scriptContents": trim(s["contents"])}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        return {"name": obj.name, "description": trim(d.get("description")), "dataType": d.get("dataType"),
                "inputType": d.get("inputType"), "inventoryDisplayType": d.get("inventoryDisplayType"),
                "enabled": bool(d.get("enabled")), "scriptContents": trim(d.get("scriptContents"))}

    def _body(self, want: Desired) -> dict[str, Any]:
        s = want.spec
        return {"name": want.name, "description": s.get("description", ""), "dataType": s["dataType"],
                "inputType": "SCRIPT", "inventoryDisplayType": s["inventoryDisplayType"],
                "enabled": bool(s["enabled"]), "scriptContents": s["contents"]}

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        resp = client.request("POST", "/api/v1/computer-extension-attributes", body=self._body(want))
        return str(resp.json()["id"])  # 201 HrefResponse

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        client.request("PUT", f"/api/v1/computer-extension-attributes/{obj.id}", body=self._body(want))  # 202

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/computer-extension-attributes/{obj.id}")

