"""The set-up: .ci/find-python's interpreter choice (fake interpreters on a private PATH), and the
README's two set-up commands being exactly what CI runs."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIND_PYTHON = ROOT / ".ci" / "find-python"


def fake_interpreters(bin_dir: Path, versions: dict[str, str | None]) -> None:
    """Little shell scripts that print a version the way find-python asks for it (None: it fails)."""
    bin_dir.mkdir(exist_ok=True)
    for name, version in versions.items():
        body = f"echo {version}" if version else "echo 'pyenv: python3.13: command not found' >&2; exit 127"
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)


def find_python(bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PATH", "JAMF_ENFORCER_PYTHON")}
    return subprocess.run(["/bin/bash", str(FIND_PYTHON)], env={**clean, "PATH": str(bin_dir), **env},
                          capture_output=True, text=True, timeout=30, check=False)


@pytest.mark.parametrize(("versions", "chosen"), [
    ({"python3": "3.12"}, "python3"),
    ({"python3": "3.9", "python3.11": "3.11"}, "python3.11"),                       # the Mac: CLT python3 is 3.9
    ({"python3": "3.11", "python3.13": None, "python3.12": "3.12"}, "python3.12"),  # a broken pyenv shim is skipped
    ({"python3": "3.13", "python3.12": "3.12"}, "python3.12"),                      # versioned names come first
    ({"python3.14": "3.14", "python3.11": "3.11"}, "python3.14"),
])
def test_the_first_python_3_11_or_newer_is_chosen(tmp_path, versions, chosen):
    fake_interpreters(tmp_path / "bin", versions)
    result = find_python(tmp_path / "bin")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{tmp_path / 'bin' / chosen}\n"


@pytest.mark.parametrize(("versions", "found"), [
    ({"python3": "3.9"}, "found python3 is 3.9"),
    ({"python3": "3.10", "python3.11": None}, "found python3.11: does not run; python3 is 3.10"),
    ({}, "tried python3.14 python3.13 python3.12 python3.11 python3"),
])
def test_no_suitable_python_is_one_line_naming_what_to_install(tmp_path, versions, found):
    fake_interpreters(tmp_path / "bin", versions)
    result = find_python(tmp_path / "bin")
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    line = result.stderr.strip()
    assert f"none was found ({found})" in line
    for hint in ("brew install python@3.12", "python.org installer", "uv python install 3.12", "JAMF_ENFORCER_PYTHON"):
        assert hint in line


def test_jamf_enforcer_python_is_the_only_candidate(tmp_path):
    fake_interpreters(tmp_path / "bin", {"python3.12": "3.12"})
    fake_interpreters(tmp_path / "other", {"python3": "3.11", "old": "3.9"})
    chosen = find_python(tmp_path / "bin", JAMF_ENFORCER_PYTHON=str(tmp_path / "other" / "python3"))
    assert chosen.returncode == 0 and chosen.stdout == f"{tmp_path / 'other' / 'python3'}\n"
    refused = find_python(tmp_path / "bin", JAMF_ENFORCER_PYTHON=str(tmp_path / "other" / "old"))
    assert refused.returncode == 1 and f"found {tmp_path / 'other' / 'old'} is 3.9" in refused.stderr


def readme_setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_ci_runs_exactly_the_readme_setup_commands_with_the_system_python():
    first, second = readme_setup_commands()
    assert first.startswith("bash .ci/install && .venv/bin/jamf-enforcer ")
    assert second == ".venv/bin/python -m pytest -q"
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"'{first}'" in run and "JAMF_ENFORCER_PYTHON=/usr/bin/python3" in run
    assert re.search(r"^PATH=\$system_path ", run, re.M) and ".pyenv" not in run.split("system_path=")[1].split("\n")[0]
    assert run.rstrip().endswith("\n" + second)


def test_the_virtual_environment_is_ignored():
    assert "/.venv/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
