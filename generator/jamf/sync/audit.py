"""Auditing a tenant: drift between tenant, bundle and catalogue, reported as findings (missing,
differing and left-over objects, privilege drift, client state, hand-over, unfinished rotations).
"""

from __future__ import annotations

from ... import catalogue
from .. import resources as R
from ..resources import Context
from .base import Observed
from .objects import display_name, find_or_none
from .plan import Planner
from .results import Change, Finding, TenantResult


class Auditor(Planner):
    """Runs the ``audit`` command."""

    def _audit(self) -> TenantResult:
        result = TenantResult(self.tenant, "audit")
        observed, ctx = self._read_and_plan(result, full=True, prune=True)
        find = result.findings
        find.extend(_change_findings(result.changes))
        find.extend(self._role_findings(observed))
        find.extend(self._account_findings(observed))
        find.extend(self._client_findings(observed))
        find.extend(self._handover_findings(ctx))
        find.extend(self._rotation_findings(observed))
        # A finding for an object already reported as differing is kept: each names a cause.
        return result

    def _role_findings(self, observed: Observed) -> list[Finding]:
        """Named privilege drift, with the endpoints that need each missing privilege."""
        find: list[Finding] = []
        workflow = self.spec.agent["msu_workflow"]
        needed_by = catalogue.privilege_endpoints(catalogue.agent_endpoints(workflow, "jamf-client"))
        for want in self._wanted(R.ROLE):
            obj = find_or_none(observed, R.ROLE, want.name)
            if obj is not None:
                have = set(obj.data.get("privileges") or [])
                for p in sorted(set(want.spec["privileges"]) - have):
                    find.append(Finding(R.ROLE, want.name, f"missing privilege {p!r} (needed by "
                                        f"{', '.join(needed_by.get(p, ['the agent']))})"))
                for p in sorted(have - set(want.spec["privileges"])):
                    find.append(Finding(R.ROLE, want.name, f"extra privilege {p!r} (no endpoint the agent calls needs it)"))
        return find

    def _account_findings(self, observed: Observed) -> list[Finding]:
        find: list[Finding] = []
        for want in self._wanted(R.ACCOUNT):
            obj = find_or_none(observed, R.ACCOUNT, want.name)
            if obj is not None and obj.complete:
                for group, wanted in want.spec["privileges"].items():
                    have = set(obj.data.get("privileges", {}).get(group, []))
                    for p in sorted(set(wanted) - have):
                        find.append(Finding(R.ACCOUNT, want.name, f"missing privilege {p!r} ({group})"))
                    for p in sorted(have - set(wanted)):
                        find.append(Finding(R.ACCOUNT, want.name, f"extra privilege {p!r} ({group})"))
        return find

    def _client_findings(self, observed: Observed) -> list[Finding]:
        find: list[Finding] = []
        for want in self._wanted(R.CLIENT):
            obj = find_or_none(observed, R.CLIENT, want.name)
            if obj is not None:
                if not obj.data.get("enabled"):
                    find.append(Finding(R.CLIENT, want.name, "the API client is disabled: the agent cannot get a token"))
                scopes = sorted(obj.data.get("authorizationScopes") or [])
                if scopes != sorted(want.spec["authorizationScopes"]):
                    find.append(Finding(R.CLIENT, want.name, f"the API client is on the wrong role(s): {scopes} "
                                        f"instead of {sorted(want.spec['authorizationScopes'])}"))
        return find

    def _handover_findings(self, ctx: Context) -> list[Finding]:
        return [Finding(R.POLICY, display_name(self._wanted(R.POLICY), name), f"hands over no valid credentials: {state.reason}")
                for name, state in ctx.handover.items() if state.state != "ok"]

    def _rotation_findings(self, observed: Observed) -> list[Finding]:
        find: list[Finding] = []
        grace = int(self.spec.jamf["rotation_grace_days"])
        for c in observed.objects.get(R.CLIENT, []):
            started = self._rotation_of(c.name)
            if started is not None:
                age = (self.options.now() - started.timestamp()) / 86400
                due = "retire it with rotate --retire" if grace == 0 or age >= grace else \
                    f"the old client is retired after {grace} days"
                find.append(Finding(R.CLIENT, c.name, f"unfinished rotation started {age:.1f} days ago; {due}"))
        return find


def _change_findings(changes: list[Change]) -> list[Finding]:
    """The plan's errors, creates, updates and deletes, as drift."""
    find: list[Finding] = []
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
    return find
