"""``--output markdown`` end to end against the simulator: a table per tenant, one collapsed diff per
changed object, a summary table for several tenants, and the same exit codes as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.sim import Simulator
from tests.sync.helpers import OBJECT_COUNT, WRITE_COUNT
from tests.sync.test_sync_cli import cli, setup


def test_plan_markdown_has_a_table_per_tenant_and_a_collapsed_diff_per_object(
        jamf_sim_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim: Simulator = jamf_sim_factory(tenants=2, fleet=0)
    bundle = setup(sim, tmp_path, monkeypatch, tenants=2)
    ca = ["--ca-file", sim.ca_file]
    assert cli("apply", bundle, "--tenant", "t0", *ca)[0] == 0
    next(iter(sim.tenant(0).eas.values()))["enabled"] = False
    code, out, _ = cli("plan", bundle, "--tenant", "all", "--output", "markdown", *ca)
    assert code == 2  # as with text: changes pending
    assert out.startswith("## jamf-enforcer plan\n")
    summary = out.split("\n\n")[1].splitlines()
    assert summary[0].startswith("| tenant | status | create |") and len(summary) == 4
    assert summary[2].startswith("| t0 | changes | 0 | 1 |") and summary[3].startswith(f"| t1 | changes | {OBJECT_COUNT} | 0 |")
    sections = re.split(r"^### ", out, flags=re.M)[1:]
    assert [s.split(":")[0] for s in sections] == ["t0", "t1"]
    t0, t1 = sections
    assert t0.startswith("t0: 0 to create, 1 to update, 0 to delete,")
    assert re.search(r"^\| \\~ update \| extension-attribute \| jamf-enforcer [^|]+ \|  \|$", t0, re.M)
    assert t0.count("<details>") == 1 and "-enabled: false" in t0 and "+enabled: true" in t0
    rows = [line for line in t1.splitlines() if line.startswith("| + create |")]
    assert len(rows) == OBJECT_COUNT and t1.count("<details>") == OBJECT_COUNT == t1.count("</details>")
    assert t1.count("```diff") == OBJECT_COUNT


def test_apply_audit_and_errors_in_markdown(jamf_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = setup(jamf_sim, tmp_path, monkeypatch)
    ca = ["--ca-file", jamf_sim.ca_file]
    code, out, _ = cli("apply", bundle, "--tenant", "t0", "--output", "markdown", *ca)
    assert code == 0 and f"### t0: {WRITE_COUNT} written, 0 failed" in out
    assert out.count("| created |") >= 20 and "| result | kind | name | id | detail |" in out
    code, out, _ = cli("audit", bundle, "--tenant", "t0", "--output", "markdown", *ca)
    assert code == 0 and "### t0: no drift" in out
    next(iter(jamf_sim.tenant(0).eas.values()))["enabled"] = False
    code, out, _ = cli("audit", bundle, "--tenant", "t0", "--output", "markdown", *ca)
    assert code == 1 and "| kind | name | finding |" in out and "differs from the rendered bundle" in out
    code, _, err = cli("plan", bundle, "--tenant", "t0", "--output", "html", *ca)
    assert code == 1 and "expected text, json or markdown" in err
