"""``jamf-enforcer report`` against the simulator: the numbers equal counts computed independently
from the simulator's own state, the reporter role is enough, and the outputs agree."""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from typer.testing import CliRunner

from generator.catalogue import reporter_endpoints, reporter_privileges, uploader_endpoints
from generator.cli import app
from generator.jamf import sync
from generator.jamf.client import ClientOptions
from generator.report.reader import PAGE_SIZE
from generator.sim import Simulator
from tests.report.conftest import FLEET, ReportRig, add_reporter

runner = CliRunner()
STATES = ("silent", "no_agent", "failed", "past_hard", "past_soft", "mdm_workflow", "scheduled", "deferred", "pending",
          "up_to_date")


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _when(text: str) -> datetime:
    if "T" in text:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def expected_states(sim: Simulator, tenant: int, silent_days: int = 14) -> Counter[str]:
    """The precedence of the README, applied to the simulator's stored state (not to anything read over HTTP)."""
    now = datetime.fromtimestamp(sim.clock.now(), UTC)
    out: Counter[str] = Counter()
    for c in sim.tenant(tenant).computers.values():
        s: dict[str, str] = c.get("agentStatus") or {}
        pending = s.get("PendingUpdateTarget", "NONE") != "NONE"
        if (now - _when(c["reportDate"])).total_seconds() >= silent_days * 86400:
            out["silent"] += 1
        elif not s:
            out["no_agent"] += 1
        elif s.get("LastMDMWorkflowResult") == "FAILED" or s.get("Status", "").startswith("Error"):
            out["failed"] += 1
        elif pending and "HardDeadline" in s and _when(s["HardDeadline"]) <= now:
            out["past_hard"] += 1
        elif pending and "SoftDeadline" in s and _when(s["SoftDeadline"]) <= now:
            out["past_soft"] += 1
        elif s.get("LastMDMWorkflowResult") == "IN_PROGRESS":
            out["mdm_workflow"] += 1
        elif s.get("LastMDMWorkflowResult") == "SCHEDULED":
            out["scheduled"] += 1
        elif s.get("Status", "").startswith("Deferred"):
            out["deferred"] += 1
        else:
            out["pending" if pending else "up_to_date"] += 1
    return out


