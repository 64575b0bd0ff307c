"""What a client probes before the API -- the web app at ``/`` and ``/healthCheck.html`` -- Jackson's
pretty-printed JSON layout, and the Jamf Pro API blank push that replaced the Classic one in 11.28."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from generator.catalogue import operation_for, role_privileges, unknown_privileges
from generator.sim.jackson import dumps
from tests.sim.simclient import Api, admin, client_with, session

BLANK_PUSH = "/api/v2/mdm/blank-push"
VIEW_MDM = "View MDM command information in Jamf Pro API"
# The seed agent's reachability rule (reference-agent-facts §3.1): HTTP, and none of these codes.
_UNREACHABLE = re.compile(r"\b(400|40[4-9]|4[1-9]\d|5\d\d)\b")


def _head_first_line(sim, url: str) -> str:
    env = {**os.environ, "CURL_CA_BUNDLE": sim.ca_file}
    out = subprocess.run(["curl", "--silent", "--head", "--location", url], capture_output=True, text=True,
                         env=env, timeout=30, check=True).stdout
    return out.splitlines()[0]


def test_the_web_app_answers_at_the_root_of_every_tenant(jamf_sim_factory):
    sim = jamf_sim_factory(tenants=2)
    for tenant in (0, 1):
        base = sim.base_url(tenant)
        first = _head_first_line(sim, base)
        assert "HTTP" in first and not _UNREACHABLE.search(first), first  # the seed agent's MDM reachability check
        page = session(sim).get(base + "/")
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "<form" in page.text and 'type="password"' in page.text
        head = session(sim).head(base + "/")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["Content-Length"] == str(len(page.content))


def test_health_check_answers_an_empty_list_when_healthy(jamf_sim_factory):
    sim = jamf_sim_factory(tenants=2)
    for tenant in (0, 1):
        response = session(sim).get(sim.base_url(tenant) + "/healthCheck.html")
        assert response.status_code == 200 and response.content == b"[]"
    sim.set_faults("5xx=1,seed=1")
    assert session(sim).get(sim.base_url() + "/healthCheck.html").status_code >= 500  # an unhealthy node


def test_head_needs_the_privileges_of_get(jamf_sim):
    api = client_with(jamf_sim, ["Read Scripts"])
    assert api.http.head(api.base + "/api/v1/scripts").status_code == 200
    assert api.http.head(api.base + "/api/v1/categories").status_code == 403


# --- Jackson's DefaultPrettyPrinter, byte for byte -----------------------------------------------
def test_jackson_layout_byte_for_byte(jamf_sim):
    api = admin(jamf_sim)
    assert api.get("/api/v1/jamf-pro-version").content == b'{\n  "version" : "11.12.0"\n}'
    api.post("/api/v1/categories", json={"name": "Layout", "priority": 9})
    listed = api.get("/api/v1/categories", params={"filter": 'name=="Layout"'})
    category_id = listed.json()["results"][0]["id"]
    assert listed.content == (
        b'{\n  "totalCount" : 1,\n  "results" : [ {\n    "id" : "' + category_id.encode()
        + b'",\n    "name" : "Layout",\n    "priority" : 9\n  } ]\n}')
    empty = api.get("/api/v1/categories", params={"filter": 'name=="none such"'})
    assert empty.content == b'{\n  "totalCount" : 0,\n  "results" : [ ]\n}'


def test_jackson_layout_of_nested_and_empty_values():
    assert dumps({}) == "{ }"
    assert dumps([]) == "[ ]"
    assert dumps({"a": {"b": [1, "x"], "c": {}}, "d": [[], {}]}) == (
        '{\n  "a" : {\n    "b" : [ 1, "x" ],\n    "c" : { }\n  },\n  "d" : [ [ ], { } ]\n}')
    assert dumps({"errors": [{"id": "0", "field": None}, {"ok": True}]}) == (
        '{\n  "errors" : [ {\n    "id" : "0",\n    "field" : null\n  }, {\n    "ok" : true\n  } ]\n}')
    assert dumps({"s": 'a"b\\c\n/é'}) == '{\n  "s" : "a\\"b\\\\c\\n/é"\n}'


# --- POST /api/v2/mdm/blank-push ------------------------------------------------------------------
@pytest.mark.parametrize(("version", "status"), [("11.27.1", 404), ("11.28.0", 200), ("11.31.0", 200)])
def test_v2_blank_push_arrives_with_11_28(jamf_sim_factory, version, status):
    sim = jamf_sim_factory(version=version, fleet=2)
    management_id = next(iter(sim.tenant(0).computers.values()))["managementId"]
    response = admin(sim).post(BLANK_PUSH, json={"clientManagementIds": [management_id]})
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"errorUuids": []}
        assert sim.tenant(0).blank_pushes[-1]["managementId"] == management_id


def test_v2_blank_push_needs_view_mdm_and_reports_unknown_ids(jamf_sim_factory):
    sim = jamf_sim_factory(version="11.28.0", fleet=2)
    body = {"clientManagementIds": ["00000000-0000-0000-0000-000000000000"]}
    refused = client_with(sim, ["Read Computers"], name="no").post(BLANK_PUSH, json=body)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["description"] == f"Missing privilege: {VIEW_MDM}"
    api = client_with(sim, [VIEW_MDM], name="yes")
    assert api.post(BLANK_PUSH, json=body).json() == {"errorUuids": body["clientManagementIds"]}
    assert api.post(BLANK_PUSH, json={}).status_code == 400
    assert api.post(BLANK_PUSH, json={"clientManagementIds": []}).status_code == 400
    assert sim.tenant(0).blank_pushes == []
    assert Api(sim).post(BLANK_PUSH, json=body).status_code == 401


def test_the_v2_blank_push_privilege_exists_in_11_12_and_no_role_needs_it():
    assert unknown_privileges([VIEW_MDM]) == []  # in api-role-privileges-11.12.txt
    assert operation_for("POST", BLANK_PUSH).privileges == (VIEW_MDM,)
    assert all(VIEW_MDM not in role_privileges(workflow) for workflow in ("auto", "new", "legacy"))
