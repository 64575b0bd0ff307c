"""The scaffolded workflow's own shell steps, run under bash (as GitHub runs them: ``bash -e``) in a
scaffolded folder whose tenant points at the simulator: list tenants into ``$GITHUB_OUTPUT``, plan
into ``$GITHUB_STEP_SUMMARY`` (changes pending is a success), apply, plan again.  No secret reaches
the summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from generator import scaffold
from generator.cli import app
from generator.sim import Simulator
from tests.sync.helpers import OBJECT_COUNT, WRITE_COUNT

PIN = "jamf-enforcer==0.1.0"


def _runs(site: Path) -> dict[str, str]:
    """Each run step as "job/step name"."""
    data = yaml.safe_load((site / scaffold.WORKFLOW).read_text())
    return {f"{name}/{step['name']}": step["run"] for name, job in data["jobs"].items() for step in job["steps"]
            if "run" in step}


def _step(script: str, site: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-c", script], cwd=site, env=env, capture_output=True, text=True,
                          check=False, timeout=300)


@pytest.fixture
def site(tmp_path: Path, jamf_sim: Simulator) -> Path:
    site = tmp_path / "site"
    assert CliRunner().invoke(app, ["init", str(site), "--package", PIN]).exit_code == 0
    bundle = site / "bundle.toml"
    text = bundle.read_text().replace("https://example.jamfcloud.com", jamf_sim.base_url(0))
    # the README's rehearsal table, committed by mistake: the pipeline must not fan out to it
    text += '\n[tenants.sim]\nurl = "https://127.0.0.1:9"\nclient_id = "env:SIM_ID"\nclient_secret = "env:SIM_SECRET"\n'
    bundle.write_text(text)
    return site


@pytest.fixture
def env(tmp_path: Path, jamf_sim: Simulator) -> dict[str, Any]:
    shim = tmp_path / "bin"
    shim.mkdir()
    # `jamf-enforcer` as the workflow calls it, from this checkout (PYTHONPATH is inherited).
    (shim / "jamf-enforcer").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@"\n')
    (shim / "jamf-enforcer").chmod(0o755)
    client_id, secret = jamf_sim.tenant(0).admin_client
    return {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}", "CI": "true", "TENANT": "production",
            "JAMF_CLIENT_ID": client_id, "JAMF_CLIENT_SECRET": secret, "REQUESTS_CA_BUNDLE": jamf_sim.ca_file,
            "GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}


def test_tenants_plan_apply_steps_as_the_workflow_runs_them(site: Path, env: dict[str, Any], jamf_sim: Simulator) -> None:
    runs = _runs(site)
    summary = Path(env["GITHUB_STEP_SUMMARY"])
    proc = _step(runs["bundle/List tenants"], site, env)
    assert proc.returncode == 0, proc.stderr
    assert Path(env["GITHUB_OUTPUT"]).read_text() == 'tenants=["production"]\n'

    proc = _step(runs["plan/Plan"], site, env)
    assert proc.returncode == 0, proc.stderr  # changes pending (exit 2) is what a pull request is for
    plan = summary.read_text()
    assert plan.startswith("## jamf-enforcer plan\n") and f"### production: {OBJECT_COUNT} to create" in plan
    assert plan.count("<details>") == OBJECT_COUNT

    proc = _step(runs["apply/Apply"], site, env)
    assert proc.returncode == 0, proc.stderr
    assert f"### production: {WRITE_COUNT} written, 0 failed" in summary.read_text()
    assert len(jamf_sim.tenant(0).scripts) == 2

    summary.unlink()
    assert _step(runs["plan/Plan"], site, env).returncode == 0
    assert "### production: in sync" in summary.read_text()
    assert env["JAMF_CLIENT_SECRET"] not in summary.read_text() + proc.stdout + proc.stderr


def test_plan_step_fails_on_an_error_and_skips_without_secrets(site: Path, env: dict[str, Any]) -> None:
    runs = _runs(site)
    proc = _step(runs["plan/Plan"], site, {**env, "JAMF_CLIENT_SECRET": "canary-not-the-secret-0815"})
    assert proc.returncode == 1  # plan's exit 1 (an error) fails the step
    text = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "**Error:**" in text and "canary-not-the-secret-0815" not in text + proc.stdout + proc.stderr
    proc = _step(runs["plan/Plan"], site, {**env, "JAMF_CLIENT_SECRET": ""})
    assert proc.returncode == 0 and "::notice::no plan for production" in proc.stdout


def test_install_step_refuses_the_placeholder(tmp_path: Path) -> None:
    site = tmp_path / "placeholder"
    assert CliRunner().invoke(app, ["init", str(site)]).exit_code == 0
    script = _runs(site)["bundle/Install jamf-enforcer"]
    # pip must not even start: a python that fails loudly proves the guard stopped the step first
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "python").write_text("#!/bin/sh\necho pip ran; exit 99\n")
    (shim / "python").chmod(0o755)
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
           "JAMF_ENFORCER_PACKAGE": scaffold.PLACEHOLDER_PACKAGE}
    proc = _step(script, site, env)
    assert proc.returncode == 1 and "::error::set JAMF_ENFORCER_PACKAGE" in proc.stdout
    proc = _step(script, site, {**env, "JAMF_ENFORCER_PACKAGE": PIN})
    assert proc.returncode == 99 and "pip ran" in proc.stdout  # a real pin goes on to pip
