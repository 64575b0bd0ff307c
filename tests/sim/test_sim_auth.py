"""Tokens: OAuth client credentials, basic auth, keep-alive, invalidation, expiry, privileges
snapshotted at issue, secret rotation."""

from __future__ import annotations

import re

import pytest

from generator.sim import Clock
from tests.sim.simclient import Api, admin


@pytest.mark.parametrize("path", ["/api/v1/oauth/token", "/api/oauth/token"])
def test_client_credentials_token(jamf_sim, path):
    tenant = jamf_sim.tenant(0)
    role_id = tenant.add_role("Reader", ["Read Computers"])
    _, client_id, secret = tenant.add_client("agent", ["Reader"], lifetime=600)
    response = Api(jamf_sim).client_token(client_id, secret, path)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 599  # Jamf answers lifetime - 1
    assert body["scope"] == f"api-role:{role_id}"


def test_oauth_errors_use_the_oauth_shape(jamf_sim):
    api = Api(jamf_sim)
    client_id, secret = jamf_sim.tenant(0).admin_client
    wrong = api.client_token(client_id, secret + "x")
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "invalid_client", "error_description": "Client authentication failed"}
    unknown = api.client_token("no-such-client", "whatever")
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    grant = api.client_token(client_id, secret, grant_type="password")
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    as_json = api.http.post(api.base + "/api/v1/oauth/token", json={"client_id": client_id})
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"


def test_scope_limits_a_token_to_some_of_the_clients_roles(jamf_sim):
    tenant = jamf_sim.tenant(0)
    computers = tenant.add_role("computers", ["Read Computers"])
    tenant.add_role("scripts", ["Read Scripts"])
    tenant.add_role("other", ["Read Policies"])
    _, client_id, secret = tenant.add_client("two roles", ["computers", "scripts"])
    api = Api(jamf_sim)
    token = api.client_token(client_id, secret, scope=f"api-role:{computers}").json()["access_token"]
    api.use(token)
    assert api.get("/api/v1/auth").json()["account"]["privilegesBySite"] == {"-1": ["Read Computers"]}
    assert api.get("/api/v1/scripts").status_code == 403
    foreign = tenant.role_by_name("other")["id"]
    refused = Api(jamf_sim).client_token(client_id, secret, scope=f"api-role:{foreign}")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"


def test_auth_reports_client_privileges_and_type(jamf_sim):
    tenant = jamf_sim.tenant(0)
    tenant.add_role("r", ["Read Computers", "Read Scripts"])
    _, client_id, secret = tenant.add_client("c", ["r"])
    body = Api(jamf_sim).login_client(client_id, secret).get("/api/v1/auth").json()
    assert body["authenticationType"] == "CLIENT_CREDENTIALS"
    assert body["account"]["privilegesBySite"] == {"-1": ["Read Computers", "Read Scripts"]}


def test_tokens_expire_with_the_clock(jamf_sim_factory):
    sim = jamf_sim_factory(fleet=1, clock=Clock(frozen=True))
    tenant = sim.tenant(0)
    tenant.add_role("r", ["Read Computers"])
    _, client_id, secret = tenant.add_client("short", ["r"], lifetime=60)
    api = Api(sim).login_client(client_id, secret)  # expires_in 59
    assert api.get("/api/v1/computers-inventory").status_code == 200
    sim.clock.advance(58)
    assert api.get("/api/v1/computers-inventory").status_code == 200
    sim.clock.advance(1)
    expired = api.get("/api/v1/computers-inventory")
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["code"] == "INVALID_TOKEN"


def test_basic_auth_token_keep_alive_and_invalidate(jamf_sim):
    user, password = jamf_sim.tenant(0).admin_account
    api = Api(jamf_sim)
    response = api.basic_token(user, password)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["expires"])
    api.use(body["token"])
    assert api.get("/api/v1/auth").json()["authenticationType"] == "JSS"
    renewed = api.post("/api/v1/auth/keep-alive")
    assert renewed.status_code == 200
    assert api.get("/api/v1/jamf-pro-version").status_code == 401  # the old token died
    api.use(renewed.json()["token"])
    assert api.get("/api/v1/jamf-pro-version").status_code == 200
    assert api.post("/api/v1/auth/invalidate-token").status_code == 204
    again = api.post("/api/v1/auth/invalidate-token")
    assert again.status_code == 401 and again.json()["httpStatus"] == 401


