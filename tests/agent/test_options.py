"""Option handling of the real agent under the harness: policy vs shell invocation, values after
the first "=", and every kind of bad input — each gives a log line naming the option and what
is expected, a non-zero exit, and nothing saved (no keychain item, no status plist)."""

from __future__ import annotations

import pytest

from tests.agent.agentlib import AgentMac

POLICY = ["/", "Mac-01", "alice"]


def assert_rejected(mac: AgentMac, args: list[str], *expected: str) -> str:
    r = mac.run(args)
    assert r.returncode == 2, r.stdout + r.stderr
    log = mac.log_text()
    for text in expected:
        assert text in log, f"{text!r} not in log:\n{log}"
    assert "ERROR: invalid options: nothing was saved or changed" in log
    assert mac.status() == {}, "a rejected run must not write the status plist"
    assert mac.keychain() == []
    assert not any(c["cmd"] in ("security", "softwareupdate", "sysadminctl") for c in r.stub_calls)
    return log


@pytest.mark.parametrize(("args", "expected"), [
    (["--auth-jamf-clinet=abc"], ["unknown option --auth-jamf-clinet: expected one of --auth-ask-user"]),
    (["--install-now=yes"], ["--install-now takes no value: expected --install-now alone"]),
    (["--auth-jamf-client"], ["--auth-jamf-client needs a value: expected --auth-jamf-client=CLIENT_ID"]),
    (["--auth-jamf-client=abc"], ["--auth-jamf-client needs --auth-jamf-secret: expected both together"]),
    (["--auth-jamf-password=pw"], ["--auth-jamf-password needs --auth-jamf-account: expected both together"]),
    (["--auth-local-account=bob"], ["--auth-local-account needs --auth-local-password"]),
    (["--auth-service-add-via-admin-password=pw"],
     ["--auth-service-add-via-admin-password needs --auth-service-add-via-admin-account"]),
    (["--auth-service-account=svc"], ["--auth-service-account is only valid with --auth-service-add-via-admin-account"]),
    (["--auth-service-password=pw"], ["--auth-service-password is only valid with"]),
    (["--auth-jamf-custom-url=http://jamf.example.com"],
     ["--auth-jamf-custom-url=http://jamf.example.com: expected an https:// URL"]),
    (["--auth-jamf-custom-url=https://"], ["--auth-jamf-custom-url=https://: expected an https:// URL"]),
    (["--auth-mdm-failover-to-user=NOSERVICE,SOMETIMES"],
     ["--auth-mdm-failover-to-user=NOSERVICE,SOMETIMES: expected a comma-separated list without spaces of "
      "ALWAYS, NOSERVICE, HARD, SOFT, INSTALLNOW, BOOTSTRAP"]),
    (["--auth-mdm-failover-to-user=SOFT, HARD"], ["--auth-mdm-failover-to-user=SOFT, HARD: expected"]),
    (["--auth-mdm-failover-to-user=SOFT,SOFT"], ["each once"]),
    (["--auth-mdm-failover-to-user=always"], ["--auth-mdm-failover-to-user=always: expected"]),
    (["--auth-credential-failover-to-user", "--auth-credential-failover-to-user-off"],
     ["--auth-credential-failover-to-user and --auth-credential-failover-to-user-off contradict each other"]),
    (["--install-now", "--install-now"], ["--install-now is given more than once"]),
    (["stray"], ["argument 1 is not an option: expected --name or --name=value"]),
])
def test_bad_options_from_the_shell(mac: AgentMac, args: list[str], expected: list[str]) -> None:
    assert_rejected(mac, args, *expected)


def test_bad_options_from_a_policy_name_the_option(mac: AgentMac) -> None:
    args = [*POLICY, "--auth-jamf-client=abc", "", "--auth-mdm-failover-to-user=NEVER", "", "", "", "", ""]
    assert_rejected(mac, args, "--auth-jamf-client needs --auth-jamf-secret",
                    "--auth-mdm-failover-to-user=NEVER: expected")


def test_secret_values_never_appear_in_option_errors(mac: AgentMac) -> None:
    secret = "Do-Not-Print-Me=1"
    log = assert_rejected(mac, [f"--auth-jamf-password={secret}", secret], "--auth-jamf-password needs",
                          "argument 2 is not an option")
    assert secret not in log and "Do-Not-Print" not in log


def test_all_errors_are_reported_at_once(mac: AgentMac) -> None:
    log = assert_rejected(mac, ["--bogus", "--auth-local-account=x", "--install-now=1"],
                          "unknown option --bogus", "--auth-local-account needs", "--install-now takes no value")
    assert log.count("ERROR:") == 4


