"""plan and apply against the simulator: first apply, idempotence, the credentials loop, drift,
the request budget of a no-op plan, jamf-account, prune.  Every Jamf Pro API exchange is held
to Jamf's published contract."""

from __future__ import annotations

import collections
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

from generator import catalogue
from generator.bundle import load_bundle
from generator.jamf import resources as R
from generator.render import render_all
from generator.sim import Simulator
from tests.sync.helpers import EA_COUNT, Rig, assert_contract, make_rig, policy_params

STAGE = {R.CATEGORY: 0, R.ROLE: 1, R.ACCOUNT: 1, R.CLIENT: 2, R.SCRIPT: 3, R.EA: 3, R.PROFILE: 4, R.GROUP: 4, R.POLICY: 5}


def test_first_apply_creates_everything_in_dependency_order_then_nothing(rig: Rig) -> None:
    plan = rig.run("plan")
    assert plan.status() == "changes"
    assert {c.action for c in plan.changes} == {"create"}
    first = rig.run("apply")
    assert first.ok, first.failures
    created = [w for w in first.writes if w.action == "created"]
    assert len(created) == len(plan.changes)
    kinds = [w.kind for w in first.writes if w.action == "created"]
    positions = [STAGE[k] for k in kinds]
    assert positions == sorted(positions), kinds  # category → role → client → scripts/EAs → profile → policies
    t = rig.sim.tenant(0)
    assert len(t.scripts) == 2 and len(t.eas) == EA_COUNT and len(t.profiles) == 1 and len(t.policies) == 4
    role = next(r for r in t.roles.values() if r["displayName"] == "jamf-enforcer Update Agent")
    assert sorted(role["privileges"]) == catalogue.role_privileges("auto")

    t.reset_log()
    second = rig.run("apply")
    assert second.ok and second.writes == []
    assert rig.writes_in_log() == []  # a second apply makes zero writes
    again = rig.run("plan")
    assert again.status() == "in sync" and not again.pending
    assert_contract(rig.sim)


def test_a_no_op_plan_stays_within_the_request_budget(rig: Rig) -> None:
    rig.run("apply")
    rig.sim.tenant(0).reset_log()
    result = rig.run("plan")
    assert not result.pending
    log = rig.sim.tenant(0).request_log
    by = collections.Counter((e["method"], e["template"]) for e in log)
    assert by[("POST", "/api/v1/oauth/token")] == 1
    pro_lists = [k for k in by if k[0] == "GET" and k[1].startswith("/api/") and "{" not in k[1]]
    assert all(by[k] == 1 for k in pro_lists)  # one list per Jamf Pro API kind
    assert sorted(k[1] for k in pro_lists) == sorted(["/api/v1/categories", "/api/v1/api-roles", "/api/v1/api-integrations",
                                                      "/api/v1/scripts", "/api/v1/computer-extension-attributes"])
    classic = [k for k in by if k[1].startswith("/JSSResource")]
    assert sum(by[k] for k in classic) == 8  # one read per Classic object (1 profile, 4 policies, 3 groups)
    assert len(log) == 1 + 5 + 8
    assert result.requests == len(log) and result.token_requests == 1


