"""--state: a rehearsal survives restarts, and the state file never holds a secret in clear."""

from __future__ import annotations

import json
import stat
import time

from generator.sim import SimConfig, Simulator
from tests.sim.simclient import Api, admin


def test_state_survives_a_restart(tmp_path):
    state = tmp_path / "sim-state.json"
    with Simulator(SimConfig(fleet=3, state_file=str(state))) as first:
        api = admin(first)
        api.post("/api/v1/api-roles", json={"displayName": "r", "privileges": ["Read Computers"]})
        created = api.post("/api/v1/api-integrations", json={"displayName": "c", "authorizationScopes": ["r"]}).json()
        secret = api.post(f"/api/v1/api-integrations/{created['id']}/client-credentials").json()["clientSecret"]
        script = api.post("/api/v1/scripts", json={"name": "kept"}).json()["id"]
        api.xml("POST", "/JSSResource/accounts/userid/0",
                "<account><name>svc</name><password>pw-kept-1</password><privileges><jss_objects>"
                "<privilege>Read Computers</privilege></jss_objects></privileges></account>")
        first.tenant(0).register_computer("C02KEPT00001", "UDID-KEPT", "MGMT-KEPT", 99)
        first.tenant(0).set_feature_toggle(True)
        old_admin = first.tenant(0).admin_client
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    with Simulator(SimConfig(fleet=3, state_file=str(state))) as second:
        tenant = second.tenant(0)
        assert tenant.scripts[script]["name"] == "kept" and tenant.feature_toggle is True
        assert tenant.computers["99"]["serialNumber"] == "C02KEPT00001"
        assert Api(second).client_token(created["clientId"], secret).status_code == 200
        assert Api(second).basic_token("svc", "pw-kept-1").status_code == 200
        assert tenant.admin_client[0] == old_admin[0]
        assert Api(second).client_token(*old_admin).status_code == 401  # the admin secret is re-issued per run
        assert admin(second).get("/api/v1/scripts").json()["totalCount"] == 1
        new_script = admin(second).post("/api/v1/scripts", json={"name": "second run"}).json()["id"]
        assert new_script != script
    text = state.read_text()
    for secret_text in (secret, "pw-kept-1", old_admin[1], tenant.admin_client[1], tenant.admin_account[1]):
        assert secret_text not in text
    assert json.loads(text)["format"] == 1


def test_state_is_written_behind_while_running(tmp_path):
    state = tmp_path / "live.json"
    with Simulator(SimConfig(fleet=1, state_file=str(state))) as sim:
        admin(sim).post("/api/v1/scripts", json={"name": "soon on disk"})
        for _ in range(200):  # written behind, without stopping the simulator (polled, not timed)
            if state.exists() and "soon on disk" in state.read_text():
                break
            time.sleep(0.05)
        assert "soon on disk" in state.read_text()


def test_the_state_snapshot_is_a_copy_taken_under_the_lock():
    # persist() serialises the snapshot outside the tenant lock while request threads keep
    # mutating the stores: a snapshot that shares the live dicts can change mid-dump
    # ("dictionary changed size during iteration"), which kills the write-behind thread.
    tenant = Simulator(SimConfig(fleet=1)).tenant(0)
    snapshot = tenant.to_state()
    before = json.dumps(snapshot, sort_keys=True, default=str)
    tenant.add_role("added after the snapshot", ["Read Computers"])
    tenant.register_computer("C02LATE00001", "UDID-LATE", "MGMT-LATE")
    assert json.dumps(snapshot, sort_keys=True, default=str) == before
