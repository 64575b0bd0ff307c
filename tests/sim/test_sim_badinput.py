"""Bad input gets Jamf's status codes and error shapes: 415, malformed JSON/XML, unknown fields,
wrong types, over-long names, bad filters and paging."""

from __future__ import annotations

import pytest

from tests.sim.simclient import admin

JSON_POSTS = [
    ("/api/v1/api-roles", {"displayName": "r", "privileges": []}),
    ("/api/v1/api-integrations", {"displayName": "c", "authorizationScopes": []}),
    ("/api/v1/scripts", {"name": "s"}),
    ("/api/v1/categories", {"name": "c", "priority": 1}),
    ("/api/v1/computer-extension-attributes", {"name": "e", "dataType": "STRING", "inputType": "TEXT",
                                                "inventoryDisplayType": "GENERAL"}),
    ("/api/v1/macos-managed-software-updates/send-updates", {"deviceIds": ["1"]}),
]


def _cause(response):
    body = response.json()
    assert body["httpStatus"] == response.status_code
    return body["errors"][0]


@pytest.mark.parametrize(("path", "good"), JSON_POSTS)
def test_json_endpoints_refuse_bad_bodies(jamf_sim, path, good):
    api = admin(jamf_sim)
    as_form = api.post(path, data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert as_form.status_code == 415 and _cause(as_form)["code"] == "UNSUPPORTED_MEDIA_TYPE"
    as_xml = api.post(path, data="<a/>", headers={"Content-Type": "application/xml"})
    assert as_xml.status_code == 415
    malformed = api.post(path, data='{"name": ', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and _cause(malformed)["code"] == "INVALID_JSON"
    empty = api.post(path, data="", headers={"Content-Type": "application/json"})
    assert empty.status_code == 400
    not_object = api.post(path, json=[good])
    assert not_object.status_code == 400
    unknown = api.post(path, json={**good, "surprise": 1})
    assert unknown.status_code == 400
    assert _cause(unknown) == {"code": "INVALID_FIELD", "description": 'Unrecognized field "surprise"',
                               "id": "0", "field": "surprise"}
    first_key = next(iter(good))
    wrong_type = api.post(path, json={**good, first_key: 12})
    assert wrong_type.status_code == 400 and _cause(wrong_type)["field"] == first_key
    ok = api.post(path, json=good)
    assert ok.status_code in (200, 201), ok.text


@pytest.mark.parametrize(("path", "key"), [("/api/v1/scripts", "name"), ("/api/v1/api-roles", "displayName"),
                                           ("/api/v1/categories", "name")])
def test_names_over_255_characters(jamf_sim, path, key):
    api = admin(jamf_sim)
    body = {"/api/v1/scripts": {}, "/api/v1/api-roles": {"privileges": []},
            "/api/v1/categories": {"priority": 1}}[path]
    too_long = api.post(path, json={**body, key: "n" * 256})
    assert too_long.status_code == 400 and _cause(too_long)["field"] == key
    assert api.post(path, json={**body, key: "n" * 255}).status_code in (200, 201)


def test_missing_required_and_bad_enum(jamf_sim):
    api = admin(jamf_sim)
    missing = api.post("/api/v1/api-roles", json={"displayName": "r"})
    assert missing.status_code == 400 and _cause(missing)["field"] == "privileges"
    enum = api.post("/api/v1/scripts", json={"name": "s", "priority": "LATER"})
    assert enum.status_code == 400 and _cause(enum)["field"] == "priority"
    boolean_as_int = api.post("/api/v1/categories", json={"name": "c", "priority": True})
    assert boolean_as_int.status_code == 400


@pytest.mark.parametrize("params", [
    {"filter": 'nope=="x"'}, {"filter": 'name=="x'}, {"filter": "name=="}, {"filter": "(name==x"},
    {"sort": "nope:asc"}, {"sort": "name:sideways"}, {"page": "-1"}, {"page-size": "0"}, {"page-size": "abc"},
])
def test_bad_list_parameters(jamf_sim, params):
    response = admin(jamf_sim).get("/api/v1/scripts", params=params)
    assert response.status_code == 400
    assert _cause(response)["code"].startswith("INVALID_")


def test_rsql_operators(jamf_sim):
    api = admin(jamf_sim)
    for name in ("alpha", "beta", "gamma"):
        api.post("/api/v1/scripts", json={"name": name})
    def names(expression):
        return [s["name"] for s in api.get("/api/v1/scripts", params={"filter": expression}).json()["results"]]
    assert names('name=in=("alpha","gamma")') == ["alpha", "gamma"]
    assert names("name=out=(alpha,gamma)") == ["beta"]
    assert names('name!="beta";name!=gamma') == ["alpha"]
    assert names('name==alpha or name==beta') == ["alpha", "beta"]
    assert names('(name==alpha,name==beta) and id>1') == ["beta"]
    assert names('name=="*a"') == ["alpha", "beta", "gamma"]
    assert names('name=="G*"') == ["gamma"]


def test_classic_bad_bodies(jamf_sim):
    api = admin(jamf_sim)
    path = "/JSSResource/policies/id/0"
    as_json = api.post(path, json={"policy": {}})
    assert as_json.status_code == 415 and "<p>Error: " in as_json.text
    for body in ("<policy><general>", "not xml at all", "", "<computer/>",
                 '<!DOCTYPE x [<!ENTITY a "aaaa">]><policy>&a;</policy>'):
        response = api.xml("POST", path, body)
        assert response.status_code == 400, body
        assert response.headers["Content-Type"].startswith("text/html") and "<p>Error: " in response.text
    long_name = api.xml("POST", path, f"<policy><general><name>{'n' * 256}</name></general></policy>")
    assert long_name.status_code == 400
    assert jamf_sim.tenant(0).policies == {}
