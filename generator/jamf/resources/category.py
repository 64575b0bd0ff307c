"""The category adapter (Jamf Pro API ``/v1/categories``): ensured to exist, never renamed.
"""

from __future__ import annotations

from typing import Any

from ..client import JamfClient
from .base import CATEGORY, Adapter, Context, Desired, Remote, prefix_filter


class CategoryAdapter(Adapter):
    """Jamf Pro API ``/v1/categories`` (jamf-api-facts §5).

    The category is shared with objects this tool does not own and carries no prefix, so it
    is only ensured to exist: its priority is set on create and never overwritten.
    """

    kind = CATEGORY

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/categories", rsql=prefix_filter("name", "", names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("name", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        return {"name": want.name}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        return {"name": obj.name}

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        body = {"name": want.name, "priority": int(want.spec.get("priority", 9))}
        return str(client.request("POST", "/api/v1/categories", body=body).json()["id"])  # 201 HrefResponse

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        body = {"name": want.name, "priority": int(obj.data.get("priority", want.spec.get("priority", 9)))}
        client.request("PUT", f"/api/v1/categories/{obj.id}", body=body)

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/categories/{obj.id}")