def expected_plan_reasons(sim: Simulator, tenant: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    for view in sim.tenant(tenant).plans.values():
        if view["status"]["state"] == "PlanFailed":
            counts.update(f"Jamf plan: {r}" for r in set(view["status"]["errorReasons"]))
    return counts


def report_json(rig: ReportRig, *extra: str) -> dict[str, Any]:
    code, out, err = cli("report", str(rig.path), "--tenant", "all", "--output", "json", "--ca-file",
                         rig.sim.ca_file or "", *extra)
    assert code == 0, err
    return json.loads(out)


def test_numbers_equal_the_simulators_state(report_rig: ReportRig) -> None:
    summary = report_json(report_rig)
    assert summary["precedence"] == list(STATES)
    for i, block in enumerate(summary["tenants"]):
        want = expected_states(report_rig.sim, i)
        assert block["states"] == {s: want.get(s, 0) for s in STATES}
        assert block["total"] == FLEET == sum(block["states"].values())
        got = {r["reason"]: r["count"] for r in block["reasons"] if r["reason"].startswith("Jamf plan:")}
        assert got == dict(expected_plan_reasons(report_rig.sim, i))
        # A realistic mix: every state the seed can produce is there.
        assert all(block["states"][s] > 0 for s in STATES), block["states"]
    assert summary["all"]["states"] == {s: sum(t["states"][s] for t in summary["tenants"]) for s in STATES}


def test_failing_macs_are_listed_with_name_serial_id_os_and_link(report_rig: ReportRig) -> None:
    summary = report_json(report_rig)
    block = summary["tenants"][0]
    failed = next(r for r in block["reasons"] if r["reason"] == "MDM workflow failed")
    computers = report_rig.sim.tenant(0).computers
    want = sorted(c["id"] for c in computers.values() if (c.get("agentStatus") or {}).get("LastMDMWorkflowResult") == "FAILED")
    assert sorted(m["id"] for m in failed["macs"]) == want
    mac = failed["macs"][0]
    computer = computers[mac["id"]]
    assert (mac["name"], mac["serial"], mac["os"]) == (computer["name"], computer["serialNumber"], computer["osVersion"])
    assert mac["link"] == f"{report_rig.sim.base_url(0)}/computers.html?id={mac['id']}&o=r"


def test_requests_are_pages_plus_a_fixed_count_and_only_the_reporter_endpoints(report_rig: ReportRig) -> None:
    for i in range(2):
        report_rig.sim.tenant(i).reset_log()
    summary = report_json(report_rig)
    allowed = {(e.method, e.path) for e in reporter_endpoints()}
    for i, block in enumerate(summary["tenants"]):
        log = report_rig.sim.tenant(i).request_log
        assert {(e["method"], e["template"]) for e in log} <= allowed
        failed_plans = sum(1 for v in report_rig.sim.tenant(i).plans.values() if v["status"]["state"] == "PlanFailed")
        assert block["requests"] == len(log) == math.ceil(FLEET / PAGE_SIZE) + max(1, math.ceil(failed_plans / PAGE_SIZE)) + 2
        assert block["audit"] is None  # the reporter role alone: no drift section


def test_reporter_role_reads_no_policy_and_drift_needs_the_audit_role(report_rig: ReportRig,
                                                                     monkeypatch: Any) -> None:
    privileges = set(reporter_privileges())
    assert privileges == {"Read Computers", "Read Managed Software Updates", "Read Mobile Devices"}
    policy_reads = {p for e in uploader_endpoints() if "/policies" in e.path and e.method == "GET" for p in e.privileges}
    assert policy_reads and not privileges & policy_reads
    # Give tenant 0's reporter client the uploader role as well: now the page carries audit's drift.
    t = report_rig.sim.tenant(0)
    from generator.catalogue import audit_privileges
    t.add_role("audit", audit_privileges())
    client_id, secret = add_reporter(report_rig.sim, 0, ("audit",))
    monkeypatch.setenv("JE_REPORT_0_ID", client_id)
    monkeypatch.setenv("JE_REPORT_0_SECRET", secret)
    summary = report_json(report_rig)
    assert summary["tenants"][0]["audit"] == {"findings": []}  # just applied: no drift
    assert summary["tenants"][1]["audit"] is None


def test_markdown_summary_carries_the_same_numbers(report_rig: ReportRig) -> None:
    summary = report_json(report_rig)
    code, out, err = cli("report", str(report_rig.path), "--tenant", "t*", "--output", "markdown", "--ca-file",
                         report_rig.sim.ca_file or "")
    assert code == 0, err
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in out.splitlines()
            if line.startswith("| ") and not line.startswith("| state") and not line.startswith("| problem")}
    for state, label in summary["state_labels"].items():
        assert rows[label] == [str(t["states"][state]) for t in summary["tenants"]] + [str(summary["all"]["states"][state])]


def test_bad_output_and_unknown_tenant_are_usage_errors(report_rig: ReportRig) -> None:
    code, _, err = cli("report", str(report_rig.path), "--tenant", "all", "--output", "pdf")
    assert code == 2 and "--output" in err
    code, _, err = cli("report", str(report_rig.path), "--tenant", "nope")
    assert code == 2 and "matches no tenant" in err


def test_an_unreachable_tenant_is_named_and_no_secret_reaches_any_output(report_rig: ReportRig, tmp_path: Any,
                                                                         monkeypatch: Any) -> None:
    real_options = sync.SyncOptions
    monkeypatch.setattr(sync, "SyncOptions", lambda **kw: real_options(  # retries back off without real waiting
        client_options=ClientOptions(sleep=lambda _s: None, ca_file=kw.get("ca_file")), **kw))
    text = report_rig.path.read_text(encoding="utf-8")
    text += ('\n[tenants.gone]\nurl = "https://127.0.0.1:9"\nclient_id = "env:JE_REPORT_0_ID"\n'
             'client_secret = "env:JE_REPORT_0_SECRET"\n')
    path = tmp_path / "with-gone.toml"
    path.write_text(text, encoding="utf-8")
    page = tmp_path / "page.html"
    code, _, err = cli("report", str(path), "--tenant", "all", "--out", str(page), "--ca-file", report_rig.sim.ca_file or "")
    assert code == 1 and "gone: ERROR:" in err
    html = page.read_text(encoding="utf-8")
    assert "Tenant gone" in html and "error:" in html
    code, out, _ = cli("report", str(path), "--tenant", "all", "--output", "json", "--ca-file", report_rig.sim.ca_file or "")
    gone = next(t for t in json.loads(out)["tenants"] if t["tenant"] == "gone")
    assert gone["error"] and gone["total"] == 0
    secret = os.environ["JE_REPORT_0_SECRET"]
    assert secret not in html and secret not in out and secret not in err
