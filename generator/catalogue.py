"""The endpoint catalogue: every Jamf Pro endpoint the agent and the uploader call, and the
privileges each needs.

This is the heart of the product.  The API role granted on the server is *derived* here as
the union of the privileges of the endpoints the rendered agent calls, so the agent and the
server can never drift apart:

* Jamf Pro API endpoints take their privileges from Jamf's own ``x-required-privileges``
  (via ``specindex``), never typed by hand.
* Endpoints the vendored specs lack (the unversioned OAuth token, the Classic XML resources)
  take theirs from ``HAND_KEPT``, each entry citing its source.

Decisions (written down because no issue says them):

* The agent never blank-pushes.  The Classic BlankPush was removed in Jamf Pro 11.28; its
  successor ``POST /api/v2/mdm/blank-push`` needs "View MDM command information in Jamf Pro
  API" (a valid 11.12 privilege name, in ``api-role-privileges-11.12.txt``).  Jamf Pro sends
  its own push when it queues a plan's or send-updates' MDM commands, so a blank push would
  only add a privilege to the role, and the v2 endpoint needs the Mac's management id, one
  more lookup.  So neither "Create Computers" nor that privilege is in the role.
* ``msu_workflow = "legacy"`` means the agent does not consult the feature toggle, so the
  legacy role needs no Managed Software Updates privilege at all; ``auto`` consults it and
  needs the union of both workflows (which for the new set adds nothing).
* The computer lookup by serial/UDID (``/v3``, falling back to ``/v1``) is always catalogued:
  it is the fallback when the ``AuthJamfComputerID`` profile has not arrived yet, and is
  much cheaper than ``jamf recon``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .specindex import load_index, valid_privileges

# The seed page's lists, verbatim (shared/seed: "Jamf Pro API Required Privileges").
SEED_ROLE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "new": (
        "Read Computers",
        "Create Managed Software Updates",
        "Read Managed Software Updates",
        "Read Mobile Devices",
        "Send Computer Remote Command to Download and Install OS X Update",
        "Send Mobile Device Remote Command to Download and Install iOS Update",
    ),
    "legacy": (
        "Create Computers",
        "Create Managed Software Updates",
        "Read Managed Software Updates",
        "Update Managed Software Updates",
        "Send Computer Remote Command to Download and Install OS X Update",
    ),
}
SEED_ACCOUNT_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "new": (
        "Jamf Pro Server Objects > Computers > Read",
        "Jamf Pro Server Objects > Managed Software Updates > Create",
        "Jamf Pro Server Objects > Managed Software Updates > Read",
        "Jamf Pro Server Objects > Mobile Devices > Read",
        "Jamf Pro Server Actions > Send Computer Remote Command to Download and Install macOS Update",
        "Jamf Pro Server Actions > Send Mobile Device Remote Command to Download and Install iOS Update",
    ),
    "legacy": (
        "Jamf Pro Server Objects > Computers > Create",
        "Jamf Pro Server Objects > Managed Software Updates > Create",
        "Jamf Pro Server Objects > Managed Software Updates > Read",
        "Jamf Pro Server Objects > Managed Software Updates > Update",
        "Jamf Pro Server Actions > Send Computer Remote Command to Download and Install macOS Update",
    ),
}

# API-role names whose user-account form is a Jamf Pro Server *Action*; the UI (and the seed)
# says "macOS Update" where the API-role name still says "OS X Update".
ACCOUNT_ACTION_NAMES: dict[str, str] = {
    "Send Computer Remote Command to Download and Install OS X Update":
        "Send Computer Remote Command to Download and Install macOS Update",
    "Send Mobile Device Remote Command to Download and Install iOS Update":
        "Send Mobile Device Remote Command to Download and Install iOS Update",
}
CRUD_VERBS = ("Create", "Read", "Update", "Delete")


@dataclass(frozen=True)
class Endpoint:
    key: str
    method: str
    path: str  # absolute on the server: /api/... or /JSSResource/...
    privileges: tuple[str, ...]
    source: str
    purpose: str

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


# Endpoints absent from the vendored Jamf Pro API files, or Classic ones whose spec carries only
# Platform-gateway scopes.  The Classic names below are the 11.12 API-role names matching the
# gateway scope the Classic spec (11.26) cites for the same operation.
HAND_KEPT: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("POST", "/api/oauth/token"): ((), "jamf-api-facts §1: unversioned OAuth endpoint, 10.49+, no privilege "
                                        "(x-authentication-required: false); not in the vendored specs"),
    ("POST", "/api/v2/mdm/blank-push"): (
        ("View MDM command information in Jamf Pro API",),
        "hand-kept (assumption): no vendored spec file has /v2/mdm/blank-push; the privilege is the one Jamf Pro "
        "11.28 refuses it without (Macjutsu/super issue #382), a valid 11.12 name"),
    # Classic spec 11.26 operation createLogFlushWithIdAndInterval needs two gateway scopes.
    ("DELETE", "/JSSResource/logflush/{log}/id/{id}/interval/{interval}"): (
        ("Delete Policies", "Flush Policy Logs"),
        "hand-kept: Classic spec 11.26 gateway scopes delete:pro:policies, execute:pro:flush-policy-logs -> "
        "11.12 names 'Delete Policies', 'Flush Policy Logs'"),
}
_CLASSIC_KINDS = {
    "osxconfigurationprofiles": "macOS Configuration Profiles",
    "policies": "Policies",
    "accounts": "Accounts",
    "categories": "Categories",
    "computers": "Computers",
    # Classic computergroups serves static and smart groups alike; this tool only writes smart ones.
    "computergroups": "Smart Computer Groups",
}
_CLASSIC_VERB = {"GET": "Read", "POST": "Create", "PUT": "Update", "DELETE": "Delete"}


def _classic(method: str, path: str) -> tuple[tuple[str, ...], str]:
    index = load_index()["classic"]
    kind = path.split("/")[2]
    name = f"{_CLASSIC_VERB[method]} {_CLASSIC_KINDS[kind]}"
    scopes = index.get(f"{method} {path}", {}).get("gateway_scopes", [])
    return (name,), f"hand-kept: Classic spec 11.26 gateway scope {', '.join(scopes) or '(none)'} -> 11.12 name {name!r}"


def endpoint(key: str, method: str, path: str, purpose: str) -> Endpoint:
    if (method, path) in HAND_KEPT:
        privileges, source = HAND_KEPT[(method, path)]
    elif path.startswith("/JSSResource/"):
        privileges, source = _classic(method, path)
    else:
        entry = load_index()["pro"].get(f"{method} {path}")
        if entry is None:
            raise KeyError(f"{method} {path} is neither in the vendored Jamf specs nor in HAND_KEPT")
        privileges = tuple(entry["privileges"])
        source = f"{entry['file']} x-required-privileges"
    return Endpoint(key, method, path, privileges, source, purpose)


# --- the agent ------------------------------------------------------------------------------
@cache
def _agent_table() -> dict[str, Endpoint]:
    e = endpoint
    rows = [
        e("token.client", "POST", "/api/v1/oauth/token", "OAuth client-credentials token"),
        e("token.client.legacy", "POST", "/api/oauth/token", "OAuth token on servers without /api/v1/oauth/token (404)"),
        e("token.account", "POST", "/api/v1/auth/token", "basic auth -> bearer token"),
        e("auth.check", "GET", "/api/v1/auth", "token check; reports the token's privileges"),
        e("auth.invalidate", "POST", "/api/v1/auth/invalidate-token", "invalidate the token on exit"),
        e("computer.lookup.v3", "GET", "/api/v3/computers-inventory", "computer id by serial or UDID"),
        e("computer.lookup.v1", "GET", "/api/v1/computers-inventory", "computer id lookup on servers without /v3"),
        e("msu.toggle", "GET", "/api/v1/managed-software-updates/plans/feature-toggle", "new or legacy workflow?"),
        e("msu.plan.create", "POST", "/api/v1/managed-software-updates/plans", "new workflow: create the update plan"),
        e("msu.plan.read", "GET", "/api/v1/managed-software-updates/plans/{id}", "new workflow: plan progress"),
        e("msu.plan.list", "GET", "/api/v1/managed-software-updates/plans",
          "new workflow: find the plan Jamf already runs for this Mac (EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS)"),
        e("msu.legacy.send", "POST", "/api/v1/macos-managed-software-updates/send-updates", "legacy workflow: send the update"),
    ]
    return {row.key: row for row in rows}


_COMMON = ("auth.check", "auth.invalidate", "computer.lookup.v3", "computer.lookup.v1")
_TOKEN = {"jamf-client": ("token.client", "token.client.legacy"), "jamf-account": ("token.account",)}
_WORKFLOW = {
    "new": ("msu.toggle", "msu.plan.create", "msu.plan.read", "msu.plan.list"),
    "legacy": ("msu.legacy.send",),
    "auto": ("msu.toggle", "msu.plan.create", "msu.plan.read", "msu.plan.list", "msu.legacy.send"),
}


def agent_endpoints(workflow: str, method: str = "jamf-client") -> list[Endpoint]:
    """Every endpoint the agent calls for a workflow mode and a Jamf credential method."""
    if method == "none":
        return []
    table = _agent_table()
    return [table[k] for k in (*_TOKEN[method], *_COMMON, *_WORKFLOW[workflow])]


def all_agent_endpoints() -> list[Endpoint]:
    return list(_agent_table().values())


def role_privileges(workflow: str) -> list[str]:
    """The API role the agent's client needs: exactly the union of its endpoints' privileges."""
    return sorted({p for ep in agent_endpoints(workflow, "jamf-client") for p in ep.privileges})


def account_form(privilege: str) -> str:
    """A Jamf Pro API-role privilege in its user-account form (seed: 'Jamf Pro Server ... > ...')."""
    if privilege in ACCOUNT_ACTION_NAMES:
        return f"Jamf Pro Server Actions > {ACCOUNT_ACTION_NAMES[privilege]}"
    verb, _, obj = privilege.partition(" ")
    if verb in CRUD_VERBS and obj:
        return f"Jamf Pro Server Objects > {obj} > {verb}"
    raise KeyError(f"no user-account form known for privilege {privilege!r}")


def classic_account_group(privilege: str) -> str:
    """Which <privileges> group a Classic account XML puts this privilege in."""
    return "jss_actions" if privilege in ACCOUNT_ACTION_NAMES else "jss_objects"


def account_privileges(workflow: str) -> list[str]:
    """The standard account's privileges (account form) for the jamf-account method."""
    return sorted({account_form(p) for ep in agent_endpoints(workflow, "jamf-account") for p in ep.privileges})


