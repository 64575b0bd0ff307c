"""BundleSpec → Artifacts (bytes + Jamf metadata) → dist/.

This module owns the render pipeline: the Jinja2 environment for shell templates, the list
of artifacts a bundle produces, ``manifest.json``, and the atomic write of an output folder.

Shell templates use delimiters that cannot collide with shell text: ``@@= expr =@@`` for
values, ``@@% stmt %@@`` for blocks and ``@@# ... #@@`` for comments.  ``${#array[@]}``,
``%NAME%`` and ``{{``-looking text in a script pass through untouched, and every undefined
name is an error (StrictUndefined).

Values reach shell code only through a sink filter, and forgetting one is impossible: the
environment's ``finalize`` refuses every ``@@= =@@`` value that is not the output of one
(integers excepted: they cannot become code).  The filters:

* ``shq`` — a single-quoted shell word (any text but NUL);
* ``shword`` — a bare word of ``[A-Za-z0-9_.,:/@+-]`` only, for identifiers, array keys and
  values inside a double-quoted message; anything else is refused;
* ``shcomment`` — for ``#`` comments: refuses line breaks and control characters (a newline
  would end the comment and start code), then a bare word if it is one, otherwise ``shq``.

Profiles and JSON go through ``plistlib`` and ``json`` (their encoders are the sink filters);
Classic XML goes through ``generator.jamf``'s escaping.

Rendering is deterministic: no timestamps, sorted JSON keys, uuid5 identifiers, so two runs
give byte-identical output.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from . import __version__, catalogue, profiles
from .bundle import MAX_POLICY_PARAMETERS, BundleError, BundleSpec
from .deprecations import deprecations
from .groups import remediation_groups
from .status import MODEL, StatusKey

HANDOVER_PLACEHOLDER = "<set by jamf-enforcer apply>"


class RenderError(BundleError):
    """A template or bundle combination that cannot be rendered (one line, names the file)."""


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to the output folder, POSIX separators
    kind: str
    content: bytes
    mode: int = 0o644
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def templates_dir() -> Path:
    """Templates ship inside the wheel as generator/templates; a checkout keeps them at the top."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


class ShellText(str):
    """Text a sink filter made safe for the shell; the only strings ``finalize`` lets through."""


class UnfilteredValue(Exception):
    """A template printed a value without a sink filter (see the module docstring)."""


SHELL_WORD = re.compile(r"[A-Za-z0-9_.,:/@+-]+")


def shell_quote(value: object) -> ShellText:
    text = str(value)
    if "\0" in text:
        raise UnfilteredValue(f"a NUL character cannot be part of a shell script: {text[:40]!r}")
    return ShellText("'" + text.replace("'", "'\\''") + "'")


def shell_word(value: object) -> ShellText:
    text = str(value)
    if not SHELL_WORD.fullmatch(text):
        raise UnfilteredValue(f"shword accepts only [A-Za-z0-9_.,:/@+-], got {text[:40]!r}")
    return ShellText(text)


def shell_comment(value: object) -> ShellText:
    text = str(value)
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text):
        raise UnfilteredValue(f"a comment cannot hold a line break or control character: {text[:40]!r}")
    return shell_word(text) if SHELL_WORD.fullmatch(text) else shell_quote(text)


def _finalize(value: object) -> object:
    if isinstance(value, ShellText) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise UnfilteredValue(f"a value reaches the script without a sink filter (shq, shword, shcomment): {str(value)[:40]!r}")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        variable_start_string="@@=",
        variable_end_string="=@@",
        block_start_string="@@%",
        block_end_string="%@@",
        comment_start_string="@@#",
        comment_end_string="#@@",
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=_finalize,
    )
    env.filters["shq"] = shell_quote
    env.filters["shword"] = shell_word
    env.filters["shcomment"] = shell_comment
    env.filters["tojson"] = lambda v: json.dumps(v, sort_keys=True)
    return env


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def render_template(name: str, context: dict[str, Any]) -> str:
    try:
        return environment().get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{name}: template error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"{name}: template not found: {exc.name}") from None
    except UnfilteredValue as exc:
        raise RenderError(f"{name}: {exc}") from None


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _slug(name: str) -> str:
    return "-".join("".join(c.lower() if c.isalnum() else " " for c in name).split())


# --- names every consumer agrees on ---------------------------------------------------------
def script_names(spec: BundleSpec) -> dict[str, str]:
    agent = spec.agent["name"]
    return {"agent": spec.object_name(f"{agent}.zsh"), "uninstall": spec.object_name(f"{agent}-uninstall.zsh")}


def ea_jamf_name(spec: BundleSpec, key: StatusKey) -> str:
    return spec.object_name(key.ea_name)


