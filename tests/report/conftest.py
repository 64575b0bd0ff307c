"""Fixtures for the report tests: a simulator whose fleet carries seeded agent states, the bundle
applied (so the agent's extension attributes exist), and a client on exactly the reporter role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.bundle import BundleSpec, load_bundle
from generator.catalogue import reporter_privileges
from generator.sim import Simulator
from tests.sync.conftest import _contract  # noqa: F401  (autouse: every report exchange keeps Jamf's contract)
from tests.sync.helpers import bundle_text, make_rig, write_bundle

FLEET = 150


@dataclass
class ReportRig:
    sim: Simulator
    path: Path
    spec: BundleSpec
    tenants: int


def add_reporter(sim: Simulator, tenant: int, extra_roles: tuple[str, ...] = ()) -> tuple[str, str]:
    t = sim.tenant(tenant)
    if t.role_by_name("jamf-enforcer reporter") is None:
        t.add_role("jamf-enforcer reporter", reporter_privileges())
    _, client_id, secret = t.add_client(f"reporter {len(t.clients)}", ["jamf-enforcer reporter", *extra_roles])
    return client_id, secret


@pytest.fixture
def report_rig(jamf_sim_factory: Callable[..., Simulator], tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> ReportRig:
    sim = jamf_sim_factory(tenants=2, fleet=FLEET, agent_states=True)
    (tmp_path / "admin").mkdir()
    applied = make_rig(sim, tmp_path / "admin", monkeypatch, tenants=2)
    for i in range(2):
        assert applied.run("apply", tenant=i).ok
    for i in range(2):
        client_id, secret = add_reporter(sim, i)
        monkeypatch.setenv(f"JE_REPORT_{i}_ID", client_id)
        monkeypatch.setenv(f"JE_REPORT_{i}_SECRET", secret)
    path = write_bundle(tmp_path, bundle_text(sim, 2, env_prefix="JE_REPORT"))
    return ReportRig(sim, path, load_bundle(path), 2)
