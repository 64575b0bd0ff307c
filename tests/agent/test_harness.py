"""Self-tests of the macOS harness: the stubs answer like macOS for the forms they cover, calls
are recorded (never stdin content), the environment is clean, GNU-only tools are absent, nothing
is written outside the root, and ``sleep`` costs no real time."""

from __future__ import annotations

import os
import plistlib
import time
from pathlib import Path

import pytest

from generator.harness import Mac, Result


@pytest.fixture
def box(tmp_path: Path) -> Mac:
    return Mac(tmp_path / "mac")


def sh(box: Mac, body: str, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    script = box.base / "t.zsh"
    script.write_text("#!/bin/zsh --no-rcs\nPATH=$JAMF_ENFORCER_PATH\nR=$JAMF_ENFORCER_ROOT\n" + body + "\n")
    return box.run(list(args), script=script, stdin=stdin, env=env)


def test_plistbuddy_print_whole_dict_and_key(box: Mac) -> None:
    box.write_plist("/p.plist", {"Status": "Idle: ok", "Flag": True, "Count": 3,
                                 "Nested": {"A": "b"}, "List": ["x", "y"]})
    r = sh(box, 'PlistBuddy -c Print "$R/p.plist"; PlistBuddy -c "Print :Nested:A" "$R/p.plist"; '
                'PlistBuddy -c "Print :List:1" "$R/p.plist"')
    assert r.returncode == 0, r.stderr
    # The file's key order (plistlib sorts); real PlistBuddy uses hash order, so readers must not care.
    assert r.stdout == ("Dict {\n    Count = 3\n    Flag = true\n    List = Array {\n        x\n        y\n    }\n"
                        "    Nested = Dict {\n        A = b\n    }\n    Status = Idle: ok\n}\n"
                        "b\ny\n")


def test_plistbuddy_missing_entry_and_file(box: Mac) -> None:
    box.write_plist("/p.plist", {"A": "1"})
    r = sh(box, 'PlistBuddy -c "Print :Nope" "$R/p.plist"; print rc=$?')
    assert r.stdout == "rc=1\n"
    assert r.stderr == 'Print: Entry, ":Nope", Does Not Exist\n'
    r = sh(box, 'PlistBuddy -c "Print" "$R/none.plist"; print rc=$?')
    assert r.stdout.startswith("File Doesn't Exist, Will Create: ")
    assert not box.path("/none.plist").exists()  # a Print never creates the file


def test_plistbuddy_add_set_delete_keep_binary_format(box: Mac) -> None:
    box.write_plist("/p.plist", {"Keep": "me", "Old": "x"}, binary=True)
    r = sh(box, 'PlistBuddy -c "Add :New string hello world" -c "Set :Keep again" -c "Delete :Old" '
                '-c "Add :On bool true" "$R/p.plist"')
    assert r.returncode == 0, r.stderr
    raw = box.path("/p.plist").read_bytes()
    assert raw.startswith(b"bplist")
    assert plistlib.loads(raw) == {"Keep": "again", "New": "hello world", "On": True}
    r = sh(box, 'PlistBuddy -c "Add :New string x" "$R/p.plist"; print rc=$?; '
                'PlistBuddy -c "Set :Missing x" "$R/p.plist"; print rc=$?')
    assert r.stdout == "rc=1\nrc=1\n"
    assert 'Add: ":New" Entry Already Exists' in r.stderr
    assert 'Set: Entry, ":Missing", Does Not Exist' in r.stderr


def test_defaults_read_write_delete(box: Mac) -> None:
    r = sh(box, 'defaults write "$R/d.plist" Key -string "v w"; defaults write "$R/d" On -bool true; '
                'defaults read "$R/d.plist" Key; defaults read "$R/d" On; defaults read-type "$R/d" On; '
                'defaults delete "$R/d" Key; defaults read "$R/d" Key; print rc=$?')
    assert r.stdout == "v w\n1\nType is boolean\nrc=1\n"
    assert "does not exist" in r.stderr


def test_plutil_extract_from_json_stdin_lint_convert(box: Mac) -> None:
    r = sh(box, 'print -r -- \'{"access_token":"abc","n":{"ok":true},"l":[{"id":"7"}]}\' > "$R/j.json"\n'
                'plutil -extract access_token raw -o - - < "$R/j.json"\n'
                'plutil -extract n.ok raw -o - - < "$R/j.json"\n'
                'plutil -extract l.0.id raw -o - - < "$R/j.json"\n'
                'plutil -extract nope raw -o - - < "$R/j.json"; print rc=$?\n'
                'plutil -convert xml1 -o "$R/j.plist" "$R/j.json"; plutil -lint "$R/j.plist"')
    assert r.stdout.splitlines() == ["abc", "true", "7", "rc=1", f"{box.root}/j.plist: OK"]
    assert "No value at that key path" in r.stderr
    assert [c["stdin"] for c in r.calls("plutil")][:4] == [True, True, True, True]


def test_security_keychain_and_interactive_mode_never_logs_stdin(box: Mac) -> None:
    kc = "/Library/Keychains/System.keychain"
    secret = "c2VjcmV0LWNhbmFyeQo="
    r = sh(box, f'print -r -- "add-generic-password -a a1 -s svc -w {secret} -U $R{kc}" | security -i\n'
                f'security find-generic-password -a a1 -s svc -w "$R{kc}"\n'
                f'security find-generic-password -a zz -s svc -w "$R{kc}"; print rc=$?\n'
                f'security delete-generic-password -a a1 -s svc "$R{kc}" >/dev/null; print rc=$?\n'
                f'security find-generic-password -a a1 -s svc -w "$R{kc}"; print rc=$?')
    assert r.stdout.splitlines() == [secret, "rc=44", "rc=0", "rc=44"]
    assert "could not be found in the keychain" in r.stderr
    log = (box.state / "calls.jsonl").read_text()
    assert secret not in log  # it travelled on stdin only; stdout is never logged
    assert r.calls("security")[0]["argv"] == ["-i"] and r.calls("security")[0]["stdin"] is True


def test_sw_vers_arch_ioreg_scutil(box: Mac) -> None:
    box.configure(arch="i386", macos="14.7.1", build="23H222", serial="SER1", udid="UD-1", console_user="alice")
    box.add_user("alice", "pw")
    r = sh(box, 'sw_vers -productVersion; sw_vers -buildVersion; arch; ioreg -rd1 -c IOPlatformExpertDevice\n'
                'print "show State:/Users/ConsoleUser" | scutil')
    lines = r.stdout.splitlines()
    assert lines[:3] == ["14.7.1", "23H222", "i386"]
    assert '    "IOPlatformSerialNumber" = "SER1"' in lines
    assert '    "IOPlatformUUID" = "UD-1"' in lines
    assert "  Name : alice" in lines


def test_sleep_advances_clock_without_waiting(box: Mac) -> None:
    box.now = 1000
    started = time.monotonic()
    r = sh(box, 'sleep 3600; sleep 1.5; read -r t < $JAMF_ENFORCER_NOW_FILE; print $t')
    assert time.monotonic() - started < 3
    assert r.stdout == "4602\n"
    assert box.now == 4602


def test_softwareupdate_list_and_install_needs_credentials_on_apple_silicon(box: Mac) -> None:
    update = box.macos_update("15.6.1", "24G90")
    box.set_updates([update])
    box.add_user("alice", "pw")
    r = sh(box, "softwareupdate --list")
    assert r.stdout == ("Software Update found the following new or updated software:\n"
                        "* Label: macOS Sequoia 15.6.1-24G90\n"
                        "\tTitle: macOS Sequoia 15.6.1, Version: 15.6.1, Size: 1536000KiB, Recommended: YES, "
                        "Action: restart, \n")
    r = sh(box, f'softwareupdate --install "{update["label"]}" --restart --agree-to-license; print rc=$?')
    assert r.stdout.endswith("rc=1\n") and "Failed to authenticate" in r.stderr
    r = sh(box, f'print -r -- pw | softwareupdate --install "{update["label"]}" --restart --agree-to-license '
                '--user alice --stdinpass; print rc=$?')
    assert r.stdout.endswith("rc=0\n"), r.stderr
    assert r.calls("softwareupdate")[0]["stdin"] is True
    assert box.read_state("softwareupdate")["installed"] == [update["label"]]
    r = sh(box, "softwareupdate --list")
    assert "No new software available." in r.stderr


def test_osascript_answers_in_order_then_gives_up(box: Mac) -> None:
    box.dialog_answers({"button": "Install", "text": "pw"}, {"returncode": 1})
    script = 'display dialog "x" default answer "" with hidden answer buttons {"Later","Install"}'
    r = sh(box, f"print -r -- '{script}' | osascript; print rc=$?; print -r -- '{script}' | osascript; print rc=$?;"
                f"print -r -- '{script}' | osascript")
    assert r.stdout.splitlines() == ["button returned:Install, text returned:pw", "rc=0", "rc=1",
                                     "button returned:, gave up:true"]
    assert box.dialogs_shown()[0] == {"asks_text": True, "hidden": True}


def test_dscl_interactive_authonly_keeps_password_off_argv(box: Mac) -> None:
    box.add_user("alice", "p w", admin=True)
    r = sh(box, "print -r -- 'authonly alice \"p w\"' | dscl -q /Local/Default; print rc=$?\n"
                "print -r -- 'authonly alice wrong' | dscl -q /Local/Default; print rc=$?\n"
                "dscl . -read /Users/alice AuthenticationAuthority; dscl . -read /Groups/admin GroupMembership")
    assert r.stdout.splitlines()[:2] == ["rc=0", "rc=1"]
    assert "eDSAuthFailed" in r.stderr
    assert ";SecureToken;" in r.stdout and "GroupMembership: root alice" in r.stdout
    assert all("p w" not in " ".join(c["argv"]) for c in r.stub_calls)


def test_gnu_only_tools_are_absent_and_environment_is_clean(box: Mac, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKY_HOST_VARIABLE", "1")
    r = sh(box, 'for t in date sed stat readlink grep awk gdate python3 perl; do '
                '(( $+commands[$t] )) && print -r -- "present: $t"; done; '
                'print -r -- "${LEAKY_HOST_VARIABLE:-clean} $HOME $TZ"')
    assert "present" not in r.stdout
    assert r.stdout.strip() == f"clean {box.state / 'home'} UTC"


def test_calls_are_recorded_in_order_and_launchctl_asuser_runs_the_command(box: Mac) -> None:
    r = sh(box, "launchctl asuser 501 sw_vers -productVersion; arch")
    assert r.stdout == "15.1\narm64\n"
    assert [(c["cmd"], c["argv"]) for c in r.stub_calls] == [
        ("launchctl", ["asuser", "501", "sw_vers", "-productVersion"]),
        ("sw_vers", ["-productVersion"]), ("arch", [])]


def test_nothing_is_written_outside_the_root(box: Mac) -> None:
    host_before = {p for p in ("/Library", "/Users", "/var/run/enforcer.pid") if os.path.exists(p)}
    r = sh(box, 'mkdir_ok=0; zmodload -F zsh/files b:zf_mkdir; zf_mkdir -p "$R/Library/Management/x" && '
                'print -r -- hi > "$R/Library/Management/x/f"; '
                'PlistBuddy -c "Add :A string b" "$R/Library/Management/x/s.plist" >/dev/null; pwd')
    assert r.returncode == 0, r.stderr
    assert box.files() == ["/Library/Management/x/f", "/Library/Management/x/s.plist",
                           "/Library/Preferences/com.jamfsoftware.jamf.plist"]  # the last one from Mac.set_jamf
    assert r.stdout.strip() == str(box.state / "tmp")  # cwd is private too
    assert {p for p in ("/Library", "/Users", "/var/run/enforcer.pid") if os.path.exists(p)} == host_before


def test_run_script_times_out_and_kills(box: Mac) -> None:
    with pytest.raises(TimeoutError):
        sh_script = box.base / "slow.zsh"
        sh_script.write_text("#!/bin/zsh\nwhile :; do :; done\n")
        box.run([], script=sh_script, timeout=1)


def test_relative_script_paths_work_from_any_directory(box: Mac, monkeypatch: pytest.MonkeyPatch) -> None:
    # jamf-enforcer validate passes dist-relative paths; the script runs in a private cwd.
    (box.base / "rel.zsh").write_text("#!/bin/zsh --no-rcs\nprint ok\n")
    monkeypatch.chdir(box.base)
    assert box.run([], script=Path("rel.zsh")).stdout == "ok\n"


def test_jamf_profiles_mdmclient_and_account_stubs(box: Mac) -> None:
    box.set_jamf(version="11.12.0-t1725380820", recon_id=42)
    box.set_bootstrap(escrowed=False)
    box.add_user("admin", "admin-pw", admin=True)
    box.configure(parent_process="/usr/local/jamf/bin/jamf")
    r = sh(box, "jamf -version; jamf recon; jamf checkJSSConnection -retry 1; print rc=$?\n"
                "profiles status -type bootstraptoken; profiles status -type enrollment\n"
                "mdmclient QueryDeviceInformation\n"
                "sysadminctl -addUser svc -password pw -UID 502 -GID 20 -adminUser admin -adminPassword admin-pw\n"
                "id -u svc; id 503; print rc=$?; diskutil apfs listcryptousers /\n"
                "profiles install -type bootstraptoken -user admin -password admin-pw\n"
                "profiles status -type bootstraptoken; sysadminctl -deleteUser svc; id -u svc; print rc=$?\n"
                "uuidgen; ps -o comm= -p $PPID")
    out = r.stdout
    assert out.startswith("version=11.12.0-t1725380820\n")
    assert "<computer_id>42</computer_id>" in out and "The JSS is available.\nrc=0" in out
    assert "profiles: Bootstrap Token supported on server: YES\nprofiles: Bootstrap Token escrowed to server: NO" in out
    assert "MDM server: https://jamf.example.com/mdm/ServerURL" in out
    assert 'EACSPreflight = "success";' in out
    assert "502\n" in out and "rc=1" in out  # id 503: no such user
    assert out.count("Volume Owner: Yes") == 2  # admin, and svc created with admin's secure token
    assert "profiles: Bootstrap Token escrowed to server: YES" in out
    assert "Creating user record svc" in r.stderr and "id: svc: no such user" in r.stderr
    lines = out.strip().splitlines()
    assert lines[-1] == "/usr/local/jamf/bin/jamf"
    assert lines[-2] == lines[-2].upper() and len(lines[-2]) == 36