def agent_context(spec: BundleSpec) -> dict[str, Any]:
    """Everything the agent, uninstall and EA templates may use."""
    workflow = spec.agent["msu_workflow"]
    endpoints = {ep.key: {"method": ep.method, "path": ep.path, "privileges": list(ep.privileges)}
                 for ep in catalogue.all_agent_endpoints()
                 if ep in catalogue.agent_endpoints(workflow, "jamf-client")
                 or ep in catalogue.agent_endpoints(workflow, "jamf-account")}
    return {
        "generator_version": __version__,
        "bundle": spec.bundle,
        "agent": spec.agent,
        "profile": spec.profile,
        "jamf": spec.jamf,
        "domain": spec.domain,
        "keychain_service": spec.keychain_service,
        "work_dir": spec.work_dir,
        "status_plist": spec.status_plist,
        "managed_plist": spec.managed_plist,
        "agent_version": spec.bundle["version"],
        "status_keys": list(MODEL.keys),
        "endpoints": endpoints,
        "role_privileges": catalogue.role_privileges(workflow),
        "failover_types": list(spec.agent["mdm_failover_to_user"]),
        # How each role privilege reads in a Jamf user account's privilege set (jamf-account
        # method): the agent names both forms when one is missing.
        "account_forms": {p: catalogue.account_form(p) for ep in endpoints.values() for p in ep["privileges"]},
    }


# --- artifacts ------------------------------------------------------------------------------
def _policy_options(spec: BundleSpec) -> list[str]:
    options: list[str] = []
    if not spec.profile["include_failover_keys"]:
        if spec.agent["mdm_failover_to_user"]:
            options.append("--auth-mdm-failover-to-user=" + ",".join(spec.agent["mdm_failover_to_user"]))
        if spec.agent["credential_failover_to_user"]:
            options.append("--auth-credential-failover-to-user")
    options.extend(spec.agent["extra_options"])
    return options


def _parameters(spec: BundleSpec, policy: str, options: list[str]) -> dict[str, str]:
    if len(options) > MAX_POLICY_PARAMETERS:
        raise RenderError(f"{spec.path}: agent.extra_options: expected at most {MAX_POLICY_PARAMETERS} options per "
                          f"policy (Jamf parameters $4-$11), but the {spec.jamf[policy]!r} policy would get {len(options)}")
    return {f"parameter{4 + i}": opt for i, opt in enumerate(options)}


def _policy(spec: BundleSpec, key: str, *, script: str, options: list[str], frequency: str,
            checkin: bool, self_service: bool, enabled: bool, trigger: str = "",
            handover: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "name": spec.object_name(spec.jamf[key]),
        "enabled": enabled,
        "frequency": frequency,
        "category": spec.jamf["category"],
        "trigger_checkin": checkin,
        "trigger_other": trigger,
        "self_service": self_service,
        "scope": {"computer_groups": [spec.jamf["scope_group"]] if enabled else []},
        "script": {"name": script, "priority": "After", "parameters": _parameters(spec, key, options)},
        "handover": handover or {},
        "carries_secrets": bool(handover),
    }


def policies(spec: BundleSpec) -> dict[str, dict[str, Any]]:
    names = script_names(spec)
    method = spec.agent["credential_method"]
    out: dict[str, dict[str, Any]] = {}
    if method != "none":
        option = {"jamf-client": ("--auth-jamf-client", "--auth-jamf-secret"),
                  "jamf-account": ("--auth-jamf-account", "--auth-jamf-password")}[method]
        fields = {"jamf-client": ("client_id", "client_secret"), "jamf-account": ("account", "password")}[method]
        options = [f"{option[0]}={HANDOVER_PLACEHOLDER}", f"{option[1]}={HANDOVER_PLACEHOLDER}", *_policy_options(spec)]
        out["credentials"] = _policy(spec, "policy_credentials", script=names["agent"], options=options,
                                     frequency="Once per computer", checkin=True, self_service=False, enabled=True,
                                     handover={"parameter4": fields[0], "parameter5": fields[1]})
    out["enforcement"] = _policy(spec, "policy_enforcement", script=names["agent"], options=_policy_options(spec),
                                 frequency="Ongoing", checkin=True, self_service=False, enabled=True,
                                 trigger=spec.jamf["enforcement_trigger"])
    out["install-now"] = _policy(spec, "policy_install_now", script=names["agent"],
                                 options=["--install-now", *_policy_options(spec)],
                                 frequency="Ongoing", checkin=False, self_service=True, enabled=True)
    out["uninstall"] = _policy(spec, "policy_uninstall", script=names["uninstall"], options=[],
                               frequency="Once per computer", checkin=False, self_service=False, enabled=False)
    return out


def api_role(spec: BundleSpec) -> dict[str, Any]:
    return {"displayName": spec.object_name(spec.jamf["api_role"]),
            "privileges": catalogue.role_privileges(spec.agent["msu_workflow"])}


