"""bundle.toml → a validated, immutable ``BundleSpec``.

This module owns the one file an admin edits.  The schema below (``SCHEMA``) is the single
description of every key: it drives parsing, type checks, did-you-mean suggestions for unknown
keys, defaults, and the bundle.toml reference in the README (a test keeps the README in sync).

Every error is a ``BundleError`` whose message is one line naming the file, the key (or the
line and column for TOML syntax errors) and what was expected.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

MDM_FAILOVER_TYPES = ("ALWAYS", "NOSERVICE", "HARD", "SOFT", "INSTALLNOW", "BOOTSTRAP")
MSU_WORKFLOWS = ("auto", "new", "legacy")
CREDENTIAL_METHODS = ("jamf-client", "jamf-account", "none")
UPDATE_ACTIONS = ("DOWNLOAD_INSTALL_RESTART", "DOWNLOAD_INSTALL", "DOWNLOAD_ONLY")
UPDATE_MECHANISMS = ("auto", "ddm", "mdm-command")
REVERSE_DNS = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")
AGENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
ENV_REF = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")
# keyring:SERVICE/ACCOUNT (keychain: is jamf-cli's spelling of the same): the account is what follows
# the LAST "/", so a service may be a URL (jamf-pro-sdk's layout: service https://host, account the
# client id).  The service never ends in "/", so keyring:https://host (no account) matches nothing;
# neither part holds a control character (a pasted newline).
_KR = r"[^/\x00-\x1f\x7f]"
KEYRING_REF = re.compile(rf"(?:keyring|keychain):(?P<service>[^\x00-\x1f\x7f]*{_KR})/(?P<account>{_KR}+)")
CREDENTIAL_REF = re.compile(rf"env:[A-Za-z_][A-Za-z0-9_]*|file:.+|{KEYRING_REF.pattern}")
CREDENTIAL_REF_FORMS = "env:VAR, file:PATH or keyring:SERVICE/ACCOUNT (alias keychain:)"
VERSION = re.compile(r"^\d+(\.\d+){1,2}$")
MAX_POLICY_PARAMETERS = 8  # Jamf script parameters $4–$11


class BundleError(ValueError):
    """A one-line, user-facing description of what is wrong with a bundle."""


@dataclass(frozen=True)
class Field:
    kind: str  # "str", "int", "bool", "list[str]", "date"
    default: Any
    doc: str
    check: Callable[[Any], str | None] | None = None  # returns what is expected, or None


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else "one of " + ", ".join(choices)


def _pattern(regex: re.Pattern[str], expected: str) -> Callable[[Any], str | None]:
    return lambda v: None if regex.match(v) else expected


def _update_action(v: str) -> str | None:
    if v == "DOWNLOAD_INSTALL_SCHEDULE":  # the DDM plan: chosen by agent.update_mechanism, not here
        return "an MDM-command action (" + ", ".join(UPDATE_ACTIONS) + "); DDM plans are chosen by agent.update_mechanism"
    return _one_of(UPDATE_ACTIONS)(v)


def _https_or_empty(v: str) -> str | None:
    return None if v == "" or re.match(r"^https://[^\s/]+", v) else "an https:// URL (or empty)"


def _https(v: str) -> str | None:
    return None if re.match(r"^https://[^\s/]+", v) else "an https:// URL"


def _https_or_env(v: str) -> str | None:
    return None if ENV_REF.match(v) or _https(v) is None else "an https:// URL or env:VAR"


def _path_or_env(v: str) -> str | None:
    return None if v == "" or ENV_REF.match(v) or not v.startswith("env:") else "a file path or env:VAR (or empty)"


def _range(lo: int, hi: int) -> Callable[[Any], str | None]:
    return lambda v: None if lo <= v <= hi else f"an integer from {lo} to {hi}"


def _failover_types(values: list[str]) -> str | None:
    bad = [v for v in values if v not in MDM_FAILOVER_TYPES]
    return None if not bad else "failover types from " + ", ".join(MDM_FAILOVER_TYPES)


def _non_empty(v: str) -> str | None:
    return None if v.strip() else "a non-empty string"


def _name_safe(v: str) -> str | None:
    # Jamf trims names on save; a name with outer whitespace would never match again.
    if not v.strip() or v != v.strip():
        return "a non-empty name without leading or trailing spaces"
    return None


def _credential_ref(v: str) -> str | None:
    if v == "" or CREDENTIAL_REF.fullmatch(v):
        return None
    return f"a credential reference {CREDENTIAL_REF_FORMS}, never a literal secret"


SCHEMA: dict[str, dict[str, Field]] = {
    "bundle": {
        "name": Field("str", None, "Human name of the bundle, shown in profile and policy names.", _non_empty),
        "version": Field("str", None, "Bundle version (e.g. 1.0.0); the agent reports it.",
                         _pattern(VERSION, "a version like 1.0 or 1.0.0")),
        "identifier": Field("str", None,
                            "Organisation identifier in reverse-DNS form (e.g. com.example). The agent's "
                            "preference domain, keychain service, status plist path and profile "
                            "identifiers derive from it.",
                            _pattern(REVERSE_DNS, "a lower-case reverse-DNS identifier like com.example")),
    },
    "agent": {
        "name": Field("str", "enforcer", "Short agent name (a-z, 0-9, -); domain = identifier + '.' + name.",
                      _pattern(AGENT_NAME, "a short lower-case name like enforcer")),
        "msu_workflow": Field("str", "auto",
                              "Jamf managed software update workflow: auto (follow the server's feature "
                              "toggle), new (plans) or legacy (send-updates).", _one_of(MSU_WORKFLOWS)),
        "credential_method": Field("str", "jamf-client",
                                   "Credential the rendered credential policy delivers: jamf-client, "
                                   "jamf-account, or none (sites that use the local methods).",
                                   _one_of(CREDENTIAL_METHODS)),
        "mdm_failover_to_user": Field("list[str]", [],
                                      "MDM failover types: ALWAYS, NOSERVICE, HARD, SOFT, INSTALLNOW, BOOTSTRAP.",
                                      _failover_types),
        "credential_failover_to_user": Field("bool", False,
                                             "Let the user authenticate when a managed credential fails validation."),
        "soft_deadline_days": Field("int", 7, "Days after the zero date until the soft deadline (0 = none).",
                                    _range(0, 365)),
        "hard_deadline_days": Field("int", 14, "Days after the zero date until the hard deadline (0 = none).",
                                    _range(0, 365)),
        "soft_deadline_date": Field("date", "", "Fixed soft deadline YYYY-MM-DD (empty = none); the earlier wins."),
        "hard_deadline_date": Field("date", "", "Fixed hard deadline YYYY-MM-DD (empty = none); the earlier wins."),
        "error_deferral_minutes": Field("int", 60, "Minutes to wait after a failed MDM workflow.", _range(2, 10080)),
        "deferral_minutes": Field("int", 240, "Minutes between runs while the user defers before the soft deadline.",
                                  _range(2, 10080)),
        "mdm_workflow_timeout_minutes": Field("int", 120,
                                              "A plan (or legacy push) showing no progress this long counts as failed.",
                                              _range(10, 10080)),
        "update_action": Field("str", "DOWNLOAD_INSTALL_RESTART",
                               "updateAction of an MDM-command plan (macOS 11.5–26, or update_mechanism = mdm-command).",
                               _update_action),
        "update_mechanism": Field("str", "auto",
                                  "How a plan is pushed: auto (a DDM plan to macOS 14+ when the server offers it, an "
                                  "MDM-command plan to 11.5–13 and where it does not), ddm (DDM to macOS 14+ only) or "
                                  "mdm-command (never DDM).", _one_of(UPDATE_MECHANISMS)),
        "ddm_lead_minutes": Field("int", 60,
                                  "A DDM plan's forced install time when its deadline is already past: now + this.",
                                  _range(5, 10080)),
        "extra_options": Field("list[str]", [],
                               "Further agent options the enforcement policy passes, one per Jamf parameter "
                               "(at most 8 options in all).",
                               lambda v: None if all(re.match(r"^--[a-z][a-z0-9-]*(=.*)?$", o) for o in v)
                               else "options of the form --name or --name=value"),
        "target_version": Field("str", "", "Pin updates to this macOS version (SPECIFIC_VERSION); empty = latest minor.",
                                lambda v: None if v == "" or VERSION.match(v) else "a macOS version like 15.6.1"),
    },
    "profile": {
        "computer_id_from_jssid": Field("bool", True, "Deliver AuthJamfComputerID = $JSSID so the agent never runs jamf recon."),
        "custom_url": Field("str", "", "AuthJamfCustomURL: Jamf Pro URL for API calls (https only; empty = the Jamf client's URL).",
                            _https_or_empty),
        "include_failover_keys": Field("bool", True,
                                       "Deliver AuthMDMFailoverToUser and AuthCredentialFailoverToUser from [agent]."),
        "ask_user_to_save_password": Field("bool", False, "AuthAskUserToSavePassword (local end-user method)."),
    },
    "jamf": {
        "category": Field("str", "Software Updates", "Jamf category for scripts, profile and policies.", _name_safe),
        "name_prefix": Field("str", "jamf-enforcer", "Prefix of every object this tool creates (prune touches only these).",
                             _name_safe),
        "api_role": Field("str", "Update Agent", "API role name (prefixed).", _name_safe),
        "api_client": Field("str", "Update Agent", "API client name (prefixed).", _name_safe),
        "token_lifetime_seconds": Field("int", 300, "API client access-token lifetime.", _range(60, 86400)),
        "service_account": Field("str", "update-agent", "Jamf standard account name for credential_method = jamf-account.",
                                 _name_safe),
        "scope_group": Field("str", "All Managed Clients", "Computer group the policies and profile are scoped to.", _name_safe),
        "policy_credentials": Field("str", "Save update credentials", "Credential policy name (prefixed).", _name_safe),
        "policy_enforcement": Field("str", "Enforce software updates", "Recurring enforcement policy name (prefixed).",
                                    _name_safe),
        "policy_install_now": Field("str", "Install software updates now", "Self Service install-now policy name (prefixed).",
                                    _name_safe),
        "policy_uninstall": Field("str", "Uninstall update agent", "Uninstall policy name (prefixed).", _name_safe),
        "enforcement_trigger": Field("str", "", "Custom trigger of the enforcement policy (empty = recurring check-in only)."),
        "rotation_grace_days": Field("int", 7, "Days an old API client stays enabled after rotate (0 = until rotate --retire).",
                                     _range(0, 365)),
        "uploader_roles": Field("str", "single", "Uploader API roles to render: single (one role for every command) or "
                                "split (a bootstrap role for the agent's role, client, account and credentials, and a "
                                "content role for day-to-day apply, which cannot grant itself privileges).",
                                _one_of(("single", "split"))),
    },
    "report": {
        "silent_days": Field("int", 14, "jamf-enforcer report: a Mac without an inventory report for this many days "
                             "counts as silent.", _range(1, 365)),
    },
}

TENANT_SCHEMA: dict[str, Field] = {
    "url": Field("str", None, "Jamf Pro base URL (https only), or env:VAR naming the variable that holds it.",
                 _https_or_env),
    "client_id": Field("str", "", "Uploader API client id: env:VAR, file:PATH or keyring:SERVICE/ACCOUNT "
                                  "(alias keychain:; ACCOUNT follows the last /).", _credential_ref),
    "client_secret": Field("str", "", "Uploader API client secret reference.", _credential_ref),
    "username": Field("str", "", "Uploader account name reference (instead of a client).", _credential_ref),
    "password": Field("str", "", "Uploader account password reference.", _credential_ref),
    "ca_file": Field("str", "", "PEM CA bundle to trust for this tenant: a path (relative to the bundle's folder) or "
                     "env:VAR; empty = the system's trust store (or REQUESTS_CA_BUNDLE). --ca-file wins.", _path_or_env),
}


@dataclass(frozen=True)
class Tenant:
    name: str
    url: str
    client_id: str = ""
    client_secret: str = ""
    username: str = ""
    password: str = ""
    ca_file: str = ""

    def endpoint(self, base_dir: str | Path) -> tuple[str, str | None]:
        """The tenant's base URL and CA file with ``env:`` references resolved (``jamf-enforcer sim
        --env-file`` writes those variables).  Raises ``BundleError`` naming the key."""

        def resolve(key: str, value: str) -> str:
            ref = ENV_REF.match(value)
            if not ref:
                return value
            resolved = os.environ.get(ref.group(1), "")
            if not resolved:
                raise BundleError(f"tenants.{self.name}.{key}: environment variable {ref.group(1)} is not set (from {value!r})")
            return resolved

        url = resolve("url", self.url)
        if _https(url):
            raise BundleError(f"tenants.{self.name}.url: expected an https:// URL, got {url!r} (from {self.url!r})")
        ca_file = resolve("ca_file", self.ca_file)
        if not ca_file:
            return url, None
        path = Path(ca_file).expanduser()
        if not path.is_absolute():
            path = Path(base_dir) / path
        if not path.is_file():
            raise BundleError(f"tenants.{self.name}.ca_file: {path} is not a file")
        return url, str(path)


@dataclass(frozen=True)
class BundleSpec:
    """A validated bundle.  Sections are plain dicts of the schema's keys (defaults filled in)."""

    path: str
    bundle: dict[str, Any]
    agent: dict[str, Any]
    profile: dict[str, Any]
    jamf: dict[str, Any]
    report: dict[str, Any]
    tenants: tuple[Tenant, ...] = field(default_factory=tuple)

    # Derived identities: one place so agent, profile and EAs can never disagree.
    @property
    def domain(self) -> str:
        return f"{self.bundle['identifier']}.{self.agent['name']}"

    @property
    def keychain_service(self) -> str:
        return self.domain

    @property
    def work_dir(self) -> str:
        return f"/Library/Management/{self.domain}"

    @property
    def status_plist(self) -> str:
        return f"{self.work_dir}/status.plist"

    @property
    def managed_plist(self) -> str:
        return f"/Library/Managed Preferences/{self.domain}.plist"

    def object_name(self, name: str) -> str:
        """Jamf object name carrying this tool's prefix (what prune and audit recognise)."""
        return f"{self.jamf['name_prefix']} {name}"

    def tenant(self, name: str) -> Tenant:
        for tenant in self.tenants:
            if tenant.name == name:
                return tenant
        known = ", ".join(t.name for t in self.tenants) or "none"
        raise BundleError(f"{self.path}: no tenant named {name!r} in [tenants] (known: {known})")


