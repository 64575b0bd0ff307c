"""The desired state: every object the bundle wants on a tenant, built from the rendered artifacts.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...bundle import BundleSpec
from ...render import Artifact, render_all
from .. import resources as R
from ..resources import Desired


def desired_objects(spec: BundleSpec, artifacts: list[Artifact] | None = None) -> list[Desired]:
    """Everything the bundle wants on a tenant, built from the rendered artifacts."""
    arts = artifacts if artifacts is not None else render_all(spec)
    by_path = {a.path: a for a in arts}
    method = spec.agent["credential_method"]
    category = spec.jamf["category"]
    out: list[Desired] = []
    cat = json.loads(by_path["jamf/category.json"].content)
    out.append(Desired(R.CATEGORY, cat["name"], {"priority": cat.get("priority", 9)}, "jamf/category.json"))
    if method == "jamf-client":
        role = json.loads(by_path["jamf/api-role.json"].content)
        out.append(Desired(R.ROLE, role["displayName"], {"privileges": role["privileges"]}, "jamf/api-role.json"))
        client = json.loads(by_path["jamf/api-client.json"].content)
        out.append(Desired(R.CLIENT, client["displayName"], client, "jamf/api-client.json"))
    elif method == "jamf-account":
        account = json.loads(by_path["jamf/service-account.json"].content)
        out.append(Desired(R.ACCOUNT, account["name"], {
            "access_level": account["access_level"], "privilege_set": account["privilege_set"],
            "privileges": account["privileges"], "full_name": f"{spec.bundle['name']} update agent",
        }, "jamf/service-account.json"))
    note = f"Rendered from {spec.bundle['identifier']} {spec.bundle['version']} by jamf-enforcer."
    for art in arts:
        if art.kind in ("agent-script", "uninstall-script"):
            out.append(Desired(R.SCRIPT, art.meta["jamfName"], {
                "contents": art.content.decode("utf-8"), "category": category, "priority": "AFTER",
                "info": R.MANAGED_NOTE, "notes": note}, art.path))
        elif art.kind == "extension-attribute":
            m = art.meta
            out.append(Desired(R.EA, m["name"], {
                "contents": art.content.decode("utf-8"), "description": m.get("description", ""),
                "dataType": m["dataType"], "inventoryDisplayType": m["inventoryDisplayType"],
                "enabled": m.get("enabled", True)}, art.path))
        elif art.kind == "profile":
            plist = art.content.decode("utf-8")
            scope = R.parse_payloads(plist).get("PayloadScope", "System")
            out.append(Desired(R.PROFILE, art.meta["jamfName"], {
                "plist": plist, "description": R.MANAGED_NOTE, "category": category,
                "level": "user" if str(scope).lower() == "user" else "computer",
                "groups": [spec.jamf["scope_group"]]}, art.path))
    for art in arts:
        if art.kind == "computer-group":
            group = json.loads(art.content)
            out.append(Desired(R.GROUP, group["name"], group, art.path))
    for art in arts:
        if art.kind == "policy":
            policy = json.loads(art.content)
            out.append(Desired(R.POLICY, policy["name"], policy, art.path, key=Path(art.path).stem))
    return out
