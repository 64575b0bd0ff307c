"""Planning: match every desired object by name, diff the two views, list prunable leftovers, and
check the privileges the role or account will be written with against the server's own list.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from ...catalogue import PLANNER_ROLE, REPORTER_ROLE, UPLOADER_ROLES
from .. import resources as R
from ..client import JamfError
from ..resources import Context, Desired, DuplicateError, HandoverState, Remote, fold
from .base import PRUNE_ORDER, Observed
from .observe import Observer
from .results import Change, SyncError, TenantResult


class Planner(Observer):
    """Computes the plan (``compute_plan``) and runs the ``plan`` command."""

    def _protected(self, observed: Observed) -> set[tuple[str, str]]:
        """Objects prune must never delete: the uploader's own client and roles, the planner and reporter
        roles, rotations."""
        keep: set[tuple[str, str]] = {(R.ROLE, fold(name))
                                      for name in (*UPLOADER_ROLES.values(), PLANNER_ROLE, REPORTER_ROLE)}
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
                refusal = self.handover_refusal(observed, state)
                if refusal:
                    changes.append(Change(want.kind, want.name, "error", id=obj.id, reason=refusal))
                    continue
                if state and state.state == "pending":
                    reason = f"apply waits for the client first ({state.reason})"
                elif state and state.state != "ok":
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

    def handover_refusal(self, observed: Observed, state: HandoverState | None) -> str:
        """Why apply must not issue credentials into the credential policy, or "" if it may.

        It may only for a client or account the policy has never held (``resources.handover``):
        Macs may have saved anything it held, and a new secret or password locks them all out.
        """
        if state is None or state.state in ("ok", "pending"):
            return ""
        if self.method == "jamf-client":
            client = R.find_by_name(observed.objects.get(R.CLIENT, []), self.client_name)
            key = R.client_key(str(client.data.get("clientId") or "")) if client is not None else ""
            what, remedy = f"API client {self.client_name!r}", "run rotate to hand over a second client instead"
        else:
            wanted = self._wanted(R.ACCOUNT)
            account = R.find_by_name(observed.objects.get(R.ACCOUNT, []), wanted[0].name) if wanted else None
            key = R.account_key(account.id) if account is not None else ""
            what = f"account {wanted[0].name!r}" if wanted else "the account"
            remedy = ("to start over, delete the credential policy in Jamf Pro: apply then sets a new password, and each "
                      "Mac works again once it has re-run the new policy")
        if not key or not state.record.holds(key):
            return ""
        return (f"the credential policy hands over no valid credentials ({state.reason}), but it once held {what}'s, "
                f"which Macs may have saved; apply will not replace them: {remedy}")

    def _rotation_leftover(self, observed: Observed) -> Remote | None:
        rotations = [c for c in observed.objects.get(R.CLIENT, []) if self._rotation_of(c.name)]
        return rotations[0] if len(rotations) == 1 else None

    def _read_and_plan(self, result: TenantResult, *, full: bool, prune: bool) -> tuple[Observed, Context]:
        """Read the tenant, put the plan into RESULT and note privileges the server does not know."""
        self._progress("reading the tenant")
        observed = self.observe(full=full)
        ctx = self.context(observed)
        result.changes = self.compute_plan(observed, ctx, prune=prune)
        self._check_privileges(observed, result, fatal=False)
        return observed, ctx

    def _plan(self, prune: bool) -> TenantResult:
        result = TenantResult(self.tenant, "plan")
        self._read_and_plan(result, full=prune, prune=prune)
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

