"""The workflow ``init`` scaffolds, checked as rendered: least privilege, pinned actions, secrets only
on the steps that use them and only from GitHub environments, a per-tenant job matrix with
per-tenant concurrency, and zero findings from zizmor (offline) and from the GitHub-workflow JSON
schema that check-jsonschema bundles (no network either)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from generator import scaffold
from generator.cli import app

PIN = "jamf-enforcer @ git+https://github.com/acme/jamf-enforcer@0123456789abcdef0123456789abcdef01234567"
USES = re.compile(r"^\s*(?:- )?uses: (?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    result = CliRunner().invoke(app, ["init", str(site), "--package", PIN])
    assert result.exit_code == 0, result.output
    return site / scaffold.WORKFLOW


@pytest.fixture(scope="module")
def workflow(rendered: Path) -> dict[str, Any]:
    data = yaml.safe_load(rendered.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job, step) for job, body in workflow["jobs"].items() for step in body["steps"]]


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment(rendered: Path) -> None:
    uses = [m for line in rendered.read_text().splitlines() if (m := USES.match(line))]
    assert len(uses) == 6  # checkout and setup-python in each of the three jobs
    for m in uses:
        assert PINNED.fullmatch(m["ref"]), m["ref"]
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", m["rest"]), m.group(0)
    assert {m["ref"].split("@")[0] for m in uses} == {"actions/checkout", "actions/setup-python"}
    assert len({m["ref"] + m["rest"] for m in uses}) == 2  # one pin per action, the same in every job


def test_least_privilege(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())  # nothing widens it
    for _, step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_secrets_only_on_the_steps_that_use_them_and_only_from_environments(rendered: Path,
                                                                             workflow: dict[str, Any]) -> None:
    text = rendered.read_text()
    assert "secrets." in text
    with_secrets = [(job, step["name"]) for job, step in steps(workflow) if "secrets." in repr(step)]
    assert with_secrets == [("plan", "Plan"), ("apply", "Apply")]
    assert "secrets" not in repr(workflow.get("env")) and all(
        "secrets" not in repr({k: v for k, v in body.items() if k != "steps"}) for body in workflow["jobs"].values())
    jobs = workflow["jobs"]
    assert jobs["plan"]["environment"] == "jamf-plan-${{ matrix.tenant }}"
    assert jobs["apply"]["environment"] == "jamf-apply-${{ matrix.tenant }}"
    assert "environment" not in jobs["bundle"]
    assert "pull_request" in jobs["plan"]["if"] and "push" in jobs["apply"]["if"] and "refs/heads/main" in jobs["apply"]["if"]
    # the read-only role and the uploader role are each named for the admin who sets the secrets up
    assert "dist/jamf/planner-role.json" in text and "dist/jamf/uploader-role.json" in text


def test_tenants_fan_out_as_a_matrix_with_per_tenant_concurrency(workflow: dict[str, Any]) -> None:
    jobs = workflow["jobs"]
    assert jobs["bundle"]["outputs"]["tenants"] == "${{ steps.tenants.outputs.tenants }}"
    tenants_step = next(s for s in jobs["bundle"]["steps"] if s.get("id") == "tenants")
    assert "jamf-enforcer tenants bundle.toml --output json --exclude sim" in tenants_step["run"]
    for name in ("plan", "apply"):
        job = jobs[name]
        assert job["needs"] == "bundle" and job["runs-on"] == "ubuntu-latest"
        assert job["strategy"]["fail-fast"] is False and job["strategy"]["max-parallel"] >= 1
        assert job["strategy"]["matrix"] == {"tenant": "${{ fromJSON(needs.bundle.outputs.tenants) }}"}
        assert "needs.bundle.outputs.tenants != '[]'" in job["if"]  # an empty matrix is an error on GitHub
        assert "${{ matrix.tenant }}" in job["concurrency"]["group"]
    assert jobs["apply"]["concurrency"] == {"group": "jamf-enforcer-apply-${{ matrix.tenant }}", "cancel-in-progress": False}


def test_runs_on_ubuntu_with_zsh_installs_the_pin_with_a_pip_cache_and_plans_into_the_summary(
        rendered: Path, workflow: dict[str, Any]) -> None:
    assert workflow["env"]["JAMF_ENFORCER_PACKAGE"] == PIN
    assert {job["runs-on"] for job in workflow["jobs"].values()} == {"ubuntu-latest"}
    assert "ubuntu-latest, not macOS" in rendered.read_text()
    runs = {(job, step["name"]): step.get("run", "") for job, step in steps(workflow)}
    assert "apt-get install -y -qq zsh" in runs[("bundle", "Install zsh")]
    for job in workflow["jobs"]:
        assert '"$JAMF_ENFORCER_PACKAGE"' in runs[(job, "Install jamf-enforcer")]
        setup = next(s for j, s in steps(workflow) if j == job and "setup-python" in s.get("uses", ""))
        assert setup["with"]["cache"] == "pip" and setup["with"]["cache-dependency-path"] == scaffold.WORKFLOW
    assert "--output markdown" in runs[("plan", "Plan")] and '>> "$GITHUB_STEP_SUMMARY"' in runs[("plan", "Plan")]
    assert "--output markdown" in runs[("apply", "Apply")]
    # matrix values reach the shell only through the environment, never spliced into the script
    assert all("${{" not in run for run in runs.values())


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: it comes with the test extra (pip install -e '.[test]')"
    return found


def test_zizmor_offline_finds_nothing(rendered: Path) -> None:
    for persona in ("regular", "pedantic"):
        proc = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", f"--persona={persona}", "--format=plain",
                               str(rendered)], capture_output=True, text=True, check=False, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "No findings to report" in proc.stdout


def test_zizmor_does_flag_the_old_scaffold(tmp_path: Path) -> None:
    """The check can fail: the workflow main scaffolded before this change has findings."""
    old = tmp_path / "old.yml"
    old.write_text("name: x\non: [push]\njobs:\n  a:\n    runs-on: macos-latest\n    env:\n"
                   "      S: ${{ secrets.JAMF_CLIENT_SECRET }}\n    steps:\n      - uses: actions/checkout@v4\n")
    proc = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", str(old)], capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode != 0 and "artipacked" in proc.stdout and "unpinned-uses" in proc.stdout


def test_github_workflow_schema_accepts_it(rendered: Path, tmp_path: Path) -> None:
    tool = _tool("check-jsonschema")
    proc = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(rendered)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(rendered.read_text().replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest", 1))
    proc = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(broken)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 1  # the schema check can fail
