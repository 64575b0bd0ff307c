"""Apple silicon credentials: one method saved by priority, validated before saving, read back,
replaced by a newer one, deleted by --auth-delete-all (with the service account the agent made),
and used for installs with the password on stdin."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from tests.agent.agentlib import CANARY, AgentMac, JamfSetup

POLICY = ["/", "Mac-01", "alice"]
LABEL = "macOS Sequoia 15.6.1-24G90"


def saved(mac: AgentMac) -> dict[str, str]:
    return {i["account"]: base64.b64decode(i["password"]).decode() for i in mac.keychain()}


def install_calls(r: object) -> list[dict]:
    return [c for c in r.calls("softwareupdate") if "--install" in c["argv"]]  # type: ignore[attr-defined]


def test_local_account_is_validated_saved_and_used_with_stdin(mac: AgentMac) -> None:
    mac.add_user("updater", CANARY)
    mac.set_updates([mac.macos_update()])
    r = mac.run([*POLICY, "--auth-local-account=updater", f"--auth-local-password={CANARY}"])
    assert r.returncode == 0, r.stdout
    assert saved(mac) == {"auth_local_account": "updater", "auth_local_password": CANARY}
    assert mac.status()["SavedCredentialMethod"] == "LOCAL_ACCOUNT"
    install = install_calls(r)
    assert install[0]["argv"] == ["--install", LABEL, "--restart", "--agree-to-license", "--user", "updater",
                                  "--stdinpass"]
    assert install[0]["stdin"] is True
    assert mac.read_state("softwareupdate")["installed"] == [LABEL]
    # The password check went to dscl on stdin too.
    assert [c for c in r.calls("dscl") if c["stdin"]]


@pytest.mark.parametrize(("problem", "message"), [
    ("missing", "local account updater does not exist"),
    ("not-owner", "local account updater is not a volume owner"),
    ("wrong-password", "local account updater: the password did not authenticate"),
])
def test_local_account_problems_save_nothing(mac: AgentMac, problem: str, message: str) -> None:
    if problem == "not-owner":
        mac.add_user("updater", "pw", secure_token=False, volume_owner=False)
    elif problem == "wrong-password":
        mac.add_user("updater", "other")
    r = mac.run([*POLICY, "--auth-local-account=updater", "--auth-local-password=pw"])
    assert r.returncode == 1
    assert message in mac.log_text()
    assert mac.keychain() == []


def test_macos_12_and_11_install_forms(mac: AgentMac) -> None:
    mac.add_user("updater", "pw")
    mac.set_updates([mac.macos_update("12.7.6", "21H1320", "Monterey")])
    mac.set_system(product_version="12.7.5")
    r = mac.run([*POLICY, "--auth-local-account=updater", "--auth-local-password=pw"])
    # macOS 12: --stdinpass takes the password as an argument (documented in the script header).
    assert install_calls(r)[0]["argv"][-3:] == ["updater", "--stdinpass", "pw"]
    # macOS 11 takes no credentials; a blank line goes to stdin.
    mac.set_updates([mac.macos_update("11.7.10", "20G1427", "Big Sur")])
    mac.set_system(product_version="11.7.9", arch="arm64")
    mac.advance(86400)
    r = mac.run(POLICY)
    assert install_calls(r)[0]["argv"] == ["--install", "macOS Big Sur 11.7.10-20G1427", "--restart",
                                           "--agree-to-license"]
    assert install_calls(r)[0]["stdin"] is False  # the stub reads stdin only for --stdinpass


def test_service_account_is_created_hidden_saved_and_deleted(mac: AgentMac) -> None:
    mac.add_user("admin", "admin-pw", admin=True)
    mac.set_updates([])
    r = mac.run([*POLICY, "--auth-service-add-via-admin-account=admin",
                 "--auth-service-add-via-admin-password=admin-pw", "--auth-service-account=svc-update"])
    assert r.returncode == 0, r.stdout
    users = mac.users()
    assert users["svc-update"]["hidden"] is True and users["svc-update"]["volume_owner"] is True
    assert users["svc-update"]["admin"] is False
    creds = saved(mac)
    assert creds["auth_service_account"] == "svc-update"
    assert len(creds["auth_service_password"]) == 36  # uuidgen
    assert mac.status()["SavedCredentialMethod"] == "SERVICE_ACCOUNT"
    assert "created the hidden service account svc-update" in mac.log_text("audit.log")
    mac.advance(86400)
    r = mac.run([*POLICY, "--auth-delete-all"])
    assert r.returncode == 0
    assert "svc-update" not in mac.users()
    assert mac.keychain() == []
    assert mac.status()["SavedCredentialMethod"] == "NONE"
    assert ["-deleteUser", "svc-update"] in [c["argv"] for c in r.calls("sysadminctl")]


def test_service_account_needs_an_admin(mac: AgentMac) -> None:
    mac.add_user("notadmin", "pw")
    r = mac.run([*POLICY, "--auth-service-add-via-admin-account=notadmin", "--auth-service-add-via-admin-password=pw"])
    assert r.returncode == 1
    assert "admin account notadmin is not a member of the admin group" in mac.log_text()
    assert r.calls("sysadminctl") == [] and mac.keychain() == []


def test_priority_local_over_service_over_jamf(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(updates=False)
    s.mac.add_user("updater", "pw").add_user("admin", "admin-pw", admin=True)
    r = s.mac.run([*POLICY, *s.client_args(), "--auth-local-account=updater", "--auth-local-password=pw",
                   "--auth-service-add-via-admin-account=admin", "--auth-service-add-via-admin-password=admin-pw"])
    assert r.returncode == 0, r.stdout
    assert s.mac.status()["SavedCredentialMethod"] == "LOCAL_ACCOUNT"
    log = s.mac.log_text()
    assert "SERVICE_ACCOUNT is ignored because LOCAL_ACCOUNT has priority" in log
    assert "JAMF_CLIENT is ignored because LOCAL_ACCOUNT has priority" in log
    assert s.requests() == [] and r.calls("sysadminctl") == []


def test_priority_service_over_client_and_client_over_account(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(updates=False)
    s.mac.add_user("admin", "admin-pw", admin=True)
    r = s.mac.run([*POLICY, *s.client_args(), "--auth-service-add-via-admin-account=admin",
                   "--auth-service-add-via-admin-password=admin-pw"])
    assert s.mac.status()["SavedCredentialMethod"] == "SERVICE_ACCOUNT", r.stdout
    t = jamf_setup(updates=False)
    r = t.mac.run([*POLICY, *t.client_args(), *t.account_args()])
    assert r.returncode == 0, r.stdout
    assert t.mac.status()["SavedCredentialMethod"] == "JAMF_CLIENT"
    assert "JAMF_ACCOUNT is ignored because JAMF_CLIENT has priority" in t.mac.log_text()
    assert not any(p == "/api/v1/auth/token" for _, p, _ in t.requests())


def test_ask_user_has_top_priority_and_saves_the_password_at_install(mac: AgentMac) -> None:
    mac.add_user("alice", "alice-pw").add_user("updater", "pw").set_console_user("alice")
    mac.set_updates([mac.macos_update()])
    mac.dialog_answers({"button": "Install Now"}, {"button": "OK", "text": "alice-pw"})
    r = mac.run([*POLICY, "--auth-ask-user-to-save-password", "--auth-local-account=updater",
                 "--auth-local-password=pw"])
    assert r.returncode == 0, r.stdout
    assert "LOCAL_ACCOUNT is ignored because USER_PASSWORD has priority" in mac.log_text()
    assert saved(mac) == {"auth_user_account": "alice", "auth_user_password": "alice-pw"}
    assert mac.status()["SavedCredentialMethod"] == "USER_PASSWORD"
    assert install_calls(r)[0]["argv"][-3:] == ["--user", "alice", "--stdinpass"]
    # Next time the saved password is used: no password dialog.
    mac.set_updates([mac.macos_update("15.7", "24H1")])
    mac.dialog_answers({"button": "Install Now"})
    mac.advance(86400)
    r = mac.run(POLICY)
    assert r.returncode == 0
    assert [d["asks_text"] for d in mac.dialogs_shown()] == [False]


def test_a_new_method_replaces_the_old_one(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(updates=False)
    assert s.mac.run([*POLICY, *s.client_args()]).returncode == 0
    assert set(saved(s.mac)) == {"auth_jamf_client", "auth_jamf_secret"}
    s.mac.add_user("updater", "pw")
    s.mac.advance(86400)
    assert s.mac.run([*POLICY, "--auth-local-account=updater", "--auth-local-password=pw"]).returncode == 0
    assert set(saved(s.mac)) == {"auth_local_account", "auth_local_password"}
    assert "deleted saved credential JAMF_CLIENT" in s.mac.log_text("audit.log")


def test_keychain_read_back_mismatch_deletes_the_item_and_fails(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(updates=False)
    s.mac.update_state("keychain", corrupt_writes=True, items=[])
    r = s.mac.run([*POLICY, *s.client_args()])
    assert r.returncode == 1
    assert "keychain item auth_jamf_client did not read back as written; deleted it" in s.mac.log_text()
    assert s.mac.keychain() == []
    assert s.mac.status()["SavedCredentialMethod"] == "NONE"


def test_delete_all_with_nothing_saved(mac: AgentMac) -> None:
    r = mac.run([*POLICY, "--auth-delete-all"])
    assert r.returncode == 0
    assert "--auth-delete-all: no saved credentials to delete" in mac.log_text()


def test_delete_all_ignores_new_credential_options(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup(updates=False)
    s.mac.run([*POLICY, *s.client_args()])
    s.tenant.reset_log()
    s.mac.advance(86400)
    r = s.mac.run([*POLICY, "--auth-delete-all", *s.account_args()])
    assert r.returncode == 0
    assert s.mac.keychain() == [] and s.requests() == []
    assert "--auth-delete-all is given: the other credential options are ignored" in s.mac.log_text()


def test_saved_local_credential_that_stopped_working(mac: AgentMac) -> None:
    mac.add_user("updater", "pw")
    mac.set_updates([])
    mac.run([*POLICY, "--auth-local-account=updater", "--auth-local-password=pw"])
    mac.add_user("updater", "changed")  # the password changed since
    mac.set_updates([mac.macos_update()])
    mac.advance(86400)
    r = mac.run(POLICY)
    assert r.returncode == 1
    assert "the saved LOCAL_ACCOUNT credential no longer authenticates" in mac.log_text()
    assert install_calls(r) == []
    # With credential failover the logged-in user authenticates instead.
    mac.add_user("alice", "alice-pw").set_console_user("alice")
    mac.dialog_answers({"button": "Install Now"}, {"button": "OK", "text": "alice-pw"})
    mac.advance(86400)
    r = mac.run([*POLICY, "--auth-credential-failover-to-user"])
    assert r.returncode == 0, r.stdout
    assert install_calls(r)[0]["argv"][-3:] == ["--user", "alice", "--stdinpass"]


def test_user_password_retries_then_defers(mac: AgentMac) -> None:
    mac.add_user("alice", "alice-pw").set_console_user("alice")
    mac.set_updates([mac.macos_update()])
    mac.dialog_answers({"button": "Install Now"}, {"button": "OK", "text": "no"}, {"button": "OK", "text": "nope"},
                       {"button": "OK", "text": "still no"})
    r = mac.run(POLICY)
    assert r.returncode == 0
    assert mac.status()["Status"].startswith("Deferred: alice did not authenticate")
    assert install_calls(r) == []
    assert mac.log_text().count("did not authenticate (try") == 3


def test_user_without_secure_token_cannot_authenticate(mac: AgentMac) -> None:
    mac.add_user("alice", "alice-pw", secure_token=False, volume_owner=False).set_console_user("alice")
    mac.set_updates([mac.macos_update()])
    mac.dialog_answers({"button": "Install Now"})
    r = mac.run(POLICY)
    assert r.returncode == 1
    assert "no logged-in user with a secure token can authenticate" in mac.log_text()


def test_local_account_name_with_a_space_is_checked_as_one_name(mac: AgentMac) -> None:
    # The dscl password check reads "authonly NAME PASSWORD" on stdin: the name is one word there too.
    mac.add_user("Update Agent", CANARY)
    mac.set_updates([mac.macos_update()])
    r = mac.run([*POLICY, "--auth-local-account=Update Agent", f"--auth-local-password={CANARY}"])
    assert r.returncode == 0, r.stdout
    assert saved(mac) == {"auth_local_account": "Update Agent", "auth_local_password": CANARY}
    assert install_calls(r)[0]["argv"][-3:] == ["--user", "Update Agent", "--stdinpass"]
