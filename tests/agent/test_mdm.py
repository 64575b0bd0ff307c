"""The Jamf Pro API workflow end to end: the real agent under the harness against the simulator
over HTTPS.  Role and client come from the rendered JSON; a privilege removed from the role (or
the account) fails the run and is named in the agent's log."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import catalogue
from tests.agent.agentlib import AgentMac, JamfSetup

POLICY = ["/", "Mac-01", "alice"]
DAY = 86400


def api_calls(setup: JamfSetup) -> list[str]:
    return [f"{m} {p}" for m, p, _ in setup.requests()]


def plan_posts(setup: JamfSetup) -> int:
    return sum(1 for m, p, _ in setup.requests() if (m, p) == ("POST", "/api/v1/managed-software-updates/plans"))


def test_client_credentials_save_and_push_a_plan(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 0, r.stdout
    plans = list(s.tenant.plans.values())
    assert len(plans) == 1
    assert plans[0]["device"] == {**plans[0]["device"], "deviceId": s.jamf_id, "objectType": "COMPUTER"}
    assert (plans[0]["updateAction"], plans[0]["versionType"]) == ("DOWNLOAD_INSTALL_RESTART", "LATEST_MINOR")
    status = s.mac.status()
    assert status["SavedCredentialMethod"] == "JAMF_CLIENT"
    assert status["LastMDMWorkflowResult"] == "IN_PROGRESS"
    assert status["LastMDMPlanID"] == next(iter(s.tenant.plans))
    assert status["WorkflowMode"] == "NEW"
    assert status["ComputerIDSource"] == "MANAGED"
    # Validated before saving: token, privileges, one read; then the push; token invalidated last.
    assert api_calls(s) == ["POST /api/v1/oauth/token", "GET /api/v1/auth",
                            "GET /api/v1/managed-software-updates/plans/feature-toggle",
                            "POST /api/v1/managed-software-updates/plans", "POST /api/v1/auth/invalidate-token"]
    assert [i["account"] for i in s.mac.keychain()] == ["auth_jamf_client", "auth_jamf_secret"]
    assert all(i["service"] == s.mac.context["keychain_service"] for i in s.mac.keychain())
    assert "saved the JAMF_CLIENT credential" in s.mac.log_text("audit.log")
    # No blank push, no Classic API.
    assert not any("/JSSResource/" in c or "blank-push" in c for c in api_calls(s))


@pytest.mark.parametrize("workflow", ["new", "legacy"])
@pytest.mark.parametrize("method", ["jamf-client", "jamf-account"])
def test_end_to_end_scenarios(workflow: str, method: str, jamf_setup: Callable[..., JamfSetup],
                              render_variant: Callable[..., Path]) -> None:
    dist = render_variant(agent={"msu_workflow": "auto" if workflow == "new" else "legacy",
                                 "credential_method": method})
    s = jamf_setup(dist, toggle=(workflow == "new"))
    r = s.mac.run([*POLICY, *(s.client_args() if method == "jamf-client" else s.account_args())])
    assert r.returncode == 0, r.stdout
    if workflow == "new":
        assert len(s.tenant.plans) == 1
    else:
        assert len(s.tenant.legacy_updates) == 1
        sent = s.tenant.legacy_updates[0]["request"]
        assert sent == {"deviceIds": [s.jamf_id], "version": "15.6.1", "skipVersionVerification": True,
                        "updateAction": "DOWNLOAD_AND_INSTALL", "forceRestart": True}
        assert "GET /api/v1/managed-software-updates/plans/feature-toggle" not in api_calls(s)
    assert s.mac.status()["LastMDMWorkflowResult"] == "IN_PROGRESS"


def _scenario_privileges() -> list[tuple[str, str, str]]:
    cases = []
    for workflow, bundle_workflow in (("new", "auto"), ("legacy", "legacy")):
        for method in ("jamf-client", "jamf-account"):
            for privilege in catalogue.role_privileges(bundle_workflow):
                cases.append((workflow, method, privilege))
    return cases


@pytest.mark.parametrize(("workflow", "method", "privilege"), _scenario_privileges())
def test_each_missing_privilege_fails_the_run_and_is_named(workflow: str, method: str, privilege: str,
                                                            jamf_setup: Callable[..., JamfSetup],
                                                            render_variant: Callable[..., Path]) -> None:
    bundle_workflow = "auto" if workflow == "new" else "legacy"
    dist = render_variant(agent={"msu_workflow": bundle_workflow, "credential_method": method})
    full = catalogue.role_privileges(bundle_workflow)
    reduced = [p for p in full if p != privilege]
    if method == "jamf-client":
        s = jamf_setup(dist, toggle=(workflow == "new"), role_privileges=reduced)
        args = s.client_args()
    else:
        s = jamf_setup(dist, toggle=(workflow == "new"), account_privileges=reduced)
        args = s.account_args()
    r = s.mac.run([*POLICY, *args])
    assert r.returncode != 0, r.stdout
    log = s.mac.log_text()
    assert f'lack the privilege "{privilege}"' in log
    if method == "jamf-account":
        assert catalogue.account_form(privilege) in log
    assert s.mac.keychain() == [], "nothing is saved when validation fails"
    assert s.tenant.plans == {} and s.tenant.legacy_updates == []


def test_runtime_403_names_the_privilege_the_catalogue_lists(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(updates=False)
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    role = s.tenant.role_by_name(json.loads((s.mac.dist / "jamf/api-role.json").read_text())["displayName"])
    role["privileges"] = [p for p in role["privileges"] if p != "Read Mobile Devices"]
    s.mac.set_updates([s.mac.macos_update()])
    s.mac.advance(DAY)
    r = s.mac.run(POLICY)
    assert r.returncode == 1
    log = s.mac.log_text()
    assert "Jamf Pro refused msu.plan.create with 403 Forbidden: the API role needs:" in log
    assert "Read Mobile Devices" in log
    status = s.mac.status()
    assert status["LastMDMWorkflowResult"] == "FAILED"
    assert status["Status"].startswith("Error: the MDM workflow failed")


def test_plan_progress_is_followed_to_completion(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.run([*POLICY, *s.client_args()])
    s.mac.advance(11 * 60)
    r = s.mac.run(POLICY)
    assert r.returncode == 0
    status = s.mac.status()
    assert status["LastMDMWorkflowResult"] == "SUCCESS", status
    assert status["Status"].startswith("Pending: MDM update of macOS Sequoia 15.6.1 finished")
    assert plan_posts(s) == 1, "no second plan while the first one is followed"
    assert "GET /api/v1/managed-software-updates/plans/" + status["LastMDMPlanID"] in api_calls(s)


def test_failed_plan_defers_by_the_error_timer(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.tenant.set_device_outcome(s.jamf_id, "fail", "APPLE_SILICON_NO_ESCROW_KEY")
    s.mac.run([*POLICY, *s.client_args()])
    s.mac.advance(11 * 60)
    r = s.mac.run(POLICY)
    assert r.returncode == 1
    status = s.mac.status()
    assert status["LastMDMWorkflowResult"] == "FAILED"
    assert "PlanFailed (APPLE_SILICON_NO_ESCROW_KEY)" in status["LastMDMWorkflowDetail"]
    assert status["NextRun"] == "2026-01-01 13:11:00"  # now + error_deferral_minutes (60)
    assert "softwareupdate" not in [c["cmd"] for c in r.stub_calls if c["argv"][:1] == ["--install"]]


def test_stalled_plan_fails_after_the_timeout_then_fails_over_with_always(
        jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.tenant.set_device_outcome(s.jamf_id, "stall")
    s.mac.add_user("alice", "alice-pw", admin=True).set_console_user("alice")
    s.mac.dialog_answers({"button": "Install Now"})
    s.mac.run([*POLICY, *s.client_args(), "--auth-mdm-failover-to-user=ALWAYS"])
    assert s.mac.status()["LastMDMWorkflowResult"] == "IN_PROGRESS"
    s.mac.advance(60 * 60)
    assert s.mac.run(POLICY).returncode == 0
    assert s.mac.status()["LastMDMWorkflowResult"] == "IN_PROGRESS"
    s.mac.dialog_answers({"button": "OK", "text": "alice-pw"})
    s.mac.advance(125 * 60)
    r = s.mac.run(POLICY)
    assert r.returncode == 0, r.stdout
    assert "no progress for 120 minutes" in s.mac.log_text()
    install = [c for c in r.calls("softwareupdate") if "--install" in c["argv"]]
    assert install and install[0]["argv"][-3:] == ["--user", "alice", "--stdinpass"] and install[0]["stdin"]
    assert plan_posts(s) == 1


def test_existing_plan_error_is_followed_not_retried(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.tenant.set_device_outcome(s.jamf_id, "stall")
    s.mac.run([*POLICY, *s.client_args()])
    # Lose the agent's record of the plan (e.g. a reinstall): Jamf still runs it.
    plist = s.mac.path(s.mac.context["status_plist"])
    import plistlib
    data = plistlib.loads(plist.read_bytes())
    for key in ("LastMDMWorkflowResult", "LastMDMPlanID", "NextRun"):
        data.pop(key)
    plist.write_bytes(plistlib.dumps(data))
    r = s.mac.run(POLICY)
    assert r.returncode == 0, r.stdout
    assert plan_posts(s) == 2  # exactly one attempt, answered 400 EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS
    assert "already has a plan in progress" in s.mac.log_text()
    assert s.mac.status()["LastMDMWorkflowResult"] == "IN_PROGRESS"


def test_rate_limit_waits_for_retry_after_and_401_reauthenticates_once(
        jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(plan_rate_per_minute=1, client_lifetime=30)
    other = s.tenant.register_computer("C02OTHER0001", "00000000-0000-4000-8000-0000000000ff", "mgmt-ff")
    # Another device's plan fills this minute's rate window.
    s.tenant.plan_window.append(s.sim.clock.now())
    started = s.mac.now
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 0, r.stdout
    log = s.mac.log_text()
    assert "rate-limited msu.plan.create (429): waiting 60 s as Retry-After asks" in log
    assert [c["argv"] for c in r.calls("sleep")] == [["60"]]
    assert s.mac.now - started == 60  # the harness clock moved; no real time passed
    assert "answered 401 to msu.plan.create: getting a new token and trying once more" in log
    assert len(s.tenant.plans) == 1 and other not in [p["device"]["deviceId"] for p in s.tenant.plans.values()]
    tokens = [p for m, p, st in s.requests() if p == "/api/v1/oauth/token"]
    assert len(tokens) == 2


def test_custom_url_is_really_used(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    real = s.sim.base_url()
    s.mac.set_jamf(jss_url="https://127.0.0.1:9/")  # nothing listens there
    r = s.mac.run([*POLICY, *s.client_args(), f"--auth-jamf-custom-url={real}"])
    assert r.returncode == 0, r.stdout
    assert len(s.tenant.plans) == 1
    assert s.mac.status()["AuthJamfCustomURL"] == real + "/"


def test_managed_custom_url_wins(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.managed(AuthJamfComputerID=s.jamf_id, AuthJamfCustomURL="https://127.0.0.1:9")
    r = s.mac.run([*POLICY, *s.client_args(), f"--auth-jamf-custom-url={s.sim.base_url()}"])
    assert r.returncode == 1
    assert "cannot get a Jamf Pro API token: Jamf Pro at https://127.0.0.1:9/ is unreachable" in s.mac.log_text()
    assert s.mac.keychain() == []


def test_oauth_falls_back_to_the_unversioned_endpoint_on_404(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.tenant.disable_route("POST /api/v1/oauth/token")
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 0, r.stdout
    assert ("POST", "/api/oauth/token", 200) in s.requests()


@pytest.mark.parametrize("case", ["v3", "v1", "recon", "jssid-literal"])
def test_computer_id_resolution(case: str, jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(managed_id=False, register=(case != "recon"))
    if case == "recon":
        s.jamf_id = s.tenant.register_computer("C02ELSE0001", "00000000-0000-4000-8000-0000000000ee", "mgmt-ee")
        s.mac.set_jamf(jss_url=s.sim.base_url() + "/", recon_id=int(s.jamf_id))
    if case == "v1":
        s.tenant.disable_route("GET /api/v3/computers-inventory")
    if case == "jssid-literal":
        s.mac.managed(AuthJamfComputerID="$JSSID")
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 0, r.stdout
    status = s.mac.status()
    assert status["ComputerID"] == s.jamf_id
    assert status["ComputerIDSource"] == ("RECON" if case == "recon" else "INVENTORY_API")
    assert [c["argv"][0] for c in r.calls("jamf")].count("recon") == (1 if case == "recon" else 0)
    if case == "v1":
        assert ("GET", "/api/v1/computers-inventory", 200) in s.requests()
    assert "is not a Jamf Pro ID" not in s.mac.log_text()  # the literal $JSSID is ignored quietly
    # Later runs use the cached ID: no lookup, no recon.
    s.tenant.reset_log()
    s.mac.advance(11 * 60)
    s.mac.run(POLICY)
    assert s.mac.status()["ComputerIDSource"] == "CACHED"
    assert not any("computers-inventory" in p for _, p, _ in s.requests())


def test_client_method_needs_jamf_pro_10_49(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(version="10.48.0")
    r = s.mac.run([*POLICY, "--auth-jamf-client=abc", "--auth-jamf-secret=def"])
    assert r.returncode == 2
    assert "--auth-jamf-client needs Jamf Pro 10.49 or later: the jamf binary reports 10.48.0" in s.mac.log_text()
    assert s.mac.keychain() == [] and s.requests() == []
    assert s.mac.status() == {}, "nothing saved: not even the status plist"


def test_account_method_on_10_48_and_the_10_49_warning(jamf_setup: Callable[..., JamfSetup]) -> None:
    old = jamf_setup(version="10.48.0")
    assert old.mac.run([*POLICY, *old.account_args()]).returncode == 0
    assert len(old.tenant.plans) == 1
    assert "clients" not in old.mac.log_text()
    new = jamf_setup()
    assert new.mac.run([*POLICY, *new.account_args()]).returncode == 0
    assert "--auth-jamf-account: Jamf Pro 10.49+ supports API clients" in new.mac.log_text()


def test_wrong_secret_fails_validation_and_saves_nothing(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    r = s.mac.run([*POLICY, f"--auth-jamf-client={s.client_id}", "--auth-jamf-secret=wrong"])
    assert r.returncode == 1
    assert "Jamf Pro rejected the API client credentials (HTTP 401)" in s.mac.log_text()
    assert ("POST", "/api/v1/auth/invalidate-token", 401) not in s.requests()
    assert s.mac.keychain() == []
    assert s.mac.status()["Status"] == "Error: the new credential failed validation; nothing was saved"


def test_macos_below_11_5_validates_and_saves_but_does_not_push(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.set_system(product_version="11.4", build_version="20F71")
    s.mac.set_updates([s.mac.macos_update("11.7.10", "20G1427", "Big Sur")])
    r = s.mac.run([*POLICY, *s.client_args()])
    assert s.mac.status()["SavedCredentialMethod"] == "JAMF_CLIENT"
    assert s.tenant.plans == {}
    assert "the MDM workflow needs macOS 11.5 or later (this Mac runs 11.4)" in s.mac.log_text()
    assert r.returncode == 1  # nobody logged in to authenticate instead


def test_intel_ignores_apple_silicon_credentials_and_installs_as_root(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.set_system(arch="i386")
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 0, r.stdout
    assert s.requests() == [] and s.mac.keychain() == []
    assert "Intel Mac: root installs updates" in s.mac.log_text()
    install = [c["argv"] for c in r.calls("softwareupdate") if "--install" in c["argv"]]
    assert install == [["--install", "macOS Sequoia 15.6.1-24G90", "--restart", "--agree-to-license"]]


def test_bootstrap_problem_without_failover_defers_without_pushing(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.set_bootstrap(escrowed=False)
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 1
    status = s.mac.status()
    assert status["BootstrapTokenEscrow"] == "NOT_ESCROWED"
    assert s.tenant.plans == {}
    assert status["Status"].startswith("Error: the MDM workflow cannot run: bootstrap token NOT_ESCROWED")


def test_bootstrap_failover_lets_the_user_install_and_reescrows(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.set_bootstrap(escrowed=False)
    s.mac.add_user("alice", "alice-pw", admin=True).set_console_user("alice")
    s.mac.dialog_answers({"button": "Install Now"}, {"button": "OK", "text": "alice-pw"})
    r = s.mac.run([*POLICY, *s.client_args(), "--auth-mdm-failover-to-user=BOOTSTRAP"])
    assert r.returncode == 0, r.stdout
    assert [c["argv"][:3] for c in r.calls("profiles")].count(["install", "-type", "bootstraptoken"]) == 1
    assert s.mac.status()["BootstrapTokenEscrow"] == "VALID"
    assert s.mac.read_state("softwareupdate")["installed"] == ["macOS Sequoia 15.6.1-24G90"]
    assert "re-escrowed the bootstrap token" in s.mac.log_text("audit.log")


def test_bootstrap_validity_on_13_3_and_later(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.set_bootstrap(valid=False)
    r = s.mac.run([*POLICY, *s.client_args()])
    assert s.mac.status()["BootstrapTokenEscrow"] == "INVALID"
    assert r.returncode == 1
    old = jamf_setup()
    old.mac.set_system(product_version="13.2.1")
    old.mac.set_updates([old.mac.macos_update("13.7.8", "22H730", "Ventura")])
    old.mac.set_bootstrap(valid=False)
    assert old.mac.run([*POLICY, *old.client_args()]).returncode == 0
    assert old.mac.status()["BootstrapTokenEscrow"] == "ESCROWED"  # no local validity check before 13.3


@pytest.mark.parametrize(("failover", "condition", "fails_over"), [
    ("NOSERVICE", "noservice", True), ("HARD", "noservice", False), ("HARD", "hard", True),
    ("HARD", "soft", False), ("SOFT", "soft", True), ("SOFT", "none", False),
    ("INSTALLNOW", "installnow", True), ("INSTALLNOW", "none", False), ("ALWAYS", "none", True),
    ("BOOTSTRAP", "none", False),
])
def test_mdm_failover_types(failover: str, condition: str, fails_over: bool,
                            jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    if condition != "noservice":  # not APPLE_SILICON_NO_ESCROW_KEY: that one is a bootstrap problem
        s.tenant.set_device_outcome(s.jamf_id, "fail", "NOT_SUPERVISED")
    assert s.mac.run([*POLICY, *s.client_args(), f"--auth-mdm-failover-to-user={failover}"]).returncode == 0
    assert s.mac.status()["LastMDMWorkflowResult"] == "IN_PROGRESS"
    # The next run follows the workflow and finds it failed (or Jamf Pro unreachable).
    s.mac.add_user("alice", "alice-pw", admin=True).set_console_user("alice")
    s.mac.dialog_answers({"button": "OK", "text": "alice-pw"})
    if condition == "noservice":
        s.mac.managed(AuthJamfComputerID=s.jamf_id, AuthJamfCustomURL="https://127.0.0.1:9")
    s.mac.advance({"hard": 15 * DAY, "soft": 8 * DAY}.get(condition, 11 * 60))
    r = s.mac.run([*POLICY, "--install-now"] if condition == "installnow" else POLICY)
    installed = s.mac.read_state("softwareupdate").get("installed", [])
    assert s.mac.status()["LastMDMWorkflowResult"] == "FAILED"
    if fails_over:
        assert r.returncode == 0, r.stdout
        assert installed == ["macOS Sequoia 15.6.1-24G90"], s.mac.log_text()
        assert s.mac.dialogs_shown() == [{"asks_text": True, "hidden": True}]
    else:
        assert r.returncode == 1, r.stdout
        assert installed == [] and s.mac.dialogs_shown() == []
        assert s.mac.status()["Status"].startswith("Error: the MDM workflow failed")
        assert s.mac.status()["NextRun"] > s.mac.status()["LastRun"]


def test_credential_failover_lets_the_user_authenticate(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.add_user("alice", "alice-pw").set_console_user("alice")
    s.mac.dialog_answers({"button": "OK", "text": "alice-pw"})
    r = s.mac.run([*POLICY, f"--auth-jamf-client={s.client_id}", "--auth-jamf-secret=wrong",
                   "--auth-credential-failover-to-user"])
    assert r.returncode == 0, r.stdout
    assert "credential failover: the logged-in user will authenticate instead" in s.mac.log_text()
    assert s.mac.keychain() == []
    assert s.mac.read_state("softwareupdate")["installed"] == ["macOS Sequoia 15.6.1-24G90"]


def test_status_plist_keeps_to_the_model(jamf_setup: Callable[..., JamfSetup]) -> None:
    from generator.status import MODEL

    s = jamf_setup()
    s.mac.run([*POLICY, *s.client_args()])
    status = s.mac.status()
    model = MODEL.by_key()
    assert set(status) <= set(model)
    for key, value in status.items():
        kind = model[key]
        assert isinstance(value, str)
        if kind.kind == "date":
            assert len(value) == 19 and value[4] == "-" and value[10] == " ", (key, value)
        if kind.kind == "enum":
            assert value in kind.values, (key, value)
        if kind.kind == "digits":
            assert value.isdigit()


def test_requests_use_only_catalogued_endpoints(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    s.mac.run([*POLICY, *s.client_args()])
    s.mac.advance(11 * 60)
    s.mac.run(POLICY)
    catalogued = {(e["method"], e["path"]) for e in s.mac.context["endpoints"].values()}
    for entry in s.tenant.request_log:
        assert (entry["method"], entry["template"]) in catalogued, entry


def _unused(x: Any) -> AgentMac:  # keeps the import for type checkers
    return x


def test_legacy_push_is_not_repeated_and_fails_when_still_pending_past_the_timeout(
        jamf_setup: Callable[..., JamfSetup], render_variant: Callable[..., Path]) -> None:
    s = jamf_setup(render_variant(agent={"msu_workflow": "legacy"}), toggle=False)
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    s.mac.advance(60 * 60)
    r = s.mac.run(POLICY)
    assert r.returncode == 0 and len(s.tenant.legacy_updates) == 1
    assert s.mac.status()["Status"].startswith("Pending: MDM update of macOS Sequoia 15.6.1 in progress")
    s.mac.advance(65 * 60)
    r = s.mac.run(POLICY)
    assert r.returncode == 1
    assert s.mac.status()["LastMDMWorkflowResult"] == "FAILED"
    assert "no progress for 120 minutes (started (legacy workflow))" in s.mac.log_text()
    assert len(s.tenant.legacy_updates) == 1


def test_legacy_push_succeeds_when_the_update_is_gone(jamf_setup: Callable[..., JamfSetup],
                                                      render_variant: Callable[..., Path]) -> None:
    s = jamf_setup(render_variant(agent={"msu_workflow": "legacy"}), toggle=False)
    s.mac.run([*POLICY, *s.client_args()])
    s.mac.set_updates([])  # installed by MDM, the Mac restarted
    s.mac.advance(60 * 60)
    assert s.mac.run(POLICY).returncode == 0
    assert s.mac.status()["LastMDMWorkflowResult"] == "SUCCESS"
    assert s.mac.status()["Status"] == "Idle: no macOS update pending"


def test_token_of_a_credential_that_failed_validation_is_invalidated(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(role_privileges=["Read Computers"])
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 1
    assert [(m, p) for m, p, _ in s.requests()][-1] == ("POST", "/api/v1/auth/invalidate-token")
    assert s.requests()[-1][2] == 204


@pytest.mark.parametrize(("failover", "fails_over"), [("NOSERVICE", True), ("ALWAYS", True), ("HARD", False)])
@pytest.mark.parametrize("problem", ["not-enrolled", "unreachable"])
def test_mdm_service_unavailable_is_a_noservice_failure(failover: str, fails_over: bool, problem: str,
                                                       jamf_setup: Callable[..., JamfSetup]) -> None:
    # The seed: NOSERVICE fails over "if the MDM service is unavailable". This Mac's MDM service is
    # down while the Jamf Pro API answers: no plan is pushed that the Mac could never receive.
    s = jamf_setup()
    if problem == "not-enrolled":
        s.mac.set_bootstrap(enrolled=False)
    else:
        s.mac.set_jamf(version="11.12.0", jss_url=s.sim.base_url() + "/", recon_id=int(s.jamf_id), available=False)
    s.mac.add_user("alice", "alice-pw", admin=True).set_console_user("alice")
    s.mac.dialog_answers({"button": "OK", "text": "alice-pw"})
    r = s.mac.run([*POLICY, *s.client_args(), f"--auth-mdm-failover-to-user={failover}", "--install-now"])
    assert s.tenant.plans == {} and s.tenant.legacy_updates == []
    assert s.mac.status()["LastMDMWorkflowResult"] == "FAILED"
    installed = s.mac.read_state("softwareupdate").get("installed", [])
    if fails_over:
        assert r.returncode == 0, r.stdout
        assert installed == ["macOS Sequoia 15.6.1-24G90"]
    else:
        assert r.returncode == 1, r.stdout
        assert installed == [] and s.mac.dialogs_shown() == []
        assert "MDM service" in s.mac.status()["LastMDMWorkflowDetail"]
