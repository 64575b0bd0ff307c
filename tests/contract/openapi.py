"""Validate Jamf Pro API exchanges against Jamf's vendored OpenAPI files.

Import it from any test suite::

    from tests.contract.openapi import validate_exchange, check_exchange
    validate_exchange("POST", "/api/v1/scripts", 201, request_json, response_json)

* The operation is found with ``generator.catalogue.operation_for`` (the unversioned
  ``/api/oauth/token``, absent from the specs, is held to ``/api/v1/oauth/token``) and read
  from the spec file the privilege index names for it.
* ``$ref``s are inlined across ``DefinitionsLibrary.yaml``/``_MonolithLibrary.yaml``; ``allOf``
  object schemas are merged.
* Strict mode: every object schema that lists ``properties`` gets ``additionalProperties:
  false``, so a field Jamf's spec does not have is an error.  Requests are checked with
  ``OAS30WriteValidator`` (no readOnly fields), 2xx responses with ``OAS30ReadValidator``.
* A 2xx status the operation does not declare is an error.  Error responses must be an
  ``ApiError`` (``DefinitionsLibrary.yaml``), or the OAuth error shape for the token
  endpoint's own refusals (400/401 to a POST; a 404, 429 or 5xx comes from elsewhere).  One relaxation, because Jamf's own servers do it: ``ApiErrorCause.field`` may be
  ``null``.
* Classic API (``/JSSResource``) exchanges are XML and are not checked here.
* ``HAND_KEPT_OPERATIONS`` holds the few served operations no vendored file has (the v2 blank
  push), transcribed from Jamf's API reference.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import yaml
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from generator.catalogue import operation_for
from generator.specindex import SPEC_DIR, load_index

PRO_DIR = SPEC_DIR / "pro"
_DROP = {"example", "examples", "description", "summary", "externalDocs", "xml", "deprecated"}
TOKEN_PATHS = {"/api/v1/oauth/token", "/api/oauth/token"}


# Operations the simulator serves that none of the vendored spec files has, transcribed from Jamf's
# API reference pages (generator/sim/ASSUMPTIONS.md): held to these until Jamf's file is vendored.
_STRINGS = {"type": "array", "items": {"type": "string"}}
HAND_KEPT_OPERATIONS: dict[str, dict[str, Any]] = {
    # https://developer.jamf.com/jamf-pro/reference/post_v2-mdm-blank-push
    "POST /api/v2/mdm/blank-push": {
        "requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "required": ["clientManagementIds"],
            "properties": {"clientManagementIds": _STRINGS}}}}},
        "responses": {"200": {"content": {"application/json": {"schema": {
            "type": "object", "required": ["errorUuids"], "properties": {"errorUuids": _STRINGS}}}}}},
    },
}


class ContractError(AssertionError):
    """An exchange that does not match Jamf's published contract."""


@cache
def spec(name: str) -> dict[str, Any]:
    return yaml.safe_load((PRO_DIR / name).read_text(encoding="utf-8"))


def _resolve(ref: str, current: str) -> tuple[Any, str, str]:
    file_part, _, pointer = ref.partition("#")
    name = file_part or current
    node: Any = spec(name)
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, name, f"{name}#{pointer}"


