"""Jamf Pro API handlers for authentication and the server version.

``POST /api/v1/oauth/token`` and ``/api/oauth/token`` (client credentials),
``POST /api/v1/auth/token`` (basic auth), ``/api/v1/auth/keep-alive``,
``/api/v1/auth/invalidate-token``, ``GET /api/v1/auth`` and ``GET /api/v1/jamf-pro-version``.
"""

from __future__ import annotations

from . import auth
from .context import Ctx
from .messages import Response, json_response, no_content


def oauth_token(ctx: Ctx) -> Response:
    response, who = auth.oauth_token(ctx.tenant, ctx.request)
    ctx.log_identity = who
    return response


def auth_token(ctx: Ctx) -> Response:
    response, who = auth.account_token(ctx.tenant, ctx.request)
    ctx.log_identity = who
    return response


def keep_alive(ctx: Ctx) -> Response:
    assert ctx.identity is not None
    return auth.keep_alive(ctx.tenant, ctx.identity)


def invalidate(ctx: Ctx) -> Response:
    assert ctx.identity is not None
    ctx.tenant.tokens.pop(ctx.identity.token_digest, None)
    return no_content()


def authorization(ctx: Ctx) -> Response:
    assert ctx.identity is not None
    return json_response(200, auth.authorization(ctx.identity))


def version(ctx: Ctx) -> Response:
    return json_response(200, {"version": ctx.tenant.version})
