"""The command line: exit codes, one-line errors, untouched output on failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bundle.toml"
runner = CliRunner()

BAD_BUNDLES = {
    "malformed": '[bundle\nname = "x"\n',
    "unknown key": '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\nnmae = 1\n',
    "wrong type": '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n[agent]\nhard_deadline_days = "2"\n',
    "bad identifier": '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "Example Corp"\n',
    "http url": '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n[profile]\ncustom_url = "http://j"\n',
    "failover type": '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n[agent]\nmdm_failover_to_user = ["NEVER"]\n',
    "nine options": '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n[agent]\nextra_options = ['
                    + ", ".join(f'"--o{i}"' for i in range(9)) + "]\n",
}


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_render_writes_dist(tmp_path):
    result = runner.invoke(app, ["render", str(EXAMPLE), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / "manifest.json").is_file()


@pytest.mark.parametrize("case", sorted(BAD_BUNDLES))
def test_bad_bundle_exits_2_with_one_line_and_leaves_output_untouched(case, tmp_path):
    out = tmp_path / "dist"
    assert runner.invoke(app, ["render", str(EXAMPLE), "--out", str(out)]).exit_code == 0
    before = snapshot(out)
    bad = tmp_path / "bundle.toml"
    bad.write_text(BAD_BUNDLES[case])
    result = runner.invoke(app, ["render", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0], result.stderr
    assert snapshot(out) == before


def test_template_error_exits_2(tmp_path, monkeypatch):
    from generator import render

    (tmp_path / "t" / "agent").mkdir(parents=True)
    for src in (ROOT / "templates").rglob("*.j2"):
        dest = tmp_path / "t" / src.relative_to(ROOT / "templates")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(src.read_text())
    (tmp_path / "t" / "agent" / "agent.zsh.j2").write_text("@@= no_such_name =@@\n")
    monkeypatch.setattr(render, "templates_dir", lambda: tmp_path / "t")
    monkeypatch.setattr(render, "_ENV", None)
    result = runner.invoke(app, ["render", str(EXAMPLE), "--out", str(tmp_path / "dist")])
    monkeypatch.setattr(render, "_ENV", None)
    assert result.exit_code == 2
    assert "agent/agent.zsh.j2" in result.stderr and "no_such_name" in result.stderr
    assert not (tmp_path / "dist").exists()


def test_init_scaffolds_a_bundle_that_renders(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / ".github" / "workflows" / "jamf-enforcer.yml").is_file()
    again = runner.invoke(app, ["init", str(tmp_path / "site")])
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert runner.invoke(app, ["render", str(tmp_path / "site"), "--out", str(tmp_path / "d")]).exit_code == 0


def test_console_script_and_module_entry_point(tmp_path):
    out = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-m", "generator", "render", str(EXAMPLE), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True, text=True, check=False)
    assert proc.stdout.startswith("jamf-enforcer ")
