"""The route table: every Jamf endpoint the simulator serves, and when it exists.

Each route names the handler, whether it needs a bearer token, and the Jamf Pro versions it
exists in.  Templates are the specs' own (``/api/v1/scripts/{id}``), so a route's required
privileges are exactly what ``generator.catalogue.operation_for`` returns for the request;
only the Classic ``BlankPush`` (which the catalogue deliberately leaves out) carries a hand-kept
privilege here ("Create Computers", the Classic "Computers > Create" privilege).  ``/`` and
``/healthCheck.html`` are the web app's (``web``), not the API's.  ``HEAD`` matches ``GET``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from . import api_access, api_auth, api_inventory, api_mdm, api_msu, api_objects, classic, classic_groups, web
from .config import API_CLIENTS_SINCE, BLANK_PUSH_REMOVED, MSU_PLANS_SINCE, VersionTuple
from .context import Ctx
from .messages import Response

Handler = Callable[[Ctx], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler = field(compare=False)
    auth: bool = True
    since: VersionTuple = (0, 0, 0)
    removed: VersionTuple | None = None
    privileges: tuple[str, ...] | None = None  # only where operation_for has no entry
    regex: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        pattern = "^" + re.sub(r"\\\{([A-Za-z_]+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template)) + "$"
        object.__setattr__(self, "regex", re.compile(pattern))

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def classic(self) -> bool:
        return self.template.startswith("/JSSResource/")

    def exists_in(self, version: VersionTuple) -> bool:
        return version >= self.since and (self.removed is None or version < self.removed)


def _table() -> list[Route]:
    """Every route, one row each. Long on purpose: a route table reads best whole, in one place."""
    r = Route
    msu = "/api/v1/managed-software-updates/plans"
    rows = [
        r("POST", "/api/v1/oauth/token", api_auth.oauth_token, auth=False, since=API_CLIENTS_SINCE),
        r("POST", "/api/oauth/token", api_auth.oauth_token, auth=False, since=API_CLIENTS_SINCE),
        r("POST", "/api/v1/auth/token", api_auth.auth_token, auth=False),
        r("POST", "/api/v1/auth/keep-alive", api_auth.keep_alive),
        r("POST", "/api/v1/auth/invalidate-token", api_auth.invalidate),
        r("GET", "/api/v1/auth", api_auth.authorization),
        r("GET", "/api/v1/jamf-pro-version", api_auth.version),
        r("GET", "/api/v1/api-roles", api_access.list_roles, since=API_CLIENTS_SINCE),
        r("POST", "/api/v1/api-roles", api_access.create_role, since=API_CLIENTS_SINCE),
        r("GET", "/api/v1/api-roles/{id}", api_access.get_role, since=API_CLIENTS_SINCE),
        r("PUT", "/api/v1/api-roles/{id}", api_access.update_role, since=API_CLIENTS_SINCE),
        r("DELETE", "/api/v1/api-roles/{id}", api_access.delete_role, since=API_CLIENTS_SINCE),
        r("GET", "/api/v1/api-role-privileges", api_access.privileges, since=API_CLIENTS_SINCE),
        r("GET", "/api/v1/api-role-privileges/search", api_access.search_privileges, since=API_CLIENTS_SINCE),
        r("GET", "/api/v1/api-integrations", api_access.list_clients, since=API_CLIENTS_SINCE),
        r("POST", "/api/v1/api-integrations", api_access.create_client, since=API_CLIENTS_SINCE),
        r("GET", "/api/v1/api-integrations/{id}", api_access.get_client, since=API_CLIENTS_SINCE),
        r("PUT", "/api/v1/api-integrations/{id}", api_access.update_client, since=API_CLIENTS_SINCE),
        r("DELETE", "/api/v1/api-integrations/{id}", api_access.delete_client, since=API_CLIENTS_SINCE),
        r("POST", "/api/v1/api-integrations/{id}/client-credentials", api_access.client_credentials,
          since=API_CLIENTS_SINCE),
        r("GET", "/api/v1/scripts", api_objects.list_scripts),
        r("POST", "/api/v1/scripts", api_objects.create_script),
        r("GET", "/api/v1/scripts/{id}", api_objects.get_script),
        r("PUT", "/api/v1/scripts/{id}", api_objects.update_script),
        r("DELETE", "/api/v1/scripts/{id}", api_objects.delete_script),
        r("GET", "/api/v1/categories", api_objects.list_categories),
        r("POST", "/api/v1/categories", api_objects.create_category),
        r("GET", "/api/v1/categories/{id}", api_objects.get_category),
        r("PUT", "/api/v1/categories/{id}", api_objects.update_category),
        r("DELETE", "/api/v1/categories/{id}", api_objects.delete_category),
        r("GET", "/api/v1/computer-extension-attributes", api_objects.list_eas),
        r("POST", "/api/v1/computer-extension-attributes", api_objects.create_ea),
        r("GET", "/api/v1/computer-extension-attributes/{id}", api_objects.get_ea),
        r("PUT", "/api/v1/computer-extension-attributes/{id}", api_objects.update_ea),
        r("DELETE", "/api/v1/computer-extension-attributes/{id}", api_objects.delete_ea),
        r("GET", "/api/v1/computers-inventory", api_inventory.list_v1),
        r("GET", "/api/v1/computers-inventory/{id}", api_inventory.get_v1),
        r("GET", "/api/v3/computers-inventory", api_inventory.list_v3),
        r("GET", "/api/v3/computers-inventory/{id}", api_inventory.get_v3),
        r("GET", msu + "/feature-toggle", api_msu.get_toggle, since=MSU_PLANS_SINCE),
        r("PUT", msu + "/feature-toggle", api_msu.put_toggle, since=MSU_PLANS_SINCE),
        r("GET", msu + "/feature-toggle/status", api_msu.toggle_status, since=MSU_PLANS_SINCE),
        r("GET", msu, api_msu.list_plans, since=MSU_PLANS_SINCE),
        r("POST", msu, api_msu.create_plans, since=MSU_PLANS_SINCE),
        r("GET", msu + "/{id}", api_msu.get_plan, since=MSU_PLANS_SINCE),
        r("GET", msu + "/{id}/events", api_msu.plan_events, since=MSU_PLANS_SINCE),
        r("POST", "/api/v1/macos-managed-software-updates/send-updates", api_msu.send_updates),
        r("POST", "/api/v2/mdm/blank-push", api_mdm.blank_push, since=BLANK_PUSH_REMOVED),
        r("GET", "/", web.login_page, auth=False),
        r("GET", "/healthCheck.html", web.health_check, auth=False),
    ]
    for resource in ("osxconfigurationprofiles", "policies"):
        base = f"/JSSResource/{resource}"
        rows.append(r("GET", base, classic.list_objects))
        for by in ("id/{id}", "name/{name}"):
            rows += [
                r("GET", f"{base}/{by}", classic.get_object),
                r("GET", f"{base}/{by}/subset/{{subset}}", classic.get_object),
                r("POST", f"{base}/{by}", classic.create_object),
                r("PUT", f"{base}/{by}", classic.update_object),
                r("DELETE", f"{base}/{by}", classic.delete_object),
            ]
    rows.append(r("GET", "/JSSResource/accounts", classic.list_accounts))
    for by in ("userid/{id}", "username/{name}"):
        rows += [
            r("GET", f"/JSSResource/accounts/{by}", classic.get_account),
            r("POST", f"/JSSResource/accounts/{by}", classic.create_account),
            r("PUT", f"/JSSResource/accounts/{by}", classic.update_account),
            r("DELETE", f"/JSSResource/accounts/{by}", classic.delete_account),
        ]
    rows.append(r("GET", "/JSSResource/computergroups", classic_groups.list_groups))
    for by in ("id/{id}", "name/{name}"):
        rows += [
            r("GET", f"/JSSResource/computergroups/{by}", classic_groups.get_group),
            r("POST", f"/JSSResource/computergroups/{by}", classic_groups.create_group),
            r("PUT", f"/JSSResource/computergroups/{by}", classic_groups.update_group),
            r("DELETE", f"/JSSResource/computergroups/{by}", classic_groups.delete_group),
        ]
    rows.append(r("DELETE", "/JSSResource/logflush/{log}/id/{id}/interval/{interval}", classic.flush_log))
    rows.append(r("POST", "/JSSResource/computercommands/command/{command}/id/{id}", classic.blank_push,
                  removed=BLANK_PUSH_REMOVED, privileges=("Create Computers",)))
    # Literal segments beat parameters (/plans/feature-toggle before /plans/{id}), as in the catalogue.
    rows.sort(key=lambda route: (route.template.count("{"), -len(route.template)))
    return rows


@cache
def routes() -> tuple[Route, ...]:
    return tuple(_table())


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
    """``(route, path params, [])`` or ``(None, {}, methods that would match the path)``.

    ``HEAD`` is answered by the ``GET`` route (headers only), as by Jamf's servlet container."""
    method = "GET" if method == "HEAD" else method
    allowed: list[str] = []
    for route in routes():
        found = route.regex.match(path)
        if found is None:
            continue
        if route.method == method:
            return route, found.groupdict(), []
        allowed.append(route.method)
    return None, {}, allowed
