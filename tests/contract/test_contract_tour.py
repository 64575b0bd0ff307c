"""A tour of every Jamf Pro API route the simulator serves, each exchange held to Jamf's specs:
request bodies (strict, no read-only fields), 2xx responses (strict: no field the spec lacks),
error responses (ApiError / OAuth error shape)."""

from __future__ import annotations

from generator.sim import Clock
from generator.sim.routes import routes
from tests.contract.openapi import validate_recorded
from tests.sim.simclient import Api, admin

PLANS = "/api/v1/managed-software-updates/plans"


def _ok(response, *statuses):
    assert response.status_code in statuses, f"{response.request.method} {response.url}: {response.text[:300]}"
    return response.json() if response.content else None


def test_tour_of_every_pro_route(jamf_sim_factory):
    sim = jamf_sim_factory(fleet=5, clock=Clock(frozen=True))
    api = admin(sim)
    user, password = sim.tenant(0).admin_account
    basic = Api(sim)
    token = _ok(basic.basic_token(user, password), 200)["token"]
    basic.use(token)
    _ok(basic.get("/api/v1/auth"), 200)
    basic.use(_ok(basic.post("/api/v1/auth/keep-alive"), 200)["token"])
    assert basic.post("/api/v1/auth/invalidate-token").status_code == 204
    client_id, secret = sim.tenant(0).admin_client
    _ok(Api(sim).client_token(client_id, secret, "/api/oauth/token"), 200)
    _ok(api.get("/api/v1/auth"), 200)
    _ok(api.get("/api/v1/jamf-pro-version"), 200)

    role = _ok(api.post("/api/v1/api-roles", json={"displayName": "Agent", "privileges": ["Read Computers"]}), 200)
    _ok(api.get("/api/v1/api-roles", params={"filter": 'displayName=="Agent"'}), 200)
    _ok(api.get(f"/api/v1/api-roles/{role['id']}"), 200)
    _ok(api.put(f"/api/v1/api-roles/{role['id']}", json={"displayName": "Agent", "privileges": []}), 200)
    _ok(api.get("/api/v1/api-role-privileges"), 200)
    _ok(api.get("/api/v1/api-role-privileges/search", params={"name": "Computers"}), 200)
    client = _ok(api.post("/api/v1/api-integrations", json={"displayName": "c", "authorizationScopes": ["Agent"],
                                                             "enabled": True, "accessTokenLifetimeSeconds": 60}), 201)
    _ok(api.get("/api/v1/api-integrations"), 200)
    _ok(api.get(f"/api/v1/api-integrations/{client['id']}"), 200)
    _ok(api.put(f"/api/v1/api-integrations/{client['id']}", json={"displayName": "c", "authorizationScopes": []}), 200)
    _ok(api.post(f"/api/v1/api-integrations/{client['id']}/client-credentials"), 200)
    _ok(api.delete(f"/api/v1/api-integrations/{client['id']}"), 204)
    _ok(api.delete(f"/api/v1/api-roles/{role['id']}"), 204)

    category = _ok(api.post("/api/v1/categories", json={"name": "Software Updates", "priority": 9}), 201)
    _ok(api.get("/api/v1/categories"), 200)
    _ok(api.get(f"/api/v1/categories/{category['id']}"), 200)
    _ok(api.put(f"/api/v1/categories/{category['id']}", json={"name": "Software Updates", "priority": 8}), 200)
    script = _ok(api.post("/api/v1/scripts", json={"name": "agent", "scriptContents": "#!/bin/zsh",
                                                    "categoryId": category["id"], "priority": "AFTER",
                                                    "parameter4": "p4", "osRequirements": ""}), 201)
    _ok(api.get("/api/v1/scripts"), 200)
    _ok(api.get(f"/api/v1/scripts/{script['id']}"), 200)
    _ok(api.put(f"/api/v1/scripts/{script['id']}", json={"name": "agent", "info": "i"}), 200)
    _ok(api.delete(f"/api/v1/scripts/{script['id']}"), 204)
    for body in ({"name": "s", "dataType": "STRING", "inputType": "SCRIPT", "inventoryDisplayType": "GENERAL",
                  "scriptContents": "#!/bin/sh", "enabled": True, "description": "d"},
                 {"name": "p", "dataType": "STRING", "inputType": "POPUP", "inventoryDisplayType": "GENERAL",
                  "popupMenuChoices": ["a", "b"]},
                 {"name": "l", "dataType": "STRING", "inputType": "DIRECTORY_SERVICE_ATTRIBUTE_MAPPING",
                  "inventoryDisplayType": "USER_AND_LOCATION", "ldapAttributeMapping": "mail",
                  "ldapExtensionAttributeAllowed": True}):
        ea = _ok(api.post("/api/v1/computer-extension-attributes", json=body), 201)
        _ok(api.get(f"/api/v1/computer-extension-attributes/{ea['id']}"), 200)
        _ok(api.put(f"/api/v1/computer-extension-attributes/{ea['id']}", json={**body, "manageExistingData": "RETAIN"}),
            202)
    _ok(api.get("/api/v1/computer-extension-attributes"), 200)
    _ok(api.delete(f"/api/v1/computer-extension-attributes/{ea['id']}"), 204)
    _ok(api.delete(f"/api/v1/categories/{category['id']}"), 204)

    every_section = ["GENERAL", "HARDWARE", "OPERATING_SYSTEM", "APPLICATIONS", "EXTENSION_ATTRIBUTES",
                     "SOFTWARE_UPDATES", "GROUP_MEMBERSHIPS", "PRINTERS", "SECURITY", "STORAGE"]
    for version in ("v1", "v3"):
        _ok(api.get(f"/api/{version}/computers-inventory", params={"section": every_section}), 200)
        _ok(api.get(f"/api/{version}/computers-inventory/1", params={"section": every_section}), 200)
        _ok(api.get(f"/api/{version}/computers-inventory",
                    params={"filter": 'hardware.serialNumber=="C02SIM000001"', "page-size": 1}), 200)

    _ok(api.get(PLANS + "/feature-toggle/status"), 200)
    _ok(api.put(PLANS + "/feature-toggle", json={"toggle": True}), 200)
    _ok(api.get(PLANS + "/feature-toggle"), 200)
    _ok(api.get(PLANS + "/feature-toggle/status"), 200)
    sim.tenant(0).set_device_outcome("2", "fail")
    sim.tenant(0).set_toggle_capabilities(forceInstallLocalDateEnabled=True)  # a server that takes DDM plans
    configs = [
        {"updateAction": "DOWNLOAD_INSTALL_RESTART", "versionType": "LATEST_MINOR"},
        {"updateAction": "DOWNLOAD_INSTALL_ALLOW_DEFERRAL", "versionType": "SPECIFIC_VERSION",
         "specificVersion": "14.6.1", "maxDeferrals": 3},
        {"updateAction": "DOWNLOAD_INSTALL_SCHEDULE", "versionType": "CUSTOM_VERSION", "specificVersion": "14.6.1",
         "buildVersion": "23G93", "forceInstallLocalDateTime": "2030-01-01T09:00:00"},
    ]
    plan_ids = []
    for device, config in zip(("1", "2", "3"), configs, strict=True):
        created = _ok(api.post(PLANS, json={"devices": [{"objectType": "COMPUTER", "deviceId": device}],
                                            "config": config}), 201)
        plan_ids.append(created["plans"][0]["planId"])
    sim.clock.advance(600)
    _ok(api.get(PLANS, params={"sort": "planUuid:desc"}), 200)
    for plan_id in plan_ids:
        _ok(api.get(f"{PLANS}/{plan_id}"), 200)
        _ok(api.get(f"{PLANS}/{plan_id}/events"), 200)
    _ok(api.post("/api/v1/macos-managed-software-updates/send-updates",
                 json={"deviceIds": ["1", "77"], "updateAction": "DOWNLOAD_AND_INSTALL", "maxDeferrals": 2,
                       "version": "14.6.1", "skipVersionVerification": False, "applyMajorUpdate": False,
                       "forceRestart": False, "priority": "HIGH"}), 200)

    sim.tenant(0).version = "11.28.0"  # the v2 blank push replaced the Classic one in 11.28
    management_id = sim.tenant(0).find_computer("1")["managementId"]
    _ok(api.post("/api/v2/mdm/blank-push", json={"clientManagementIds": [management_id, "unknown"]}), 200)
    sim.tenant(0).version = "11.12.0"

    # errors, each in its shape
    assert Api(sim).get("/api/v1/scripts").status_code == 401
    assert Api(sim).client_token(client_id, "wrong").status_code == 401
    assert api.get("/api/v1/scripts/404").status_code == 404
    assert api.post("/api/v1/scripts", json={"nope": 1}).status_code == 400
    assert api.post(PLANS, json={"devices": [{"objectType": "COMPUTER", "deviceId": "1"}],
                                 "config": configs[0]}).status_code in (201, 400)
    sim.set_faults("429=1")
    assert api.get("/api/v1/scripts").status_code == 429
    sim.set_faults("5xx=1")
    assert api.get("/api/v1/scripts").status_code >= 500
    sim.set_faults("")

    served = {route.key for route in routes() if route.template.startswith("/api/")}
    succeeded = {f"{e['method']} {e['template']}" for e in sim.exchanges if 200 <= e["status"] < 300}
    assert served - succeeded == set()
    assert validate_recorded(sim.exchanges) == []
