"""The API client adapter (Jamf Pro API ``/v1/api-integrations``): CRUD, renames, enabling and
issuing client credentials (the one place a client secret is created).
"""

from __future__ import annotations

from typing import Any

from ..client import JamfClient, Secret
from .base import CLIENT, Adapter, Context, Desired, Remote, prefix_filter


class ClientAdapter(Adapter):
    """Jamf Pro API ``/v1/api-integrations`` (§2): id is an **integer** here, ``clientId`` read-only.

    ``authorizationScopes`` are role *display names*, not ids.
    """

    kind = CLIENT

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/api-integrations",
                               rsql=prefix_filter("displayName", prefix, names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("displayName", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        return {"displayName": want.name, "authorizationScopes": sorted(s["authorizationScopes"]),
                "enabled": bool(s["enabled"]), "accessTokenLifetimeSeconds": int(s["accessTokenLifetimeSeconds"])}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        return {"displayName": obj.name, "authorizationScopes": sorted(d.get("authorizationScopes") or []),
                "enabled": bool(d.get("enabled")), "accessTokenLifetimeSeconds": int(d.get("accessTokenLifetimeSeconds") or 0)}

    @staticmethod
    def body(name: str, scopes: list[str], enabled: bool, lifetime: int) -> dict[str, Any]:
        return {"displayName": name, "authorizationScopes": sorted(scopes), "enabled": enabled,
                "accessTokenLifetimeSeconds": lifetime}

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        s = want.spec
        body = self.body(want.name, s["authorizationScopes"], bool(s["enabled"]), int(s["accessTokenLifetimeSeconds"]))
        return str(client.request("POST", "/api/v1/api-integrations", body=body).json()["id"])  # 201

    def create_named(self, client: JamfClient, name: str, scopes: list[str], lifetime: int) -> Remote:
        body = self.body(name, scopes, True, lifetime)
        data = client.request("POST", "/api/v1/api-integrations", body=body).json()
        return Remote(self.kind, str(data["id"]), name, data)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        s = want.spec
        body = self.body(want.name, s["authorizationScopes"], bool(s["enabled"]), int(s["accessTokenLifetimeSeconds"]))
        client.request("PUT", f"/api/v1/api-integrations/{int(obj.id)}", body=body)

    def put(self, client: JamfClient, obj: Remote, *, name: str | None = None, enabled: bool | None = None) -> None:
        d = obj.data
        body = self.body(name or obj.name, list(d.get("authorizationScopes") or []),
                         d.get("enabled", True) if enabled is None else enabled,
                         int(d.get("accessTokenLifetimeSeconds") or 300))
        client.request("PUT", f"/api/v1/api-integrations/{int(obj.id)}", body=body)

    def issue_credentials(self, client: JamfClient, obj: Remote) -> tuple[str, Secret]:
        """``POST .../client-credentials``: a new secret, which invalidates the previous one (§2).

        Only ever called when the secret goes straight into the credential policy.  The secret
        is registered with the client first so no later message can carry it.
        """
        resp = client.request("POST", f"/api/v1/api-integrations/{int(obj.id)}/client-credentials")
        data = resp.json()
        secret = Secret(str(data["clientSecret"]))
        client.register_secret(secret)
        return str(data.get("clientId") or obj.data.get("clientId") or ""), secret

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/api-integrations/{int(obj.id)}")

