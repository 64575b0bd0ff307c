"""A canary secret (with "=", quotes, "$", backticks and backslashes) never shows up in the agent's
logs, its status plist, its stdout/stderr, or any recorded command line — except the argv uses
the script header documents as unavoidable on macOS (sysadminctl, profiles bootstraptoken, and
softwareupdate --stdinpass on macOS 12)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from tests.agent.agentlib import CANARY, AgentMac, JamfSetup

POLICY = ["/", "Mac-01", "alice"]
UNAVOIDABLE = {"sysadminctl", "profiles"}


def leaks(mac: AgentMac, stdout: str, secret: str) -> list[str]:
    # The first 12 characters too: a secret cut at its first "=" (or escaped in XML) still leaks.
    needles = {secret, secret[:12]}
    found = []
    work = mac.path(mac.context["work_dir"])
    for path in work.rglob("*") if work.exists() else []:
        if path.is_file() and any(n in path.read_text(errors="replace") for n in needles):
            found.append(str(path.relative_to(mac.root)))
    if any(n in v for n in needles for v in mac.status().values()):
        found.append("status plist value")
    if any(n in stdout for n in needles):
        found.append("stdout")
    for call in mac.calls():
        if any(n in a for n in needles for a in call["argv"]) and call["cmd"] not in UNAVOIDABLE:
            found.append(f"argv of {call['cmd']}")
    return found


def test_the_leak_check_finds_a_planted_secret(mac: AgentMac) -> None:
    mac.set_updates([])
    mac.run(POLICY)
    assert leaks(mac, "", CANARY) == []
    with open(mac.path(mac.context["work_dir"] + "/logs/agent.log"), "a") as fh:
        fh.write(CANARY.split("=")[0] + "\n")
    assert leaks(mac, f"x {CANARY}", CANARY) == ["Library/Management/com.example.enforcer/logs/agent.log", "stdout"]


def test_jamf_account_password_and_client_secret_never_leak(jamf_setup: Callable[..., JamfSetup]) -> None:
    s = jamf_setup()
    r = s.mac.run([*POLICY, *s.account_args()])
    assert r.returncode == 0, r.stdout
    assert s.mac.status()["SavedCredentialMethod"] == "JAMF_ACCOUNT"
    # Later runs read it back from the keychain and use it again (follow the plan).
    s.mac.advance(11 * 60)
    r2 = s.mac.run(POLICY)
    assert leaks(s.mac, r.stdout + r.stderr + r2.stdout + r2.stderr, CANARY) == []
    t = jamf_setup()
    r = t.mac.run([*POLICY, *t.client_args()])
    assert leaks(t.mac, r.stdout + r.stderr, t.client_secret) == []
    # Tokens neither: the simulator never logs them, so check what the agent wrote for bearer-looking text.
    text = t.mac.log_text() + json.dumps(t.mac.status())
    assert not re.search(r"Bearer [A-Za-z0-9_-]{20,}", text)


def test_local_and_user_passwords_never_leak(mac: AgentMac) -> None:
    mac.add_user("updater", CANARY)
    mac.set_updates([mac.macos_update()])
    r = mac.run([*POLICY, "--auth-local-account=updater", f"--auth-local-password={CANARY}"])
    assert r.returncode == 0, r.stdout
    assert leaks(mac, r.stdout + r.stderr, CANARY) == []
    other = AgentMac(mac.base.parent / "user-mac", mac.dist)
    other.add_user("alice", CANARY).set_console_user("alice")
    other.set_updates([other.macos_update()])
    other.dialog_answers({"button": "Install Now"}, {"button": "OK", "text": CANARY})
    r = other.run([*POLICY, "--auth-ask-user-to-save-password"])
    assert r.returncode == 0, r.stdout
    assert other.status()["SavedCredentialMethod"] == "USER_PASSWORD"
    assert leaks(other, r.stdout + r.stderr, CANARY) == []


def test_service_account_secrets_only_where_documented(mac: AgentMac) -> None:
    mac.add_user("admin", CANARY, admin=True)
    r = mac.run([*POLICY, "--auth-service-add-via-admin-account=admin",
                 f"--auth-service-add-via-admin-password={CANARY}", f"--auth-service-password={CANARY}x"])
    assert r.returncode == 0, r.stdout
    assert leaks(mac, r.stdout + r.stderr, CANARY) == []
    visible = {c["cmd"] for c in mac.calls() if any(CANARY in a for a in c["argv"])}
    assert visible == {"sysadminctl"}


def test_the_unavoidable_list_is_written_in_the_script_header(rendered: Path) -> None:
    header = (rendered / "agent" / "enforcer.zsh").read_text().split("emulate -R zsh")[0]
    for documented in ("sysadminctl -addUser", "profiles install -type bootstraptoken",
                       "softwareupdate --user U --stdinpass P on macOS 12"):
        assert documented in header


def test_curl_config_with_secrets_never_goes_through_a_temp_file(jamf_setup: Callable[..., JamfSetup]) -> None:
    # zsh writes here-documents and here-strings to a file under $TMPPREFIX (/tmp/zsh… by default):
    # the curl config holds the client secret, the account password and bearer tokens, so it must
    # reach curl through a pipe.  With no usable TMPPREFIX a here-string fails, a pipe does not.
    s = jamf_setup()
    r = s.mac.run([*POLICY, *s.client_args()], env={"TMPPREFIX": "/nonexistent/jamf-enforcer/zsh"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "here document" not in r.stderr
    assert s.mac.status()["SavedCredentialMethod"] == "JAMF_CLIENT"
