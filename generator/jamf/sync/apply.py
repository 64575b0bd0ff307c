"""Applying a plan: writes in dependency order (one stage at a time, each stage in parallel), skipping
what depends on a failure, re-reading after an ambiguous create, and issuing credentials into the
credential policy only when it does not already hand over valid ones.
"""

from __future__ import annotations

import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from .. import resources as R
from ..client import AmbiguousWriteError, BadRequestError, ConflictError, JamfClient, JamfError, Secret
from ..resources import Context, Desired, DuplicateError, HandoverState, Remote, fold
from .base import PRUNE_ORDER, STAGES, Observed
from .objects import delete_object, reread_by_name
from .plan import Planner
from .results import Change, Failure, TenantResult, Write, one_line

log = logging.getLogger(__name__)


class Applier(Planner):
    """Runs the ``apply`` command: plan, check privileges, then hand the writes to ``_ApplyRun``."""

    def _apply(self, prune: bool) -> TenantResult:
        result = TenantResult(self.tenant, "apply")
        self._progress("reading the tenant")
        observed = self.observe(full=prune)
        observed, ctx = self.settle_handover(observed, self.context(observed))
        result.changes = self.compute_plan(observed, ctx, prune=prune)
        # Every privilege is checked against this server's own list before anything is written.
        self._check_privileges(observed, result, fatal=True)
        errors = [c for c in result.changes if c.action == "error"]
        for c in errors:
            result.failures.append(Failure(c.kind, c.name, c.reason))
        run = _ApplyRun(self, observed, ctx, result)
        run.execute()
        return result


class _ApplyRun:
    """The write phase of one apply (keeps the bookkeeping out of ``Applier``)."""

    def __init__(self, sync: Applier, observed: Observed, ctx: Context, result: TenantResult) -> None:
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
        if want.kind == R.GROUP:  # a smart group's criteria name the EAs
            eas = {fold(d.name) for d in self.s.desired if d.kind == R.EA}
            deps += [(R.EA, fold(c["name"])) for c in want.spec["criteria"] if fold(c["name"]) in eas]
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
                    gone = delete_object(R.ADAPTERS[kind], self.client, obj)
                    self.wrote(Write(kind, obj.name, "deleted", obj.id, "prune" + (f" ({gone})" if gone else "")))
                except JamfError as exc:
                    self.fail(kind, obj.name, one_line(self.client, exc))

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
            self.fail(want.kind, want.name, one_line(self.client, exc))

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
                    obj = reread_by_name(adapter, self.client, self.s.prefix, want.name) or obj
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
                # The client did not resend; re-read by name and decide (the sync package docstring).
                self.s._settle()
                found = reread_by_name(adapter, self.client, self.s.prefix, want.name)
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
            found = reread_by_name(adapter, self.client, self.s.prefix, want.name)
            if found is not None:
                return found
            step *= 2
        return None

    def _adopt(self, want: Desired, obj: Remote) -> None:
        """An object that existed although the plan did not see it: record it, update it if it differs."""
        self._remember(want, obj, obj.name)
        adapter = R.ADAPTERS[want.kind]
        if adapter.view(want, self.ctx) != adapter.remote_view(obj, self.ctx, want):
            self._update(want, obj, "it existed already (not yet replicated to this node when read)")
        else:
            self.s._progress(f"{want.kind} {want.name} existed already (replication delay): nothing to write")

    def _remember(self, want: Desired, obj: Remote, name: str) -> None:
        """Record OBJ as WANT's object, and the ids later stages refer to (categories by NAME, scripts)."""
        with self.lock:
            self.current[(want.kind, fold(want.name))] = obj
            if want.kind == R.CATEGORY:
                self.ctx.category_ids[fold(want.name)] = obj.id
                self.ctx.category_names[obj.id] = name
            elif want.kind == R.SCRIPT:
                self.ctx.script_ids[fold(want.name)] = obj.id

    def _created(self, want: Desired, obj: Remote, detail: str) -> None:
        self._remember(want, obj, want.name)
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
        """Issue credentials for the credential policy unless it already hands valid ones over.

        Only for a client or account the policy has never held (``Planner.handover_refusal``):
        that is checked again here, against what this run knows now.
        """
        state = self.ctx.handover.setdefault(fold(want.name), HandoverState())
        if state.state == "ok" or state.values:
            self._forget_finished_rotation(state)
            return
        method = self.s.method
        if method == "jamf-client":
            client_want = self.s._wanted(R.CLIENT)[0]
            obj = self.current.get((R.CLIENT, fold(client_want.name)))
            if obj is None:
                raise ValueError(f"API client {client_want.name!r} does not exist")
            refusal = self.s.handover_refusal(Observed({R.CLIENT: [obj]}), state)
            if refusal:
                raise ValueError(refusal)
            adapter = R.ADAPTERS[R.CLIENT]
            assert isinstance(adapter, R.ClientAdapter)
            try:
                client_id, secret = adapter.issue_credentials(self.client, obj)
            except AmbiguousWriteError:
                raise ValueError("issuing the API client's credentials got no answer; the secret (if any) is lost and "
                                 "was not handed over; run apply again to issue new ones") from None
            self.wrote(Write(R.CLIENT, obj.name, "credentials issued", obj.id, f"handed to policy {want.name!r}"))
            state.values = {"client_id": Secret(client_id), "client_secret": secret}
            state.record.hold(R.client_key(client_id))
        elif method == "jamf-account":
            account_want = self.s._wanted(R.ACCOUNT)[0]
            obj = self.current.get((R.ACCOUNT, fold(account_want.name)))
            if obj is None:
                raise ValueError(f"account {account_want.name!r} does not exist")
            password = self.passwords.get(fold(account_want.name))
            if password is None:
                refusal = self.s.handover_refusal(Observed({R.ACCOUNT: [obj]}), state)
                if refusal:
                    raise ValueError(refusal)
                # The account exists, the policy never held it and its password is unknown: set one to hand over.
                password = _new_password(self.client)
                adapter = R.ADAPTERS[R.ACCOUNT]
                assert isinstance(adapter, R.AccountAdapter)
                adapter.update(self.client, obj, account_want, self.ctx, password=password)
                self.wrote(Write(R.ACCOUNT, obj.name, "password set", obj.id, f"handed to policy {want.name!r}"))
            state.values = {"account": Secret(account_want.name), "password": password}
            state.record.hold(R.account_key(obj.id))
        state.state = "issued"

    def _forget_finished_rotation(self, state: HandoverState) -> None:
        """A record still naming a rotation that ``--retire`` finished (the client now has the bundle's name)."""
        client = self.current.get((R.CLIENT, fold(self.s.client_name)))
        if state.record.rotation and client is not None and state.record.rotation == client.data.get("clientId"):
            state.record.close_rotation()


def _is_duplicate(exc: JamfError) -> bool:
    """A create refused because the name is taken: Jamf Pro API 400 DUPLICATE_FIELD (jamf-api-facts §4),
    Classic 409 "Duplicate name" (§6 quirk 6)."""
    text = exc.message.lower()
    return exc.status in (400, 409) and ("duplicate" in text or "already exists" in text)


def _new_password(client: JamfClient) -> Secret:
    password = Secret(secrets.token_urlsafe(24))
    client.register_secret(password)
    return password

