"""The policy adapter (Classic ``/JSSResource/policies``): general, scope, Self Service and the one script
with its parameters, including the credential hand-over parameters (shown as ``<secret>``), and the
policy log flush used by rotate.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ..client import JamfClient, classic_path
from .base import POLICY, SECRET_MARK, Adapter, Context, Desired, Remote, fold
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


def handover_prefix(value: str) -> str:
    """``--auth-jamf-secret=...`` → ``--auth-jamf-secret=`` (the option; values start after the first '=')."""
    head, sep, _ = value.partition("=")
    return head + sep


class PolicyAdapter(Adapter):
    """Classic ``/JSSResource/policies`` (§7: policies exist only in the Classic API).

    Sections sent: ``general``, ``scope``, ``self_service`` and ``scripts``; the server keeps
    any other section as it is.  ``<scope>`` is replaced by what is sent (§7).
    """

    kind = POLICY
    classic = True

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = list_ids_and_names(client, "policies", "policy")
        return [Remote(self.kind, i, n, complete=False) for i, n in rows]

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return self._from_xml(client, parse_xml(client.classic_get(classic_path("policies", "id", obj.id))), obj)

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        root = get_by_name(client, "policies", name)
        return None if root is None else self._from_xml(client, root, Remote(self.kind, child_text(root, "general/id"), name))

    def _from_xml(self, client: JamfClient, root: ET.Element, obj: Remote) -> Remote:
        general = root.find("general")
        scripts = []
        for s in root.findall("scripts/script"):
            scripts.append({"id": child_text(s, "id"), "name": child_text(s, "name"), "priority": child_text(s, "priority"),
                            "parameters": {f"parameter{n}": child_text(s, f"parameter{n}") for n in range(4, 12)}})
        data = {
            "name": child_text(general, "name", obj.name), "enabled": as_bool(child_text(general, "enabled", "false")),
            "frequency": child_text(general, "frequency"), "category": child_text(general, "category/name"),
            "trigger_checkin": as_bool(child_text(general, "trigger_checkin", "false")),
            "trigger_other": child_text(general, "trigger_other"),
            "self_service": as_bool(child_text(root, "self_service/use_for_self_service", "false")),
            "all_computers": as_bool(child_text(root, "scope/all_computers", "false")), "groups": scope_groups(root),
            "scripts": scripts,
        }
        for s in scripts:
            for value in s["parameters"].values():
                # Hand-over parameters hold credentials: keep them out of every later message.
                _, sep, secret = value.partition("=")
                if sep and secret:
                    client.register_secret(secret)
        return Remote(self.kind, obj.id, data["name"], data)

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        script = s["script"]
        handover = s.get("handover") or {}
        params = {}
        for key, value in sorted(script["parameters"].items()):
            params[key] = handover_prefix(value) + SECRET_MARK if key in handover else value
        return {"name": want.name, "enabled": bool(s["enabled"]), "frequency": s["frequency"],
                "category": s["category"] or "NONE", "trigger_checkin": bool(s["trigger_checkin"]),
                "trigger_other": s["trigger_other"], "self_service": bool(s["self_service"]),
                "scope all_computers": False, "scope computer_groups": sorted(s["scope"]["computer_groups"]),
                "script": script["name"], "script priority": script["priority"], "script parameters": params}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        scripts = d.get("scripts") or []
        first = scripts[0] if scripts else {"name": "", "priority": "", "parameters": {}}
        handover_keys = set((want.spec.get("handover") or {}) if want else {})
        state = ctx.handover.get(fold(obj.name))
        params = {}
        for key, value in sorted(first["parameters"].items()):
            if not value:
                continue
            if key in handover_keys:
                ok = state is not None and state.state == "ok"
                params[key] = handover_prefix(value) + (SECRET_MARK if ok else f"<{state.state if state else 'missing'}>")
            else:
                params[key] = value
        for key in handover_keys - set(params):
            params[key] = "<missing>"
        view = {"name": obj.name, "enabled": d.get("enabled"), "frequency": d.get("frequency"),
                "category": classic_category(d.get("category", "")), "trigger_checkin": d.get("trigger_checkin"),
                "trigger_other": d.get("trigger_other", ""), "self_service": d.get("self_service"),
                "scope all_computers": d.get("all_computers"), "scope computer_groups": d.get("groups", []),
                "script": first["name"] if len(scripts) <= 1 else [s["name"] for s in scripts],
                "script priority": first["priority"], "script parameters": params}
        return view

    def parameters(self, want: Desired, obj: Remote | None, ctx: Context) -> dict[str, str]:
        """The parameter values to write: issued credentials, else the policy's existing ones."""
        s = want.spec
        handover = s.get("handover") or {}
        params = dict(s["script"]["parameters"])
        state = ctx.handover.get(fold(want.name))
        existing = {}
        if obj is not None and obj.data.get("scripts"):
            existing = obj.data["scripts"][0]["parameters"]
        for key, what in handover.items():
            if state is not None and what in state.values:
                params[key] = handover_prefix(params[key]) + state.values[what].reveal()
            elif state is not None and state.state == "ok" and existing.get(key):
                params[key] = existing[key]  # a plain re-apply never rotates: keep what the Macs have
            else:
                raise ValueError(f"policy {want.name!r}: no credentials to hand over for {key}")
        return params

    def xml(self, want: Desired, ctx: Context, params: dict[str, str]) -> str:
        s = want.spec
        script = s["script"]
        script_id = ctx.script_ids.get(fold(script["name"]))
        if not script_id:
            raise ValueError(f"policy {want.name!r}: script {script['name']!r} does not exist on the tenant")
        general = node("general", leaf("name", want.name), leaf("enabled", bool(s["enabled"])),
                     leaf("frequency", s["frequency"]),
                     node("category", leaf("name", s["category"])) if s["category"] else "",
                     leaf("trigger_checkin", bool(s["trigger_checkin"])), leaf("trigger_enrollment_complete", False),
                     leaf("trigger_login", False), leaf("trigger_startup", False), leaf("trigger_other", s["trigger_other"]))
        script_xml = node("script", leaf("id", script_id), leaf("priority", script["priority"]),
                        *(leaf(f"parameter{n}", params.get(f"parameter{n}", "")) for n in range(4, 12)))
        body = node("policy", general, scope_xml(s["scope"]["computer_groups"]),
                  node("self_service", leaf("use_for_self_service", bool(s["self_service"]))),
                  node("scripts", leaf("size", 1), script_xml))
        return xml_document(body)

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        xml = self.xml(want, ctx, self.parameters(want, None, ctx))
        resp = client.request("POST", classic_path("policies", "id", 0), xml=xml, accept="application/xml")
        return created_id(resp.content)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        xml = self.xml(want, ctx, self.parameters(want, obj, ctx))
        client.request("PUT", classic_path("policies", "id", obj.id), xml=xml, accept="application/xml")

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", classic_path("policies", "id", obj.id), accept="application/xml")

    def flush_log(self, client: JamfClient, obj: Remote) -> None:
        """Flush the policy's log so every Mac runs a once-per-computer policy again.

        ``DELETE /JSSResource/logflush/policy/id/{id}/interval/Zero+Days``: the Classic spec's
        ``createLogFlushWithIdAndInterval`` (generator/data/jamf-openapi/classic), which needs
        "Delete Policies" and "Flush Policy Logs" (gateway scopes delete:pro:policies,
        execute:pro:flush-policy-logs).  ``+`` is literal in the path, as in the spec's example.
        """
        client.request("DELETE", f"/JSSResource/logflush/policy/id/{int(obj.id)}/interval/Zero+Days",
                       accept="application/xml")

