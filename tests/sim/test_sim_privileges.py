"""Every served operation demands exactly the privileges ``operation_for`` says; 403/404/405 shapes."""

from __future__ import annotations

import pytest

from generator.catalogue import operation_for
from generator.sim.routes import routes
from generator.specindex import valid_privileges
from tests.sim.simclient import Api, admin, client_with

_SAMPLE = {"id": "1", "name": "x", "command": "BlankPush", "subset": "General"}


def _concrete(template: str) -> str:
    for key, value in _SAMPLE.items():
        template = template.replace("{" + key + "}", value)
    return template


def _privileged_routes(version=(11, 12, 0)):
    return [r for r in routes() if r.auth and r.exists_in(version)]


def test_route_privileges_come_from_the_catalogue():
    for route in routes():
        if not route.template.startswith(("/api/", "/JSSResource/")):
            assert not route.auth, f"{route.key}: a web page behind a token"  # the web app's own pages
            continue
        operation = operation_for(route.method, route.template)
        if route.privileges is not None:
            assert operation is None, f"{route.key}: hand-kept privileges although the catalogue has them"
            continue
        assert operation is not None, f"{route.key}: no catalogue/spec operation"
        if route.template.startswith("/api/"):
            assert operation.path in (route.template, "/api/v1/oauth/token"), route.key


def test_every_route_refuses_without_its_privileges_and_accepts_with_them(jamf_sim):
    tenant = jamf_sim.tenant(0)
    everything = sorted(valid_privileges())
    checked = 0
    for n, route in enumerate(_privileged_routes()):
        path = _concrete(route.template)
        operation = operation_for(route.method, path)
        required = list(operation.privileges if operation is not None else route.privileges or ())
        if not required:
            continue
        missing = required[0]
        tenant.add_role(f"all but {n}", [p for p in everything if p != missing])
        _, client_id, secret = tenant.add_client(f"all but {n}", [f"all but {n}"])
        refused = Api(jamf_sim).login_client(client_id, secret).http.request(route.method, jamf_sim.base_url() + path)
        assert refused.status_code == 403, f"{route.key}: {refused.status_code}"
        if route.classic:
            assert f"Missing privilege: {missing}" in refused.text
        else:
            assert refused.json()["errors"] == [{"code": "INVALID_PRIVILEGE", "description": f"Missing privilege: {missing}",
                                                 "id": "0", "field": None}]
        tenant.add_role(f"exactly {n}", required)
        _, client_id, secret = tenant.add_client(f"exactly {n}", [f"exactly {n}"])
        allowed = Api(jamf_sim).login_client(client_id, secret).http.request(route.method, jamf_sim.base_url() + path)
        assert allowed.status_code not in (401, 403), f"{route.key}: {allowed.status_code} {allowed.text[:200]}"
        checked += 1
    assert checked >= 60


def test_403_names_every_missing_privilege(jamf_sim):
    api = client_with(jamf_sim, ["Create Managed Software Updates"])
    response = api.post("/api/v1/managed-software-updates/plans", json={})
    assert response.status_code == 403
    body = response.json()
    assert body["httpStatus"] == 403
    assert [e["description"] for e in body["errors"]] == [
        "Missing privilege: Read Computers",
        "Missing privilege: Read Mobile Devices",
        "Missing privilege: Send Computer Remote Command to Download and Install OS X Update",
        "Missing privilege: Send Mobile Device Remote Command to Download and Install iOS Update",
    ]
    assert {e["code"] for e in body["errors"]} == {"INVALID_PRIVILEGE"}


def test_categories_list_needs_both_privileges_the_spec_lists(jamf_sim):
    only_read = client_with(jamf_sim, ["Read Categories"], name="cat")
    response = only_read.get("/api/v1/categories")
    assert response.status_code == 403
    assert response.json()["errors"][0]["description"] == "Missing privilege: Read Self Service"


def test_unknown_routes_and_methods(jamf_sim):
    api = admin(jamf_sim)
    unknown = api.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404 and unknown.json()["httpStatus"] == 404
    classic = api.get("/JSSResource/no-such-thing")
    assert classic.status_code == 404 and "<p>Error: " in classic.text
    assert api.get("/favicon.ico").status_code == 404
    assert api.get("/api/v1/scripts/").status_code == 404
    wrong_method = api.delete("/api/v1/scripts")
    assert wrong_method.status_code == 405 and wrong_method.json()["httpStatus"] == 405
    assert Api(jamf_sim).get("/api/v1/no-such-thing").status_code == 404  # 404 even without a token


@pytest.mark.parametrize("path", ["/api/v1/jamf-pro-version", "/api/v1/auth"])
def test_authenticated_routes_without_privileges(jamf_sim, path):
    api = client_with(jamf_sim, [])
    assert api.get(path).status_code == 200
    assert Api(jamf_sim).get(path).status_code == 401
