"""Jamf Pro API handlers for API roles, API clients (integrations) and the privilege list.

Roles: ``/api/v1/api-roles`` (POST answers 200, ids are strings; deleting a role an API client
uses is 409).  Clients: ``/api/v1/api-integrations`` (POST answers 201, ids are integers,
``authorizationScopes`` are role display names) and ``POST /{id}/client-credentials``, which
issues a new secret and invalidates the previous one.  ``GET /api/v1/api-role-privileges``
lists Jamf Pro 11.12's 501 privilege names.
"""

from __future__ import annotations

from typing import Any

from ..specindex import valid_privileges
from . import bodies, rsql
from .context import Ctx
from .messages import Response, api_error, fail, json_response, no_content
from .tenant import ModelError

_ROLE_FIELDS = {"id": lambda r: r["id"], "displayName": lambda r: r["displayName"]}
_CLIENT_FIELDS = {"id": lambda c: c["id"], "displayName": lambda c: c["displayName"]}


def _role(ctx: Ctx) -> dict[str, Any]:
    role = ctx.tenant.roles.get(ctx.params["id"])
    if role is None:
        raise fail(404, "INVALID_ID", f"API role with id {ctx.params['id']} not found", id=ctx.params["id"])
    return role


def list_roles(ctx: Ctx) -> Response:
    records = ctx.visible("role", list(ctx.tenant.roles.values()))
    total, results = rsql.page(ctx.request, records, _ROLE_FIELDS, "id:asc")
    return json_response(200, {"totalCount": total, "results": [dict(r) for r in results]})


def create_role(ctx: Ctx) -> Response:
    body = ctx.json_body(bodies.API_ROLE)
    role_id = ctx.tenant.add_role(body["displayName"], body["privileges"])
    ctx.created("role", role_id)
    return json_response(200, dict(ctx.tenant.roles[role_id]))


def get_role(ctx: Ctx) -> Response:
    return json_response(200, dict(_role(ctx)))


def update_role(ctx: Ctx) -> Response:
    role = _role(ctx)
    body = ctx.json_body(bodies.API_ROLE)
    ctx.tenant.check_role(body["displayName"], body["privileges"], exclude_id=role["id"])
    old_name, new_name = role["displayName"], body["displayName"].strip()
    for client in ctx.tenant.clients.values():
        client["authorizationScopes"] = [new_name if s == old_name else s for s in client["authorizationScopes"]]
    role["displayName"], role["privileges"] = new_name, list(body["privileges"])
    return json_response(200, dict(role))


def delete_role(ctx: Ctx) -> Response:
    role = _role(ctx)
    users = [c["displayName"] for c in ctx.tenant.clients.values() if role["displayName"] in c["authorizationScopes"]]
    if users:
        return api_error(409, "ROLE_IN_USE", "Role in use by an Integration/Client: " + ", ".join(users),
                         id=role["id"])
    del ctx.tenant.roles[role["id"]]
    return no_content()


def privileges(ctx: Ctx) -> Response:
    return json_response(200, {"privileges": sorted(valid_privileges())})


def search_privileges(ctx: Ctx) -> Response:
    name = ctx.request.arg("name")
    if name is None:
        raise fail(400, "INVALID_QUERY_PARAMETER", "name is required", field="name")
    try:
        limit = int(ctx.request.arg("limit", "15") or "15")
    except ValueError:
        raise fail(400, "INVALID_QUERY_PARAMETER", "limit must be an integer", field="limit") from None
    found = [p for p in sorted(valid_privileges()) if name.lower() in p.lower()]
    return json_response(200, {"privileges": found[:max(limit, 0)]})


def _client(ctx: Ctx) -> dict[str, Any]:
    try:
        client = ctx.tenant.clients.get(int(ctx.params["id"]))
    except ValueError:
        client = None
    if client is None:
        raise fail(404, "INVALID_ID", f"API integration with id {ctx.params['id']} not found", id=ctx.params["id"])
    return client


def list_clients(ctx: Ctx) -> Response:
    records = ctx.visible("client", list(ctx.tenant.clients.values()))
    total, results = rsql.page(ctx.request, records, _CLIENT_FIELDS, "id:asc")
    return json_response(200, {"totalCount": total, "results": [ctx.tenant.render_client(c) for c in results]})


def create_client(ctx: Ctx) -> Response:
    body = ctx.json_body(bodies.API_INTEGRATION)
    client = ctx.tenant.create_client(body["displayName"], body["authorizationScopes"],
                                      body.get("accessTokenLifetimeSeconds", 1800), body.get("enabled", True))
    ctx.created("client", client["id"])
    return json_response(201, ctx.tenant.render_client(client))


def get_client(ctx: Ctx) -> Response:
    return json_response(200, ctx.tenant.render_client(_client(ctx)))


def update_client(ctx: Ctx) -> Response:
    client = _client(ctx)
    body = ctx.json_body(bodies.API_INTEGRATION)
    lifetime = body.get("accessTokenLifetimeSeconds", client["accessTokenLifetimeSeconds"])
    ctx.tenant.check_client(body["displayName"], body["authorizationScopes"], lifetime, exclude_id=client["id"])
    client.update(displayName=body["displayName"].strip(), authorizationScopes=list(body["authorizationScopes"]),
                  enabled=body.get("enabled", client["enabled"]), accessTokenLifetimeSeconds=lifetime)
    return json_response(200, ctx.tenant.render_client(client))


def delete_client(ctx: Ctx) -> Response:
    client = _client(ctx)
    if client["id"] == ctx.tenant.admin_integration_id:
        raise ModelError(400, "INVALID_ID", "The simulator's bootstrap admin client cannot be deleted")
    del ctx.tenant.clients[client["id"]]
    return no_content()


def client_credentials(ctx: Ctx) -> Response:
    client = _client(ctx)
    if client["id"] == ctx.tenant.admin_integration_id:
        # Its secret belongs to whoever started the simulator (``Tenant.admin_client``); handing a new
        # one to any caller would give every privilege away and lock the owner out.
        raise fail(400, "INVALID_ID", "The simulator's bootstrap admin client's credentials cannot be re-issued "
                   "through the API", id=str(client["id"]))
    if not client["enabled"]:
        raise fail(400, "INVALID_STATE", "Client credentials could not be created for this api integration",
                   id=str(client["id"]))
    secret = ctx.tenant.rotate_secret(client["id"])
    return json_response(200, {"clientId": client["clientId"], "clientSecret": secret})