def _did_you_mean(key: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_value(path: str, dotted: str, spec: Field, value: Any) -> Any:
    expected_type = {
        "str": "a string", "int": "an integer", "bool": "true or false",
        "list[str]": "a list of strings", "date": "a date YYYY-MM-DD (or empty string)",
    }[spec.kind]
    # A credential slot may hold a pasted literal secret: never echo it back in the error.
    shown = "a value not shown here (it may be a secret)" if spec.check is _credential_ref else repr(value)
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list[str]": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "date": isinstance(value, (date, str)),
    }[spec.kind]
    if not ok:
        raise BundleError(f"{path}: {dotted}: expected {expected_type}, got {shown}")
    if spec.kind == "date":
        if isinstance(value, date):
            value = value.isoformat()
        elif value != "":
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError:
                raise BundleError(f"{path}: {dotted}: expected {expected_type}, got {shown}") from None
    if spec.check is not None:
        expected = spec.check(value)
        if expected:
            raise BundleError(f"{path}: {dotted}: expected {expected}, got {shown}")
    return value


def _section(path: str, name: str, raw: Any, schema: dict[str, Field]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise BundleError(f"{path}: [{name}]: expected a table")
    for key in raw:
        if key not in schema:
            raise BundleError(f"{path}: {name}.{key}: unknown key{_did_you_mean(key, list(schema))}")
    out: dict[str, Any] = {}
    for key, spec in schema.items():
        if key not in raw:
            if spec.default is None:
                raise BundleError(f"{path}: {name}.{key}: required key is missing ({spec.doc})")
            out[key] = list(spec.default) if isinstance(spec.default, list) else spec.default
            continue
        out[key] = _check_value(path, f"{name}.{key}", spec, raw[key])
    return out


def _cross_checks(path: str, agent: dict[str, Any]) -> None:
    soft, hard = agent["soft_deadline_days"], agent["hard_deadline_days"]
    if soft and hard and soft > hard:
        raise BundleError(f"{path}: agent.soft_deadline_days: expected at most hard_deadline_days ({hard}), got {soft}")
    sd, hd = agent["soft_deadline_date"], agent["hard_deadline_date"]
    if sd and hd and sd > hd:
        raise BundleError(f"{path}: agent.soft_deadline_date: expected on or before hard_deadline_date ({hd}), got {sd}")
    if len(set(agent["mdm_failover_to_user"])) != len(agent["mdm_failover_to_user"]):
        raise BundleError(f"{path}: agent.mdm_failover_to_user: expected each failover type once")
    if agent["update_mechanism"] == "ddm" and agent["msu_workflow"] == "legacy":
        raise BundleError(f"{path}: agent.update_mechanism: ddm needs plans, but agent.msu_workflow is legacy; "
                          "expected auto or mdm-command with legacy")
    can_ddm = agent["update_mechanism"] != "mdm-command" and agent["msu_workflow"] != "legacy"
    if can_ddm and not (soft or hard or sd or hd):
        raise BundleError(f"{path}: agent.hard_deadline_days / agent.soft_deadline_days: a DDM plan forces the install "
                          "at the hard deadline, else the soft one; expected at least one deadline (days or _date), "
                          "or update_mechanism = \"mdm-command\"")


def _tenants(path: str, raw: Any) -> tuple[Tenant, ...]:
    if not isinstance(raw, dict):
        raise BundleError(f"{path}: [tenants]: expected tables [tenants.NAME]")
    tenants = []
    for name, body in raw.items():
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", name):
            raise BundleError(f"{path}: tenants.{name}: expected a tenant name of letters, digits, - and _")
        values = _section(path, f"tenants.{name}", body, TENANT_SCHEMA)
        has_client = bool(values["client_id"] or values["client_secret"])
        has_user = bool(values["username"] or values["password"])
        if has_client and not (values["client_id"] and values["client_secret"]):
            raise BundleError(f"{path}: tenants.{name}: expected client_id and client_secret together")
        if has_user and not (values["username"] and values["password"]):
            raise BundleError(f"{path}: tenants.{name}: expected username and password together")
        if has_client and has_user:
            raise BundleError(f"{path}: tenants.{name}: expected either client_id/client_secret or username/password, not both")
        tenants.append(Tenant(name=name, **values))
    return tuple(tenants)


def parse_bundle(text: str, path: str = "bundle.toml") -> BundleSpec:
    """Parse and validate bundle text; ``path`` is only used in messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts "(at line L, column C)" in the message; keep it on one line.
        raise BundleError(f"{path}: TOML syntax error: {str(exc).splitlines()[0]}") from None
    known = [*SCHEMA, "tenants"]
    for key in raw:
        if key not in known:
            raise BundleError(f"{path}: {key}: unknown section{_did_you_mean(key, known)}")
    if "bundle" not in raw:
        raise BundleError(f"{path}: [bundle]: required section is missing (name, version, identifier)")
    sections = {name: _section(path, name, raw.get(name, {}), schema) for name, schema in SCHEMA.items()}
    _cross_checks(path, sections["agent"])
    return BundleSpec(path=path, tenants=_tenants(path, raw.get("tenants", {})), **sections)


def load_bundle(path: str | Path) -> BundleSpec:
    p = Path(path)
    if p.is_dir():
        p = p / "bundle.toml"
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleError(f"{p}: file not found (expected a bundle.toml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{p}: cannot read: {exc}") from None
    return parse_bundle(text, str(p))


def reference_markdown() -> str:
    """The bundle.toml reference table the README embeds (kept in sync by a test)."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for section, schema in [*SCHEMA.items(), ("tenants.NAME", TENANT_SCHEMA)]:
        for key, spec in schema.items():
            default = "required" if spec.default is None else repr(spec.default).replace("'", '"')
            lines.append(f"| `{section}.{key}` | {spec.kind} | {default} | {spec.doc} |")
    return "\n".join(lines) + "\n"
