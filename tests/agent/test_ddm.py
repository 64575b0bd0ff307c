"""The DDM-first MDM workflow: the real agent under zsh against the simulator, one test per row of the
README's mechanism table (OS family x architecture x toggle x bootstrap state -> mechanism, request body,
outcome, failover).  The Mac and its simulator inventory come from one fact record; every test also
checks that no DDM plan went to macOS < 14 and no MDM-command plan to macOS >= 27."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.sim.fleet import os_tuple
from tests.agent.agentlib import JamfSetup

POLICY = ["/", "Mac-01", "alice"]
DAY = 86400
PLANS = "/api/v1/managed-software-updates/plans"
# macOS version -> (build, the minor update softwareupdate offers, its build, its marketing name)
OS = {
    "11.5": ("20G71", "11.7.10", "20G1427", "Big Sur"),
    "12.7.5": ("21H1222", "12.7.6", "21H1320", "Monterey"),
    "13.7.1": ("22H221", "13.7.8", "22H730", "Ventura"),
    "14.6.1": ("23G93", "14.7.1", "23H222", "Sonoma"),
    "15.1": ("24B83", "15.6.1", "24G90", "Sequoia"),
    "26.1": ("25B78", "26.2", "25C56", "Tahoe"),
    "27.0": ("26A100", "27.1", "26B50", "27"),
}


def local(epoch: float) -> str:
    """forceInstallLocalDateTime for an epoch on the harness Mac (TZ=UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))


def plan_configs(s: JamfSetup) -> list[dict[str, Any]]:
    """The config of every plan request the simulator received (from its recorded exchanges)."""
    return [e["request_json"]["config"] for e in s.sim.exchanges if (e["method"], e["path"]) == ("POST", PLANS)]


def posted_plans(s: JamfSetup) -> int:
    return sum(1 for e in s.tenant.request_log if (e["method"], e["path"]) == ("POST", PLANS))


def check_invariants(s: JamfSetup) -> None:
    """No DDM plan to macOS < 14, no MDM-command plan to macOS >= 27 (by the simulator's own records)."""
    for plan in s.tenant.plan_records.values():
        major = os_tuple(s.tenant.facts(plan["deviceId"]).os_version)[0]
        if plan["updateAction"] == "DOWNLOAD_INSTALL_SCHEDULE":
            assert major >= 14, plan
        else:
            assert major < 27, plan


@pytest.fixture
def fleet_mac(jamf_setup: Callable[..., JamfSetup]) -> Callable[..., JamfSetup]:
    """``fleet_mac(os, arch=..., ddm=True, toggle=True, dist=None, **facts)``: a Mac of that OS family,
    registered with the same facts, offered that OS's next minor update."""

    made: list[JamfSetup] = []

    def build(version: str, *, arch: str = "apple_silicon", ddm: bool = True, toggle: bool = True,
              dist: Path | None = None, **facts: Any) -> JamfSetup:
        build_id, update, update_build, name = OS[version]
        s = jamf_setup(dist, toggle=toggle, facts={"os_version": version, "os_build": build_id, "arch": arch, **facts})
        s.tenant.set_toggle_capabilities(forceInstallLocalDateEnabled=ddm)
        s.mac.set_updates([s.mac.macos_update(update, update_build, name)])
        made.append(s)
        return s

    yield build
    for s in made:
        check_invariants(s)