def test_the_credentials_loop_is_closed_and_never_rotates_on_reapply(rig: Rig) -> None:
    result = rig.run("apply")
    issued = [w for w in result.writes if w.action == "credentials issued"]
    assert len(issued) == 1 and issued[0].kind == R.CLIENT
    params = policy_params(rig.sim, "Save update credentials")
    client_id = params["parameter4"].removeprefix("--auth-jamf-client=")
    secret = params["parameter5"].removeprefix("--auth-jamf-secret=")
    assert client_id and secret and "set by jamf-enforcer" not in secret
    # The agent can get a token with exactly what the policy hands over, on the bundle's role.
    token = requests.post(rig.sim.base_url() + "/api/v1/oauth/token", verify=rig.sim.ca_file,
                          data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    assert token.status_code == 200
    client = rig.sim.tenant(0).client_by_client_id(client_id)
    assert client["authorizationScopes"] == ["jamf-enforcer Update Agent"]
    hash_before = client["secretHash"]

    rig.sim.tenant(0).reset_log()
    rig.run("apply")
    assert not any("client-credentials" in str(t) for _, t in rig.writes_in_log())
    assert client["secretHash"] == hash_before
    assert policy_params(rig.sim, "Save update credentials") == params


def test_the_plan_redacts_handover_parameters(rig: Rig) -> None:
    rig.run("apply")
    secret = policy_params(rig.sim, "Save update credentials")["parameter5"].partition("=")[2]
    # Break the policy's parameters on the server: the plan shows the fix, never a value.
    for policy in rig.sim.tenant(0).policies.values():
        if "credentials" in policy["name"]:
            policy["xml"] = policy["xml"].replace(secret, "")
    plan = rig.run("plan")
    change = next(c for c in plan.changes if c.kind == R.POLICY and "credentials" in c.name)
    assert change.action == "update" and "credentials will be issued" in change.reason
    assert "--auth-jamf-secret=<secret>" in change.diff and "<missing>" in change.diff
    assert secret not in change.diff
    applied = rig.run("apply")
    assert [w.action for w in applied.writes] == ["credentials issued", "updated"]
    assert rig.run("plan").status() == "in sync"


def test_drift_on_the_server_shows_a_readable_diff_and_apply_repairs_it(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    script = next(s for s in t.scripts.values() if s["name"] == "jamf-enforcer enforcer.zsh")
    script["scriptContents"] = script["scriptContents"] + "echo tampered\n"
    ea = next(e for e in t.eas.values() if e["name"] == "jamf-enforcer Status")
    ea["enabled"] = False
    plan = rig.run("plan")
    updates = {c.name: c for c in plan.changes if c.action == "update"}
    assert set(updates) == {"jamf-enforcer enforcer.zsh", "jamf-enforcer Status"}
    assert "-    echo tampered" in updates["jamf-enforcer enforcer.zsh"].diff
    assert "-enabled: false" in updates["jamf-enforcer Status"].diff
    assert "+enabled: true" in updates["jamf-enforcer Status"].diff
    rig.run("apply")
    assert "tampered" not in t.scripts[script["id"]]["scriptContents"] and t.eas[ea["id"]]["enabled"] is True
    assert rig.run("plan").status() == "in sync"


def test_server_whitespace_trimming_is_not_a_change(rig: Rig) -> None:
    rig.run("apply")
    for script in rig.sim.tenant(0).scripts.values():
        script["scriptContents"] = script["scriptContents"].rstrip() + "\r\n"  # CRLF, trimmed
        script["notes"] = script["notes"] + "  \n"
    for ea in rig.sim.tenant(0).eas.values():
        ea["scriptContents"] = ea["scriptContents"].rstrip()  # terraform-provider-jamfpro #398
    assert rig.run("plan").status() == "in sync"


def test_a_bundle_change_updates_the_profile_in_place_keeping_its_uuid(jamf_sim: Simulator, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    rig.run("apply")
    profile = next(iter(jamf_sim.tenant(0).profiles.values()))
    uuid_before = profile["payloadUUID"]
    rig.path.write_text(rig.path.read_text().replace(
        'mdm_failover_to_user = ["NOSERVICE", "INSTALLNOW", "BOOTSTRAP"]', 'mdm_failover_to_user = ["SOFT"]'))
    rig2 = Rig(jamf_sim, load_bundle(rig.path), rig.path, rig.options)
    plan = rig2.run("plan")
    change = next(c for c in plan.changes if c.kind == R.PROFILE)
    assert change.action == "update"
    assert "-" in change.diff and "NOSERVICE,INSTALLNOW,BOOTSTRAP" in change.diff and "SOFT" in change.diff
    rig2.run("apply")
    assert profile["payloadUUID"] == uuid_before and len(jamf_sim.tenant(0).profiles) == 1
    assert rig2.run("plan").status() == "in sync"


def test_jamf_account_method_creates_the_account_and_hands_its_password_over(
        jamf_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch, method="jamf-account")
    result = rig.run("apply")
    assert result.ok, result.failures
    kinds = {w.kind for w in result.writes}
    assert R.ACCOUNT in kinds and R.ROLE not in kinds and R.CLIENT not in kinds
    account = jamf_sim.tenant(0).account_by_name("jamf-enforcer-update-agent")
    assert account is not None and account["privilege_set"] == "Custom"
    wanted = json.loads(next(a for a in render_all(rig.spec) if a.path == "jamf/service-account.json").content)
    wanted = wanted["privileges"]
    assert {g: sorted(v) for g, v in account["privileges"].items() if v} == {g: sorted(v) for g, v in wanted.items()}
    params = policy_params(jamf_sim, "Save update credentials")
    assert params["parameter4"] == "--auth-jamf-account=jamf-enforcer-update-agent"
    password = params["parameter5"].removeprefix("--auth-jamf-password=")
    assert len(password) >= 24
    basic = requests.post(jamf_sim.base_url() + "/api/v1/auth/token", auth=("jamf-enforcer-update-agent", password),
                          verify=jamf_sim.ca_file)
    assert basic.status_code == 200
    jamf_sim.tenant(0).reset_log()
    assert rig.run("apply").writes == [] and rig.writes_in_log() == []


def test_a_deleted_api_client_is_recreated_and_new_credentials_handed_over(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    old = next(c for c in t.clients.values() if c["displayName"] == "jamf-enforcer Update Agent")
    del t.clients[old["id"]]
    plan = rig.run("plan")
    actions = {(c.kind, c.action) for c in plan.changes if c.action != "unchanged"}
    assert actions == {(R.CLIENT, "create"), (R.POLICY, "update")}
    policy = next(c for c in plan.changes if c.kind == R.POLICY and c.action == "update")
    assert "no longer exists" in policy.reason
    rig.run("apply")
    new_id = policy_params(rig.sim, "Save update credentials")["parameter4"].partition("=")[2]
    assert new_id != old["clientId"] and t.client_by_client_id(new_id) is not None
    assert rig.run("plan").status() == "in sync"


def test_prune_deletes_only_prefixed_objects_the_bundle_no_longer_wants(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    t.scripts["900"] = {"id": "900", "name": "jamf-enforcer old-helper.zsh", "scriptContents": "#!/bin/sh",
                        "categoryId": "-1", "categoryName": "", "priority": "AFTER", "info": "", "notes": "",
                        "osRequirements": "", **{f"parameter{n}": "" for n in range(4, 12)}}
    t.scripts["901"] = {**t.scripts["900"], "id": "901", "name": "someone else's script"}
    t.add_role("jamf-enforcer Retired Role", ["Read Computers"])
    plan = rig.run("plan")
    assert not any(c.action == "delete" for c in plan.changes)  # prune is opt-in
    pruned = rig.run("plan", prune=True)
    deletes = sorted((c.kind, c.name) for c in pruned.changes if c.action == "delete")
    assert deletes == [(R.ROLE, "jamf-enforcer Retired Role"), (R.SCRIPT, "jamf-enforcer old-helper.zsh")]
    result = rig.run("apply", prune=True)
    assert sorted((w.kind, w.name) for w in result.writes if w.action == "deleted") == deletes
    assert "901" in t.scripts and "900" not in t.scripts


def test_prune_never_touches_the_uploaders_own_role_or_client(jamf_sim: Simulator, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import catalogue

    t = jamf_sim.tenant(0)
    t.add_role("jamf-enforcer uploader", catalogue.uploader_privileges())
    _, client_id, secret = t.add_client("jamf-enforcer Uploader Client", ["jamf-enforcer uploader"])
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    monkeypatch.setenv("JE_TEST_0_ID", client_id)
    monkeypatch.setenv("JE_TEST_0_SECRET", secret)
    result = rig.run("apply", prune=True)
    assert result.ok, result.failures
    assert not [w for w in result.writes if w.action == "deleted"]
    assert t.role_by_name("jamf-enforcer uploader") is not None
    assert t.client_by_client_id(client_id) is not None


def test_classic_objects_keep_their_ids_and_sections_on_update(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    policy = next(p for p in t.policies.values() if "Enforce" in p["name"])
    root = ET.fromstring(policy["xml"])
    assert root.findtext("general/category/name") == "Software Updates"
    assert [g.findtext("name") for g in root.findall("scope/computer_groups/computer_group")] == ["All Managed Clients"]
    assert root.findtext("scripts/script/name") == "jamf-enforcer enforcer.zsh"
    assert root.findtext("general/trigger_checkin") == "true"
    policy["xml"] = policy["xml"].replace("<frequency>Ongoing</frequency>", "<frequency>Once every day</frequency>")
    result = rig.run("apply")
    assert [(w.kind, w.action, w.id) for w in result.writes] == [(R.POLICY, "updated", str(policy["id"]))]
    assert "<frequency>Ongoing</frequency>" in policy["xml"]
