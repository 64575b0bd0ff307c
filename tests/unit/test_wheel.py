"""The wheel carries its templates and data: installed into a fresh venv outside the checkout, it renders."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_installed_in_a_fresh_venv_renders(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, text=True)
    wheel = next(wheels.glob("jamf_enforcer-*.whl"))
    # An inherited PYTHONPATH (how a worktree is tested against an editable install elsewhere)
    # would put the checkout back in front of the wheel: the venv runs without it.
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, text=True,
                   env=clean)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "bundle.toml").write_text((ROOT / "examples" / "bundle.toml").read_text())
    proc = subprocess.run([str(env_dir / "bin" / "jamf-enforcer"), "render", "bundle.toml", "--out", "dist"],
                          cwd=work, capture_output=True, text=True, check=False, env=clean)
    assert proc.returncode == 0, proc.stderr
    # Same bytes as the checkout renders: nothing in the wheel differs from the source tree.
    from generator.bundle import load_bundle
    from generator.render import render_all

    for art in render_all(load_bundle(ROOT / "examples" / "bundle.toml")):
        assert (work / "dist" / art.path).read_bytes() == art.content, art.path
    # validate runs the EAs under the packaged macOS harness: its stubs must survive the wheel.
    proc = subprocess.run([str(env_dir / "bin" / "jamf-enforcer"), "validate", "dist"],
                          cwd=work, capture_output=True, text=True, check=False, env=clean)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    located = subprocess.run([str(python), "-c", "import generator; print(generator.__file__)"],
                             capture_output=True, text=True, check=True, cwd=work, env=clean).stdout
    assert str(ROOT) not in located
