"""Canary secrets: no client secret, password or token reaches the request log, the recorded
exchanges, the state file, exception messages or the process output."""

from __future__ import annotations

import base64
import json

import pytest

from generator.sim import SimConfig, Simulator
from generator.sim.tenant import ModelError
from tests.sim.simclient import Api, admin

CANARY = "CANARY-7f3a9c-do-not-log"


def test_canary_secrets_never_leak(tmp_path, capfd):
    state = tmp_path / "state.json"
    with Simulator(SimConfig(fleet=2, state_file=str(state))) as sim:
        tenant = sim.tenant(0)
        api = admin(sim)
        tenant.add_role("r", ["Read Computers"])
        integration_id, client_id, secret = tenant.add_client("c", ["r"])
        secrets_seen = [secret, *tenant.admin_client[1:], tenant.admin_account[1]]
        token = Api(sim).client_token(client_id, secret).json()["access_token"]
        secrets_seen.append(token)
        rotated = api.post(f"/api/v1/api-integrations/{integration_id}/client-credentials").json()["clientSecret"]
        secrets_seen.append(rotated)
        account_password = CANARY + "-password"
        api.xml("POST", "/JSSResource/accounts/userid/0",
                f"<account><name>svc</name><password>{account_password}</password></account>")
        user_token = Api(sim).basic_token("svc", account_password).json()["token"]
        secrets_seen.append(user_token)
        # failed attempts carry the canary in every place a careless client might put it
        Api(sim).client_token(client_id, CANARY)
        Api(sim).basic_token("svc", CANARY)
        Api(sim).basic_token(CANARY, CANARY)
        Api(sim).get("/api/v1/scripts", headers={"Authorization": f"Bearer {CANARY}"})
        Api(sim).get(f"/api/v1/scripts?client_secret={CANARY}&password={CANARY}&token={CANARY}")
        Api(sim).http.post(sim.base_url() + "/api/v1/oauth/token", params={"client_secret": CANARY},
                           data={"client_id": client_id, "client_secret": CANARY, "grant_type": "client_credentials"})
        api.post("/api/v1/api-roles", json={"displayName": "x", "privileges": [], "password": CANARY})
        api.xml("PUT", "/JSSResource/accounts/username/svc", f"<account><password>{CANARY}</password></account>")
        api.xml("POST", "/JSSResource/accounts/userid/0", f"<account><name>svc</name><password>{CANARY}</password></account>")
        Api(sim).http.get(sim.base_url() + "/JSSResource/policies",
                          headers={"Authorization": "Basic " + base64.b64encode(f"svc:{CANARY}".encode()).decode()})
        secrets_seen.append(CANARY)
        with pytest.raises(ModelError) as duplicate:
            tenant.add_account("svc", CANARY, [])
        assert CANARY not in str(duplicate.value)
        logged = json.dumps(tenant.request_log) + json.dumps(sim.exchanges) + json.dumps(sim.admin_log)
        assert any(e["identity"] == client_id for e in tenant.request_log)  # identities are logged ...
        assert any(e["identity"] == "svc" for e in tenant.request_log)
    out, err = capfd.readouterr()
    persisted = state.read_text()
    for value in secrets_seen:  # ... secrets never
        assert value not in logged
        assert value not in persisted
        assert value not in out + err
