"""API roles, API clients, the privilege list, scripts, categories and extension attributes."""

from __future__ import annotations

from generator.specindex import valid_privileges
from tests.sim.simclient import admin


def test_api_roles_crud_filter_and_errors(jamf_sim):
    api = admin(jamf_sim)
    created = api.post("/api/v1/api-roles", json={"displayName": "Update Agent", "privileges": ["Read Computers"]})
    assert created.status_code == 200  # Jamf answers 200, not 201
    role = created.json()
    assert isinstance(role["id"], str) and role == {"id": role["id"], "displayName": "Update Agent",
                                                     "privileges": ["Read Computers"]}
    found = api.get("/api/v1/api-roles", params={"filter": 'displayName=="Update Agent"'}).json()
    assert found["totalCount"] == 1 and found["results"][0]["id"] == role["id"]
    wildcard = api.get("/api/v1/api-roles", params={"filter": 'displayName=="*agent*"'}).json()
    assert [r["displayName"] for r in wildcard["results"]] == ["Update Agent"]
    page = api.get("/api/v1/api-roles", params={"page": 0, "page-size": 1, "sort": "displayName:desc"}).json()
    assert page["totalCount"] == 2 and page["results"][0]["displayName"] == "Update Agent"
    bad = api.post("/api/v1/api-roles", json={"displayName": "Bad", "privileges": ["Read computers", "Fly"]})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["description"] == "Invalid privilege(s): Read computers, Fly"
    duplicate = api.post("/api/v1/api-roles", json={"displayName": "update agent", "privileges": []})
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["code"] == "DUPLICATE_FIELD"
    assert api.get(f"/api/v1/api-roles/{role['id']}").json() == role
    renamed = api.put(f"/api/v1/api-roles/{role['id']}",
                      json={"displayName": "Agent", "privileges": ["Read Computers", "Read Scripts"]})
    assert renamed.status_code == 200 and renamed.json()["displayName"] == "Agent"
    assert api.get("/api/v1/api-roles/999").status_code == 404
    client = api.post("/api/v1/api-integrations", json={"displayName": "uses it", "authorizationScopes": ["Agent"]})
    assert client.json()["authorizationScopes"] == ["Agent"]
    in_use = api.delete(f"/api/v1/api-roles/{role['id']}")
    assert in_use.status_code == 409 and in_use.json()["httpStatus"] == 409
    assert api.delete(f"/api/v1/api-integrations/{client.json()['id']}").status_code == 204
    assert api.delete(f"/api/v1/api-roles/{role['id']}").status_code == 204
    assert api.get(f"/api/v1/api-roles/{role['id']}").status_code == 404


def test_renaming_a_role_renames_client_scopes(jamf_sim):
    api = admin(jamf_sim)
    role = api.post("/api/v1/api-roles", json={"displayName": "old", "privileges": []}).json()
    client = api.post("/api/v1/api-integrations", json={"displayName": "c", "authorizationScopes": ["old"]}).json()
    api.put(f"/api/v1/api-roles/{role['id']}", json={"displayName": "new", "privileges": []})
    assert api.get(f"/api/v1/api-integrations/{client['id']}").json()["authorizationScopes"] == ["new"]


def test_api_integrations(jamf_sim):
    api = admin(jamf_sim)
    api.post("/api/v1/api-roles", json={"displayName": "r", "privileges": ["Read Computers"]})
    created = api.post("/api/v1/api-integrations", json={"displayName": "c", "authorizationScopes": ["r"]})
    assert created.status_code == 201
    body = created.json()
    assert body["enabled"] is True and body["accessTokenLifetimeSeconds"] == 1800 and body["appType"] == "NONE"
    unknown_role = api.post("/api/v1/api-integrations", json={"displayName": "d", "authorizationScopes": ["nope"]})
    assert unknown_role.status_code == 400
    listed = api.get("/api/v1/api-integrations", params={"filter": 'displayName=="c"'}).json()
    assert listed["totalCount"] == 1 and listed["results"][0]["clientId"] == body["clientId"]
    assert "secretHash" not in listed["results"][0]
    assert api.get("/api/v1/api-integrations/abc").status_code == 404
    assert jamf_sim.tenant(0).clients[body["id"]]["displayName"] == "c"


def test_api_role_privileges_is_the_11_12_list(jamf_sim):
    api = admin(jamf_sim)
    privileges = api.get("/api/v1/api-role-privileges").json()["privileges"]
    assert privileges == sorted(valid_privileges()) and len(privileges) == 501
    search = api.get("/api/v1/api-role-privileges/search", params={"name": "OS X Update", "limit": "5"}).json()
    assert search == {"privileges": ["Send Computer Remote Command to Download and Install OS X Update"]}


