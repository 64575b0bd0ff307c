"""The validator itself catches breaches, and the simulator's hand-kept tables mirror Jamf's specs."""

from __future__ import annotations

import pytest

from generator.sim import bodies
from generator.sim.routes import routes
from tests.contract.openapi import ContractError, check_exchange, find_operation, inline, spec, validate_exchange

ROLE = {"id": "1", "displayName": "r", "privileges": []}


def test_valid_exchange_passes():
    validate_exchange("POST", "/api/v1/api-roles", 200, {"displayName": "r", "privileges": []}, ROLE)
    validate_exchange("GET", "/api/v1/api-roles/7", 200, None, ROLE)
    validate_exchange("DELETE", "/api/v1/api-roles/7", 204, None, None)
    validate_exchange("POST", "/api/oauth/token", 200,
                      {"client_id": "a", "client_secret": "b", "grant_type": "client_credentials"},
                      {"access_token": "t", "expires_in": 1, "scope": "", "token_type": "Bearer"})


@pytest.mark.parametrize(("args", "needle"), [
    (("GET", "/api/v1/api-roles/7", 200, None, {**ROLE, "extra": 1}), "'extra' was unexpected"),
    (("GET", "/api/v1/api-roles/7", 200, None, {"id": "1", "displayName": "r"}), "'privileges' is a required"),
    (("GET", "/api/v1/api-roles/7", 200, None, {**ROLE, "id": 1}), "is not of type 'string'"),
    (("POST", "/api/v1/api-roles", 201, None, ROLE), "status 201 is not declared"),
    (("POST", "/api/v1/api-roles", 200, {"displayName": "r"}, ROLE), "request: <root>: 'privileges'"),
    (("POST", "/api/v1/scripts", 201, {"id": "1", "name": "s"}, {"id": "1", "href": "h"}), "read-only"),
    (("GET", "/api/v1/api-roles/7", 404, None, {"message": "nope"}), "error body"),
    (("GET", "/api/v1/api-roles/7", 404, None, None), "without a JSON body"),
    (("POST", "/api/v1/oauth/token", 401, None, {"httpStatus": 401, "errors": []}), "'error' is a required"),
    (("GET", "/api/v1/not-jamf", 200, None, {}), "not an operation"),
    (("DELETE", "/api/v1/api-roles/7", 204, None, {"x": 1}), "declares no body"),
    (("GET", "/api/v1/managed-software-updates/plans/x", 200, None,
      {"planUuid": "p", "device": {}, "maxDeferrals": 0, "updateAction": "SOON", "versionType": "LATEST_ANY",
       "status": {}}), "'SOON' is not one of"),
])
def test_breaches_are_reported(args, needle):
    problems = check_exchange(*args)
    assert any(needle in p for p in problems), problems
    with pytest.raises(ContractError):
        validate_exchange(*args)


def test_api_error_field_may_be_null_as_jamf_sends_it():
    body = {"httpStatus": 403, "errors": [{"code": "INVALID_PRIVILEGE", "description": "d", "id": "0", "field": None}]}
    assert check_exchange("GET", "/api/v1/scripts", 403, None, body) == []


def _schema_of(table_name: str):
    _, file, schema_name = bodies.MIRRORS[table_name]
    return inline({"$ref": f"#/components/schemas/{schema_name}"}, file)


def _flatten(schema):
    if "allOf" in schema:
        merged = {"properties": {}, "required": []}
        for part in schema["allOf"]:
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return merged
    return schema


def _compare(table, schema, where):
    schema = _flatten(schema)
    assert set(table) == set(schema["properties"]), where
    assert {k for k, f in table.items() if f.required} == set(schema.get("required", [])), where
    for key, field in table.items():
        prop = _flatten(schema["properties"][key])
        assert field.type == prop.get("type"), f"{where}.{key}"
        assert (field.enum is None) == ("enum" not in prop), f"{where}.{key}"
        if field.enum is not None:
            assert set(field.enum) == set(prop["enum"]), f"{where}.{key}"
        assert field.nullable == bool(prop.get("nullable", False)), f"{where}.{key}"
        if field.type == "array" and field.items is not None:
            items = _flatten(prop["items"])
            assert field.items.type == items.get("type", "object"), f"{where}.{key}[]"
            if field.items.fields is not None:
                _compare(field.items.fields, items, f"{where}.{key}[]")
        if field.type == "object" and field.fields is not None:
            _compare(field.fields, prop, f"{where}.{key}")


@pytest.mark.parametrize("table_name", sorted(bodies.MIRRORS))
def test_request_tables_mirror_the_spec(table_name):
    table = bodies.MIRRORS[table_name][0]
    _compare(table, _schema_of(table_name), table_name)


def test_every_pro_route_is_a_spec_operation_or_the_unversioned_token():
    for route in routes():
        if not route.template.startswith("/api/"):
            continue
        found = find_operation(route.method, route.template)
        assert found is not None, route.key
        assert found[1] in (route.template, "/api/v1/oauth/token"), route.key


def test_specs_load_with_their_libraries():
    assert "ApiError" in spec("DefinitionsLibrary.yaml")["components"]["schemas"]
    assert "ComputerGeneral" in spec("_MonolithLibrary.yaml")["components"]["schemas"]