def test_row_macos_15_ddm_scheduled_at_the_hard_deadline_then_completes(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1")
    zero = s.mac.now
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 0, r.stdout
    assert plan_configs(s) == [{"updateAction": "DOWNLOAD_INSTALL_SCHEDULE", "versionType": "LATEST_MINOR",
                                "forceInstallLocalDateTime": local(zero + 14 * DAY)}]
    status = s.mac.status()
    assert (status["UpdateMechanism"], status["LastMDMWorkflowResult"], status["WorkflowMode"]) == ("DDM", "SCHEDULED", "NEW")
    assert status["ScheduledInstallTime"] == local(zero + 14 * DAY).replace("T", " ")
    assert status["Status"].startswith("Pending: macOS installs macOS Sequoia 15.6.1 by ")
    # Days later: still scheduled, not stalled (the timeout is 120 minutes).
    s.mac.advance(5 * DAY)
    assert s.mac.run(POLICY).returncode == 0
    assert s.mac.status()["LastMDMWorkflowResult"] == "SCHEDULED" and posted_plans(s) == 1
    # Past the forced time the plan completes on the simulator's clock.
    s.mac.advance(9 * DAY + 600)
    assert s.mac.run(POLICY).returncode == 0
    assert s.mac.status()["LastMDMWorkflowResult"] == "SUCCESS" and posted_plans(s) == 1


def test_row_macos_14_past_deadline_is_forced_at_now_plus_the_lead(fleet_mac: Callable[..., JamfSetup],
                                                                   render_variant: Callable[..., Path]) -> None:
    dist = render_variant(agent={"hard_deadline_date": "2025-12-01", "ddm_lead_minutes": 90})
    s = fleet_mac("14.6.1", dist=dist)
    now = s.mac.now
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert plan_configs(s)[0]["forceInstallLocalDateTime"] == local(now + 90 * 60)
    assert s.mac.status()["UpdateMechanism"] == "DDM"


def test_row_pinned_target_is_a_specific_version_ddm_plan(fleet_mac: Callable[..., JamfSetup],
                                                          render_variant: Callable[..., Path]) -> None:
    s = fleet_mac("15.1", dist=render_variant(agent={"target_version": "15.6.1"}))
    zero = s.mac.now
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert plan_configs(s) == [{"updateAction": "DOWNLOAD_INSTALL_SCHEDULE", "versionType": "SPECIFIC_VERSION",
                                "specificVersion": "15.6.1", "forceInstallLocalDateTime": local(zero + 14 * DAY)}]


@pytest.mark.parametrize("version", ["11.5", "12.7.5", "13.7.1"])
def test_row_macos_11_5_to_13_get_the_mdm_command_plan(version: str, fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac(version)
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert plan_configs(s) == [{"updateAction": "DOWNLOAD_INSTALL_RESTART", "versionType": "LATEST_MINOR"}]
    assert s.mac.status()["UpdateMechanism"] == "MDM_COMMAND"
    s.mac.advance(11 * 60)
    assert s.mac.run(POLICY).returncode == 0
    assert s.mac.status()["LastMDMWorkflowResult"] == "SUCCESS"


def test_row_macos_26_without_ddm_on_the_server_gets_the_mdm_command_plan(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("26.1", ddm=False)
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert [c["updateAction"] for c in plan_configs(s)] == ["DOWNLOAD_INSTALL_RESTART"]
    assert s.mac.status()["UpdateMechanism"] == "MDM_COMMAND"


def test_row_macos_26_toggle_off_uses_legacy_send_updates(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("26.1", toggle=False)
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert posted_plans(s) == 0 and len(s.tenant.legacy_updates) == 1
    assert s.mac.status()["UpdateMechanism"] == "LEGACY" and s.mac.status()["WorkflowMode"] == "LEGACY"


def test_row_macos_27_with_ddm_gets_the_ddm_plan(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("27.0")
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert [c["updateAction"] for c in plan_configs(s)] == ["DOWNLOAD_INSTALL_SCHEDULE"]


@pytest.mark.parametrize(("server", "why"), [
    ("legacy-only", "Jamf Pro offers only the legacy send-updates"),
    ("no-ddm", "Jamf Pro does not offer DDM plans"),
    ("mdm-command", "the bundle forces MDM-command plans"),
])
def test_row_macos_27_without_ddm_fails_before_any_push(server: str, why: str, fleet_mac: Callable[..., JamfSetup],
                                                        render_variant: Callable[..., Path]) -> None:
    dist = render_variant(agent={"update_mechanism": "mdm-command"}) if server == "mdm-command" else None
    s = fleet_mac("27.0", toggle=server != "legacy-only", ddm=server != "no-ddm", dist=dist)
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 1, r.stdout
    assert posted_plans(s) == 0 and s.tenant.legacy_updates == []
    lines = [line for line in s.mac.log_text().splitlines() if "has no MDM software update commands" in line]
    assert len(lines) == 1 and why in lines[0], s.mac.log_text()
    assert s.mac.status()["LastMDMWorkflowResult"] == "FAILED"
    # The seed's failover types apply by their own conditions: --install-now with INSTALLNOW lets the user.
    s.mac.add_user("alice", "alice-pw", admin=True).set_console_user("alice")
    s.mac.dialog_answers({"button": "OK", "text": "alice-pw"})
    s.mac.advance(2 * 3600)
    r = s.mac.run([*POLICY, "--install-now", "--auth-mdm-failover-to-user=INSTALLNOW"])
    assert r.returncode == 0, r.stdout
    assert s.mac.read_state("softwareupdate")["installed"] == ["macOS 27 27.1-26B50"]
    assert s.mac.status()["UpdateMechanism"] == "LOCAL" and posted_plans(s) == 0


def test_row_intel_installs_locally(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1", arch="intel")
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert s.requests() == [] and s.mac.status()["UpdateMechanism"] == "LOCAL"


def test_row_bootstrap_not_escrowed_is_found_before_any_plan(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1", bootstrap_escrowed=False)  # one fact: the Mac's profiles and the server agree
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 1 and posted_plans(s) == 0
    assert s.mac.status()["BootstrapTokenEscrow"] == "NOT_ESCROWED"


def test_row_plan_fails_with_no_escrow_key_a_bootstrap_problem(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1")
    s.tenant.set_device_outcome(s.jamf_id, "fail", "APPLE_SILICON_NO_ESCROW_KEY")
    assert s.mac.run([*POLICY, *s.client_args(), "--auth-mdm-failover-to-user=BOOTSTRAP"]).returncode == 0
    s.mac.add_user("alice", "alice-pw", admin=True).set_console_user("alice")
    s.mac.dialog_answers({"button": "OK", "text": "alice-pw"})
    s.mac.advance(11 * 60)
    r = s.mac.run(POLICY)
    assert r.returncode == 0, r.stdout
    assert "APPLE_SILICON_NO_ESCROW_KEY" in s.mac.status()["LastMDMWorkflowDetail"]
    assert [c["argv"][:3] for c in r.calls("profiles")].count(["install", "-type", "bootstraptoken"]) == 1
    assert s.mac.read_state("softwareupdate")["installed"] == ["macOS Sequoia 15.6.1-24G90"]


def test_row_ddm_not_supported_falls_back_to_the_mdm_command_plan_once(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1")
    reason = "DECLARATIVE_DEVICE_MANAGEMENT_SOFTWARE_UPDATES_NOT_SUPPORTED_FOR_DEVICE_OS_VERSION"
    s.tenant.set_device_outcome(s.jamf_id, "fail", reason)
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    s.tenant.device_outcomes.clear()
    s.mac.advance(11 * 60)
    assert s.mac.run(POLICY).returncode == 0
    assert [c["updateAction"] for c in plan_configs(s)] == ["DOWNLOAD_INSTALL_SCHEDULE", "DOWNLOAD_INSTALL_RESTART"]
    status = s.mac.status()
    assert status["DDMUnsupportedTarget"] == "15.6.1" and status["UpdateMechanism"] == "MDM_COMMAND"
    assert reason in s.mac.log_text()
    s.mac.advance(11 * 60)
    assert s.mac.run(POLICY).returncode == 0
    assert s.mac.status()["LastMDMWorkflowResult"] == "SUCCESS" and posted_plans(s) == 2  # no DDM again


def test_row_existing_plan_is_adopted(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1")
    forced = local(s.mac.now + 3 * DAY)
    other = s.tenant.admin_client
    from tests.sim.simclient import Api  # the admin's own plan, made elsewhere (e.g. a Jamf blueprint)

    api = Api(s.sim)
    api.use(api.client_token(*other).json()["access_token"])
    made = api.post(PLANS, json={"devices": [{"objectType": "COMPUTER", "deviceId": s.jamf_id}],
                                 "config": {"updateAction": "DOWNLOAD_INSTALL_SCHEDULE", "versionType": "LATEST_MINOR",
                                            "forceInstallLocalDateTime": forced}})
    plan_id = made.json()["plans"][0]["planId"]
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    status = s.mac.status()
    assert status["LastMDMPlanID"] == plan_id and status["LastMDMWorkflowResult"] == "SCHEDULED"
    assert status["ScheduledInstallTime"] == forced.replace("T", " ") and status["UpdateMechanism"] == "DDM"
    assert posted_plans(s) == 2  # the admin's, and the agent's one refused attempt


def test_row_not_supervised_fails_named_then_the_failover_types_apply(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1", supervised=False)
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    s.mac.advance(11 * 60)
    r = s.mac.run(POLICY)
    assert r.returncode == 1
    assert "PlanFailed (NOT_SUPERVISED)" in s.mac.status()["LastMDMWorkflowDetail"]
    assert s.mac.status()["LastMDMWorkflowResult"] == "FAILED"
    assert "NOT_SUPERVISED" in s.mac.log_text()
    # With ALWAYS the next failure lets the logged-in user install instead.
    s.mac.advance(2 * 3600)
    assert s.mac.run([*POLICY, "--auth-mdm-failover-to-user=ALWAYS"]).returncode == 0  # a new plan: fails again
    s.mac.add_user("alice", "alice-pw", admin=True).set_console_user("alice")
    s.mac.dialog_answers({"button": "OK", "text": "alice-pw"})
    s.mac.advance(11 * 60)
    r = s.mac.run(POLICY)
    assert r.returncode == 0, r.stdout
    assert s.mac.read_state("softwareupdate")["installed"] == ["macOS Sequoia 15.6.1-24G90"]


def test_row_install_now_while_scheduled_uses_the_user_not_a_second_plan(fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1")
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    s.mac.add_user("alice", "alice-pw", admin=True).set_console_user("alice")
    s.mac.dialog_answers({"button": "OK", "text": "alice-pw"})
    s.mac.advance(3600)
    r = s.mac.run([*POLICY, "--install-now"])
    assert r.returncode == 0, r.stdout
    assert posted_plans(s) == 1
    install = [c["argv"] for c in r.calls("softwareupdate") if "--install" in c["argv"]]
    assert install and "--stdinpass" in install[0]
    assert s.mac.status()["UpdateMechanism"] == "LOCAL"


def test_row_user_agrees_while_scheduled_without_a_secure_token_is_told_software_update(
        fleet_mac: Callable[..., JamfSetup]) -> None:
    s = fleet_mac("15.1")
    zero = s.mac.now
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    s.mac.add_user("bob", "bob-pw", secure_token=False).set_console_user("bob")
    s.mac.dialog_answers({"button": "Install Now"}, {"button": "OK"})
    s.mac.advance(3600)
    assert s.mac.run(POLICY).returncode == 0
    shown = s.mac.read_state("osascript")["shown"]
    assert len(shown) == 2 and posted_plans(s) == 1
    scripts = [c for c in s.mac.calls() if c["cmd"] == "osascript"]
    assert len(scripts) == 2
    assert s.mac.read_state("softwareupdate").get("installed", []) == []
    assert s.mac.status()["Status"] == (f"Pending: macOS installs macOS Sequoia 15.6.1 by "
                                        f"{local(zero + 14 * DAY).replace('T', ' ')} "
                                        f"(DDM plan {s.mac.status()['LastMDMPlanID']})")


def test_row_update_mechanism_ddm_on_macos_13_fails_before_any_push(fleet_mac: Callable[..., JamfSetup],
                                                                    render_variant: Callable[..., Path]) -> None:
    s = fleet_mac("13.7.1", dist=render_variant(agent={"update_mechanism": "ddm"}))
    s.mac.set_console_user(None)
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 1 and posted_plans(s) == 0
    assert "update_mechanism = ddm, but DDM software updates need macOS 14" in s.mac.log_text()


def test_the_readme_table_has_one_row_per_test() -> None:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"\| `(test_row_[a-z0-9_]+)` \|", readme)
    here = sorted(name for name in globals() if name.startswith("test_row_"))
    assert sorted(listed) == here and len(set(listed)) == len(listed)