def test_scripts_crud(jamf_sim):
    api = admin(jamf_sim)
    category = api.post("/api/v1/categories", json={"name": "Software Updates", "priority": 9}).json()
    created = api.post("/api/v1/scripts", json={"name": " enforcer agent ", "scriptContents": "#!/bin/zsh\necho",
                                                  "categoryId": category["id"], "priority": "AFTER",
                                                  "parameter4": "--mode"})
    assert created.status_code == 201
    href = created.json()
    assert href == {"id": href["id"], "href": f"{jamf_sim.base_url()}/api/v1/scripts/{href['id']}"}
    script = api.get(f"/api/v1/scripts/{href['id']}").json()
    assert script["name"] == "enforcer agent"  # trimmed
    assert script["categoryName"] == "Software Updates" and script["parameter5"] == ""
    found = api.get("/api/v1/scripts", params={"filter": 'name=="enforcer agent"'}).json()
    assert found["totalCount"] == 1
    replaced = api.put(f"/api/v1/scripts/{href['id']}", json={"name": "enforcer agent", "scriptContents": "new"})
    assert replaced.status_code == 200
    assert replaced.json()["parameter4"] == "" and replaced.json()["categoryId"] == "-1"  # PUT replaces all
    duplicate = api.post("/api/v1/scripts", json={"name": "ENFORCER AGENT"})
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["code"] == "DUPLICATE_FIELD"
    bad_category = api.post("/api/v1/scripts", json={"name": "x", "categoryId": "77"})
    assert bad_category.status_code == 400 and bad_category.json()["errors"][0]["field"] == "categoryId"
    assert api.delete(f"/api/v1/scripts/{href['id']}").status_code == 204
    assert api.get(f"/api/v1/scripts/{href['id']}").status_code == 404
    assert jamf_sim.tenant(0).scripts == {}


def test_categories(jamf_sim):
    api = admin(jamf_sim)
    created = api.post("/api/v1/categories", json={"name": "Cat", "priority": 5})
    assert created.status_code == 201
    category_id = created.json()["id"]
    updated = api.put(f"/api/v1/categories/{category_id}", json={"name": "Cat 2", "priority": 6})
    assert updated.status_code == 200 and updated.json() == {"id": category_id, "name": "Cat 2", "priority": 6}
    missing_priority = api.post("/api/v1/categories", json={"name": "No priority"})
    assert missing_priority.status_code == 400 and missing_priority.json()["errors"][0]["field"] == "priority"
    listed = api.get("/api/v1/categories", params={"filter": "priority>=6"}).json()
    assert listed["totalCount"] == 1


def test_extension_attributes(jamf_sim):
    api = admin(jamf_sim)
    body = {"name": "Enforcer status", "dataType": "STRING", "inputType": "SCRIPT", "inventoryDisplayType": "GENERAL",
            "scriptContents": "#!/bin/sh\necho '<result>ok</result>'", "enabled": True}
    created = api.post("/api/v1/computer-extension-attributes", json=body)
    assert created.status_code == 201
    ea_id = created.json()["id"]
    fetched = api.get(f"/api/v1/computer-extension-attributes/{ea_id}").json()
    assert fetched["scriptContents"] == body["scriptContents"] and fetched["inputType"] == "SCRIPT"
    updated = api.put(f"/api/v1/computer-extension-attributes/{ea_id}", json={**body, "description": "d"})
    assert updated.status_code == 202 and updated.json()["description"] == "d"
    wrong_fields = api.post("/api/v1/computer-extension-attributes",
                            json={**body, "name": "other", "inputType": "TEXT"})
    assert wrong_fields.status_code == 400
    assert wrong_fields.json()["errors"][0]["description"] == (
        "Fields which are not associated with provided inputType has some value")
    popup = api.post("/api/v1/computer-extension-attributes",
                     json={"name": "pick", "dataType": "STRING", "inputType": "POPUP",
                           "inventoryDisplayType": "GENERAL"})
    assert popup.status_code == 400 and popup.json()["errors"][0]["field"] == "popupMenuChoices"
    names = [e["name"] for e in api.get("/api/v1/computer-extension-attributes").json()["results"]]
    assert names == ["Enforcer status"]
    assert api.delete(f"/api/v1/computer-extension-attributes/{ea_id}").status_code == 204
