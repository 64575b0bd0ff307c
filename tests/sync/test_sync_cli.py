"""The plan / apply / audit / rotate commands end to end: exit codes, output, several tenants at
once, and a canary-secret test proving no secret reaches a log record, an exception or the CLI
output (text, JSON or Markdown)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.jamf import client as client_module
from generator.jamf import sync
from generator.jamf.client import ClientOptions
from generator.sim import Simulator
from tests.sync.helpers import OBJECT_COUNT, WRITE_COUNT, bundle_text, export_admin, policy_params, write_bundle

runner = CliRunner()


@pytest.fixture(autouse=True)
def _plain_progress_and_no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")  # plain progress lines, as in a pipeline

    real_options = sync.SyncOptions

    def options(**kw: Any) -> sync.SyncOptions:  # retries back off without real waiting
        return real_options(client_options=ClientOptions(sleep=lambda _s: None), **kw)

    # commands imports SyncOptions from sync when a command runs (render stays free of HTTP code).
    monkeypatch.setattr(sync, "SyncOptions", options)


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def setup(sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tenants: int = 1) -> str:
    export_admin(sim, monkeypatch, tenants)
    return str(write_bundle(tmp_path, bundle_text(sim, tenants)))


def test_exit_codes_plan_2_apply_0_then_plan_0(jamf_sim: Simulator, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = setup(jamf_sim, tmp_path, monkeypatch)
    ca = ["--ca-file", jamf_sim.ca_file]
    code, out, _ = cli("plan", bundle, "--tenant", "t0", *ca)
    assert code == 2 and f"{OBJECT_COUNT} to create" in out and "+ create policy" in out
    code, dry, _ = cli("apply", bundle, "--tenant", "t0", "--dry-run", *ca)
    assert code == 2 and dry == out  # --dry-run is plan
    code, out, err = cli("apply", bundle, "--tenant", "t0", *ca)
    assert code == 0 and f"t0: {WRITE_COUNT} written, 0 failed" in out
    assert "t0: created script jamf-enforcer enforcer.zsh" in err  # plain progress lines in CI
    code, out, _ = cli("plan", bundle, "--tenant", "t0", *ca)
    assert code == 0 and "in sync" in out
    code, out, _ = cli("audit", bundle, "--tenant", "t0", *ca)
    assert code == 0 and "no drift" in out
    next(iter(jamf_sim.tenant(0).eas.values()))["enabled"] = False
    code, out, _ = cli("audit", bundle, "--tenant", "t0", *ca)
    assert code == 1 and "differs from the rendered bundle" in out
    code, out, _ = cli("plan", bundle, "--tenant", "t0", "--output", "json", *ca)
    data = json.loads(out)
    assert code == 2 and data["exit_code"] == 2 and data["tenants"][0]["counts"]["update"] == 1
    assert data["tenants"][0]["token_requests"] == 1


def test_errors_exit_1_with_one_line(jamf_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = setup(jamf_sim, tmp_path, monkeypatch)
    code, _, err = cli("plan", bundle, "--tenant", "nope", "--ca-file", jamf_sim.ca_file)
    assert code == 1 and "matches no tenant (known: t0)" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("plan", str(tmp_path / "missing.toml"), "--tenant", "t0")
    assert code == 1 and "file not found" in err
    monkeypatch.delenv("JE_TEST_0_SECRET")
    code, out, _ = cli("plan", bundle, "--tenant", "t0", "--ca-file", jamf_sim.ca_file)
    assert code == 1 and "environment variable JE_TEST_0_SECRET is not set" in out


def test_a_literal_secret_pasted_into_the_bundle_is_refused_without_echoing_it(
        jamf_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = setup(jamf_sim, tmp_path, monkeypatch)
    text = Path(bundle).read_text(encoding="utf-8")
    text = text.replace('client_secret = "env:JE_TEST_0_SECRET"', 'client_secret = "Literal-Canary-Secret-42"')
    Path(bundle).write_text(text, encoding="utf-8")
    for command in ("plan", "apply"):
        code, out, err = cli(command, bundle, "--tenant", "t0", "--ca-file", jamf_sim.ca_file)
        assert code == 1 and "tenants.t0.client_secret" in err and "never a literal secret" in err
        assert "Literal-Canary" not in out + err


def test_all_tenants_run_concurrently_with_one_summary_table(jamf_sim_factory, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    sim = jamf_sim_factory(tenants=3, fleet=0)
    bundle = setup(sim, tmp_path, monkeypatch, tenants=3)
    ca = ["--ca-file", sim.ca_file]
    code, out, _ = cli("apply", bundle, "--tenant", "t[01]", *ca)
    assert code == 0 and f"t0: {WRITE_COUNT} written" in out and f"t1: {WRITE_COUNT} written" in out and "t2:" not in out
    code, out, _ = cli("plan", bundle, "--tenant", "all", *ca)
    assert code == 2
    table = out.split("\n\n")[-1].splitlines()
    assert table[0].split()[:3] == ["tenant", "status", "create"]
    rows = {line.split()[0]: line.split()[1:3] for line in table[1:]}
    assert rows == {"t0": ["in", "sync"], "t1": ["in", "sync"], "t2": ["changes", str(OBJECT_COUNT)]}
    assert len(sim.tenant(2).scripts) == 0 and len(sim.tenant(0).scripts) == 2


def test_no_secret_reaches_logs_exceptions_or_output(jamf_sim: Simulator, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    bundle = setup(jamf_sim, tmp_path, monkeypatch)
    uploader_secret = jamf_sim.tenant(0).admin_client[1]
    tokens: list[str] = []
    real_set_token = client_module.JamfClient._set_token

    def spy(self: client_module.JamfClient, token: str, lifetime: float) -> None:
        tokens.append(token)
        real_set_token(self, token, lifetime)

    monkeypatch.setattr(client_module.JamfClient, "_set_token", spy)
    caplog.set_level(logging.DEBUG)
    ca = ["--ca-file", jamf_sim.ca_file]
    outputs = []
    issued: set[str] = set()
    for args in (["plan"], ["plan", "--output", "markdown"], ["apply", "--output", "markdown"],
                 ["plan", "--output", "json"], ["apply", "--output", "json"], ["audit"], ["audit", "--output", "markdown"],
                 ["rotate", "--output", "markdown"], ["audit", "--output", "json"], ["rotate", "--retire", "--output", "json"]):
        _, out, err = cli(args[0], bundle, "--tenant", "t0", *args[1:], *ca)
        outputs.append(out + err)
        if jamf_sim.tenant(0).policies:
            issued.add(policy_params(jamf_sim, "Save update credentials")["parameter5"].partition("=")[2])
    assert len(issued) == 2  # the first hand-over and the rotation
    # Force error paths too: a server error and a rejected credential, both with a canary.
    jamf_sim.set_faults("5xx=1.0,path=/api/v1/scripts")
    outputs.append("".join(cli("plan", bundle, "--tenant", "t0", *ca)[1:]))
    outputs.append("".join(cli("plan", bundle, "--tenant", "t0", "--output", "markdown", *ca)[1:]))
    jamf_sim.set_faults("")
    monkeypatch.setenv("JE_TEST_0_SECRET", "canary-WRONG-secret-4711")
    outputs.append("".join(cli("apply", bundle, "--tenant", "t0", "--output", "json", *ca)[1:]))
    assert "rejected the API client credentials" in outputs[-1]
    outputs.append("".join(cli("plan", bundle, "--tenant", "t0", "--output", "markdown", *ca)[1:]))
    assert "rejected the API client credentials" in outputs[-1] and "**Error:**" in outputs[-1]

    canaries = [uploader_secret, "canary-WRONG-secret-4711", *issued, *tokens]
    assert len(tokens) >= 8 and all(len(c) > 16 for c in canaries)
    logged = "\n".join(r.getMessage() + repr(r.args) + str(r.exc_info) for r in caplog.records)
    assert "oauth/token" in logged  # the DEBUG log is really captured
    haystack = logged + "\n".join(outputs)
    for canary in canaries:
        assert canary not in haystack


def test_one_unreachable_tenant_does_not_stop_the_others(jamf_sim_factory, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    sim = jamf_sim_factory(tenants=2, fleet=0)
    export_admin(sim, monkeypatch, 2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    text = bundle_text(sim, 2).replace(sim.base_url(1), f"https://127.0.0.1:{port}")
    bundle = str(write_bundle(tmp_path, text))
    code, out, _ = cli("apply", bundle, "--tenant", "all", "--ca-file", sim.ca_file)
    assert code == 1
    assert f"t0: {WRITE_COUNT} written, 0 failed" in out and "t1: ERROR:" in out and "cannot connect" in out
    rows = {line.split()[0]: line.split()[1] for line in out.split("\n\n")[-1].splitlines()[1:]}
    assert rows == {"t0": "ok", "t1": "error"}