def privilege_endpoints(endpoints: list[Endpoint]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ep in endpoints:
        for p in ep.privileges:
            out.setdefault(p, []).append(ep.label)
    return dict(sorted(out.items()))


def _seed_workflow(workflow: str) -> str:
    return "legacy" if workflow == "legacy" else "new"


def seed_differences(workflow: str, method: str) -> list[dict[str, str]]:
    """Privilege-by-privilege differences from the seed page's list, each with its reason."""
    eps = agent_endpoints(workflow, method)
    if method == "jamf-client":
        derived = set(role_privileges(workflow))
        seed = set(SEED_ROLE_PRIVILEGES[_seed_workflow(workflow)])
        needed_by = privilege_endpoints(eps)
    else:
        derived = set(account_privileges(workflow))
        seed = set(SEED_ACCOUNT_PRIVILEGES[_seed_workflow(workflow)])
        needed_by = {account_form(p): e for p, e in privilege_endpoints(eps).items()}
    diffs = [{"privilege": p, "change": "added", "reason": "needed by " + ", ".join(needed_by[p])}
             for p in sorted(derived - seed)]
    diffs += [{"privilege": p, "change": "dropped",
               "reason": "no endpoint the agent calls in this workflow needs it"} for p in sorted(seed - derived)]
    return diffs


# --- the uploader ---------------------------------------------------------------------------
@cache
def uploader_endpoints() -> list[Endpoint]:
    e = endpoint
    rows = [
        e("up.token", "POST", "/api/v1/oauth/token", "uploader token"),
        e("up.token.legacy", "POST", "/api/oauth/token", "uploader token fallback"),
        e("up.token.account", "POST", "/api/v1/auth/token", "uploader basic -> bearer"),
        e("up.version", "GET", "/api/v1/jamf-pro-version", "server version"),
        e("up.privileges", "GET", "/api/v1/api-role-privileges", "valid privilege names on this server"),
        e("up.categories.list", "GET", "/api/v1/categories", "find category"),
        e("up.categories.create", "POST", "/api/v1/categories", "create category"),
        e("up.roles.list", "GET", "/api/v1/api-roles", "find API role"),
        e("up.roles.create", "POST", "/api/v1/api-roles", "create API role"),
        e("up.roles.update", "PUT", "/api/v1/api-roles/{id}", "update API role"),
        e("up.clients.list", "GET", "/api/v1/api-integrations", "find API client"),
        e("up.clients.create", "POST", "/api/v1/api-integrations", "create API client"),
        e("up.clients.update", "PUT", "/api/v1/api-integrations/{id}", "update / disable API client"),
        e("up.clients.delete", "DELETE", "/api/v1/api-integrations/{id}", "retire a rotated API client"),
        e("up.clients.secret", "POST", "/api/v1/api-integrations/{id}/client-credentials", "create client secret"),
        e("up.scripts.list", "GET", "/api/v1/scripts", "find scripts"),
        e("up.scripts.create", "POST", "/api/v1/scripts", "create script"),
        e("up.scripts.read", "GET", "/api/v1/scripts/{id}", "read script"),
        e("up.scripts.update", "PUT", "/api/v1/scripts/{id}", "update script"),
        e("up.eas.list", "GET", "/api/v1/computer-extension-attributes", "find extension attributes"),
        e("up.eas.create", "POST", "/api/v1/computer-extension-attributes", "create extension attribute"),
        e("up.eas.read", "GET", "/api/v1/computer-extension-attributes/{id}", "read extension attribute"),
        e("up.eas.update", "PUT", "/api/v1/computer-extension-attributes/{id}", "update extension attribute"),
        e("up.profiles.list", "GET", "/JSSResource/osxconfigurationprofiles", "find profiles"),
        e("up.profiles.read", "GET", "/JSSResource/osxconfigurationprofiles/id/{id}", "read profile"),
        e("up.profiles.create", "POST", "/JSSResource/osxconfigurationprofiles/id/{id}", "create profile (id 0)"),
        e("up.profiles.update", "PUT", "/JSSResource/osxconfigurationprofiles/id/{id}", "update profile"),
        e("up.policies.list", "GET", "/JSSResource/policies", "find policies"),
        e("up.policies.read", "GET", "/JSSResource/policies/id/{id}", "read policy"),
        e("up.policies.create", "POST", "/JSSResource/policies/id/{id}", "create policy (id 0)"),
        e("up.policies.update", "PUT", "/JSSResource/policies/id/{id}", "update policy (credential hand-over)"),
        e("up.accounts.list", "GET", "/JSSResource/accounts", "find accounts"),
        e("up.accounts.read", "GET", "/JSSResource/accounts/userid/{id}", "read account"),
        e("up.accounts.create", "POST", "/JSSResource/accounts/userid/{id}", "create account (id 0)"),
        e("up.accounts.update", "PUT", "/JSSResource/accounts/userid/{id}", "update account"),
        e("up.profiles.read.name", "GET", "/JSSResource/osxconfigurationprofiles/name/{name}", "read profile by name"),
        e("up.policies.read.name", "GET", "/JSSResource/policies/name/{name}", "read policy by name"),
        e("up.accounts.read.name", "GET", "/JSSResource/accounts/username/{name}", "read account by name"),
        e("up.policies.flush", "DELETE", "/JSSResource/logflush/{log}/id/{id}/interval/{interval}",
          "rotate: flush the credential policy's log so every Mac re-runs it"),
        e("up.scripts.delete", "DELETE", "/api/v1/scripts/{id}", "apply --prune: delete a script"),
        e("up.eas.delete", "DELETE", "/api/v1/computer-extension-attributes/{id}",
          "apply --prune: delete an extension attribute"),
        e("up.profiles.delete", "DELETE", "/JSSResource/osxconfigurationprofiles/id/{id}", "apply --prune: delete a profile"),
        e("up.policies.delete", "DELETE", "/JSSResource/policies/id/{id}", "apply --prune: delete a policy"),
        e("up.roles.delete", "DELETE", "/api/v1/api-roles/{id}", "apply --prune: delete an API role"),
        e("up.accounts.delete", "DELETE", "/JSSResource/accounts/userid/{id}", "apply --prune: delete an account"),
        e("up.groups.list", "GET", "/JSSResource/computergroups", "find remediation smart groups"),
        e("up.groups.read", "GET", "/JSSResource/computergroups/id/{id}", "read a smart group"),
        e("up.groups.read.name", "GET", "/JSSResource/computergroups/name/{name}", "read a smart group by name"),
        e("up.groups.create", "POST", "/JSSResource/computergroups/id/{id}", "create a smart group (id 0)"),
        e("up.groups.update", "PUT", "/JSSResource/computergroups/id/{id}", "update a smart group's criteria"),
        e("up.groups.delete", "DELETE", "/JSSResource/computergroups/id/{id}", "apply --prune: delete a smart group"),
    ]
    return rows


# Endpoints that create or change what can authenticate (API roles, API clients and their secrets,
# accounts): whoever may call them can grant itself any privilege.  Only the bootstrap role has them.
BOOTSTRAP_ONLY = frozenset({
    "up.roles.create", "up.roles.update", "up.roles.delete", "up.clients.create", "up.clients.update",
    "up.clients.delete", "up.clients.secret", "up.accounts.create", "up.accounts.update", "up.accounts.delete",
})
UPLOADER_ROLES = {"bootstrap": "jamf-enforcer uploader", "content": "jamf-enforcer uploader (content)"}


def uploader_privileges(role: str = "bootstrap") -> list[str]:
    """The uploader's privileges: ``bootstrap`` (every command; the single role) or ``content``.

    ``content`` is the bootstrap role without the privileges of ``BOOTSTRAP_ONLY`` endpoints: it
    runs plan, audit and every apply that writes content only, but cannot create or change an
    API role, API client, client secret or account.  It keeps Read Policies, which shows the
    credential policy's parameters (the agent's credential): see the README's security model.
    """
    if role not in UPLOADER_ROLES:
        raise ValueError(f"uploader role must be one of {', '.join(UPLOADER_ROLES)}, got {role!r}")
    everything = {p for ep in uploader_endpoints() for p in ep.privileges}
    if role == "bootstrap":
        return sorted(everything)
    escalating = {p for ep in uploader_endpoints() if ep.key in BOOTSTRAP_ONLY for p in ep.privileges}
    shared = {p for ep in uploader_endpoints() if ep.key not in BOOTSTRAP_ONLY for p in ep.privileges}
    return sorted(everything - (escalating - shared))


# --- the reporter ---------------------------------------------------------------------------
@cache
def reporter_endpoints() -> list[Endpoint]:
    """Every endpoint ``jamf-enforcer report`` calls: reads only, and none that returns a policy (whose
    script parameters may carry the agent's credential)."""
    e = endpoint
    return [
        e("rep.token", "POST", "/api/v1/oauth/token", "reporter token"),
        e("rep.token.legacy", "POST", "/api/oauth/token", "reporter token fallback"),
        e("rep.token.account", "POST", "/api/v1/auth/token", "reporter basic -> bearer"),
        e("rep.auth", "GET", "/api/v1/auth", "the token's privileges: is the audit role granted too?"),
        e("rep.inventory", "GET", "/api/v3/computers-inventory", "the agent's extension attributes, OS, hardware"),
        e("rep.plans", "GET", "/api/v1/managed-software-updates/plans", "failed plans and their errorReasons"),
    ]


def reporter_privileges() -> list[str]:
    """The reporter role: exactly the union of the report's endpoints' privileges."""
    return sorted({p for ep in reporter_endpoints() for p in ep.privileges})


PLANNER_ROLE = "jamf-enforcer planner (read-only)"
REPORTER_ROLE = "jamf-enforcer reporter"


def audit_privileges() -> list[str]:
    """What ``plan`` and ``audit`` read with (the uploader's GET endpoints): the read-only planner role
    (``dist/jamf/planner-role.json``) a pull request's plan runs on.  The report shows drift only when
    its client holds all of these as well."""
    return sorted({p for ep in uploader_endpoints() if ep.method == "GET" for p in ep.privileges})


# --- matching concrete requests (the simulator and the contract tests use this) -------------
@cache
def _templates() -> list[tuple[str, re.Pattern[str], str]]:
    keys = [*load_index()["pro"], *(f"{m} {p}" for m, p in HAND_KEPT)]
    out = []
    for key in keys:
        method, path = key.split(" ", 1)
        regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        out.append((method, regex, path))
    # Literal segments beat parameters (/plans/feature-toggle before /plans/{id}).
    out.sort(key=lambda t: (t[2].count("{"), -len(t[2])))
    return out


def operation_for(method: str, path: str) -> Endpoint | None:
    """The catalogued or spec operation a concrete request hits, with its privileges."""
    method = method.upper()
    for m, regex, template in _templates():
        if m == method and regex.match(path):
            return endpoint(f"{m} {template}", m, template, "")
    classic = re.match(r"^/JSSResource/(osxconfigurationprofiles|policies|accounts|categories|computers|computergroups)(/.*)?$",
                       path)
    if classic and method in _CLASSIC_VERB:
        privileges = (f"{_CLASSIC_VERB[method]} {_CLASSIC_KINDS[classic.group(1)]}",)
        return Endpoint(f"{method} {path}", method, path, privileges, "hand-kept Classic map", "")
    return None


def unknown_privileges(privileges: list[str]) -> list[str]:
    """Names not in Jamf Pro 11.12's list of valid API-role privileges."""
    valid = valid_privileges()
    return [p for p in privileges if p not in valid]
