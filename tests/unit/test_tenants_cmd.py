"""``jamf-enforcer tenants``: names for people and for a CI job matrix."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from generator.cli import app
from generator.scaffold import bundle_text

runner = CliRunner()

TENANTS = """
[tenants.prod-eu]
url = "https://eu.example.jamfcloud.com"
client_id = "env:EU_ID"
client_secret = "env:EU_SECRET"

[tenants.staging_1]
url = "https://staging.example.jamfcloud.com"
username = "env:ST_USER"
password = "env:ST_PASSWORD"
"""


def _bundle(tmp_path: Path, tenants: str) -> str:
    head = bundle_text().split("[tenants.production]")[0]
    path = tmp_path / "bundle.toml"
    path.write_text(head + tenants, encoding="utf-8")
    return str(path)


def test_json_is_one_compact_line_in_bundle_order_and_text_one_name_per_line(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, TENANTS)
    result = runner.invoke(app, ["tenants", bundle, "--output", "json"])
    assert result.exit_code == 0 and result.stdout == '["prod-eu","staging_1"]\n'
    assert json.loads(result.stdout) == ["prod-eu", "staging_1"]
    result = runner.invoke(app, ["tenants", str(tmp_path)])  # a folder holding bundle.toml
    assert result.exit_code == 0 and result.stdout == "prod-eu\nstaging_1\n"


def test_exclude_leaves_out_matching_tenants(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, TENANTS + '\n[tenants.sim]\nurl = "https://127.0.0.1:8443"\n'
                     'client_id = "env:A"\nclient_secret = "env:B"\n')
    result = runner.invoke(app, ["tenants", bundle, "--output", "json", "--exclude", "sim"])
    assert result.exit_code == 0 and result.stdout == '["prod-eu","staging_1"]\n'
    result = runner.invoke(app, ["tenants", bundle, "--output", "json", "--exclude", "sim", "--exclude", "prod-*"])
    assert result.stdout == '["staging_1"]\n'


def test_no_tenants_is_an_empty_list_not_an_error(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, "")
    result = runner.invoke(app, ["tenants", bundle, "--output", "json"])
    assert result.exit_code == 0 and result.stdout == "[]\n"
    result = runner.invoke(app, ["tenants", bundle])
    assert result.exit_code == 0 and result.stdout == ""


def test_bad_bundle_or_output_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["tenants", str(tmp_path / "missing.toml"), "--output", "json"])
    assert result.exit_code == 2 and "missing.toml: file not found" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    result = runner.invoke(app, ["tenants", _bundle(tmp_path, TENANTS), "--output", "yaml"])
    assert result.exit_code == 2 and "--output: expected text or json, got 'yaml'" in result.stderr
