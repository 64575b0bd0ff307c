"""Dispatching one request to its route: existence (version, disabled routes), the bearer
token, the privilege check, then the handler.

Privileges come from ``generator.catalogue.operation_for(method, path)`` -- Jamf's
``x-required-privileges`` for Jamf Pro API operations, the catalogue's hand-kept map for the
Classic API -- and are checked against the privileges the token was issued with.  Every one
that is missing is named in the 403: an ApiError with one ``INVALID_PRIVILEGE`` cause per
privilege (Jamf Pro API), or Jamf's HTML page (Classic API).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import operation_for
from .auth import bearer_identity
from .context import Ctx
from .messages import (
    Failure,
    Request,
    Response,
    api_error,
    api_error_body,
    cause,
    classic_page,
    json_response,
    plain_not_found,
)
from .routes import Route, match
from .tenant import ModelError, Tenant


@dataclass
class Outcome:
    response: Response
    template: str | None = None
    identity: str | None = None


def required_privileges(route: Route, path: str) -> tuple[str, ...]:
    operation = operation_for(route.method, path)  # the route's method: HEAD is held to GET's privileges
    if operation is not None:
        return operation.privileges
    return route.privileges or ()


def not_found(path: str) -> Response:
    if path.startswith("/api/") or path == "/api":
        return api_error(404, "NOT_FOUND", "Resource not found")
    if path.startswith("/JSSResource"):
        return classic_page(404, "The server has not found anything matching the request URI")
    return plain_not_found()


def _forbidden(route: Route, missing: list[str]) -> Response:
    if route.classic:
        return classic_page(403, "You do not have the privileges to perform this action. Missing privilege: "
                            + ", ".join(missing))
    causes = [cause("INVALID_PRIVILEGE", f"Missing privilege: {name}") for name in missing]
    return json_response(403, api_error_body(403, causes))


def dispatch(tenant: Tenant, request: Request, node: str | None = None, replication_ms: int = 0) -> Outcome:
    route, params, allowed = match(request.method, request.path)
    version = tenant.version_tuple
    if route is None or not route.exists_in(version) or route.key in tenant.disabled_routes:
        if route is None and allowed:
            if request.path.startswith("/JSSResource"):
                return Outcome(classic_page(405, "Method Not Allowed"))
            return Outcome(api_error(405, "METHOD_NOT_ALLOWED", f"Request method '{request.method}' is not supported"))
        return Outcome(not_found(request.path))
    ctx = Ctx(tenant, request, params, node=node, replication_ms=replication_ms)
    outcome = Outcome(Response(500), template=route.template)
    try:
        if route.auth:
            try:
                ctx.identity = bearer_identity(tenant, request)
            except Failure:
                if route.classic:
                    raise Failure(classic_page(401, "The request requires user authentication")) from None
                raise
            outcome.identity = ctx.identity.name
            have = ctx.identity.privileges
            missing = [p for p in required_privileges(route, request.path) if p not in have]
            if missing:
                raise Failure(_forbidden(route, missing))
        outcome.response = route.handler(ctx)
    except Failure as failure:
        outcome.response = failure.response
    except ModelError as error:
        outcome.response = (classic_page(error.status, str(error)) if route.classic
                            else api_error(error.status, error.code, str(error), error.field))
    if ctx.log_identity is not None:
        outcome.identity = ctx.log_identity
    return outcome
