"""Jamf's deprecations of the operations the agent and the uploader call: derived from the
vendored specs, listed in manifest.json, one stderr line each from validate and plan, exit codes
unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from generator.cli import app
from generator.deprecations import deprecations
from generator.specindex import SPEC_DIR

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SEND_UPDATES = "POST /api/v1/macos-managed-software-updates/send-updates"
INVENTORY_V1 = "GET /api/v1/computers-inventory"


def _spec_date(file: str, path: str, method: str) -> str:
    operation = yaml.safe_load((SPEC_DIR / "pro" / file).read_text())["paths"][path][method]
    assert operation["deprecated"] is True
    return str(operation["x-deprecation-date"])


def test_deprecations_follow_the_workflow_and_carry_jamfs_dates():
    by_workflow = {w: {d.operation: d for d in deprecations(w, "jamf-client")} for w in ("auto", "new", "legacy")}
    assert set(by_workflow["new"]) == {INVENTORY_V1}  # the /v3 lookup's fallback only
    assert set(by_workflow["legacy"]) == set(by_workflow["auto"]) == {INVENTORY_V1, SEND_UPDATES}
    legacy = by_workflow["legacy"]
    assert legacy[SEND_UPDATES].date == _spec_date("MacOsManagedSoftwareUpdates.yaml",
                                                   "/v1/macos-managed-software-updates/send-updates", "post")
    assert legacy[INVENTORY_V1].date == _spec_date("ComputersInventory.yaml", "/v1/computers-inventory", "get")
    assert legacy[SEND_UPDATES].date == "2022-10-17" and legacy[INVENTORY_V1].date == "2025-06-30"
    assert all(d.callers == ("agent",) for d in legacy.values())  # the uploader calls nothing deprecated
    assert {d.operation for d in deprecations("new", "jamf-account")} == {INVENTORY_V1}


def test_manifest_lists_them_and_validate_warns_once_per_operation(tmp_path):
    dist = tmp_path / "dist"
    assert runner.invoke(app, ["render", str(ROOT / "examples" / "bundle.toml"), "--out", str(dist)]).exit_code == 0
    listed = json.loads((dist / "manifest.json").read_text())["deprecations"]
    assert [d["operation"] for d in listed] == [SEND_UPDATES, INVENTORY_V1]
    assert listed[0]["deprecation_date"] == "2022-10-17" and listed[0]["callers"] == ["agent"]
    result = runner.invoke(app, ["validate", str(dist)])
    assert result.exit_code == 0 and result.stdout.strip() == f"{dist}: ok"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"jamf-enforcer: warning: {SEND_UPDATES} is deprecated by Jamf since 2022-10-17")
    assert INVENTORY_V1 in lines[1] and "2025-06-30" in lines[1]


def test_plan_warns_on_stderr_and_keeps_its_exit_code_and_json(jamf_sim, tmp_path, monkeypatch):
    from tests.sync.helpers import bundle_text, export_admin, write_bundle

    monkeypatch.setenv("CI", "1")
    export_admin(jamf_sim, monkeypatch, 1)
    bundle = str(write_bundle(tmp_path, bundle_text(jamf_sim, 1)))
    result = runner.invoke(app, ["plan", bundle, "--tenant", "t0", "--output", "json", "--ca-file", jamf_sim.ca_file])
    assert result.exit_code == 2  # changes pending, as without the warnings
    assert json.loads(result.stdout)["exit_code"] == 2  # stdout stays machine-readable
    warnings = [line for line in result.stderr.splitlines() if line.startswith("jamf-enforcer: warning:")]
    assert [w.split()[2] + " " + w.split()[3] for w in warnings] == [SEND_UPDATES, INVENTORY_V1]
