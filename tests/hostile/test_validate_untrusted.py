"""Issue 11 §1 (validate): the folder is untrusted.  Only extension attributes listed in the
manifest with a matching sha256 run (from copies), nothing outside the folder is read or run,
and an EA that never ends is stopped after ``EA_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from generator.bundle import load_bundle
from generator.render import render_all, write_dist
from generator.validate import EA_TIMEOUT_SECONDS, validate_dist

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return write_dist(render_all(load_bundle(ROOT / "examples" / "bundle.toml")), tmp_path / "dist")


def evil(canary: Path) -> str:
    return f"#!/bin/zsh --no-rcs\nprint -r -- pwned > {canary}\nprint '<result>x</result>'\n"


def test_a_tampered_extension_attribute_is_not_run(dist: Path, tmp_path: Path):
    """Fails on main (a347b53): validate ran every EA named by its JSON, whatever its content."""
    canary = tmp_path / "canary"
    (dist / "extension-attributes" / "status.zsh").write_text(evil(canary))
    findings = validate_dist(dist)
    assert not canary.exists()
    assert any("extension-attributes/status.zsh: content differs" in f for f in findings)
    assert any("status.json: not run" in f for f in findings)


def test_a_definition_pointing_outside_the_folder_is_not_run(dist: Path, tmp_path: Path):
    """Fails on main: "script": "../outside.zsh" ran a script outside the folder."""
    canary = tmp_path / "canary"
    (tmp_path / "outside.zsh").write_text(evil(canary))
    definition = dist / "extension-attributes" / "status.json"
    meta = json.loads(definition.read_text())
    meta["script"] = "../outside.zsh"
    definition.write_text(json.dumps(meta))
    validate_dist(dist)
    assert not canary.exists()


def test_a_never_ending_extension_attribute_is_stopped(dist: Path):
    """Fails on main: the EA ran 60 s and then validate died with a TimeoutError traceback."""
    text = "#!/bin/zsh --no-rcs\nwhile true; do :; done\n"
    (dist / "extension-attributes" / "status.zsh").write_text(text)
    manifest = json.loads((dist / "manifest.json").read_text())
    for entry in manifest["artifacts"]:
        if entry["path"] == "extension-attributes/status.zsh":
            entry.update(sha256=hashlib.sha256(text.encode()).hexdigest(), size=len(text))
    (dist / "manifest.json").write_text(json.dumps(manifest))
    started = time.monotonic()
    findings = validate_dist(dist)
    assert time.monotonic() - started < 4 * EA_TIMEOUT_SECONDS
    assert f"extension-attributes/status.zsh: with a sample status plist, did not finish within {EA_TIMEOUT_SECONDS} s (stopped)" in findings


def test_a_symlinked_script_is_not_followed(dist: Path):
    """Fails on main: a symlink to a file outside the folder was read (and its content reported)."""
    agent = dist / "agent" / "enforcer.zsh"
    agent.unlink()
    agent.symlink_to("/etc/hostname")
    findings = validate_dist(dist)
    assert any(f.startswith("agent/enforcer.zsh: a symbolic link") for f in findings)
    assert not any("zsh -n" in f and "agent/enforcer.zsh" in f for f in findings)


def test_a_syntax_error_is_found_by_zsh_n_on_the_file(dist: Path):
    """Regression test: zsh -n runs on the file itself and reports its first error line."""
    (dist / "agent" / "enforcer.zsh").write_text("#!/bin/zsh\nif true; then\n")
    assert any(f.startswith("agent/enforcer.zsh: zsh -n: agent/enforcer.zsh:3: parse error") for f in validate_dist(dist))


def test_validate_writes_nothing_outside_its_temporary_folder(dist: Path):
    """Regression test: the folder is byte-for-byte the same after validate."""
    before = {p: p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    assert validate_dist(dist) == []
    assert {p: p.read_bytes() for p in dist.rglob("*") if p.is_file()} == before
