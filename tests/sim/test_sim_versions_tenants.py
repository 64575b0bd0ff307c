"""Version gates (10.48 plans, 10.49 API clients, 11.28 BlankPush removal), Jamf Cloud version
suffixes, disabled routes, and isolated tenants addressed by path prefix."""

from __future__ import annotations

import pytest

from generator.sim import SimConfig, cloud_version, parse_version
from tests.sim.simclient import Api, admin, session

TOGGLE = "/api/v1/managed-software-updates/plans/feature-toggle"


def _account_api(sim, tenant=0):
    return Api(sim, tenant).login_account(*sim.tenant(tenant).admin_account)


def test_before_10_48_there_are_no_plans_and_no_api_clients(jamf_sim_factory):
    sim = jamf_sim_factory(version="10.47.0")
    api = _account_api(sim)
    assert api.get("/api/v1/jamf-pro-version").json() == {"version": "10.47.0"}
    assert api.get(TOGGLE).status_code == 404
    assert api.get("/api/v1/managed-software-updates/plans").status_code == 404
    assert api.get("/api/v1/api-roles").status_code == 404
    assert Api(sim).client_token(*sim.tenant(0).admin_client).status_code == 404
    assert api.post("/api/v1/macos-managed-software-updates/send-updates", json={"deviceIds": ["1"]}).status_code == 200


def test_10_48_has_plans_but_not_api_clients(jamf_sim_factory):
    sim = jamf_sim_factory(version="10.48.0")
    api = _account_api(sim)
    assert api.get(TOGGLE).status_code == 200
    assert api.get("/api/v1/api-integrations").status_code == 404
    assert api.get("/api/v1/api-role-privileges").status_code == 404
    assert Api(sim).client_token(*sim.tenant(0).admin_client, path="/api/oauth/token").status_code == 404


def test_10_49_has_api_clients(jamf_sim_factory):
    sim = jamf_sim_factory(version="10.49.0")
    api = admin(sim)
    assert api.get("/api/v1/api-roles").status_code == 200


@pytest.mark.parametrize(("version", "status"), [("11.27.1", 201), ("11.28.0", 404), ("11.31.0", 404)])
def test_blank_push_removed_in_11_28(jamf_sim_factory, version, status):
    sim = jamf_sim_factory(version=version)
    response = admin(sim).post("/JSSResource/computercommands/command/BlankPush/id/1")
    assert response.status_code == status


def test_cloud_version_suffix(jamf_sim_factory):
    version = cloud_version("11.12.0")
    assert version == "11.12.0-t1772925731845"
    sim = jamf_sim_factory(version=version)
    api = admin(sim)
    assert api.get("/api/v1/jamf-pro-version").json() == {"version": "11.12.0-t1772925731845"}
    assert api.get(TOGGLE).status_code == 200
    assert parse_version("11.25.2-t1772925731845") == (11, 25, 2)
    with pytest.raises(ValueError):
        SimConfig(version="eleven")


def test_version_and_routes_switch_at_run_time(jamf_sim):
    tenant = jamf_sim.tenant(0)
    api = admin(jamf_sim)
    tenant.disable_route("POST /api/v1/oauth/token")
    assert Api(jamf_sim).client_token(*tenant.admin_client).status_code == 404
    assert Api(jamf_sim).client_token(*tenant.admin_client, path="/api/oauth/token").status_code == 200
    tenant.enable_route("POST /api/v1/oauth/token")
    tenant.version = "11.30.0"
    assert api.get("/api/v1/jamf-pro-version").json()["version"] == "11.30.0"
    assert api.post("/JSSResource/computercommands/command/BlankPush/id/1").status_code == 404


def test_tenants_are_isolated(jamf_sim_factory):
    sim = jamf_sim_factory(tenants=3, fleet=4)
    assert sim.base_url(0) == f"https://127.0.0.1:{sim.port}"
    assert sim.base_url(2) == f"https://127.0.0.1:{sim.port}/t/2"
    assert sim.tenant(1).admin_client != sim.tenant(2).admin_client
    one, two = admin(sim, 1), admin(sim, 2)
    created = one.post("/api/v1/scripts", json={"name": "only in one"})
    assert created.status_code == 201
    assert created.json()["href"] == f"{sim.base_url(1)}/api/v1/scripts/{created.json()['id']}"
    assert one.get("/api/v1/scripts").json()["totalCount"] == 1
    assert two.get("/api/v1/scripts").json()["totalCount"] == 0
    assert admin(sim, 0).get("/api/v1/scripts").json()["totalCount"] == 0
    # a token of tenant 1 means nothing to tenant 2
    stolen = one.http.headers["Authorization"]
    assert session(sim).get(sim.base_url(2) + "/api/v1/scripts", headers={"Authorization": stolen}).status_code == 401
    sim.tenant(2).version = "10.47.0"
    assert two.get("/api/v1/jamf-pro-version").json()["version"] == "10.47.0"
    assert one.get("/api/v1/jamf-pro-version").json()["version"] == "11.12.0"
    assert one.get("/api/v1/computers-inventory").json()["totalCount"] == 4
    assert session(sim).get(f"https://127.0.0.1:{sim.port}/t/0/api/v1/jamf-pro-version").status_code == 401
    assert session(sim).get(f"https://127.0.0.1:{sim.port}/t/9/api/v1/jamf-pro-version").status_code == 404
    assert {e["tenant"] for e in sim.tenant(1).request_log} == {"1"}
    with pytest.raises(IndexError):
        sim.tenant(3)
