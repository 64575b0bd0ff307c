"""``jamf-enforcer init``: the install source it writes, and all-or-nothing writing (issue 11: "init
writes atomically and leaves nothing behind on failure")."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from generator import scaffold
from generator.cli import app

runner = CliRunner()
PIN = "jamf-enforcer @ git+https://github.com/acme/jamf-enforcer@0123456789abcdef0123456789abcdef01234567"


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under root (folders as None) with its content."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


def test_init_into_a_missing_folder_writes_both_files_and_nothing_else(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "a" / "site"), "--package", PIN])
    assert result.exit_code == 0, result.output
    assert set(tree(tmp_path / "a" / "site")) == {"bundle.toml", ".github", ".github/workflows",
                                                  ".github/workflows/jamf-enforcer.yml"}
    workflow = yaml.safe_load((tmp_path / "a/site/.github/workflows/jamf-enforcer.yml").read_text())
    assert workflow["env"]["JAMF_ENFORCER_PACKAGE"] == PIN
    assert "note:" not in result.stderr


def test_without_package_the_placeholder_is_kept_and_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0 and "set JAMF_ENFORCER_PACKAGE" in result.stderr
    text = (tmp_path / scaffold.WORKFLOW).read_text()
    assert yaml.safe_load(text)["env"]["JAMF_ENFORCER_PACKAGE"] == scaffold.PLACEHOLDER_PACKAGE


@pytest.mark.parametrize("package", [
    "jamf-enforcer==0.1.0", "jamf-enforcer==1.2.3rc1",
    "jamf-enforcer @ git+https://github.com/acme/jamf-enforcer@v0.1.0",
    "jamf-enforcer @ git+https://git.example.com/it/mac/jamf-enforcer.git@release/1.0",
])
def test_accepted_package_pins(package: str, tmp_path: Path) -> None:
    assert yaml.safe_load(scaffold.workflow_text(package))["env"]["JAMF_ENFORCER_PACKAGE"] == package


@pytest.mark.parametrize("package", [
    "jamf-enforcer", "jamf-enforcer>=0.1", "other==1.0", "jamf-enforcer==0.1.0\nx: y", 'jamf-enforcer==1"; curl x',
    "jamf-enforcer @ git+https://github.com/acme/jamf-enforcer", "jamf-enforcer @ git+http://github.com/a/b@v1",
    "jamf-enforcer @ git+https://github.com/a/b@$(id)", "jamf-enforcer @ git+https://u:p@github.com/a/b@v1",
    "jamf-enforcer==0.1.0 ", "jamf-enforcer @ git+https://github.com/a/b@v1\n",
])
def test_refused_package_pins_write_nothing(package: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "site"), "--package", package])
    assert result.exit_code == 2 and result.stderr.startswith("jamf-enforcer: error: --package: expected")
    assert len(result.stderr.strip().splitlines()) == 1  # repr keeps a newline in the value on one line
    assert not (tmp_path / "site").exists()


def test_a_failure_midway_restores_the_old_files_and_removes_what_init_created(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "bundle.toml").write_text("old bundle\n")
    (site / "README.md").write_text("mine\n")
    before = tree(site)
    real_replace = os.replace
    calls = []

    def flaky(src: str | Path, dst: str | Path) -> None:
        calls.append(dst)
        if str(dst).endswith("jamf-enforcer.yml"):  # the last file: bundle.toml is already in place
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(scaffold.os, "replace", flaky)
    result = runner.invoke(app, ["init", str(site), "--force", "--package", PIN])
    assert result.exit_code == 2 and "jamf-enforcer.yml: cannot write: No space left on device" in result.stderr
    assert len(calls) >= 3  # old bundle.toml moved aside, new one placed, workflow refused
    assert tree(site) == before  # old bundle back, .github and the staging folder gone


def test_a_failure_in_a_new_folder_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, *a: object, **k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(scaffold.Path, "write_text", full)
    result = runner.invoke(app, ["init", str(tmp_path / "a" / "b"), "--package", PIN])
    assert result.exit_code == 2 and "cannot write: No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("make", ["github-is-a-file", "workflow-is-a-folder", "target-is-a-file"])
def test_a_path_in_the_way_is_refused_before_anything_is_written(make: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    if make == "target-is-a-file":
        site.write_text("x")
    else:
        site.mkdir()
        if make == "github-is-a-file":
            (site / ".github").write_text("x")
        else:
            (site / scaffold.WORKFLOW).mkdir(parents=True)
    before = tree(tmp_path)
    result = runner.invoke(app, ["init", str(site), "--force", "--package", PIN])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "is not a folder" in result.stderr or "is a folder, expected a file" in result.stderr
    assert tree(tmp_path) == before
