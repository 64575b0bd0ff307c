"""The enforcement loop: the cheap nothing-due run, zero date and deadlines, the deferral dialog,
--install-now, Intel installs, the lock, and the uninstall script."""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from pathlib import Path

from tests.agent.agentlib import AgentMac, JamfSetup

POLICY = ["/", "Mac-01", "alice"]
DAY = 86400
LABEL = "macOS Sequoia 15.6.1-24G90"


def intel(mac: AgentMac) -> AgentMac:
    mac.set_system(arch="i386")
    return mac


def installs(mac: AgentMac) -> list[str]:
    return mac.read_state("softwareupdate").get("installed", [])


def test_nothing_due_costs_one_plistbuddy_call(mac: AgentMac) -> None:
    mac.set_updates([])
    assert mac.run(POLICY).returncode == 0
    status = mac.status()
    assert status["Status"] == "Idle: no macOS update pending"
    assert status["NextRun"] == "2026-01-01 16:00:00"  # + deferral_minutes (240)
    mac.advance(3600)
    r = mac.run(POLICY)
    assert r.returncode == 0
    assert [c["cmd"] for c in r.stub_calls] == ["PlistBuddy"]
    assert "nothing due until 2026-01-01 16:00:00" in r.stdout
    assert mac.status() == status  # untouched
    # An unchanged setting option keeps the run cheap; a changed one does not.
    mac.run([*POLICY, "--auth-mdm-failover-to-user=HARD"])
    r = mac.run([*POLICY, "--auth-mdm-failover-to-user=HARD"])
    assert [c["cmd"] for c in r.stub_calls] == ["PlistBuddy"]


def test_install_now_and_due_time_bypass_the_fast_path(mac: AgentMac) -> None:
    intel(mac).set_updates([])
    mac.run(POLICY)
    mac.set_updates([mac.macos_update()])
    r = mac.run([*POLICY, "--install-now"])
    assert installs(mac) == [LABEL], r.stdout
    mac.set_updates([mac.macos_update("15.7", "24H1")])
    mac.advance(5 * 3600)
    mac.run(POLICY)
    assert len(installs(mac)) == 2


def test_zero_date_is_kept_while_anything_is_pending(mac: AgentMac) -> None:
    mac.set_updates([mac.macos_update()])  # Apple silicon, nothing saved, nobody logged in: errors
    mac.run(POLICY)
    first = mac.status()
    assert (first["ZeroDate"], first["SoftDeadline"], first["HardDeadline"]) == (
        "2026-01-01 12:00:00", "2026-01-08 12:00:00", "2026-01-15 12:00:00")
    mac.set_updates([mac.macos_update("15.7", "24H1")])
    mac.advance(2 * DAY)
    mac.run(POLICY)
    later = mac.status()
    assert later["ZeroDate"] == first["ZeroDate"] and later["PendingUpdateTarget"] == "macOS Sequoia 15.7"
    mac.set_updates([])
    mac.advance(DAY)
    mac.run(POLICY)
    assert "ZeroDate" not in mac.status() and mac.status()["PendingUpdateTarget"] == "NONE"


def test_fixed_deadline_date_wins_when_earlier(render_variant: Callable[..., Path],
                                               mac_for: Callable[[Path], AgentMac]) -> None:
    dist = render_variant(agent={"soft_deadline_date": "2026-01-03", "hard_deadline_date": "2026-02-01"})
    mac = mac_for(dist)
    mac.set_updates([mac.macos_update()])
    mac.run(POLICY)
    status = mac.status()
    assert status["SoftDeadline"] == "2026-01-03 00:00:00"
    assert status["HardDeadline"] == "2026-01-15 12:00:00"


def test_user_defers_before_the_soft_deadline_then_must_install(mac: AgentMac) -> None:
    intel(mac).add_user("alice", "pw").set_console_user("alice")
    mac.set_updates([mac.macos_update()])
    mac.dialog_answers({"button": "Later"})
    r = mac.run(POLICY)
    assert r.returncode == 0
    status = mac.status()
    assert status["Status"].startswith("Deferred: alice deferred macOS Sequoia 15.6.1")
    assert status["NextRun"] == "2026-01-01 16:00:00"
    assert installs(mac) == []
    # A dialog that times out counts as a deferral before the soft deadline.
    mac.advance(5 * 3600)
    mac.dialog_answers({"gave_up": True})
    mac.run(POLICY)
    assert installs(mac) == []
    # Past the soft deadline the dialog only informs; the update installs even if it times out.
    mac.advance(7 * DAY)
    mac.dialog_answers({"gave_up": True})
    mac.run(POLICY)
    assert installs(mac) == [LABEL]