def api_client(spec: BundleSpec) -> dict[str, Any]:
    return {"displayName": spec.object_name(spec.jamf["api_client"]),
            "authorizationScopes": [api_role(spec)["displayName"]],
            "enabled": True,
            "accessTokenLifetimeSeconds": spec.jamf["token_lifetime_seconds"]}


def service_account(spec: BundleSpec) -> dict[str, Any]:
    workflow = spec.agent["msu_workflow"]
    eps = catalogue.agent_endpoints(workflow, "jamf-account")
    role_names = sorted({p for ep in eps for p in ep.privileges})
    groups: dict[str, list[str]] = {"jss_objects": [], "jss_actions": []}
    for p in role_names:
        groups[catalogue.classic_account_group(p)].append(p)
    return {"name": spec.object_name(spec.jamf["service_account"]).replace(" ", "-"),
            "access_level": "Full Access", "privilege_set": "Custom",
            "privileges": groups, "account_form": catalogue.account_privileges(workflow)}


def _ea_artifacts(spec: BundleSpec, context: dict[str, Any]) -> list[Artifact]:
    out = []
    for key in MODEL.ea_keys():
        slug = _slug(key.ea_name)
        script = render_template("extension-attributes/ea.zsh.j2", {**context, "key": key})
        meta = {"name": ea_jamf_name(spec, key), "description": key.doc, "dataType": key.ea_data_type,
                "inputType": "SCRIPT", "inventoryDisplayType": key.ea_section, "enabled": True,
                "script": f"extension-attributes/{slug}.zsh", "statusKey": key.key}
        out.append(Artifact(f"extension-attributes/{slug}.zsh", "extension-attribute", script.encode(), 0o755, meta))
        out.append(Artifact(f"extension-attributes/{slug}.json", "extension-attribute-definition", _json(meta)))
    return out


def render_bundle(spec: BundleSpec) -> list[Artifact]:
    """Every artifact of a bundle, in a stable order (without manifest.json)."""
    context = agent_context(spec)
    names = script_names(spec)
    agent = spec.agent["name"]
    arts = [
        Artifact(f"agent/{agent}.zsh", "agent-script", render_template("agent/agent.zsh.j2", context).encode(),
                 0o755, {"jamfName": names["agent"]}),
        Artifact(f"agent/{agent}-uninstall.zsh", "uninstall-script",
                 render_template("agent/uninstall.zsh.j2", context).encode(), 0o755, {"jamfName": names["uninstall"]}),
        *_ea_artifacts(spec, context),
        Artifact(f"profiles/{spec.domain}.mobileconfig", "profile", profiles.full_profile(spec),
                 meta={"jamfName": spec.object_name(spec.bundle["name"] + " settings")}),
        Artifact(f"profiles/{spec.domain}-id-only.mobileconfig", "profile-id-only", profiles.id_only_profile(spec),
                 meta={"jamfName": spec.object_name(spec.bundle["name"] + " computer ID")}),
        Artifact(f"profiles/{spec.domain}.schema.json", "custom-schema", _json(profiles.custom_schema(spec))),
        Artifact("jamf/category.json", "category", _json({"name": spec.jamf["category"], "priority": 9})),
        Artifact("jamf/api-role.json", "api-role", _json(api_role(spec))),
        Artifact("jamf/api-client.json", "api-client", _json(api_client(spec))),
        Artifact("jamf/uploader-role.json", "uploader-role",
                 _json({"displayName": catalogue.UPLOADER_ROLES["bootstrap"], "privileges": catalogue.uploader_privileges()})),
        Artifact("jamf/planner-role.json", "planner-role",
                 _json({"displayName": catalogue.PLANNER_ROLE, "privileges": catalogue.audit_privileges()})),
        Artifact("jamf/reporter-role.json", "reporter-role",
                 _json({"displayName": catalogue.REPORTER_ROLE, "privileges": catalogue.reporter_privileges()})),
    ]
    if spec.jamf["uploader_roles"] == "split":  # the day-to-day role; uploader-role.json is then the bootstrap one
        arts.append(Artifact("jamf/uploader-content-role.json", "uploader-role",
                             _json({"displayName": catalogue.UPLOADER_ROLES["content"],
                                    "privileges": catalogue.uploader_privileges("content")})))
    if spec.agent["credential_method"] == "jamf-account":
        arts.append(Artifact("jamf/service-account.json", "service-account", _json(service_account(spec))))
    for name, policy in policies(spec).items():
        arts.append(Artifact(f"jamf/policies/{name}.json", "policy", _json(policy)))
    for slug, group in remediation_groups(spec).items():
        arts.append(Artifact(f"jamf/groups/{slug}.json", "computer-group", _json(group)))
    return arts


