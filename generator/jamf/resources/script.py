"""The script adapter (Jamf Pro API ``/v1/scripts``): the agent and uninstall scripts.
"""

from __future__ import annotations

from typing import Any

from ..client import JamfClient
from .base import SCRIPT, Adapter, Context, Desired, Remote, fold, prefix_filter, trim


class ScriptAdapter(Adapter):
    """Jamf Pro API ``/v1/scripts`` (§3).  PUT replaces the whole script, so every field is sent.

    jamf-upload's rules: ``priority`` upper-case, ``categoryId`` ``"-1"`` when there is no
    category (JamfScriptUploaderBase.py).
    """

    kind = SCRIPT

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/scripts", rsql=prefix_filter("name", prefix, names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("name", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        return {"name": want.name, "category": s.get("category") or "NONE", "priority": s.get("priority", "AFTER"),
                "info": trim(s.get("info")), "notes": trim(s.get("notes")), "osRequirements": "",
                "parameter labels": {}, "scriptContents": trim(s["contents"])}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        cat_id = str(d.get("categoryId") or "-1")
        category = ctx.category_names.get(cat_id) or (d.get("categoryName") if cat_id != "-1" else "") or "NONE"
        labels = {f"parameter{n}": d.get(f"parameter{n}") for n in range(4, 12) if d.get(f"parameter{n}")}
        return {"name": obj.name, "category": category, "priority": str(d.get("priority") or "").upper(),
                "info": trim(d.get("info")), "notes": trim(d.get("notes")),
                "osRequirements": trim(d.get("osRequirements")), "parameter labels": labels,
                "scriptContents": trim(d.get("scriptContents"))}

    def _body(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        category = s.get("category") or ""
        body: dict[str, Any] = {
            "name": want.name, "info": s.get("info", ""), "notes": s.get("notes", ""),
            "priority": str(s.get("priority", "AFTER")).upper(),
            "categoryId": ctx.category_ids.get(fold(category), "-1") if category else "-1",
            "osRequirements": "", "scriptContents": s["contents"],
        }
        body.update({f"parameter{n}": "" for n in range(4, 12)})
        return body

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        return str(client.request("POST", "/api/v1/scripts", body=self._body(want, ctx)).json()["id"])  # 201

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        client.request("PUT", f"/api/v1/scripts/{obj.id}", body=self._body(want, ctx))

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/scripts/{obj.id}")

