"""bundle.toml → a validated, immutable ``BundleSpec``.

This module owns the one file an admin edits.  The schema below (``SCHEMA``) is the single
description of every key: it drives parsing, type checks, did-you-mean suggestions for unknown
keys, defaults, and the bundle.toml reference in the README (a test keeps the README in sync).

Every error is a ``BundleError`` whose message is one line naming the file, the key (or the
line and column for TOML syntax errors) and what was expected.

Longer than the project's ~500 lines on purpose: ``SCHEMA`` is one table of every key with its
check, and the checks and cross-key rules beside it are what the table refers to; a reader
reviewing what a bundle may hold should find it in one file.

Hostile input is refused here, before any template sees it: every pattern matches the whole
value (``re.fullmatch``; ``$`` would also accept a trailing newline), no string may hold a
control character or a line/paragraph separator, every string has a length limit, names may
not hold bidirectional-override characters ("Trojan Source", CVE-2021-42574), URLs are parsed,
and dates are plain calendar dates in 2000-2100.  The limits Jamf Pro and macOS impose are listed
in ``LIMITS`` (each with its source, or marked as an assumption) and in the README.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import unicodedata
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

MDM_FAILOVER_TYPES = ("ALWAYS", "NOSERVICE", "HARD", "SOFT", "INSTALLNOW", "BOOTSTRAP")
MSU_WORKFLOWS = ("auto", "new", "legacy")
CREDENTIAL_METHODS = ("jamf-client", "jamf-account", "none")
UPDATE_ACTIONS = ("DOWNLOAD_INSTALL_RESTART", "DOWNLOAD_INSTALL", "DOWNLOAD_ONLY")
UPDATE_MECHANISMS = ("auto", "ddm", "mdm-command")
# Every pattern is used with fullmatch; [0-9] rather than \\d, which also matches other scripts' digits.
REVERSE_DNS = re.compile(r"[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+")
AGENT_NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")
VERSION = re.compile(r"[0-9]{1,6}(\.[0-9]{1,6}){1,2}")
MACOS_VERSION = re.compile(r"[0-9]{2}(\.[0-9]{1,2}){1,2}")
OPTION = re.compile(r"--[a-z][a-z0-9-]*(=.*)?")
TRIGGER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
TENANT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
URL_PATH = re.compile(r"(/[A-Za-z0-9._~&+,;=:@%-]*)*")  # RFC 3986 pchar without quotes, $, ( ) * !
HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
ENV_REF = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)")
# keyring:SERVICE/ACCOUNT (keychain: is jamf-cli's spelling of the same): the account is what follows
# the LAST "/", so a service may be a URL (jamf-pro-sdk's layout: service https://host, account the
# client id).  The service never ends in "/", so keyring:https://host (no account) matches nothing;
# neither part holds a control character (a pasted newline).
_KR = r"[^/\x00-\x1f\x7f]"
KEYRING_REF = re.compile(rf"(?:keyring|keychain):(?P<service>[^\x00-\x1f\x7f]*{_KR})/(?P<account>{_KR}+)")
CREDENTIAL_REF = re.compile(rf"env:[A-Za-z_][A-Za-z0-9_]*|file:.+|{KEYRING_REF.pattern}")
CREDENTIAL_REF_FORMS = "env:VAR, file:PATH or keyring:SERVICE/ACCOUNT (alias keychain:)"
MAX_POLICY_PARAMETERS = 8  # Jamf script parameters $4–$11
FIRST_YEAR, LAST_YEAR = 2000, 2100

# Length limits (characters).  Each names its source or says it is an assumption; the README's
# assumptions table repeats them.
MAX_TEXT = 1024  # any string without a tighter limit (assumption: no value this tool needs is longer)
MAX_NAME = 100  # a Jamf object name part; prefix + " " + name + suffix stays under Jamf's 255 (assumption)
MAX_PREFIX = 40  # jamf.name_prefix (same assumption: the prefixed names stay under 255)
MAX_IDENTIFIER = 200  # the domain becomes file names like <domain>-id-only.mobileconfig: macOS NAME_MAX is 255 bytes
MAX_URL = 2048  # assumption: well above any Jamf Pro URL, far below what curl and Jamf accept
MAX_PARAMETER = 255  # assumption: a Jamf policy script parameter ($4-$11) holds at most 255 characters
LIMITS: tuple[tuple[str, str], ...] = (
    ("every string", f"at most {MAX_TEXT} characters; no control characters (U+0000-U+001F, U+007F-U+009F) and no "
                     "line or paragraph separators (U+2028, U+2029): assumption (no value needs them, and Jamf's XML "
                     "cannot hold most of them: XML 1.0 §2.2 Char)"),
    ("names (bundle.name, jamf.*)", f"at most {MAX_NAME} characters ({MAX_PREFIX} for jamf.name_prefix), no leading or "
                                    "trailing spaces, no bidirectional embedding/override/isolate characters "
                                    "(U+202A-U+202E, U+2066-U+2069; CVE-2021-42574): assumption that Jamf Pro keeps "
                                    "object names in 255-character columns"),
    ("bundle.identifier", f"at most {MAX_IDENTIFIER} characters: the domain is part of file names and macOS allows "
                          "255 bytes per file name (NAME_MAX, sys/syslimits.h)"),
    ("URLs", f"https only, at most {MAX_URL} characters, a host name or IP address, an optional port, then nothing "
             "but a path: no user name or password, query, fragment, spaces or quotes (RFC 3986 §3): assumption"),
    ("agent.extra_options", f"each at most {MAX_PARAMETER} characters: assumption about Jamf's script parameter fields"),
    ("dates", f"a plain date YYYY-MM-DD in {FIRST_YEAR}-{LAST_YEAR} (never a TOML date-time); a date already past "
              "is a warning on stderr"),
    ("jamf.enforcement_trigger", "letters, digits, '_', '.' and '-': assumption (a custom event is typed as one word "
                                 "after 'jamf policy -event')"),
)
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class BundleError(ValueError):
    """A one-line, user-facing description of what is wrong with a bundle."""


@dataclass(frozen=True)
class Field:
    kind: str  # "str", "int", "bool", "list[str]", "date"
    default: Any
    doc: str
    check: Callable[[Any], str | None] | None = None  # returns what is expected, or None
    max_len: int = MAX_TEXT  # for str and each list item


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else "one of " + ", ".join(choices)


def _pattern(regex: re.Pattern[str], expected: str, *, empty_ok: bool = False) -> Callable[[Any], str | None]:
    return lambda v: None if (empty_ok and v == "") or regex.fullmatch(v) else expected


def _update_action(v: str) -> str | None:
    if v == "DOWNLOAD_INSTALL_SCHEDULE":  # the DDM plan: chosen by agent.update_mechanism, not here
        return "an MDM-command action (" + ", ".join(UPDATE_ACTIONS) + "); DDM plans are chosen by agent.update_mechanism"
    return _one_of(UPDATE_ACTIONS)(v)


def _https(v: str) -> str | None:
    expected = "an https:// URL with a host and at most a path (no user, query, fragment, spaces or quotes)"
    try:
        url = urllib.parse.urlsplit(v)
        port = url.port  # parses (and range-checks) the port
    except ValueError:
        return expected
    host = url.hostname or ""
    if url.scheme != "https" or not v.startswith("https://") or url.username is not None or url.password is not None:
        return expected
    if "@" in url.netloc or url.query or url.fragment or "?" in v or "#" in v or not URL_PATH.fullmatch(url.path):
        return expected
    bracketed = url.netloc.startswith("[")
    if not (HOSTNAME.fullmatch(host) or bracketed) or port == 0:
        return expected
    return None


def _https_or_empty(v: str) -> str | None:
    return None if v == "" else _https(v)


def _https_or_env(v: str) -> str | None:
    return None if ENV_REF.fullmatch(v) or _https(v) is None else "an https:// URL or env:VAR"


def _path_or_env(v: str) -> str | None:
    return None if v == "" or ENV_REF.fullmatch(v) or not v.startswith("env:") else "a file path or env:VAR (or empty)"


def _range(lo: int, hi: int) -> Callable[[Any], str | None]:
    return lambda v: None if lo <= v <= hi else f"an integer from {lo} to {hi}"


def _failover_types(values: list[str]) -> str | None:
    bad = [v for v in values if v not in MDM_FAILOVER_TYPES]
    return None if not bad else "failover types from " + ", ".join(MDM_FAILOVER_TYPES)


def _name_safe(v: str) -> str | None:
    # Jamf trims names on save; a name with outer whitespace would never match again.
    if not v.strip() or v != v.strip():
        return "a non-empty name without leading or trailing spaces"
    if _BIDI_CONTROLS & set(v):
        return "a name without bidirectional override characters (U+202A-U+202E, U+2066-U+2069)"
    return None


def _credential_ref(v: str) -> str | None:
    if v == "" or CREDENTIAL_REF.fullmatch(v):
        return None
    return f"a credential reference {CREDENTIAL_REF_FORMS}, never a literal secret"


SCHEMA: dict[str, dict[str, Field]] = {
    "bundle": {
        "name": Field("str", None, "Human name of the bundle, shown in profile and policy names.", _name_safe,
                      MAX_NAME),
        "version": Field("str", None, "Bundle version (e.g. 1.0.0); the agent reports it.",
                         _pattern(VERSION, "a version like 1.0 or 1.0.0")),
        "identifier": Field("str", None,
                            "Organisation identifier in reverse-DNS form (e.g. com.example). The agent's "
                            "preference domain, keychain service, status plist path and profile "
                            "identifiers derive from it.",
                            _pattern(REVERSE_DNS, "a lower-case reverse-DNS identifier like com.example"),
                            MAX_IDENTIFIER),
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
                               lambda v: None if all(OPTION.fullmatch(o) for o in v)
                               else "options of the form --name or --name=value", MAX_PARAMETER),
        "target_version": Field("str", "", "Pin updates to this macOS version (SPECIFIC_VERSION); empty = latest minor.",
                                _pattern(MACOS_VERSION, "a macOS version like 15.6.1", empty_ok=True)),
    },
    "profile": {
        "computer_id_from_jssid": Field("bool", True, "Deliver AuthJamfComputerID = $JSSID so the agent never runs jamf recon."),
        "custom_url": Field("str", "", "AuthJamfCustomURL: Jamf Pro URL for API calls (https only; empty = the Jamf client's URL).",
                            _https_or_empty, MAX_URL),
        "include_failover_keys": Field("bool", True,
                                       "Deliver AuthMDMFailoverToUser and AuthCredentialFailoverToUser from [agent]."),
        "ask_user_to_save_password": Field("bool", False, "AuthAskUserToSavePassword (local end-user method)."),
    },
    "jamf": {
        "category": Field("str", "Software Updates", "Jamf category for scripts, profile and policies.", _name_safe, MAX_NAME),
        "name_prefix": Field("str", "jamf-enforcer", "Prefix of every object this tool creates (prune touches only these).",
                             _name_safe, MAX_PREFIX),
        "api_role": Field("str", "Update Agent", "API role name (prefixed).", _name_safe, MAX_NAME),
        "api_client": Field("str", "Update Agent", "API client name (prefixed).", _name_safe, MAX_NAME),
        "token_lifetime_seconds": Field("int", 300, "API client access-token lifetime.", _range(60, 86400)),
        "service_account": Field("str", "update-agent", "Jamf standard account name for credential_method = jamf-account.",
                                 _name_safe, MAX_NAME),
        "scope_group": Field("str", "All Managed Clients", "Computer group the policies and profile are scoped to.",
                             _name_safe, MAX_NAME),
        "policy_credentials": Field("str", "Save update credentials", "Credential policy name (prefixed).", _name_safe, MAX_NAME),
        "policy_enforcement": Field("str", "Enforce software updates", "Recurring enforcement policy name (prefixed).",
                                    _name_safe, MAX_NAME),
        "policy_install_now": Field("str", "Install software updates now", "Self Service install-now policy name (prefixed).",
                                    _name_safe, MAX_NAME),
        "policy_uninstall": Field("str", "Uninstall update agent", "Uninstall policy name (prefixed).", _name_safe, MAX_NAME),
        "enforcement_trigger": Field("str", "", "Custom trigger of the enforcement policy (empty = recurring check-in only).",
                                     _pattern(TRIGGER, "a custom trigger of letters, digits, '_', '.' and '-'",
                                              empty_ok=True), MAX_NAME),
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
                 _https_or_env, MAX_URL),
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
            ref = ENV_REF.fullmatch(value)
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


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(value) if isinstance(value, (str, list)) else len(text)} long)"


def _text_problem(value: str, max_len: int) -> str | None:
    """What is wrong with a string from the bundle whatever its key, or None."""
    if len(value) > max_len:
        return f"at most {max_len} characters, got {len(value)}"
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs"):
            return f"no control characters or line breaks, got U+{ord(ch):04X}"
    return None


def _date_value(path: str, dotted: str, value: Any, expected_type: str, shown: str) -> str:
    if isinstance(value, datetime):  # a TOML date-time is a datetime, itself a date: refuse it first
        raise BundleError(f"{path}: {dotted}: expected {expected_type}, got a date-time {shown}")
    if isinstance(value, str):
        if value == "":
            return value
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise BundleError(f"{path}: {dotted}: expected {expected_type}, got {shown}")
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise BundleError(f"{path}: {dotted}: expected {expected_type}, got {shown}") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise BundleError(f"{path}: {dotted}: expected a date in {FIRST_YEAR}-{LAST_YEAR}, got {value.isoformat()}")
    return value.isoformat()


def _check_value(path: str, dotted: str, spec: Field, value: Any) -> Any:
    expected_type = {
        "str": "a string", "int": "an integer", "bool": "true or false",
        "list[str]": "a list of strings", "date": "a date YYYY-MM-DD (or empty string)",
    }[spec.kind]
    # A credential slot may hold a pasted literal secret: never echo it back in the error.
    shown = "a value not shown here (it may be a secret)" if spec.check is _credential_ref else _shown(value)
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list[str]": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "date": isinstance(value, (date, str)),
    }[spec.kind]
    if not ok:
        raise BundleError(f"{path}: {dotted}: expected {expected_type}, got {shown}")
    for item in value if spec.kind == "list[str]" else [value] if spec.kind == "str" else []:
        problem = _text_problem(item, spec.max_len)
        if problem:
            raise BundleError(f"{path}: {dotted}: expected {problem}")
    if spec.kind == "date":
        value = _date_value(path, dotted, value, expected_type, shown)
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
        if not TENANT_NAME.fullmatch(name):
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
    except RecursionError:
        raise BundleError(f"{path}: TOML nested too deeply (expected the flat tables of a bundle)") from None
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
    except UnicodeDecodeError as exc:
        raise BundleError(f"{p}: cannot read: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise BundleError(f"{p}: cannot read: {exc.strerror or exc}") from None
    return parse_bundle(text, str(p))


def deadline_warnings(spec: BundleSpec, today: date | None = None) -> list[str]:
    """Fixed deadlines already past on ``today`` (default: the local date).  Warnings, not errors:
    the rendered output is the same either way, and a past deadline may be intended (enforce now)."""
    today = today or date.today()
    return [f"{spec.path}: agent.{key}: {spec.agent[key]} is already past (today is {today.isoformat()})"
            for key in ("soft_deadline_date", "hard_deadline_date")
            if spec.agent[key] and date.fromisoformat(spec.agent[key]) < today]


def reference_markdown() -> str:
    """The bundle.toml reference table the README embeds (kept in sync by a test)."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for section, schema in [*SCHEMA.items(), ("tenants.NAME", TENANT_SCHEMA)]:
        for key, spec in schema.items():
            default = "required" if spec.default is None else repr(spec.default).replace("'", '"')
            lines.append(f"| `{section}.{key}` | {spec.kind} | {default} | {spec.doc} |")
    return "\n".join(lines) + "\n"
