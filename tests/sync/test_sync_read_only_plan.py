"""The scaffolded workflow's pull-request plan runs on a client without write privileges: the planner
role of dist/jamf/planner-role.json.  This proves that role holds only reads, is enough for ``plan``
(before and after an apply) and ``audit``, and that it cannot write."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import catalogue
from generator.sim import Simulator
from tests.sync.helpers import OBJECT_COUNT
from tests.sync.test_sync_cli import cli, setup


def test_plan_works_on_the_read_only_role_and_apply_is_refused(jamf_sim: Simulator, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = setup(jamf_sim, tmp_path, monkeypatch)
    ca = ["--ca-file", jamf_sim.ca_file]
    reads = catalogue.audit_privileges()
    assert reads and all(p.startswith("Read ") for p in reads) and len(reads) < len(catalogue.uploader_privileges())
    tenant = jamf_sim.tenant(0)
    tenant.add_role(catalogue.PLANNER_ROLE, reads)
    _, plan_id, plan_secret = tenant.add_client("jamf-enforcer plan", [catalogue.PLANNER_ROLE])
    admin = (tenant.admin_client[0], tenant.admin_client[1])

    def use(client_id: str, secret: str) -> None:
        monkeypatch.setenv("JE_TEST_0_ID", client_id)
        monkeypatch.setenv("JE_TEST_0_SECRET", secret)

    use(plan_id, plan_secret)
    code, out, _ = cli("plan", bundle, "--tenant", "t0", "--output", "markdown", *ca)
    assert code == 2 and f"### t0: {OBJECT_COUNT} to create" in out
    code, out, _ = cli("apply", bundle, "--tenant", "t0", *ca)
    assert code == 1 and f"t0: 0 written, {OBJECT_COUNT} failed" in out and "Missing privilege: Create Categories" in out
    assert len(tenant.scripts) == 0  # nothing was written with the read-only client
    use(*admin)
    assert cli("apply", bundle, "--tenant", "t0", *ca)[0] == 0
    use(plan_id, plan_secret)
    code, out, _ = cli("plan", bundle, "--tenant", "t0", *ca)
    assert code == 0 and "in sync" in out
    code, out, _ = cli("audit", bundle, "--tenant", "t0", *ca)
    assert code == 0, out  # audit reads with the same role, and the planner role is not a leftover