def inline(schema: Any, current: str, stack: tuple[str, ...] = ()) -> Any:
    """A schema with every ``$ref`` replaced by its target (cycles become ``{}``)."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target, name, key = _resolve(schema["$ref"], current)
        if key in stack:
            return {}
        return inline(target, name, (*stack, key))
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROP or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {name: inline(sub, current, stack) for name, sub in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = inline(value, current, stack)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [inline(sub, current, stack) for sub in value]
        else:
            out[key] = copy.deepcopy(value)
    return out


def strict(schema: Any) -> Any:
    """Merge object ``allOf``s and forbid properties a schema does not list."""
    if not isinstance(schema, dict):
        return schema
    schema = dict(schema)
    parts = schema.get("allOf")
    if parts and all(isinstance(p, dict) and ("properties" in p or p.get("type") == "object") for p in parts):
        del schema["allOf"]
        properties: dict[str, Any] = dict(schema.get("properties", {}))
        required: list[str] = list(schema.get("required", []))
        for part in parts:
            properties.update(part.get("properties", {}))
            required += [r for r in part.get("required", []) if r not in required]
        schema.update(type="object", properties=properties)
        if required:
            schema["required"] = required
    if "properties" in schema:
        schema["properties"] = {k: strict(v) for k, v in schema["properties"].items()}
        schema.setdefault("additionalProperties", False)
    for key in ("items", "not"):
        if key in schema:
            schema[key] = strict(schema[key])
    if isinstance(schema.get("additionalProperties"), dict):
        schema["additionalProperties"] = strict(schema["additionalProperties"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            schema[key] = [strict(p) for p in schema[key]]
    return schema


@cache
def api_error_schema() -> dict[str, Any]:
    schema = strict(inline({"$ref": "DefinitionsLibrary.yaml#/components/schemas/ApiError"}, "DefinitionsLibrary.yaml"))
    schema["properties"]["errors"]["items"]["properties"]["field"]["nullable"] = True
    return schema


@cache
def oauth_error_schema() -> dict[str, Any]:
    return strict(inline({"$ref": "#/components/schemas/OAuthTokenEndpointErrorResponse"}, "Authentication-oauth.yaml"))


def find_operation(method: str, path: str) -> tuple[str, str, dict[str, Any]] | None:
    """``(spec file, template, operation)`` for a concrete or template path, or None."""
    method = method.upper()
    if path == "/api/oauth/token":
        path = "/api/v1/oauth/token"
    endpoint = operation_for(method, path)
    if endpoint is None or not endpoint.path.startswith("/api/"):
        return None
    entry = load_index()["pro"].get(f"{method} {endpoint.path}")
    if entry is None:
        hand_kept = HAND_KEPT_OPERATIONS.get(f"{method} {endpoint.path}")
        return None if hand_kept is None else ("DefinitionsLibrary.yaml", endpoint.path, hand_kept)
    operation = spec(entry["file"])["paths"][endpoint.path.removeprefix("/api")][method.lower()]
    return entry["file"], endpoint.path, operation


def _json_schema(content: dict[str, Any] | None, file: str, media: str = "application/json") -> Any:
    for content_type, body in (content or {}).items():
        if content_type.split(";")[0].strip() == media and "schema" in body:
            return strict(inline(body["schema"], file))
    return None


@cache
def _schemas(method: str, template: str) -> tuple[Any, dict[int, Any], str]:
    found = find_operation(method, template)
    assert found is not None
    file, _, operation = found
    body = operation.get("requestBody", {}).get("content")
    request = _json_schema(body, file) or _json_schema(body, file, "application/x-www-form-urlencoded")
    responses = {int(code): _json_schema(r.get("content"), file) for code, r in operation["responses"].items()}
    return request, responses, file


def _errors(validator_class: type, schema: Any, instance: Any) -> list[str]:
    validator = validator_class(schema)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
            for e in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))]


def check_exchange(method: str, path: str, status: int, request_json: Any, response_json: Any) -> list[str]:
    """Every way the exchange breaks the contract (an empty list when it keeps it)."""
    where = f"{method.upper()} {path} -> {status}"
    method = "GET" if method.upper() == "HEAD" else method.upper()  # HEAD is GET's answer without its body
    if path.startswith("/JSSResource") or path.startswith("/__sim"):
        return []
    found = find_operation(method, path)
    if status >= 400:
        if not path.startswith("/api/"):
            return []
        if response_json is None:
            return [f"{where}: an error without a JSON body"]
        oauth = path in TOKEN_PATHS and method == "POST" and status in (400, 401)  # the token handler's refusals
        schema = oauth_error_schema() if oauth else api_error_schema()
        return [f"{where}: error body: {e}" for e in _errors(OAS30ReadValidator, schema, response_json)]
    if found is None:
        return [f"{where}: not an operation in Jamf's specs"] if path.startswith("/api/") else []
    _, template, _ = found
    request_schema, responses, _ = _schemas(method, template)
    problems = []
    if request_json is not None and request_schema is not None:
        problems += [f"{where}: request: {e}" for e in _errors(OAS30WriteValidator, request_schema, request_json)]
    if status not in responses:
        return [*problems, f"{where}: status {status} is not declared for {method} {template}"]
    schema = responses[status]
    if schema is None:
        if response_json is not None:
            problems.append(f"{where}: the spec declares no body, got one")
        return problems
    if response_json is None:
        return [*problems, f"{where}: a JSON body is declared, none was sent"]
    problems += [f"{where}: response: {e}" for e in _errors(OAS30ReadValidator, schema, response_json)]
    return problems


def validate_exchange(method: str, path: str, status: int, request_json: Any = None, response_json: Any = None) -> None:
    """Raise ``ContractError`` listing every problem ``check_exchange`` finds."""
    problems = check_exchange(method, path, status, request_json, response_json)
    if problems:
        raise ContractError("\n".join(problems))


def validate_recorded(exchanges: list[dict[str, Any]]) -> list[str]:
    """Check exchanges recorded by ``generator.sim`` (``Simulator.exchanges``); injected faults are
    held to the error shape only."""
    problems: list[str] = []
    for exchange in exchanges:
        problems += check_exchange(exchange["method"], exchange["path"], exchange["status"],
                                   exchange.get("request_json"), exchange.get("response_json"))
    return problems
