"""The API role adapter (Jamf Pro API ``/v1/api-roles``): display name and privilege list.
"""

from __future__ import annotations

from typing import Any

from ..client import JamfClient
from .base import ROLE, Adapter, Context, Desired, Remote, prefix_filter


class RoleAdapter(Adapter):
    """Jamf Pro API ``/v1/api-roles`` (§2): id is a string; create answers 200, not 201."""

    kind = ROLE

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/api-roles", rsql=prefix_filter("displayName", prefix, names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("displayName", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        return {"displayName": want.name, "privileges": sorted(want.spec["privileges"])}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        return {"displayName": obj.name, "privileges": sorted(obj.data.get("privileges") or [])}

    def _body(self, want: Desired) -> dict[str, Any]:
        # Privilege names are case-sensitive and checked against the server first (sync).
        return {"displayName": want.name, "privileges": sorted(want.spec["privileges"])}

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        return str(client.request("POST", "/api/v1/api-roles", body=self._body(want)).json()["id"])

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        client.request("PUT", f"/api/v1/api-roles/{obj.id}", body=self._body(want))  # full replace

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/api-roles/{obj.id}")

