"""Remediation smart groups: rendered, created by apply through Classic /JSSResource/computergroups,
their membership (computed by the simulator from the EA values) equals the report's lists, and
plan/apply/audit keep them in sync; prune removes only prefixed groups."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.catalogue import uploader_privileges
from generator.jamf import resources as R
from generator.jamf.client import ClientCredentials, JamfClient, PrivilegeError, Secret, classic_path
from generator.sim import Simulator
from tests.report.conftest import ReportRig
from tests.report.test_report import report_json
from tests.sync.helpers import Rig, fast_options, make_rig


def members(sim: Simulator, name: str) -> set[str]:
    """The group's members as the Classic API answers them (the simulator evaluates the criteria)."""
    client_id, secret = sim.tenant(0).admin_client
    client = JamfClient(sim.base_url(0), ClientCredentials(client_id, Secret(secret)),
                        options=fast_options(sim).client_options)
    try:
        root = ET.fromstring(client.classic_get(classic_path("computergroups", "name", name)))
    finally:
        client.close()
    assert root.findtext("is_smart") == "true"
    return {c.findtext("id") or "" for c in root.findall("computers/computer")}


def test_rendered_groups_name_the_bundles_eas() -> None:
    root = Path(__file__).resolve().parents[2]
    eas = {json.loads(p.read_text())["name"] for p in (root / "dist" / "extension-attributes").glob("*.json")}
    groups = [json.loads(p.read_text()) for p in sorted((root / "dist" / "jamf" / "groups").glob("*.json"))]
    assert sorted(g["name"] for g in groups) == ["jamf-enforcer Bootstrap token not escrowed",
                                                 "jamf-enforcer MDM workflow failed", "jamf-enforcer Past hard deadline"]
    assert all(c["name"] in eas for g in groups for c in g["criteria"])
    assert {"Create Smart Computer Groups", "Read Smart Computer Groups", "Update Smart Computer Groups",
            "Delete Smart Computer Groups"} <= set(uploader_privileges())


def test_group_members_equal_the_reports_macs(report_rig: ReportRig) -> None:
    summary = report_json(report_rig)
    reasons = {r["reason"]: {m["id"] for m in r["macs"]} for r in summary["tenants"][0]["reasons"]}
    sim = report_rig.sim
    assert members(sim, "jamf-enforcer MDM workflow failed") == reasons["MDM workflow failed"] != set()
    assert members(sim, "jamf-enforcer Bootstrap token not escrowed") == reasons["Bootstrap token not escrowed"] != set()
    now = datetime.fromtimestamp(sim.clock.now(), UTC)
    past = set()
    for c in sim.tenant(0).computers.values():
        s = c.get("agentStatus") or {}
        hard = s.get("HardDeadline")
        if s.get("PendingUpdateTarget", "NONE") != "NONE" and hard and \
                datetime.strptime(hard, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) < now:
            past.add(c["id"])
    assert members(sim, "jamf-enforcer Past hard deadline") == past != set()


@pytest.fixture
def rig(jamf_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rig:
    return make_rig(jamf_sim, tmp_path, monkeypatch)


def _group_id(sim: Simulator, name: str) -> int:
    return next(g["id"] for g in sim.tenant(0).computer_groups.values() if g["name"] == name)


def test_audit_finds_edited_criteria_and_apply_restores_them(rig: Rig) -> None:
    assert rig.run("apply").ok
    assert rig.run("plan").status() == "in sync"
    group = rig.sim.tenant(0).computer_groups[_group_id(rig.sim, "jamf-enforcer MDM workflow failed")]
    group["criteria"][0]["value"] = "SUCCESS"
    findings = [f for f in rig.run("audit").findings if f.kind == R.GROUP]
    assert [f.name for f in findings] == ["jamf-enforcer MDM workflow failed"]
    changed = [c for c in rig.run("plan").changes if c.action != "unchanged"]
    assert [(c.kind, c.action) for c in changed] == [(R.GROUP, "update")] and "SUCCESS" in changed[0].diff
    assert rig.run("apply").ok
    assert group["criteria"][0]["value"] == "FAILED"
    assert rig.run("audit").findings == []


def test_prune_deletes_only_prefixed_groups(rig: Rig) -> None:
    assert rig.run("apply").ok
    t = rig.sim.tenant(0)
    t.computer_groups[500] = {"id": 500, "name": "jamf-enforcer Old remediation", "is_smart": True, "criteria": []}
    t.computer_groups[501] = {"id": 501, "name": "Someone else's group", "is_smart": True, "criteria": []}
    pruned = rig.run("plan", prune=True)
    assert [(c.kind, c.name) for c in pruned.changes if c.action == "delete"] == [(R.GROUP, "jamf-enforcer Old remediation")]
    assert rig.run("apply", prune=True).ok
    assert 500 not in t.computer_groups and 501 in t.computer_groups and 1 in t.computer_groups


def test_a_client_without_the_group_privileges_is_refused(rig: Rig) -> None:
    t = rig.sim.tenant(0)
    t.add_role("no groups", [p for p in uploader_privileges() if "Computer Groups" not in p])
    _, client_id, secret = t.add_client("no groups client", ["no groups"])
    client = JamfClient(rig.sim.base_url(0), ClientCredentials(client_id, Secret(secret)),
                        options=rig.options.client_options)
    with pytest.raises(PrivilegeError):
        client.classic_get("/JSSResource/computergroups")
    client.close()
