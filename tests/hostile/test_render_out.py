"""Issue 11 §2: ``render --out DIR`` never loses the admin's files.

DIR is replaced only when missing, empty or a previous render (a jamf-enforcer ``manifest.json``
listing every file; renders of older versions count).  Everything else is refused with one line,
exit 2, and left exactly as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "examples" / "bundle.toml").read_text(encoding="utf-8")


def render(bundle: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "render", str(bundle), "--out", str(out)],
                          capture_output=True, text=True, check=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "site" / ".git").mkdir(parents=True)
    (tmp_path / "site" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "site" / "bundle.toml").write_text(GOOD)
    return tmp_path / "site"


@pytest.mark.parametrize("where", ["site", "parent", "grandparent"])
def test_the_bundle_folder_and_its_parents_are_never_replaced(site: Path, where: str):
    """Fails on main (a347b53): --out at the bundle's folder replaced it, .git included."""
    target = {"site": site, "parent": site.parent, "grandparent": site.parent.parent}[where]
    before = snapshot(site)
    proc = render(site / "bundle.toml", target)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "--out" in proc.stderr
    assert snapshot(site) == before


@pytest.mark.parametrize("kind", ["file", "foreign-folder", "fake-manifest", "render-plus-notes", "symlink", "git-only"])
def test_anything_but_an_empty_folder_or_a_previous_render_is_left_alone(site: Path, tmp_path: Path, kind: str):
    """Fails on main: each of these was moved aside and deleted (a file was renamed away)."""
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("precious")
    elif kind == "symlink":
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "keep").write_text("precious")
        out.symlink_to(tmp_path / "elsewhere")
    else:
        out.mkdir()
        (out / "notes.txt").write_text("precious")
        if kind == "git-only":
            (out / "notes.txt").unlink()
            (out / ".git").mkdir()
            (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        if kind == "fake-manifest":
            (out / "manifest.json").write_text(json.dumps({"artifacts": []}))
        if kind == "render-plus-notes":
            assert render(site / "bundle.toml", tmp_path / "fresh").returncode == 0
            for path, data in snapshot(tmp_path / "fresh").items():
                (out / path).parent.mkdir(parents=True, exist_ok=True)
                (out / path).write_bytes(data)
    before = snapshot(tmp_path / "elsewhere") if kind == "symlink" else (snapshot(out) if out.is_dir() else out.read_bytes())
    proc = render(site / "bundle.toml", out)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    after = snapshot(tmp_path / "elsewhere") if kind == "symlink" else (snapshot(out) if out.is_dir() else out.read_bytes())
    assert after == before


def test_missing_empty_and_previous_renders_of_any_version_are_replaced(site: Path, tmp_path: Path):
    """Regression test: the folders render may replace still are."""
    out = tmp_path / "out"
    assert render(site / "bundle.toml", out).returncode == 0  # missing
    assert render(site / "bundle.toml", out).returncode == 0  # a previous render
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["generator"]["version"] = "0.0.1"  # an older version's render, with a file this one no longer writes
    manifest["artifacts"].append({"path": "old/gone.zsh", "kind": "agent-script", "size": 1, "sha256": "0" * 64})
    (out / "old").mkdir()
    (out / "old" / "gone.zsh").write_text("x")
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / ".DS_Store").write_bytes(b"finder")
    assert render(site / "bundle.toml", out).returncode == 0
    assert not (out / "old").exists() and (out / "manifest.json").is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert render(site / "bundle.toml", empty).returncode == 0 and (empty / "manifest.json").is_file()
