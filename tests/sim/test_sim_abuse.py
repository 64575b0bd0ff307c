"""The simulator under abuse (issue 12): no request makes it answer 500 (RSQL nesting is bounded), the
bootstrap admin client's secret cannot be re-issued through the API, a killed simulator leaves nothing
secret that the next start does not clean, and the state file stays 0600."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.sim import Simulator
from generator.sim.config import SimConfig
from generator.sim.rsql import MAX_DEPTH, MAX_FILTER
from tests.sim.simclient import admin

LISTS = ["/api/v1/api-integrations", "/api/v1/api-roles", "/api/v1/scripts", "/api/v1/categories",
         "/api/v1/computer-extension-attributes"]


@pytest.mark.parametrize("path", LISTS)
def test_hostile_filters_are_400_never_500(jamf_sim: Simulator, path: str) -> None:
    api = admin(jamf_sim)
    field = "displayName" if "api-" in path else "name"
    ok = "(" * MAX_DEPTH + f'{field}=="x"' + ")" * MAX_DEPTH
    assert api.get(path, params={"filter": ok}).status_code == 200
    for hostile in ("(" * (MAX_DEPTH + 1) + f'{field}=="x"' + ")" * (MAX_DEPTH + 1),
                    "(" * 3000, "(" * 2000 + f'{field}=="x"' + ")" * 2000,
                    ",".join([f'{field}=="x"'] * 2000),  # longer than MAX_FILTER
                    f'{field}=="x";' * 3 + "(" * 40):
        resp = api.get(path, params={"filter": hostile})
        assert resp.status_code == 400, (hostile[:40], resp.status_code, resp.text[:200])
        assert resp.json()["errors"][0]["code"] == "INVALID_RSQL_FILTER"
    assert len(",".join([f'{field}=="x"'] * 2000)) > MAX_FILTER


def test_the_bootstrap_admin_secret_cannot_be_reissued_through_the_api(jamf_sim: Simulator) -> None:
    t = jamf_sim.tenant(0)
    before = t.admin_client
    api = admin(jamf_sim)
    resp = api.post(f"/api/v1/api-integrations/{t.admin_integration_id}/client-credentials")
    assert resp.status_code == 400 and "cannot be re-issued" in resp.text
    assert "clientSecret" not in resp.text and t.admin_client == before
    assert admin(jamf_sim).get("/api/v1/api-roles").status_code == 200  # the old secret still works
    _, client_id, _ = t.add_client("someone", ["Simulator Administrator"])
    other = next(c for c in t.clients.values() if c["clientId"] == client_id)
    assert api.post(f"/api/v1/api-integrations/{other['id']}/client-credentials").status_code == 200  # others can


SIM_CHILD = """
import sys, time
from generator.sim import Simulator
from generator.sim.config import SimConfig
sim = Simulator(SimConfig(tls=True, port=0, state_file=sys.argv[1])).start()
print(sim.run_dir, flush=True)
time.sleep(60)
"""


def test_a_killed_simulator_leaves_nothing_a_restart_does_not_clean(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    child = subprocess.Popen([sys.executable, "-c", SIM_CHILD, str(state)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ})
    try:
        assert child.stdout is not None
        run_dir = Path(child.stdout.readline().strip())
        assert run_dir.is_dir() and any(p.name.endswith(".key") or "key" in p.name for p in run_dir.iterdir())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    # A state file that was being written when it died (named after the dead process).
    half = tmp_path / f".sim-state-{child.pid}-abc123"
    half.write_text('{"half": "written"}', encoding="utf-8")
    assert run_dir.exists()  # SIGKILL: no clean-up ran
    with Simulator(SimConfig(tls=True, port=0, state_file=str(state))) as sim:
        assert not run_dir.exists() and not half.exists()
        assert sim.run_dir is not None and sim.run_dir.exists()  # its own is left alone
        other = tmp_path / f".sim-state-{os.getpid()}-live"  # a live process's file stays
        other.write_text("{}", encoding="utf-8")
        from generator.sim.simulator import remove_stale

        assert other not in remove_stale(tmp_path) and other.exists()


def test_the_state_file_is_0600_and_holds_the_agents_secret_only_in_the_credential_policy(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Simulator(SimConfig(tls=True, port=0, state_file=str(state))) as sim:
        t = sim.tenant(0)
        _, client_id, secret = t.add_client("agent", ["Simulator Administrator"])
        api = admin(sim)
        script_id = api.post("/api/v1/scripts", json={"name": "agent.zsh"}).json()["id"]
        xml = ("<policy><general><name>creds</name></general><scripts><size>1</size><script>"
               f"<id>{script_id}</id>"
               f"<parameter4>--auth-jamf-client={client_id}</parameter4>"
               f"<parameter5>--auth-jamf-secret={secret}</parameter5></script></scripts></policy>")
        assert api.post("/JSSResource/policies/id/0", data=xml, headers={"Content-Type": "application/xml"}).ok
        deadline = time.monotonic() + 5
        while not state.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    text = state.read_text(encoding="utf-8")
    assert state.stat().st_mode & 0o777 == 0o600
    assert secret in text  # documented: the credential policy's XML carries it, as in Jamf Pro
    assert text.count(secret) == 1 and sim.tenant(0).admin_client[1] not in text