def test_policy_drops_three_positionals_and_ignores_empty_parameters(mac: AgentMac) -> None:
    mac.set_updates([])
    r = mac.run([*POLICY, "", "--auth-mdm-failover-to-user=SOFT,HARD", "", "", "", "", "", ""])
    assert r.returncode == 0, r.stdout
    assert mac.status()["AuthMDMFailoverToUser"] == "SOFT,HARD"
    assert "ps" not in [c["cmd"] for c in r.stub_calls]  # "/" already says: a Jamf policy


def test_jamf_parent_process_means_policy_mode(mac: AgentMac) -> None:
    mac.set_updates([])
    mac.set_system(parent_process="/usr/local/jamf/bin/jamf")
    r = mac.run(["/Volumes/Other", "Mac-01", "alice", "--auth-mdm-failover-to-user=HARD"])
    assert r.returncode == 0, r.stdout
    assert mac.status()["AuthMDMFailoverToUser"] == "HARD"


def test_shell_mode_takes_every_argument_as_an_option(mac: AgentMac) -> None:
    mac.set_updates([])
    mac.set_system(parent_process="/bin/zsh")
    r = mac.run(["--auth-mdm-failover-to-user=INSTALLNOW", "--auth-credential-failover-to-user"])
    assert r.returncode == 0, r.stdout
    status = mac.status()
    assert status["AuthMDMFailoverToUser"] == "INSTALLNOW"
    assert status["AuthCredentialFailoverToUser"] == "TRUE"


def test_custom_url_gets_a_trailing_slash_and_x_removes_it(mac: AgentMac) -> None:
    mac.set_updates([])
    r = mac.run(["--auth-jamf-custom-url=https://jamf-api.example.com"])
    assert r.returncode == 0
    assert mac.status()["AuthJamfCustomURL"] == "https://jamf-api.example.com/"
    assert "added the trailing slash" in mac.log_text()
    mac.advance(24 * 3600)
    mac.run(["--auth-jamf-custom-url=X"])
    assert "AuthJamfCustomURL" not in mac.status()


def test_managed_value_wins_over_the_command_line(mac: AgentMac) -> None:
    mac.set_updates([])
    mac.managed(AuthMDMFailoverToUser="BOOTSTRAP", AuthCredentialFailoverToUser=False)
    r = mac.run(["--auth-mdm-failover-to-user=ALWAYS", "--auth-credential-failover-to-user"])
    assert r.returncode == 0
    log = mac.log_text()
    assert "--auth-mdm-failover-to-user is ignored: the managed AuthMDMFailoverToUser (BOOTSTRAP) wins" in log
    assert "--auth-credential-failover-to-user is ignored: the managed AuthCredentialFailoverToUser wins" in log
    assert "AuthMDMFailoverToUser" not in mac.status()


def test_invalid_managed_value_is_named_and_ignored(mac: AgentMac) -> None:
    mac.set_updates([])
    mac.managed(AuthMDMFailoverToUser="SOMETIMES", AuthJamfCustomURL="http://plain.example.com")
    r = mac.run(["--auth-mdm-failover-to-user=HARD"])
    assert r.returncode == 0
    log = mac.log_text()
    assert "managed AuthMDMFailoverToUser=SOMETIMES is invalid and ignored" in log
    assert "managed AuthJamfCustomURL=http://plain.example.com is invalid and ignored" in log
    assert mac.status()["AuthMDMFailoverToUser"] == "HARD"


def test_managed_x_disables_a_setting(mac: AgentMac) -> None:
    mac.set_updates([])
    mac.run(["--auth-mdm-failover-to-user=ALWAYS"])
    mac.managed(AuthMDMFailoverToUser="X")
    mac.advance(24 * 3600)
    r = mac.run([])
    assert r.returncode == 0
    # The saved command-line value stays, but the managed X means "unset" for this run.
    assert mac.status()["AuthMDMFailoverToUser"] == "ALWAYS"


def test_value_is_everything_after_the_first_equals(mac: AgentMac) -> None:
    mac.set_updates([])
    mac.run(["--auth-jamf-custom-url=https://jamf.example.com/path?a=b=c"])
    assert mac.status()["AuthJamfCustomURL"] == "https://jamf.example.com/path?a=b=c/"


def test_off_options_save_false(mac: AgentMac) -> None:
    mac.set_updates([])
    mac.run(["--auth-credential-failover-to-user", "--auth-ask-user-to-save-password"])
    assert (mac.status()["AuthCredentialFailoverToUser"], mac.status()["AuthAskUserToSavePassword"]) == ("TRUE", "TRUE")
    mac.run(["--auth-credential-failover-to-user-off", "--auth-ask-user-to-save-password-off"])
    assert (mac.status()["AuthCredentialFailoverToUser"], mac.status()["AuthAskUserToSavePassword"]) == ("FALSE", "FALSE")
    assert "AuthCredentialFailoverToUser saved: FALSE" in mac.log_text("audit.log")
