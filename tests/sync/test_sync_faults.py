"""Bad input and faults: wrong credentials, missing uploader privileges, unknown privileges,
duplicates, an unreachable tenant, 5xx storms, dropped connections, and a soak run with the
simulator's faults on until apply converges."""

from __future__ import annotations

import collections
import socket
from pathlib import Path

import pytest
import requests

from generator import catalogue
from generator.jamf import resources as R
from generator.jamf import sync
from generator.jamf.sync import SyncError
from generator.sim import Simulator
from tests.sync.helpers import EA_COUNT, Rig, assert_contract, make_rig, policy_params


def test_wrong_credentials_give_one_clear_error_and_one_token_request(rig: Rig, monkeypatch: pytest.MonkeyPatch
                                                                      ) -> None:
    monkeypatch.setenv("JE_TEST_0_SECRET", "not-the-secret")
    [result] = sync.run_tenants(rig.spec, list(rig.spec.tenants), "apply", rig.options)
    assert result.status() == "error"
    assert "rejected the API client credentials" in result.error and "invalid_client" in result.error
    assert result.requests == 1 and result.token_requests == 1
    assert "not-the-secret" not in result.error


def test_the_uploader_role_lacking_a_privilege_names_it_and_what_was_written(jamf_sim: Simulator, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    t = jamf_sim.tenant(0)
    privileges = [p for p in catalogue.uploader_privileges() if p != "Create Scripts"]
    t.add_role("Uploader without scripts", privileges)
    _, client_id, secret = t.add_client("Uploader", ["Uploader without scripts"])
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    monkeypatch.setenv("JE_TEST_0_ID", client_id)
    monkeypatch.setenv("JE_TEST_0_SECRET", secret)
    result = rig.run("apply")
    assert result.status() == "failed"
    failed = {f.name: f.error for f in result.failures}
    script_error = failed["jamf-enforcer enforcer.zsh"]
    assert "POST /api/v1/scripts (HTTP 403)" in script_error and "Create Scripts" in script_error
    # Policies depend on their script: skipped, and say why.
    assert "skipped: depends on script" in failed["jamf-enforcer Enforce software updates"]
    # Everything else was written, and is listed.
    written = {(w.kind, w.action) for w in result.writes}
    assert {(R.CATEGORY, "created"), (R.ROLE, "created"), (R.CLIENT, "created"), (R.EA, "created"),
            (R.PROFILE, "created")} <= written
    assert not t.scripts and not t.policies


def test_a_privilege_unknown_to_the_server_stops_apply_before_any_write(rig: Rig) -> None:
    ts = rig.sync()
    for want in ts.desired:
        if want.kind == R.ROLE:
            want.spec["privileges"] = [*want.spec["privileges"], "Read Unicorns"]
    rig.sim.tenant(0).reset_log()
    with pytest.raises(SyncError) as info:
        ts.apply()
    assert "'Read Unicorns'" in str(info.value) and "11.12.0" in str(info.value)
    assert rig.writes_in_log() == []
    # plan shows the diff and reports the error (exit 1), since apply would refuse.
    planner = rig.sync()
    for want in planner.desired:
        if want.kind == R.ROLE:
            want.spec["privileges"] = [*want.spec["privileges"], "Read Unicorns"]
    plan = planner.plan()
    assert "Read Unicorns" in plan.error and plan.status() == "error" and plan.pending


def test_duplicates_by_name_are_refused_and_the_rest_is_applied(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    template = next(s for s in t.scripts.values() if s["name"] == "jamf-enforcer enforcer-uninstall.zsh")
    t.scripts["900"] = {**template, "id": "900", "name": "JAMF-ENFORCER enforcer-uninstall.zsh"}
    for ea in t.eas.values():
        ea["enabled"] = False
    uninstall = next(p for p in t.policies.values() if "Uninstall" in p["name"])
    uninstall["xml"] = uninstall["xml"].replace("<frequency>Once per computer</frequency>",
                                                "<frequency>Ongoing</frequency>")
    result = rig.run("apply")
    failed = {f.name: f.error for f in result.failures}
    assert "will not guess" in failed["jamf-enforcer enforcer-uninstall.zsh"]
    assert "ids " in failed["jamf-enforcer enforcer-uninstall.zsh"]
    assert "skipped" in failed["jamf-enforcer Uninstall update agent"]
    assert len([w for w in result.writes if w.kind == R.EA and w.action == "updated"]) == EA_COUNT


def test_an_unreachable_tenant_is_reported_per_tenant(rig: Rig) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = rig.spec
    from dataclasses import replace

    spec = replace(spec, tenants=(replace(spec.tenants[0], url=f"https://127.0.0.1:{port}"),))
    [result] = sync.run_tenants(spec, list(spec.tenants), "plan", rig.options)
    assert result.status() == "error" and "cannot connect" in result.error and "gave up after" in result.error


def test_a_5xx_storm_on_one_kind_fails_that_kind_and_reports_the_rest(jamf_sim: Simulator, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    jamf_sim.set_faults("5xx=1.0,methods=POST,path=/api/v1/computer-extension-attributes,seed=3")
    result = rig.run("apply")
    assert result.status() == "failed"
    ea_failures = [f for f in result.failures if f.kind == R.EA]
    assert len(ea_failures) == EA_COUNT
    assert all(("HTTP 5" in f.error) or ("may have been applied" in f.error) for f in ea_failures)
    assert {w.kind for w in result.writes} == {R.CATEGORY, R.ROLE, R.CLIENT, R.SCRIPT, R.PROFILE, R.POLICY}
    jamf_sim.set_faults("")
    second = rig.run("apply")
    assert second.ok and {w.kind for w in second.writes} == {R.EA, R.GROUP}  # the groups' criteria name the EAs


def test_a_create_whose_answer_was_lost_is_confirmed_by_a_re_read_not_resent(jamf_sim: Simulator, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    jamf_sim.set_faults("drop_after=1.0,methods=POST,path=/api/v1/scripts,seed=1")
    result = rig.run("apply")
    scripts = [w for w in result.writes if w.kind == R.SCRIPT]
    assert len(scripts) == 2 and all("confirmed by a re-read" in w.detail for w in scripts)
    posts = [e for e in jamf_sim.tenant(0).request_log if e["method"] == "POST" and e["path"] == "/api/v1/scripts"]
    assert len(posts) == 2  # one POST per script: never resent
    assert len(jamf_sim.tenant(0).scripts) == 2
    assert result.ok


def test_a_create_dropped_before_it_was_applied_is_decided_again_by_a_re_read(jamf_sim: Simulator, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    jamf_sim.set_faults("drop_before=1.0,methods=POST,path=/JSSResource/osxconfigurationprofiles,seed=1")
    result = rig.run("apply")
    [failure] = [f for f in result.failures if f.kind == R.PROFILE]
    assert "may have been applied and is not resent" in failure.error
    posts = [e for e in jamf_sim.tenant(0).request_log if e["method"] == "POST" and "osxconfiguration" in e["path"]]
    assert len(posts) == rig.options.create_attempts  # each one a decision after a re-read
    assert not jamf_sim.tenant(0).profiles


@pytest.mark.parametrize("faults", [
    "5xx=0.1,429=0.05,drop_before=0.02,drop_after=0.02,replication_ms=2000,seed=7",
    "5xx=0.25,429=0.1,drop_before=0.05,drop_after=0.05,replication_ms=2000,seed=11",
])
def test_soak_apply_converges_under_faults(jamf_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], faults: str) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    jamf_sim.set_faults(faults)
    attempts = []
    for attempt in range(1, 16):
        [result] = sync.run_tenants(rig.spec, list(rig.spec.tenants), "apply", rig.options)
        attempts.append((attempt, result.status(), len(result.writes), len(result.failures), result.requests))
        if result.ok and not result.writes:
            break
    with capsys.disabled():
        print(f"\nsoak {faults}: attempts (attempt, status, writes, failures, requests):", attempts)
    assert attempts[-1][1] == "ok" and attempts[-1][2] == 0, attempts
    assert len(attempts) <= 10
    faults = collections.Counter(e["fault"] for e in jamf_sim.tenant(0).request_log if e["fault"])
    assert sum(faults.values()) >= 10, faults  # the run really met faults
    jamf_sim.set_faults("")
    t = jamf_sim.tenant(0)
    for store in (t.scripts, t.eas, t.categories, t.profiles, t.policies, t.roles, t.clients):
        names = [r.get("name") or r.get("displayName") for r in store.values()]
        assert len(names) == len({n.lower() for n in names}), names  # no duplicates
    assert len(t.scripts) == 2 and len(t.eas) == EA_COUNT and len(t.profiles) == 1 and len(t.policies) == 4
    assert rig.run("plan").status() == "in sync"
    params = policy_params(jamf_sim, "Save update credentials")
    token = requests.post(jamf_sim.base_url() + "/api/v1/oauth/token", verify=jamf_sim.ca_file, data={
        "grant_type": "client_credentials", "client_id": params["parameter4"].partition("=")[2],
        "client_secret": params["parameter5"].partition("=")[2]})
    assert token.status_code == 200
    assert_contract(jamf_sim)


def test_a_second_run_on_a_node_that_has_not_replicated_yet_converges_without_rotating(
        jamf_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    jamf_sim.set_faults("replication_ms=30000,seed=2")
    first_client = rig.client()
    first = rig.sync(client=first_client).apply()
    assert first.ok
    node = first_client.session.cookies["jpro-ingress"]
    params = policy_params(jamf_sim, "Save update credentials")
    second_client = rig.client()
    second_client.session.cookies.set("jpro-ingress", "node-2" if node == "node-1" else "node-1")
    ts = rig.sync(client=second_client)
    plan = ts.plan()
    assert any(c.action == "create" for c in plan.changes)  # the other node does not see them yet
    result = ts.apply()
    assert result.ok, result.failures
    assert not [w for w in result.writes if w.action in ("created", "credentials issued")]
    assert policy_params(jamf_sim, "Save update credentials") == params  # the agent's secret was not rotated
    t = jamf_sim.tenant(0)
    assert len(t.scripts) == 2 and len(t.eas) == EA_COUNT and len(t.clients) == 2


def test_a_prune_delete_whose_answer_was_lost_is_not_reported_as_failed(jamf_sim: Simulator, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The first DELETE is applied and its connection dropped; the client retries it (DELETE is
    # idempotent) and the retry answers 404: the object is gone, which is what prune wanted.
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    assert rig.run("apply").ok
    t = jamf_sim.tenant(0)
    t.add_role("jamf-enforcer Retired Role", ["Read Computers"])
    jamf_sim.set_faults("drop_after=0.5,methods=DELETE,seed=13")  # seed 13: the first DELETE drops, the rest not
    result = rig.run("apply", prune=True)
    jamf_sim.set_faults("")
    deletes = [e for e in t.request_log if e["method"] == "DELETE"]
    assert [e["fault"] for e in deletes] == ["drop_after", None]
    assert not any(r["displayName"] == "jamf-enforcer Retired Role" for r in t.roles.values())
    assert result.ok, result.failures
    assert [(w.kind, w.name, w.action) for w in result.writes] == [(R.ROLE, "jamf-enforcer Retired Role", "deleted")]