def manifest(spec: BundleSpec, artifacts: list[Artifact]) -> dict[str, Any]:
    workflow = spec.agent["msu_workflow"]
    method = spec.agent["credential_method"]
    agent_eps = catalogue.agent_endpoints(workflow, "jamf-account" if method == "jamf-account" else "jamf-client")
    return {
        "generator": {"name": "jamf-enforcer", "version": __version__},
        "bundle": {**spec.bundle, "domain": spec.domain},
        "artifacts": [{"path": a.path, "kind": a.kind, "size": len(a.content), "sha256": a.sha256,
                       **({"jamf": a.meta} if a.meta else {})} for a in artifacts],
        "privileges": {
            "workflow": workflow,
            "credential_method": method,
            "api_role": catalogue.role_privileges(workflow),
            "account": catalogue.account_privileges(workflow),
            "privilege_endpoints": catalogue.privilege_endpoints(agent_eps),
            "endpoint_sources": {ep.label: ep.source for ep in agent_eps},
            "seed_differences": {
                "api_role": catalogue.seed_differences(workflow, "jamf-client"),
                "account": catalogue.seed_differences(workflow, "jamf-account"),
            },
            "uploader": catalogue.privilege_endpoints(catalogue.uploader_endpoints()),
            "reporter": catalogue.privilege_endpoints(catalogue.reporter_endpoints()),
        },
        "deprecations": [d.as_json() for d in deprecations(workflow, method)],
    }


def render_all(spec: BundleSpec) -> list[Artifact]:
    arts = render_bundle(spec)
    return [*arts, Artifact("manifest.json", "manifest", _json(manifest(spec, arts)))]


def _previous_render(out: Path) -> str | None:
    """Why ``out`` must not be replaced, or None when it is empty or a previous render.

    A previous render is recognised by its ``manifest.json`` (``generator.name`` is
    "jamf-enforcer" in every version so far, so renders of older versions count) and holds no
    file its manifest does not list (Finder's ``.DS_Store`` excepted): a file the admin added
    would be lost, so such a folder is refused too.
    """
    entries = list(out.iterdir())
    if not entries:
        return None
    manifest_path = out / "manifest.json"
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else None
    except (OSError, ValueError, RecursionError):
        data = None
    generator = data.get("generator") if isinstance(data, dict) else None
    if not isinstance(generator, dict) or generator.get("name") != "jamf-enforcer":
        return "exists and is not empty, and is not a previous render (no jamf-enforcer manifest.json)"
    artifacts = data.get("artifacts")
    listed = {a.get("path") for a in artifacts if isinstance(a, dict)} if isinstance(artifacts, list) else set()
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_symlink() or (not path.is_dir() and rel != "manifest.json" and rel not in listed
                                 and path.name != ".DS_Store"):
            return f"holds {rel}, which its manifest.json does not list (move it away first)"
    return None


def check_out_dir(out_dir: str | Path, bundle_path: str | Path | None = None) -> Path:
    """The resolved output folder, or a one-line ``RenderError`` when replacing it could lose files.

    ``out_dir`` may be missing, an empty folder or a previous render; never the folder holding
    the bundle or any parent of it, never a file or a symbolic link.
    """
    given = Path(out_dir)
    out = given.resolve()
    if given.is_symlink():
        raise RenderError(f"{given}: --out is a symbolic link; give the folder itself")
    if bundle_path is not None:
        bundle_dir = Path(bundle_path).resolve()
        bundle_dir = bundle_dir if bundle_dir.is_dir() else bundle_dir.parent
        if bundle_dir == out or bundle_dir.is_relative_to(out):
            raise RenderError(f"{given}: --out would replace the folder holding the bundle ({bundle_dir}); "
                              "choose a folder of its own, e.g. dist")
    if out.exists() or given.exists():
        if not out.is_dir():
            raise RenderError(f"{given}: --out exists and is not a folder")
        why = _previous_render(out)
        if why:
            raise RenderError(f"{given}: --out {why}")
    return out


def write_dist(artifacts: list[Artifact], out_dir: str | Path, bundle_path: str | Path | None = None) -> Path:
    """Write artifacts so that the folder is replaced whole or not at all.

    ``check_out_dir`` decides first whether the folder may be replaced.  Everything is written
    into a fresh sibling folder; only then is the old folder moved aside and the new one
    renamed into place, so a failure at any point leaves the previous output intact.
    """
    out = check_out_dir(out_dir, bundle_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for art in artifacts:
            target = staging / art.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(art.content)
            os.chmod(target, art.mode)
        os.chmod(staging, 0o755)
        backup = None
        if out.is_dir():
            backup = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, backup)
        try:
            os.rename(staging, out)
        except OSError:
            if backup is not None:
                os.rename(backup, out)
            raise
        if backup is not None:
            shutil.rmtree(backup)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
