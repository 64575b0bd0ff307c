"""validate: each check finds what it should, one line per finding, and a clean render passes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.bundle import BundleError, load_bundle
from generator.render import render_all, write_dist
from generator.validate import portability_findings, shell_findings, validate_dist

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clean_dist(tmp_path_factory):
    return write_dist(render_all(load_bundle(ROOT / "examples" / "bundle.toml")), tmp_path_factory.mktemp("v") / "dist")


@pytest.fixture
def dist(clean_dist, tmp_path):
    target = tmp_path / "dist"
    shutil.copytree(clean_dist, target)
    return target


def refresh_manifest(dist: Path, rel: str) -> None:
    import hashlib

    manifest = json.loads((dist / "manifest.json").read_text())
    for entry in manifest["artifacts"]:
        if entry["path"] == rel:
            data = (dist / rel).read_bytes()
            entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    (dist / "manifest.json").write_text(json.dumps(manifest))


def test_clean_render_has_no_findings(clean_dist):
    assert validate_dist(clean_dist) == []


@pytest.mark.parametrize(
    ("line", "bash", "needle"),
    [
        ("when=$(date -d tomorrow +%s)", False, "date -d"),
        ("sed -i 's/a/b/' file", False, "sed -i"),
        ("sed -i -e 's/a/b/' file", False, "sed -i"),
        ("size=$(stat -c %s file)", False, "stat -c"),
        ("print -r -- $x | base64 -d", False, "base64 -d"),
        ("dir=$(readlink -f $0)", False, "readlink -f"),
        ("grep -P '\\d+' f", False, "grep -P"),
        ("echo -e 'a\\tb'", False, "echo -e"),
        ("declare -A map", True, "bash 4"),
        ("mapfile -t lines < f", True, "bash 4"),
        ("x=${name,,}", True, "bash 4"),
        ("cmd &>> log", True, "bash 4"),
        ("timeout 5 curl url", False, "timeout"),
    ],
)
def test_portability_rules_catch_gnu_and_bash4_habits(line, bash, needle):
    findings = portability_findings("s.zsh", line + "\n", bash=bash)
    assert findings and needle.split()[0] in findings[0] and findings[0].startswith("s.zsh:1: ")


@pytest.mark.parametrize(
    "line",
    ["sed -i '' -e 's/a/b/' file", "sed -i.bak 's/a/b/' f", "date -j -f '%Y' 2026 +%s", "base64 --decode",
     "# date -d is GNU-only, so we use strftime", "typeset -A map  # zsh has associative arrays",
     "curl --connect-timeout 10 --max-time 30 url"],
)
def test_portable_forms_pass(line):
    assert portability_findings("s.zsh", line + "\n", bash=False) == []


def test_heredoc_bodies_are_not_code():
    text = "cat <<'EOF'\ndate -d now\nEOF\nprint ok\n"
    assert portability_findings("s.zsh", text, bash=False) == []


def test_zsh_syntax_error_is_found():
    findings = shell_findings("bad.zsh", "#!/bin/zsh\nif [[ -n x ]]; then\n")
    assert findings and findings[0].startswith("bad.zsh: zsh -n:")


def test_bash_scripts_get_shellcheck_and_bash3_checks():
    findings = shell_findings("old.sh", "#!/bin/bash\ndeclare -A m\necho $undefined_var_with_no_quotes\n")
    assert any("shellcheck" in f for f in findings)
    assert any("bash 4" in f for f in findings)


def test_tampered_file_and_unlisted_file_are_found(dist):
    (dist / "jamf" / "api-role.json").write_text('{"privileges": ["Read Everything"]}')
    (dist / "stray.txt").write_text("x")
    findings = validate_dist(dist)
    assert any(f.startswith("jamf/api-role.json: content differs from manifest.json") for f in findings)
    assert any(f.startswith("stray.txt: not listed") for f in findings)
    assert any("'Read Everything' is not a Jamf Pro 11.12" in f for f in findings)


def test_profile_key_missing_from_schema_is_found(dist):
    rel = "profiles/com.example.enforcer.schema.json"
    schema = json.loads((dist / rel).read_text())
    del schema["properties"]["AuthJamfCustomURL"]
    (dist / rel).write_text(json.dumps(schema))
    refresh_manifest(dist, rel)
    findings = validate_dist(dist)
    assert any(f.startswith(rel + ": schema keys") for f in findings)


def test_unparseable_profile_is_found(dist):
    rel = "profiles/com.example.enforcer.mobileconfig"
    (dist / rel).write_bytes(b"<plist><dict><key>x</dict>")
    refresh_manifest(dist, rel)
    assert any(f.startswith(rel + ": does not parse as a plist") for f in validate_dist(dist))


def test_real_secret_in_a_policy_is_found(dist):
    rel = "jamf/policies/credentials.json"
    policy = json.loads((dist / rel).read_text())
    policy["script"]["parameters"]["parameter5"] = "--auth-jamf-secret=CANARY-SECRET-123"
    (dist / rel).write_text(json.dumps(policy))
    refresh_manifest(dist, rel)
    findings = validate_dist(dist)
    assert any(f.startswith(rel + ": parameter5 must hold the hand-over placeholder") for f in findings)
    assert not any("CANARY-SECRET-123" in f for f in findings)


def test_ea_printing_two_results_is_found(dist):
    rel = "extension-attributes/status.zsh"
    (dist / rel).write_text("#!/bin/zsh --no-rcs\nprint '<result>a</result>'\nprint '<result>b</result>'\n")
    refresh_manifest(dist, rel)
    assert any(f.startswith(rel + ": with a sample status plist, expected exactly one <result>") for f in validate_dist(dist))


def test_not_a_rendered_folder_is_a_one_line_error(tmp_path):
    with pytest.raises(BundleError, match=r"manifest\.json: not found"):
        validate_dist(tmp_path)


def test_without_zsh_on_path_one_line_names_it_and_the_other_checks_still_run(dist, tmp_path):
    """``jamf-enforcer validate`` in a process whose PATH has no zsh (nor anything else)."""
    import os
    import subprocess
    import sys

    (dist / "stray.txt").write_text("x")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PATH"} | {"PATH": str(empty)}
    proc = subprocess.run([sys.executable, "-m", "generator", "validate", str(dist)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    zsh_lines = [line for line in lines if "zsh" in line]
    assert zsh_lines == ["zsh: not found on PATH; needed for 'zsh -n' and the extension-attribute runs "
                         "(Debian/Ubuntu: apt-get install zsh; macOS ships it as /bin/zsh)"]
    assert "stray.txt: not listed in manifest.json" in lines  # the other checks are still reported
    *warnings, last = proc.stderr.strip().splitlines()
    assert last == "2 finding(s)"
    assert all(line.startswith("jamf-enforcer: warning: ") and "deprecated" in line for line in warnings), warnings