def test_past_the_hard_deadline_no_dialog(mac: AgentMac) -> None:
    intel(mac).add_user("alice", "pw").set_console_user("alice")
    mac.set_updates([mac.macos_update()])
    mac.dialog_answers({"button": "Later"})
    mac.run(POLICY)
    mac.advance(15 * DAY)
    r = mac.run(POLICY)
    assert installs(mac) == [LABEL]
    assert r.calls("osascript") == []


def test_install_now_skips_the_deferral_dialog(mac: AgentMac) -> None:
    intel(mac).add_user("alice", "pw").set_console_user("alice")
    mac.set_updates([mac.macos_update()])
    r = mac.run([*POLICY, "--install-now"])
    assert installs(mac) == [LABEL]
    assert r.calls("osascript") == []


def test_nobody_logged_in_installs_without_asking(mac: AgentMac) -> None:
    intel(mac).set_updates([mac.macos_update()])
    r = mac.run(POLICY)
    assert r.returncode == 0 and installs(mac) == [LABEL]
    assert mac.status()["Status"] == "Running: installed macOS Sequoia 15.6.1; the Mac restarts to finish"


def test_failed_install_defers_by_the_error_timer(mac: AgentMac) -> None:
    intel(mac).set_updates([mac.macos_update()], install_exit=1)
    r = mac.run(POLICY)
    assert r.returncode == 1
    assert mac.status()["NextRun"] == "2026-01-01 13:00:00"


def test_pinned_target_version(render_variant: Callable[..., Path], jamf_setup: Callable[..., JamfSetup]) -> None:
    dist = render_variant(agent={"target_version": "15.6.1"})
    s = jamf_setup(dist)
    s.mac.set_updates([s.mac.macos_update("15.7", "24H1"), s.mac.macos_update()])
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    plan = next(iter(s.tenant.plans.values()))
    assert (plan["versionType"], plan["specificVersion"]) == ("SPECIFIC_VERSION", "15.6.1")
    assert s.mac.status()["PendingUpdateLabel"] == LABEL


def test_a_running_agent_holds_the_lock(mac: AgentMac) -> None:
    lock = mac.path(mac.context["work_dir"] + "/agent.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as fh:
        fcntl.lockf(fh, fcntl.LOCK_EX)
        r = mac.run(POLICY)
    assert r.returncode == 0
    assert "another run of the agent holds the lock" in r.stdout
    assert r.stub_calls == []


def test_uninstall_removes_credentials_service_account_status_logs_and_lock(mac: AgentMac) -> None:
    mac.add_user("admin", "admin-pw", admin=True)
    mac.set_updates([])
    mac.run([*POLICY, "--auth-service-add-via-admin-account=admin", "--auth-service-add-via-admin-password=admin-pw"])
    mac.update_state("keychain", items=[*mac.keychain(), {"keychain": "System.keychain", "service": "other.service",
                                                           "account": "auth_jamf_client", "password": "keep"}])
    assert "enforcer-update" in mac.users()
    r = mac.run([], script=mac.uninstall)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "enforcer-update" not in mac.users()
    assert [i["service"] for i in mac.keychain()] == ["other.service"]  # only this agent's items
    assert not mac.path(mac.context["work_dir"]).exists()
    assert mac.files() == ["/Library/Preferences/com.jamfsoftware.jamf.plist"]
    # Idempotent: a second run finds nothing and succeeds.
    assert mac.run([], script=mac.uninstall).returncode == 0


def test_major_upgrades_are_not_targets(mac: AgentMac) -> None:
    intel(mac).set_updates([mac.macos_update("26.1", "25B78", "Tahoe"), mac.macos_update()])
    mac.run(POLICY)
    assert installs(mac) == [LABEL]
    assert "not a target: macOS Tahoe 26.1 is a major upgrade from macOS 15.1" in mac.log_text()


SAFARI = {"label": "Safari18.6VenturaAuto-18.6", "title": "Safari", "version": "18.6", "size_kib": 162000,
          "recommended": True, "restart": False}


def test_an_update_that_is_not_macos_is_not_a_target(mac: AgentMac) -> None:
    intel(mac).set_updates([SAFARI])
    assert mac.run(POLICY).returncode == 0
    assert installs(mac) == []
    assert mac.status()["Status"] == "Idle: no macOS update pending"
    assert mac.status()["PendingUpdateTarget"] == "NONE"
    # With a macOS update listed too, only the macOS update is the target.
    mac.set_updates([SAFARI, mac.macos_update()])
    mac.advance(DAY)
    mac.run(POLICY)
    assert installs(mac) == [LABEL]


def test_legacy_mdm_push_never_sends_a_non_macos_version(render_variant: Callable[..., Path],
                                                        jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(render_variant(agent={"msu_workflow": "legacy"}), toggle=False, updates=False)
    s.mac.set_updates([SAFARI])
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert s.tenant.legacy_updates == []
    assert s.mac.status()["Status"] == "Idle: no macOS update pending"