def test_basic_auth_failures(jamf_sim):
    user, password = jamf_sim.tenant(0).admin_account
    api = Api(jamf_sim)
    assert api.basic_token(user, password + "x").status_code == 401
    assert api.basic_token("nobody", password).status_code == 401
    bad_header = api.post("/api/v1/auth/token", headers={"Authorization": "Basic !!!"})
    assert bad_header.status_code == 401
    assert bad_header.json()["httpStatus"] == 401


def test_missing_or_malformed_bearer_is_401(jamf_sim):
    api = Api(jamf_sim)
    assert api.get("/api/v1/scripts").status_code == 401
    for header in ("Bearer", "Bearer ", "Bearer nonsense", "Token abc", "Basic abc"):
        response = api.get("/api/v1/scripts", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["errors"][0]["code"] == "INVALID_TOKEN"


def test_privileges_are_those_of_issue_time(jamf_sim):
    tenant = jamf_sim.tenant(0)
    role_id = tenant.add_role("grows", ["Read Computers"])
    _, client_id, secret = tenant.add_client("snap", ["grows"])
    before = Api(jamf_sim).login_client(client_id, secret)
    assert before.get("/api/v1/scripts").status_code == 403
    changed = admin(jamf_sim).put(f"/api/v1/api-roles/{role_id}",
                                  json={"displayName": "grows", "privileges": ["Read Scripts"]})
    assert changed.status_code == 200
    assert before.get("/api/v1/scripts").status_code == 403  # old token keeps its old scope ...
    assert before.get("/api/v1/computers-inventory").status_code == 200  # ... including what was removed
    after = Api(jamf_sim).login_client(client_id, secret)
    assert after.get("/api/v1/scripts").status_code == 200
    assert after.get("/api/v1/computers-inventory").status_code == 403


def test_client_credentials_rotation_invalidates_the_old_secret(jamf_sim):
    api = admin(jamf_sim)
    tenant = jamf_sim.tenant(0)
    tenant.add_role("r", ["Read Computers"])
    created = api.post("/api/v1/api-integrations", json={"displayName": "rotating", "authorizationScopes": ["r"],
                                                          "enabled": True, "accessTokenLifetimeSeconds": 300})
    assert created.status_code == 201
    integration = created.json()
    assert isinstance(integration["id"], int) and integration["appType"] == "NONE"
    assert Api(jamf_sim).client_token(integration["clientId"], "anything").status_code == 401  # no secret yet
    first = api.post(f"/api/v1/api-integrations/{integration['id']}/client-credentials").json()
    assert first["clientId"] == integration["clientId"]
    token = Api(jamf_sim).client_token(first["clientId"], first["clientSecret"]).json()["access_token"]
    second = api.post(f"/api/v1/api-integrations/{integration['id']}/client-credentials").json()
    assert second["clientSecret"] != first["clientSecret"]
    assert Api(jamf_sim).client_token(first["clientId"], first["clientSecret"]).status_code == 401
    assert Api(jamf_sim).client_token(second["clientId"], second["clientSecret"]).status_code == 200
    assert Api(jamf_sim, token=token).get("/api/v1/computers-inventory").status_code == 200  # issued tokens live on
    assert api.get(f"/api/v1/api-integrations/{integration['id']}").json()["appType"] == "CLIENT_CREDENTIALS"


def test_disabled_or_deleted_clients(jamf_sim):
    tenant = jamf_sim.tenant(0)
    tenant.add_role("r", ["Read Computers"])
    integration_id, client_id, secret = tenant.add_client("c", ["r"])
    token = Api(jamf_sim).client_token(client_id, secret).json()["access_token"]
    api = admin(jamf_sim)
    disabled = api.put(f"/api/v1/api-integrations/{integration_id}",
                       json={"displayName": "c", "authorizationScopes": ["r"], "enabled": False})
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    assert Api(jamf_sim).client_token(client_id, secret).status_code == 401
    refused = api.post(f"/api/v1/api-integrations/{integration_id}/client-credentials")
    assert refused.status_code == 400
    assert api.delete(f"/api/v1/api-integrations/{integration_id}").status_code == 204
    assert Api(jamf_sim, token=token).get("/api/v1/computers-inventory").status_code == 200  # not revoked
    assert api.get(f"/api/v1/api-integrations/{integration_id}").status_code == 404
