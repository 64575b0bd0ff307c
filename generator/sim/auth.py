"""Tokens: issuing them (OAuth client credentials, basic auth, keep-alive) and checking them.

A token carries the privileges of its subject *as of issue time* (Jamf: "tokens carry the role
scope from issue time"): the union of the client's roles (or of the roles a ``scope``
parameter names), or the account's privileges.  Changing a role later does not change tokens
already issued; disabling or deleting a client does not revoke them either.  Only a digest of
each token is kept.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from .messages import Failure, Request, api_error, json_response, oauth_error
from .tenant import Tenant, digest


@dataclass(frozen=True)
class Identity:
    """Who a request acts as: never a secret, only names and ids."""

    kind: str  # "client" | "account"
    name: str  # the client id or the account name
    token_digest: str
    record: dict[str, Any]

    @property
    def privileges(self) -> frozenset[str]:
        return frozenset(self.record["privileges"])


def _new_token(tenant: Tenant, record: dict[str, Any], lifetime: float) -> tuple[str, float]:
    token = secrets.token_urlsafe(40)
    expires = tenant.clock.now() + lifetime
    tenant.tokens[digest(token)] = {**record, "expires": expires}
    if tenant.next_id("token") % 512 == 0:  # now and then, forget expired tokens
        now = tenant.clock.now()
        for key in [k for k, v in tenant.tokens.items() if v["expires"] <= now]:
            del tenant.tokens[key]
    return token, expires


def oauth_token(tenant: Tenant, request: Request) -> tuple[Any, str | None]:
    """``POST /api/v1/oauth/token`` and ``/api/oauth/token``: ``(response, client id for the log)``."""
    if request.content_type != "application/x-www-form-urlencoded":
        return oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"), None
    try:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        return oauth_error(400, "invalid_request", "The request body is not valid form data"), None
    client_id = form.get("client_id", "")
    client = tenant.client_by_client_id(client_id) if client_id else None
    # Only a client id the server knows goes to the log: a mistyped one may be a pasted secret.
    known = client["clientId"] if client is not None else None
    if form.get("grant_type") != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "OAuth 2.0 Parameter: grant_type"), known
    if (client is None or not form.get("client_secret") or not client["enabled"] or not client["secretHash"]
            or not secrets.compare_digest(client["secretHash"], digest(form["client_secret"]))):
        return oauth_error(401, "invalid_client", "Client authentication failed"), known
    own_roles = [tenant.role_by_name(n) for n in client["authorizationScopes"]]
    own_ids = [r["id"] for r in own_roles if r is not None]
    role_ids = own_ids
    if form.get("scope", "").strip():
        asked = form["scope"].split()
        wanted = [s.removeprefix("api-role:") for s in asked]
        if any(not s.startswith("api-role:") for s in asked) or any(w not in own_ids for w in wanted):
            return oauth_error(400, "invalid_scope", "The requested scope is invalid"), client_id
        role_ids = wanted
    lifetime = max(1, int(client["accessTokenLifetimeSeconds"]) - 1)  # Jamf answers 599 for 600
    record = {"kind": "client", "identity": client_id, "subjectId": client["id"], "displayName": client["displayName"],
              "privileges": tenant.client_privileges(client, role_ids), "authType": "CLIENT_CREDENTIALS",
              "scope": " ".join(f"api-role:{i}" for i in role_ids), "lifetime": lifetime}
    token, _ = _new_token(tenant, record, lifetime)
    body = {"access_token": token, "scope": record["scope"], "token_type": "Bearer", "expires_in": lifetime}
    return json_response(200, body), client_id


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _unauthorized(description: str = "Unauthorized") -> Failure:
    return Failure(api_error(401, "INVALID_TOKEN", description))


def account_token(tenant: Tenant, request: Request) -> tuple[Any, str | None]:
    """``POST /api/v1/auth/token`` with HTTP Basic: ``(response, account name for the log)``."""
    credentials = _basic(request)
    if credentials is None:
        return api_error(401, "INVALID_CREDENTIALS", "Authentication failed"), None
    user, password = credentials
    account = tenant.account_by_name(user)
    if account is None:  # an unknown user name may be a password typed in the wrong field: not logged
        return api_error(401, "INVALID_CREDENTIALS", "Authentication failed"), None
    if account["enabled"] != "Enabled" or not tenant.check_password(account, password):
        return api_error(401, "INVALID_CREDENTIALS", "Authentication failed"), account["name"]
    lifetime = tenant.config.account_token_seconds
    record = {"kind": "account", "identity": account["name"], "subjectId": account["id"],
              "displayName": account["name"], "privileges": tenant.account_privileges(account), "authType": "JSS",
              "privilegeSet": account["privilege_set"], "scope": "", "lifetime": lifetime}
    token, expires = _new_token(tenant, record, lifetime)
    return json_response(200, {"token": token, "expires": tenant.clock.iso(expires)}), account["name"]


def bearer_identity(tenant: Tenant, request: Request) -> Identity:
    """The identity behind ``Authorization: Bearer``; a 401 ApiError ``Failure`` otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized()
    key = digest(token.strip())
    record = tenant.tokens.get(key)
    if record is None:
        raise _unauthorized()
    if record["expires"] <= tenant.clock.now():
        del tenant.tokens[key]
        raise _unauthorized()
    return Identity(record["kind"], record["identity"], key, record)


def keep_alive(tenant: Tenant, identity: Identity) -> Any:
    """Swap the token for a new one with a renewed expiry; the old one stops working."""
    record = {k: v for k, v in identity.record.items() if k != "expires"}
    tenant.tokens.pop(identity.token_digest, None)
    token, expires = _new_token(tenant, record, record["lifetime"])
    return json_response(200, {"token": token, "expires": tenant.clock.iso(expires)})


def authorization(identity: Identity) -> dict[str, Any]:
    """``GET /api/v1/auth`` (``AuthorizationV1``) for a token."""
    record = identity.record
    is_client = record["kind"] == "client"
    account = {
        "id": str(record["subjectId"]),
        "username": record["displayName"],
        "realName": "" if is_client else record["displayName"],
        "email": "",
        "multiSiteAdmin": True,
        "accessLevel": "FullAccess",
        "privilegeSet": "CUSTOM" if is_client else str(record.get("privilegeSet", "Custom")).upper(),
        "privilegesBySite": {"-1": list(record["privileges"])},
        "groupIds": [],
        "currentSiteId": "-1",
    }
    if account["privilegeSet"] not in ("ADMINISTRATOR", "AUDITOR", "ENROLLMENT", "CUSTOM"):
        account["privilegeSet"] = "CUSTOM"
    return {"account": account, "accountGroups": [], "sites": [], "authenticationType": record["authType"]}
