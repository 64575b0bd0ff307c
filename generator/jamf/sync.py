"""plan / apply / audit / rotate: keep a Jamf Pro tenant in sync with the bundle.

The core returns data (``TenantResult``); ``commands`` only formats it.

* **Observe.**  One token, one list per Jamf Pro API kind (each list returns whole objects, so
  no per-object reads) and one read per Classic object of interest, all issued in parallel
  (the client caps a tenant at five in flight).  Classic lists go first because their reads
  depend on them; that keeps a no-op plan within about four round trips.
* **Plan.**  Every desired object is matched by name (refusing on duplicates), turned into a
  comparable view on both sides (``resources``) and diffed.  Credential parameters never
  appear: the diff shows ``<secret>``.
* **Apply.**  Dependency order: category → API role / service account → API client →
  scripts and extension attributes → profile → policies; objects of one stage are written in
  parallel.  An object whose dependency failed is skipped, everything else goes on, and the
  result lists every write that happened, even when something failed.  A POST that may have
  been applied (the client never resends it) is followed by a re-read by name: found means
  created; not found means it was not applied, and apply decides to create again (at most
  ``create_attempts`` times).  Jamf Cloud's cookie-pinned session makes that re-read see the
  node the POST went to (jamf-api-facts §1).
* **Credentials loop.**  The credential policy carries the agent's Jamf credentials in its
  script parameters.  Apply issues them (``POST .../client-credentials``, or a generated
  password for ``jamf-account``) only when the policy does not already hand over credentials
  for a client or account that exists, and writes them straight into the policy: they are
  never printed, logged or stored anywhere else.  A plain re-apply keeps the policy's
  parameters, so it never rotates.
* **Rotate** (``jamf-client`` only).  Issuing a new secret for the existing client kills the
  saved credential of every Mac at once: each would fail until it happens to re-run the
  credential policy.  So rotate creates a *second* client on the same role, hands it to the
  credential policy, flushes that policy's log so every Mac re-runs it, and keeps the old
  client enabled until ``rotate --retire`` (or ``jamf.rotation_grace_days`` have passed at
  the next ``rotate``), which disables and deletes the old client and renames the new one to
  the bundle's name.
* **Audit** compares tenant, bundle and catalogue and lists drift; **prune** (opt-in) deletes
  objects carrying the bundle's ``name_prefix`` that the bundle no longer wants, never the
  uploader's own client or role and never a client of an unfinished rotation.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import catalogue
from ..bundle import BundleError, BundleSpec, Tenant
from ..render import HANDOVER_PLACEHOLDER, Artifact, render_all
from . import resources as R
from .client import (
    AmbiguousWriteError,
    BadRequestError,
    ClientOptions,
    ConflictError,
    JamfClient,
    JamfError,
    NotFoundError,
    Secret,
    tenant_credentials,
)
from .resources import Context, Desired, DuplicateError, HandoverState, Remote, fold

log = logging.getLogger(__name__)

Progress = Callable[[str, str], None]  # (tenant, message)
ROTATION = re.compile(r"^(?P<base>.+) \(rotation (?P<when>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\)$")
UPLOADER_ROLE = "jamf-enforcer uploader"
STAGES: tuple[tuple[str, ...], ...] = (
    (R.CATEGORY,), (R.ROLE, R.ACCOUNT), (R.CLIENT,), (R.SCRIPT, R.EA), (R.PROFILE,), (R.POLICY,),
)
PRUNE_ORDER = (R.POLICY, R.PROFILE, R.EA, R.SCRIPT, R.CLIENT, R.ROLE, R.ACCOUNT)


class SyncError(Exception):
    """A tenant-level problem that stops the command before any write (one line, no secret)."""


# --- results ------------------------------------------------------------------------------
@dataclass
class Change:
    kind: str
    name: str
    action: str  # create | update | unchanged | delete | error
    diff: str = ""
    id: str | None = None
    reason: str = ""

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


@dataclass
class Write:
    kind: str
    name: str
    action: str  # created | updated | deleted | credentials issued | password set | log flushed | disabled | renamed
    id: str | None = None
    detail: str = ""

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


@dataclass
class Failure:
    kind: str
    name: str
    error: str

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Finding:
    kind: str
    name: str
    message: str

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TenantResult:
    tenant: str
    command: str
    changes: list[Change] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    requests: int = 0
    token_requests: int = 0
    seconds: float = 0.0

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action in ("create", "update", "delete")]

    @property
    def ok(self) -> bool:
        return not self.error and not self.failures and not any(c.action == "error" for c in self.changes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.action] = out.get(c.action, 0) + 1
        return out

    def status(self) -> str:
        if self.error:
            return "error"
        if self.command == "audit":  # duplicates are drift findings for audit, not errors
            return "drift" if self.findings else "clean"
        if any(c.action == "error" for c in self.changes):
            return "error"
        if self.command == "plan":
            return "changes" if self.pending else "in sync"
        if self.command == "audit":
            return "drift" if self.findings else "clean"
        return "failed" if self.failures else "ok"

    def public(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant, "command": self.command, "status": self.status(),
            "error": self.error or None, "counts": self.counts(),
            "changes": [c.public() for c in self.changes],
            "writes": [w.public() for w in self.writes],
            "failures": [f.public() for f in self.failures],
            "findings": [f.public() for f in self.findings],
            "notes": self.notes,
            "requests": self.requests, "token_requests": self.token_requests, "seconds": round(self.seconds, 3),
        }


# --- desired state ------------------------------------------------------------------------
def desired_objects(spec: BundleSpec, artifacts: list[Artifact] | None = None) -> list[Desired]:
    """Everything the bundle wants on a tenant, built from the rendered artifacts."""
    arts = artifacts if artifacts is not None else render_all(spec)
    by_path = {a.path: a for a in arts}
    method = spec.agent["credential_method"]
    category = spec.jamf["category"]
    out: list[Desired] = []
    cat = json.loads(by_path["jamf/category.json"].content)
    out.append(Desired(R.CATEGORY, cat["name"], {"priority": cat.get("priority", 9)}, "jamf/category.json"))
    if method == "jamf-client":
        role = json.loads(by_path["jamf/api-role.json"].content)
        out.append(Desired(R.ROLE, role["displayName"], {"privileges": role["privileges"]}, "jamf/api-role.json"))
        client = json.loads(by_path["jamf/api-client.json"].content)
        out.append(Desired(R.CLIENT, client["displayName"], client, "jamf/api-client.json"))
    elif method == "jamf-account":
        account = json.loads(by_path["jamf/service-account.json"].content)
        out.append(Desired(R.ACCOUNT, account["name"], {
            "access_level": account["access_level"], "privilege_set": account["privilege_set"],
            "privileges": account["privileges"], "full_name": f"{spec.bundle['name']} update agent",
        }, "jamf/service-account.json"))
    note = f"Rendered from {spec.bundle['identifier']} {spec.bundle['version']} by jamf-enforcer."
    for art in arts:
        if art.kind in ("agent-script", "uninstall-script"):
            out.append(Desired(R.SCRIPT, art.meta["jamfName"], {
                "contents": art.content.decode("utf-8"), "category": category, "priority": "AFTER",
                "info": R.MANAGED_NOTE, "notes": note}, art.path))
        elif art.kind == "extension-attribute":
            m = art.meta
            out.append(Desired(R.EA, m["name"], {
                "contents": art.content.decode("utf-8"), "description": m.get("description", ""),
                "dataType": m["dataType"], "inventoryDisplayType": m["inventoryDisplayType"],
                "enabled": m.get("enabled", True)}, art.path))
        elif art.kind == "profile":
            plist = art.content.decode("utf-8")
            scope = R.parse_payloads(plist).get("PayloadScope", "System")
            out.append(Desired(R.PROFILE, art.meta["jamfName"], {
                "plist": plist, "description": R.MANAGED_NOTE, "category": category,
                "level": "user" if str(scope).lower() == "user" else "computer",
                "groups": [spec.jamf["scope_group"]]}, art.path))
    for art in arts:
        if art.kind == "policy":
            policy = json.loads(art.content)
            out.append(Desired(R.POLICY, policy["name"], policy, art.path, key=Path(art.path).stem))
    return out


# --- tenants and clients --------------------------------------------------------------------
def select_tenants(spec: BundleSpec, pattern: str) -> list[Tenant]:
    """``all``, an exact name, or a glob (``prod-*``)."""
    if not spec.tenants:
        raise BundleError(f"{spec.path}: no [tenants.NAME] tables: nothing to sync")
    if pattern == "all":
        return list(spec.tenants)
    exact = [t for t in spec.tenants if t.name == pattern]
    if exact:
        return exact
    matched = [t for t in spec.tenants if fnmatch.fnmatchcase(t.name, pattern)]
    if not matched:
        known = ", ".join(t.name for t in spec.tenants)
        raise BundleError(f"{spec.path}: --tenant {pattern!r} matches no tenant (known: {known})")
    return matched


@dataclass
class SyncOptions:
    """Knobs for one run.  ``now`` and ``sleep`` are injectable so tests cost no real time."""

    ca_file: str | None = None
    client_options: ClientOptions | None = None
    prune: bool = False
    retire: bool = False
    settle_seconds: float = 1.0  # wait before re-reading after an ambiguous POST
    create_attempts: int = 3
    # Jamf Cloud replication between web-app nodes takes up to 60 s (jamf-api-facts §1): how long
    # a create refused as a duplicate waits for the existing object to become visible here.
    replication_wait: float = 60.0
    now: Callable[[], float] = time.time
    progress: Progress | None = None
    base_dir: str | None = None  # for relative file: credential references


def make_client(spec: BundleSpec, tenant: Tenant, options: SyncOptions) -> JamfClient:
    base_dir = options.base_dir or str(Path(spec.path).parent)
    creds = tenant_credentials(tenant, base_dir)
    copts = options.client_options or ClientOptions()
    if options.ca_file:
        copts = ClientOptions(**{**copts.__dict__, "ca_file": options.ca_file})
    return JamfClient(tenant.url, creds, tenant=tenant.name, options=copts)


# --- one tenant -----------------------------------------------------------------------------
@dataclass
class Observed:
    objects: dict[str, list[Remote]] = field(default_factory=dict)
    privileges: set[str] | None = None


class TenantSync:
    """plan / apply / audit / rotate for one tenant, on one client."""

    def __init__(self, spec: BundleSpec, tenant_name: str, client: JamfClient, options: SyncOptions | None = None,
                 desired: list[Desired] | None = None) -> None:
        self.spec = spec
        self.tenant = tenant_name
        self.client = client
        self.options = options or SyncOptions()
        self.desired = desired if desired is not None else desired_objects(spec)
        self.method = spec.agent["credential_method"]
        self.prefix = spec.jamf["name_prefix"]
        self.client_name = spec.object_name(spec.jamf["api_client"])

    # --- helpers ----------------------------------------------------------------------------
    def _progress(self, message: str) -> None:
        if self.options.progress:
            self.options.progress(self.tenant, message)

    def _wanted(self, kind: str) -> list[Desired]:
        return [d for d in self.desired if d.kind == kind]

    def _ours(self, kind: str, name: str) -> bool:
        """Carries this bundle's prefix (what prune and audit may touch)."""
        # Case-insensitive, like the server's own name matching (and its RSQL filters).
        if kind == R.ACCOUNT:
            return fold(name).startswith(fold(self.prefix.replace(" ", "-") + "-"))
        return fold(name).startswith(fold(self.prefix) + " ")

    def _kinds(self, full: bool) -> list[str]:
        kinds = [R.CATEGORY, R.SCRIPT, R.EA, R.PROFILE, R.POLICY]
        if full or self.method == "jamf-client":
            kinds += [R.ROLE, R.CLIENT]
        if full or self.method == "jamf-account":
            kinds.append(R.ACCOUNT)
        return kinds

    # --- observe ----------------------------------------------------------------------------
    def observe(self, *, full: bool = False, kinds: Iterable[str] | None = None,
                privileges: bool | None = None) -> Observed:
        """Read what the tenant has of each kind, all requests in parallel.

        Jamf Pro API kinds: one list each (lists return whole objects).  Classic kinds: one GET
        by name per desired object, no list (Jamf refuses duplicate Classic names with 409, so a
        by-name read cannot hide a duplicate: jamf-api-facts §6 quirk 6).  ``full`` (audit,
        prune) lists Classic kinds too and reads every prefixed object, and fetches the
        server's privilege list.
        """
        kinds = list(kinds) if kinds is not None else self._kinds(full)
        if privileges is None:
            privileges = full
        observed = Observed({k: [] for k in kinds})
        self.client.ensure_token()  # one token before the fan-out, so parallel requests share it
        workers = self.client.options.max_concurrency  # more threads would only wait on the client's semaphore
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"observe-{self.tenant}") as pool:
            pending: dict[Future[Any], tuple[str, str]] = {}
            # Classic work first: on a cold pool the lists' reads depend on them.
            for kind in sorted(kinds, key=lambda k: not R.ADAPTERS[k].classic):
                adapter = R.ADAPTERS[kind]
                names = [d.name for d in self._wanted(kind)]
                if adapter.classic and not full and all(adapter.can_read_by_name(n) for n in names):
                    for name in names:
                        pending[pool.submit(adapter.read_by_name, self.client, name)] = ("named", kind)
                else:
                    pending[pool.submit(adapter.list, self.client, self.prefix, names)] = ("list", kind)
            if privileges:
                pending[pool.submit(self.client.get_json, "/api/v1/api-role-privileges")] = ("privileges", "")
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    what, kind = pending.pop(fut)
                    result = fut.result()  # a failed read fails the whole observation
                    if what == "privileges":
                        observed.privileges = set(result.get("privileges") or [])
                    elif what in ("named", "read"):
                        if result is not None:
                            observed.objects[kind].append(result)
                    elif what == "list" and R.ADAPTERS[kind].classic:
                        wanted = {fold(d.name) for d in self._wanted(kind)}
                        for obj in result:
                            if fold(obj.name) in wanted or (full and self._ours(kind, obj.name)):
                                pending[pool.submit(R.ADAPTERS[kind].read, self.client, obj)] = ("read", kind)
                            else:
                                observed.objects[kind].append(obj)  # listed only: never diffed
                    else:
                        observed.objects[kind].extend(result)
        return observed

    # --- context and hand-over --------------------------------------------------------------
    def context(self, observed: Observed) -> Context:
        ctx = Context()
        for c in observed.objects.get(R.CATEGORY, []):
            ctx.category_ids.setdefault(fold(c.name), c.id)
            ctx.category_names[c.id] = c.name
        for s in observed.objects.get(R.SCRIPT, []):
            ctx.script_ids.setdefault(fold(s.name), s.id)
        for want in self._wanted(R.POLICY):
            if want.spec.get("handover"):
                ctx.handover[fold(want.name)] = self._handover_state(want, observed)
        return ctx

    def _live_client_ids(self, observed: Observed) -> dict[str, Remote]:
        """clientId → client for the bundle's client and any client of an unfinished rotation."""
        out = {}
        for c in observed.objects.get(R.CLIENT, []):
            if fold(c.name) == fold(self.client_name) or self._rotation_of(c.name):
                cid = str(c.data.get("clientId") or "")
                if cid:
                    out[cid] = c
        return out

    def _rotation_of(self, name: str) -> datetime | None:
        m = ROTATION.match(name)
        if m and fold(m.group("base")) == fold(self.client_name):
            return datetime.strptime(m.group("when"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return None

    def _handover_state(self, want: Desired, observed: Observed) -> HandoverState:
        try:
            obj = R.find_by_name(observed.objects.get(R.POLICY, []), want.name)
        except DuplicateError:
            return HandoverState("missing", "duplicate policies")
        if obj is None or not obj.complete:
            return HandoverState("missing", "the policy does not exist yet")
        scripts = obj.data.get("scripts") or []
        params = scripts[0]["parameters"] if scripts else {}
        values: dict[str, str] = {}
        for key, what in want.spec["handover"].items():
            option = R.handover_prefix(want.spec["script"]["parameters"][key])
            current = params.get(key, "")
            if not current.startswith(option) or not current[len(option):] or HANDOVER_PLACEHOLDER in current:
                return HandoverState("missing", f"{key} carries no credential")
            values[what] = current[len(option):]
        if self.method == "jamf-client":
            if values.get("client_id") not in self._live_client_ids(observed):
                return HandoverState("stale", "it names an API client that no longer exists")
        elif self.method == "jamf-account":
            account = _safe_find(observed, R.ACCOUNT, values.get("account", ""))
            if account is None or fold(account.name) != fold(self._wanted(R.ACCOUNT)[0].name):
                return HandoverState("stale", "it names an account that does not exist")
        return HandoverState("ok")

    # --- plan -------------------------------------------------------------------------------
    def _protected(self, observed: Observed) -> set[tuple[str, str]]:
        """Objects prune must never delete: the uploader's own client and role, rotations."""
        keep: set[tuple[str, str]] = {(R.ROLE, fold(UPLOADER_ROLE))}
        me = self.client.identity
        for c in observed.objects.get(R.CLIENT, []):
            if str(c.data.get("clientId") or "") == me:
                keep.add((R.CLIENT, fold(c.name)))
                keep.update((R.ROLE, fold(s)) for s in c.data.get("authorizationScopes") or [])
            if self._rotation_of(c.name):
                keep.add((R.CLIENT, fold(c.name)))
        if not self.client.uses_client_credentials:
            keep.add((R.ACCOUNT, fold(me)))
        return keep

    def compute_plan(self, observed: Observed, ctx: Context, *, prune: bool = False) -> list[Change]:
        changes: list[Change] = []
        for want in self.desired:
            adapter = R.ADAPTERS[want.kind]
            try:
                obj = R.find_by_name(observed.objects.get(want.kind, []), want.name)
            except DuplicateError as exc:
                changes.append(Change(want.kind, want.name, "error", reason=str(exc)))
                continue
            desired_view = adapter.view(want, ctx)
            if obj is None:
                if want.kind == R.CLIENT and self._rotation_leftover(observed) is not None:
                    changes.append(Change(want.kind, want.name, "update", reason="finish the interrupted rotation: "
                                          "rename the rotation client back to the bundle's name"))
                    continue
                diff = _diff([], render_view(desired_view), want)
                changes.append(Change(want.kind, want.name, "create", diff=diff))
                continue
            remote_view = adapter.remote_view(obj, ctx, want)
            if remote_view == desired_view:
                changes.append(Change(want.kind, want.name, "unchanged", id=obj.id))
                continue
            reason = ""
            if want.kind == R.POLICY and want.spec.get("handover"):
                state = ctx.handover.get(fold(want.name))
                if state and state.state != "ok":
                    reason = f"credentials will be issued and handed over ({state.reason})"
            if want.kind == R.CATEGORY:
                reason = "only the name's spelling differs"
            changes.append(Change(want.kind, want.name, "update", id=obj.id, reason=reason,
                                  diff=_diff(render_view(remote_view), render_view(desired_view), want)))
        if prune:
            wanted = {(d.kind, fold(d.name)) for d in self.desired}
            keep = self._protected(observed)
            for kind in PRUNE_ORDER:
                for obj in observed.objects.get(kind, []):
                    key = (kind, fold(obj.name))
                    if self._ours(kind, obj.name) and key not in wanted and key not in keep:
                        changes.append(Change(kind, obj.name, "delete", id=obj.id,
                                              reason=f"carries the prefix {self.prefix!r} but the bundle no longer "
                                                     "wants it"))
        return changes

    def _rotation_leftover(self, observed: Observed) -> Remote | None:
        rotations = [c for c in observed.objects.get(R.CLIENT, []) if self._rotation_of(c.name)]
        return rotations[0] if len(rotations) == 1 else None

    def _measured(self, fn: Callable[[], TenantResult]) -> TenantResult:
        """Run one command and record its own requests, token requests and wall time."""
        started, before = time.monotonic(), len(self.client.stats.exchanges)
        tokens_before = self.client.stats.token_requests()
        result = fn()
        result.requests = len(self.client.stats.exchanges) - before
        result.token_requests = self.client.stats.token_requests() - tokens_before
        result.seconds = time.monotonic() - started
        return result

    def plan(self, *, prune: bool = False) -> TenantResult:
        return self._measured(lambda: self._plan(prune))

    def apply(self, *, prune: bool = False, dry_run: bool = False) -> TenantResult:
        if dry_run:
            return self.plan(prune=prune)
        return self._measured(lambda: self._apply(prune))

    def audit(self) -> TenantResult:
        return self._measured(self._audit)

    def rotate(self, *, retire: bool = False) -> TenantResult:
        return self._measured(lambda: self._rotate(retire))

    def _plan(self, prune: bool) -> TenantResult:
        result = TenantResult(self.tenant, "plan")
        self._progress("reading the tenant")
        observed = self.observe(full=prune)
        ctx = self.context(observed)
        result.changes = self.compute_plan(observed, ctx, prune=prune)
        self._check_privileges(observed, result, fatal=False)
        if result.notes and "unknown to this Jamf Pro" in result.notes[-1]:
            result.error = result.notes.pop()  # apply would refuse: the plan is an error (exit 1), diff kept
        return result

    # --- privileges -------------------------------------------------------------------------
    def _check_privileges(self, observed: Observed, result: TenantResult, *, fatal: bool) -> None:
        """Every privilege the role (or account) will be written with must be on this server's list.

        Names are case-sensitive and change between Jamf versions (TF #498/#571, jamf-cli #47), so
        the list is the server's own ``GET /api/v1/api-role-privileges``.  It is fetched only when
        a role or account is about to be written (or was already fetched by audit): a no-op plan
        does not pay for it.
        """
        writing = {(c.kind, fold(c.name)) for c in result.changes if c.action in ("create", "update")}
        names: list[str] = []
        for want in self._wanted(R.ROLE):
            if observed.privileges is not None or (R.ROLE, fold(want.name)) in writing:
                names += want.spec["privileges"]
        for want in self._wanted(R.ACCOUNT):
            if observed.privileges is not None or (R.ACCOUNT, fold(want.name)) in writing:
                for group in want.spec["privileges"].values():
                    names += group
        if not names:
            return
        if observed.privileges is None:
            observed.privileges = set(self.client.get_json("/api/v1/api-role-privileges").get("privileges") or [])
        unknown = sorted({n for n in names if n not in observed.privileges})
        if not unknown:
            return
        version = self._version()
        message = (f"privilege(s) unknown to this Jamf Pro{f' ({version})' if version else ''}: "
                   + ", ".join(repr(n) for n in unknown)
                   + "; the agent's endpoints need them, so this server cannot run the agent as rendered "
                     "(upgrade Jamf Pro or change agent.msu_workflow)")
        if fatal:
            raise SyncError(message)
        result.notes.append(message)

    def _version(self) -> str:
        try:
            return str(self.client.get_json("/api/v1/jamf-pro-version").get("version") or "")
        except JamfError:
            return ""

    # --- apply ------------------------------------------------------------------------------
    def _apply(self, prune: bool) -> TenantResult:
        result = TenantResult(self.tenant, "apply")
        self._progress("reading the tenant")
        observed = self.observe(full=prune)
        ctx = self.context(observed)
        result.changes = self.compute_plan(observed, ctx, prune=prune)
        # Every privilege is checked against this server's own list before anything is written.
        self._check_privileges(observed, result, fatal=True)
        errors = [c for c in result.changes if c.action == "error"]
        for c in errors:
            result.failures.append(Failure(c.kind, c.name, c.reason))
        run = _ApplyRun(self, observed, ctx, result)
        run.execute()
        return result

    # --- audit ------------------------------------------------------------------------------
    def _audit(self) -> TenantResult:
        result = TenantResult(self.tenant, "audit")
        self._progress("reading the tenant")
        observed = self.observe(full=True)
        ctx = self.context(observed)
        changes = self.compute_plan(observed, ctx, prune=True)
        result.changes = changes
        self._check_privileges(observed, result, fatal=False)
        find = result.findings
        workflow = self.spec.agent["msu_workflow"]
        for change in changes:
            if change.action == "error":
                find.append(Finding(change.kind, change.name, change.reason))
            elif change.action == "create":
                find.append(Finding(change.kind, change.name, "missing on the tenant"))
            elif change.action == "update":
                find.append(Finding(change.kind, change.name, "differs from the rendered bundle"
                                    + (f" ({change.reason})" if change.reason else "")))
            elif change.action == "delete":
                find.append(Finding(change.kind, change.name, "left over: carries the prefix but the bundle does not "
                                    "want it (apply --prune deletes it)"))
        # Named privilege drift, with the endpoints that need each missing privilege.
        needed_by = catalogue.privilege_endpoints(catalogue.agent_endpoints(workflow, "jamf-client"))
        for want in self._wanted(R.ROLE):
            obj = _safe_find(observed, R.ROLE, want.name)
            if obj is not None:
                have = set(obj.data.get("privileges") or [])
                for p in sorted(set(want.spec["privileges"]) - have):
                    find.append(Finding(R.ROLE, want.name, f"missing privilege {p!r} (needed by "
                                        f"{', '.join(needed_by.get(p, ['the agent']))})"))
                for p in sorted(have - set(want.spec["privileges"])):
                    find.append(Finding(R.ROLE, want.name, f"extra privilege {p!r} (no endpoint the agent calls needs it)"))
        for want in self._wanted(R.ACCOUNT):
            obj = _safe_find(observed, R.ACCOUNT, want.name)
            if obj is not None and obj.complete:
                for group, wanted in want.spec["privileges"].items():
                    have = set(obj.data.get("privileges", {}).get(group, []))
                    for p in sorted(set(wanted) - have):
                        find.append(Finding(R.ACCOUNT, want.name, f"missing privilege {p!r} ({group})"))
                    for p in sorted(have - set(wanted)):
                        find.append(Finding(R.ACCOUNT, want.name, f"extra privilege {p!r} ({group})"))
        for want in self._wanted(R.CLIENT):
            obj = _safe_find(observed, R.CLIENT, want.name)
            if obj is not None:
                if not obj.data.get("enabled"):
                    find.append(Finding(R.CLIENT, want.name, "the API client is disabled: the agent cannot get a token"))
                scopes = sorted(obj.data.get("authorizationScopes") or [])
                if scopes != sorted(want.spec["authorizationScopes"]):
                    find.append(Finding(R.CLIENT, want.name, f"the API client is on the wrong role(s): {scopes} "
                                        f"instead of {sorted(want.spec['authorizationScopes'])}"))
        for name, state in ctx.handover.items():
            if state.state != "ok":
                find.append(Finding(R.POLICY, _display(self._wanted(R.POLICY), name),
                                    f"hands over no valid credentials: {state.reason}"))
        grace = int(self.spec.jamf["rotation_grace_days"])
        for c in observed.objects.get(R.CLIENT, []):
            started = self._rotation_of(c.name)
            if started is not None:
                age = (self.options.now() - started.timestamp()) / 86400
                due = "retire it with rotate --retire" if grace == 0 or age >= grace else \
                    f"the old client is retired after {grace} days"
                find.append(Finding(R.CLIENT, c.name, f"unfinished rotation started {age:.1f} days ago; {due}"))
        # A finding for an object already reported as differing is kept: each names a cause.
        return result

    # --- rotate -----------------------------------------------------------------------------
    def _rotate(self, retire: bool) -> TenantResult:
        result = TenantResult(self.tenant, "rotate")
        try:
            return self._rotate_steps(result, retire)
        except (SyncError, JamfError, DuplicateError) as exc:
            if not result.writes:
                raise
            # Keep what was already written in the report: it matters most when a step failed.
            result.error = _one_line(self.client, exc)
            return result

    def _rotate_steps(self, result: TenantResult, retire: bool) -> TenantResult:
        if self.method != "jamf-client":
            raise SyncError(f"rotate supports agent.credential_method = 'jamf-client' only (this bundle uses "
                            f"{self.method!r})")
        # Scripts too: the policy update names its script by id.
        observed = self.observe(kinds=[R.CLIENT, R.POLICY, R.SCRIPT], privileges=False)
        ctx = self.context(observed)
        clients = observed.objects.get(R.CLIENT, [])
        current = R.find_by_name(clients, self.client_name)
        rotations = [c for c in clients if self._rotation_of(c.name)]
        if len(rotations) > 1:
            raise SyncError(f"{len(rotations)} unfinished rotations of {self.client_name!r}: "
                            + ", ".join(c.name for c in rotations) + "; delete all but the one the credential policy "
                            "hands over")
        policy_want = next((p for p in self._wanted(R.POLICY) if p.spec.get("handover")), None)
        if policy_want is None:
            raise SyncError("the bundle has no credential policy")
        policy = R.find_by_name(observed.objects.get(R.POLICY, []), policy_want.name)
        grace = int(self.spec.jamf["rotation_grace_days"])
        if rotations:
            pending = rotations[0]
            started = self._rotation_of(pending.name)
            assert started is not None
            if policy is not None and self._handed_client_id(policy_want, policy) != pending.data.get("clientId"):
                # An earlier rotate stopped between creating the client and handing it over: resume.
                self._hand_over(result, ctx, pending, policy_want, policy)
                return result
            age_days = (self.options.now() - started.timestamp()) / 86400
            if retire or (grace > 0 and age_days >= grace):
                self._retire(result, current, pending, policy_want, policy)
            else:
                until = "rotate --retire" if grace == 0 else f"{grace} days have passed ({grace - age_days:.1f} to go)"
                result.notes.append(f"rotation to {pending.name!r} pending since {started:%Y-%m-%d %H:%M} UTC; the old "
                                    f"client stays enabled until {until}")
            return result
        if retire:
            result.notes.append("no rotation to retire")
            return result
        if current is None or policy is None:
            raise SyncError("nothing to rotate yet: run apply first (the API client and the credential policy must exist)")
        if ctx.handover[fold(policy_want.name)].state != "ok":
            raise SyncError("the credential policy hands over no valid credentials: run apply (it issues them)")
        stamp = datetime.fromtimestamp(self.options.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        name = f"{self.client_name} (rotation {stamp})"
        adapter = R.ADAPTERS[R.CLIENT]
        assert isinstance(adapter, R.ClientAdapter)
        scopes = list(current.data.get("authorizationScopes") or [])
        lifetime = int(current.data.get("accessTokenLifetimeSeconds") or self.spec.jamf["token_lifetime_seconds"])
        try:
            new = adapter.create_named(self.client, name, scopes, lifetime)
        except AmbiguousWriteError:
            # Never resent; the re-read decides (see the module docstring).
            self._settle()
            found = _find_listed(adapter, self.client, self.prefix, name)
            if found is None:
                raise SyncError(f"creating {name!r} may have failed (connection lost); nothing else was changed, "
                                "run rotate again") from None
            new = found
        result.writes.append(Write(R.CLIENT, name, "created", new.id, f"same role(s) as {self.client_name!r}"))
        self._hand_over(result, ctx, new, policy_want, policy)
        until = "rotate --retire" if grace == 0 else f"rotate --retire, or the first rotate after {grace} days"
        result.notes.append(f"{self.client_name!r} stays enabled so Macs that have not re-run the policy keep working; "
                            f"it is disabled and deleted by {until}")
        return result

    def _handed_client_id(self, policy_want: Desired, policy: Remote) -> str:
        key = next((k for k, v in policy_want.spec["handover"].items() if v == "client_id"), "parameter4")
        scripts = policy.data.get("scripts") or []
        return scripts[0]["parameters"].get(key, "").partition("=")[2] if scripts else ""

    def _hand_over(self, result: TenantResult, ctx: Context, new: Remote, policy_want: Desired, policy: Remote) -> None:
        """New credentials for ``new`` into the credential policy, then flush the policy's log.

        A failure here leaves the old client working (it stays enabled); the next ``rotate``
        resumes from the hand-over.
        """
        adapter = R.ADAPTERS[R.CLIENT]
        assert isinstance(adapter, R.ClientAdapter)
        try:
            client_id, secret = adapter.issue_credentials(self.client, new)
        except AmbiguousWriteError:
            raise SyncError(f"issuing credentials for {new.name!r} got no answer; the old client still works; "
                            "run rotate again to resume") from None
        result.writes.append(Write(R.CLIENT, new.name, "credentials issued", new.id))
        ctx.handover[fold(policy_want.name)] = HandoverState(
            "issued", values={"client_id": Secret(client_id), "client_secret": secret})
        pol = R.ADAPTERS[R.POLICY]
        assert isinstance(pol, R.PolicyAdapter)
        pol.update(self.client, policy, policy_want, ctx)
        result.writes.append(Write(R.POLICY, policy.name, "updated", policy.id, "hands over the new API client"))
        try:
            pol.flush_log(self.client, policy)
        except JamfError as exc:
            raise SyncError(f"the credential policy hands over the new client but flushing its log failed ({exc}); "
                            "flush the policy's logs in Jamf Pro before retiring the old client, or Macs that do not "
                            "re-run it lose access") from None
        result.writes.append(Write(R.POLICY, policy.name, "log flushed", policy.id,
                                   "every Mac re-runs the credential policy and saves the new client"))

    def _retire(self, result: TenantResult, current: Remote | None, pending: Remote, policy_want: Desired,
                policy: Remote | None) -> None:
        adapter = R.ADAPTERS[R.CLIENT]
        assert isinstance(adapter, R.ClientAdapter)
        handed = self._handed_client_id(policy_want, policy) if policy is not None else ""
        if handed != str(pending.data.get("clientId") or ""):
            raise SyncError(f"the credential policy does not hand over {pending.name!r}; refusing to retire the old "
                            "client (run rotate again to resume the hand-over)")
        if current is not None:
            if current.data.get("enabled"):
                adapter.put(self.client, current, enabled=False)
                result.writes.append(Write(R.CLIENT, current.name, "disabled", current.id))
            gone = _delete(adapter, self.client, current)
            result.writes.append(Write(R.CLIENT, current.name, "deleted", current.id,
                                       gone or "tokens already issued to it live until they expire"))
        adapter.put(self.client, pending, name=self.client_name)
        result.writes.append(Write(R.CLIENT, self.client_name, "renamed", pending.id, f"was {pending.name!r}"))

    def _settle(self) -> None:
        if self.options.settle_seconds > 0 and self.client.options.sleep:
            self.client.options.sleep(self.options.settle_seconds)


def _delete(adapter: R.Adapter, client: JamfClient, obj: Remote) -> str:
    """Delete ``obj``; a 404 means it is gone already, which is what was wanted.

    DELETE is retried after a dropped connection or a 5xx (it is idempotent), so a first
    attempt that was applied but whose answer was lost makes the retry answer 404.  Returns
    "" or, for a 404, a note saying so for the report.
    """
    try:
        adapter.delete(client, obj)
    except NotFoundError:
        return "already gone when deleted: an earlier attempt whose answer was lost, or removed meanwhile"
    return ""


def _safe_find(observed: Observed, kind: str, name: str) -> Remote | None:
    try:
        return R.find_by_name(observed.objects.get(kind, []), name)
    except DuplicateError:
        return None


def _display(wants: list[Desired], folded: str) -> str:
    return next((w.name for w in wants if fold(w.name) == folded), folded)


def _find_listed(adapter: R.Adapter, client: JamfClient, prefix: str, name: str) -> Remote | None:
    """Re-read one object by name (after an ambiguous create): a Classic GET by name, or a list."""
    if adapter.classic and adapter.can_read_by_name(name):
        return adapter.read_by_name(client, name)
    obj = R.find_by_name(adapter.list(client, prefix, [name]), name)
    if obj is not None and not obj.complete:
        obj = adapter.read(client, obj)
    return obj


class _ApplyRun:
    """The write phase of one apply (keeps the bookkeeping out of ``TenantSync``)."""

    def __init__(self, sync: TenantSync, observed: Observed, ctx: Context, result: TenantResult) -> None:
        self.s = sync
        self.client = sync.client
        self.observed = observed
        self.ctx = ctx
        self.result = result
        self.lock = threading.Lock()
        self.failed: set[tuple[str, str]] = set()
        self.current: dict[tuple[str, str], Remote] = {}
        for kind, objs in observed.objects.items():
            for obj in objs:
                self.current.setdefault((kind, fold(obj.name)), obj)
        self.passwords: dict[str, Secret] = {}
        # Objects the plan could not resolve (duplicates) block everything that depends on them.
        self.failed.update((c.kind, fold(c.name)) for c in result.changes if c.action == "error")

    # bookkeeping
    def wrote(self, write: Write) -> None:
        with self.lock:
            self.result.writes.append(write)
        self.s._progress(f"{write.action} {write.kind} {write.name}")

    def fail(self, kind: str, name: str, error: str) -> None:
        with self.lock:
            self.failed.add((kind, fold(name)))
            self.result.failures.append(Failure(kind, name, error))
        self.s._progress(f"FAILED {kind} {name}: {error}")

    def dependencies(self, want: Desired) -> list[tuple[str, str]]:
        deps: list[tuple[str, str]] = []
        category = self.s.spec.jamf["category"]
        if want.kind in (R.SCRIPT, R.PROFILE, R.POLICY):
            deps.append((R.CATEGORY, fold(category)))
        if want.kind == R.CLIENT:
            deps += [(R.ROLE, fold(s)) for s in want.spec["authorizationScopes"]]
        if want.kind == R.POLICY:
            deps.append((R.SCRIPT, fold(want.spec["script"]["name"])))
            if want.spec.get("handover"):
                deps += [(d.kind, fold(d.name)) for d in self.s.desired if d.kind in (R.CLIENT, R.ACCOUNT)]
        return deps

    def execute(self) -> None:
        changes = {(c.kind, fold(c.name)): c for c in self.result.changes}
        wants = {(d.kind, fold(d.name)): d for d in self.s.desired}
        for stage in STAGES:
            items = [(wants[k], changes[k]) for k in wants if k[0] in stage and k in changes
                     and changes[k].action in ("create", "update")]
            if not items:
                continue
            with ThreadPoolExecutor(max_workers=5, thread_name_prefix=f"apply-{self.s.tenant}") as pool:
                list(pool.map(lambda item: self._one(*item), items))
        deletes = [c for c in self.result.changes if c.action == "delete"]
        for kind in PRUNE_ORDER:
            for change in (c for c in deletes if c.kind == kind):
                obj = self.current.get((kind, fold(change.name)))
                if obj is None:
                    continue
                try:
                    gone = _delete(R.ADAPTERS[kind], self.client, obj)
                    self.wrote(Write(kind, obj.name, "deleted", obj.id, "prune" + (f" ({gone})" if gone else "")))
                except JamfError as exc:
                    self.fail(kind, obj.name, _one_line(self.client, exc))

    def _one(self, want: Desired, change: Change) -> None:
        key = (want.kind, fold(want.name))
        blocked = [d for d in self.dependencies(want) if d in self.failed]
        if blocked:
            self.fail(want.kind, want.name, "skipped: depends on " + ", ".join(f"{k} {n!r}" for k, n in blocked)
                      + " which failed")
            return
        try:
            obj = self.current.get(key)
            if want.kind == R.POLICY and want.spec.get("handover"):
                if self._handover_ok_now(want) and obj is not None:
                    adapter = R.ADAPTERS[R.POLICY]
                    if adapter.view(want, self.ctx) == adapter.remote_view(obj, self.ctx, want):
                        return  # the client it names turned up after all (replication): nothing to issue
                self._prepare_handover(want)
            if change.action == "update" and want.kind == R.CLIENT and obj is None:
                self._finish_rotation(want)
                return
            if change.action == "create" or obj is None:
                self._create(want)
            else:
                self._update(want, obj)
        except (JamfError, ValueError, DuplicateError) as exc:
            self.fail(want.kind, want.name, _one_line(self.client, exc))

    def _create(self, want: Desired) -> None:
        adapter = R.ADAPTERS[want.kind]
        attempts = 0
        while True:
            attempts += 1
            try:
                if want.kind == R.ACCOUNT:
                    password = self.passwords.setdefault(fold(want.name), _new_password(self.client))
                    assert isinstance(adapter, R.AccountAdapter)
                    obj = Remote(want.kind, adapter.create(self.client, want, self.ctx, password=password), want.name,
                                 complete=False)
                elif want.kind == R.CLIENT:
                    assert isinstance(adapter, R.ClientAdapter)
                    s = want.spec
                    obj = adapter.create_named(self.client, want.name, list(s["authorizationScopes"]),
                                               int(s["accessTokenLifetimeSeconds"]))  # the answer carries clientId
                else:
                    obj = Remote(want.kind, adapter.create(self.client, want, self.ctx), want.name, complete=False)
                if not obj.id:  # an unparseable Classic answer: find the new id by name
                    obj = _find_listed(adapter, self.client, self.s.prefix, want.name) or obj
                self._created(want, obj, "")
                return
            except (BadRequestError, ConflictError) as exc:
                if not _is_duplicate(exc):
                    raise
                # The server has it although our read did not show it: an earlier run created it on
                # another Jamf Cloud node and it has not replicated to ours yet.  Wait until it is
                # visible, then treat it like any existing object.
                found = self._await_visible(adapter, want)
                if found is None:
                    raise
                self._adopt(want, found)
                return
            except AmbiguousWriteError as exc:
                # The client did not resend; re-read by name and decide (module docstring).
                self.s._settle()
                found = _find_listed(adapter, self.client, self.s.prefix, want.name)
                if found is not None:
                    self._created(want, found, f"confirmed by a re-read after: {exc.message}")
                    return
                if attempts >= self.s.options.create_attempts:
                    raise
                log.info("%s: %s not found after an ambiguous create; creating it again", self.s.tenant, want.label)

    def _await_visible(self, adapter: R.Adapter, want: Desired) -> Remote | None:
        waited, step = 0.0, 1.0
        while waited < self.s.options.replication_wait:
            step = min(step, self.s.options.replication_wait - waited)
            self.client.options.sleep(step)
            waited += step
            found = _find_listed(adapter, self.client, self.s.prefix, want.name)
            if found is not None:
                return found
            step *= 2
        return None

    def _adopt(self, want: Desired, obj: Remote) -> None:
        """An object that existed although the plan did not see it: record it, update it if it differs."""
        key = (want.kind, fold(want.name))
        with self.lock:
            self.current[key] = obj
            if want.kind == R.CATEGORY:
                self.ctx.category_ids[fold(want.name)] = obj.id
                self.ctx.category_names[obj.id] = obj.name
            elif want.kind == R.SCRIPT:
                self.ctx.script_ids[fold(want.name)] = obj.id
        adapter = R.ADAPTERS[want.kind]
        if adapter.view(want, self.ctx) != adapter.remote_view(obj, self.ctx, want):
            self._update(want, obj, "it existed already (not yet replicated to this node when read)")
        else:
            self.s._progress(f"{want.kind} {want.name} existed already (replication delay): nothing to write")

    def _created(self, want: Desired, obj: Remote, detail: str) -> None:
        key = (want.kind, fold(want.name))
        with self.lock:
            self.current[key] = obj
            if want.kind == R.CATEGORY:
                self.ctx.category_ids[fold(want.name)] = obj.id
                self.ctx.category_names[obj.id] = want.name
            elif want.kind == R.SCRIPT:
                self.ctx.script_ids[fold(want.name)] = obj.id
        self.wrote(Write(want.kind, want.name, "created", obj.id, detail))

    def _update(self, want: Desired, obj: Remote, detail: str = "") -> None:
        adapter = R.ADAPTERS[want.kind]
        if want.kind == R.ACCOUNT:
            assert isinstance(adapter, R.AccountAdapter)
            adapter.update(self.client, obj, want, self.ctx, password=self.passwords.get(fold(want.name)))
        else:
            adapter.update(self.client, obj, want, self.ctx)
        self.wrote(Write(want.kind, want.name, "updated", obj.id, detail))

    def _finish_rotation(self, want: Desired) -> None:
        leftover = self.s._rotation_leftover(self.observed)
        if leftover is None:
            raise ValueError("no rotation client to rename")
        adapter = R.ADAPTERS[R.CLIENT]
        assert isinstance(adapter, R.ClientAdapter)
        adapter.put(self.client, leftover, name=want.name)
        leftover.name = want.name
        self.current[(R.CLIENT, fold(want.name))] = leftover
        self.wrote(Write(R.CLIENT, want.name, "renamed", leftover.id, "finished an interrupted rotation"))

    def _handover_ok_now(self, want: Desired) -> bool:
        """Re-check the hand-over against what this run knows now (objects adopted meanwhile).

        A client the plan could not see (not yet replicated to this node) may turn out to be the
        one the policy already hands over: issuing new credentials then would rotate the secret
        every Mac has saved.
        """
        state = self.ctx.handover.get(fold(want.name))
        if state is None or state.state in ("ok", "issued"):
            return state is not None and state.state == "ok"
        objects: dict[str, list[Remote]] = {}
        with self.lock:
            for (kind, _), obj in self.current.items():
                objects.setdefault(kind, []).append(obj)
        fresh = self.s._handover_state(want, Observed(objects))
        if fresh.state == "ok":
            self.ctx.handover[fold(want.name)] = fresh
            return True
        return False

    def _prepare_handover(self, want: Desired) -> None:
        """Issue credentials for the credential policy unless it already hands valid ones over."""
        state = self.ctx.handover.setdefault(fold(want.name), HandoverState())
        if state.state == "ok" or state.values:
            return
        method = self.s.method
        if method == "jamf-client":
            client_want = self.s._wanted(R.CLIENT)[0]
            obj = self.current.get((R.CLIENT, fold(client_want.name)))
            if obj is None:
                raise ValueError(f"API client {client_want.name!r} does not exist")
            adapter = R.ADAPTERS[R.CLIENT]
            assert isinstance(adapter, R.ClientAdapter)
            try:
                client_id, secret = adapter.issue_credentials(self.client, obj)
            except AmbiguousWriteError:
                raise ValueError("issuing the API client's credentials got no answer; the secret (if any) is lost and "
                                 "was not handed over; run apply again to issue new ones") from None
            self.wrote(Write(R.CLIENT, obj.name, "credentials issued", obj.id, f"handed to policy {want.name!r}"))
            state.values = {"client_id": Secret(client_id), "client_secret": secret}
        elif method == "jamf-account":
            account_want = self.s._wanted(R.ACCOUNT)[0]
            obj = self.current.get((R.ACCOUNT, fold(account_want.name)))
            if obj is None:
                raise ValueError(f"account {account_want.name!r} does not exist")
            password = self.passwords.get(fold(account_want.name))
            if password is None:
                # The account exists but its password is unknown: set a new one to hand over.
                password = _new_password(self.client)
                adapter = R.ADAPTERS[R.ACCOUNT]
                assert isinstance(adapter, R.AccountAdapter)
                adapter.update(self.client, obj, account_want, self.ctx, password=password)
                self.wrote(Write(R.ACCOUNT, obj.name, "password set", obj.id, f"handed to policy {want.name!r}"))
            state.values = {"account": Secret(account_want.name), "password": password}
        state.state = "issued"


def _is_duplicate(exc: JamfError) -> bool:
    """A create refused because the name is taken: Jamf Pro API 400 DUPLICATE_FIELD (jamf-api-facts §4),
    Classic 409 "Duplicate name" (§6 quirk 6)."""
    text = exc.message.lower()
    return exc.status in (400, 409) and ("duplicate" in text or "already exists" in text)


def _new_password(client: JamfClient) -> Secret:
    password = Secret(secrets.token_urlsafe(24))
    client.register_secret(password)
    return password


def _one_line(client: JamfClient, exc: BaseException) -> str:
    # Results already carry the tenant: drop the exception's own "<tenant>: " prefix.
    return client.scrub(" ".join(str(exc).split())).removeprefix(f"{client.tenant}: ")


def render_view(view: dict[str, Any]) -> list[str]:
    """A view as diff-friendly lines: one key per line, list items and multi-line text indented below it."""
    lines: list[str] = []
    for key, value in view.items():
        if isinstance(value, str) and "\n" in value:
            lines.append(f"{key}: |")
            lines.extend("    " + line for line in value.split("\n"))
        elif isinstance(value, dict):
            lines.append(f"{key}:" + ("" if value else " {}"))
            lines.extend(f"    {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items())
        elif isinstance(value, list):  # one item per line: a changed privilege is one diff line
            lines.append(f"{key}:" + ("" if value else " []"))
            lines.extend(f"    - {json.dumps(v, ensure_ascii=False)}" for v in value)
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return lines


def _diff(old: list[str], new: list[str], want: Desired) -> str:
    return "\n".join(difflib.unified_diff(old, new, fromfile=f"tenant: {want.label}", tofile=f"bundle: {want.label}",
                                          lineterm="", n=2))


# --- many tenants ---------------------------------------------------------------------------
def run_tenants(spec: BundleSpec, tenants: list[Tenant], command: str, options: SyncOptions,
                clients: dict[str, JamfClient] | None = None) -> list[TenantResult]:
    """Run ``command`` on each tenant concurrently; one result per tenant, in bundle order."""
    desired = desired_objects(spec)

    def one(tenant: Tenant) -> TenantResult:
        started = time.monotonic()
        result = TenantResult(tenant.name, command)
        client: JamfClient | None = None
        try:
            client = (clients or {}).get(tenant.name) or make_client(spec, tenant, options)
            sync = TenantSync(spec, tenant.name, client, options, desired)
            if command == "plan":
                result = sync.plan(prune=options.prune)
            elif command == "apply":
                result = sync.apply(prune=options.prune)
            elif command == "audit":
                result = sync.audit()
            elif command == "rotate":
                result = sync.rotate(retire=options.retire)
            else:
                raise ValueError(f"unknown command {command!r}")
        except (JamfError, SyncError, DuplicateError) as exc:
            result.error = _one_line(client, exc) if client else " ".join(str(exc).split())
        except Exception as exc:  # a bug must not hide the other tenants' results or leak a secret
            log.debug("unexpected error on tenant %s", tenant.name, exc_info=False)
            text = f"internal error: {type(exc).__name__}: {exc}"
            result.error = _one_line(client, Exception(text)) if client else text
        finally:
            if client is not None:
                if result.error:  # the command did not finish: report what it cost anyway
                    result.requests = client.stats.total
                    result.token_requests = client.stats.token_requests()
                if not clients:
                    client.close()
            if not result.seconds:
                result.seconds = time.monotonic() - started
        return result

    if len(tenants) == 1:
        return [one(tenants[0])]
    with ThreadPoolExecutor(max_workers=min(32, len(tenants)), thread_name_prefix="tenant") as pool:
        return list(pool.map(one, tenants))
