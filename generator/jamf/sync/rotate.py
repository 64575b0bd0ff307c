"""Rotating the agent's API client without breaking Macs mid-flight: a second client on the same role,
handed to the credential policy whose log is flushed, the old client kept until retired.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .. import resources as R
from ..client import AmbiguousWriteError, JamfError, Secret
from ..resources import Context, Desired, DuplicateError, HandoverState, Remote, fold
from .objects import delete_object, reread_by_name
from .plan import Planner
from .results import SyncError, TenantResult, Write, one_line


class Rotator(Planner):
    """Runs the ``rotate`` command (``jamf-client`` only)."""

    def _rotate(self, retire: bool) -> TenantResult:
        result = TenantResult(self.tenant, "rotate")
        try:
            return self._rotate_steps(result, retire)
        except (SyncError, JamfError, DuplicateError) as exc:
            if not result.writes:
                raise
            # Keep what was already written in the report: it matters most when a step failed.
            result.error = one_line(self.client, exc)
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
        if rotations:
            self._continue_rotation(result, ctx, current, rotations[0], policy_want, policy, retire)
            return result
        if retire:
            result.notes.append("no rotation to retire")
            return result
        if current is None or policy is None:
            raise SyncError("nothing to rotate yet: run apply first (the API client and the credential policy must exist)")
        if ctx.handover[fold(policy_want.name)].state != "ok":
            raise SyncError("the credential policy hands over no valid credentials: run apply (it issues them)")
        self._start_rotation(result, ctx, current, policy_want, policy)
        return result

    def _continue_rotation(self, result: TenantResult, ctx: Context, current: Remote | None, pending: Remote,
                           policy_want: Desired, policy: Remote | None, retire: bool) -> None:
        """A rotation is under way: resume its hand-over, retire the old client, or say how long it waits."""
        grace = int(self.spec.jamf["rotation_grace_days"])
        started = self._rotation_of(pending.name)
        assert started is not None
        if policy is not None and self._handed_client_id(policy_want, policy) != pending.data.get("clientId"):
            # An earlier rotate stopped between creating the client and handing it over: resume.
            self._hand_over(result, ctx, pending, policy_want, policy)
            return
        age_days = (self.options.now() - started.timestamp()) / 86400
        if retire or (grace > 0 and age_days >= grace):
            self._retire(result, current, pending, policy_want, policy)
        else:
            until = "rotate --retire" if grace == 0 else f"{grace} days have passed ({grace - age_days:.1f} to go)"
            result.notes.append(f"rotation to {pending.name!r} pending since {started:%Y-%m-%d %H:%M} UTC; the old "
                                f"client stays enabled until {until}")

    def _start_rotation(self, result: TenantResult, ctx: Context, current: Remote, policy_want: Desired,
                        policy: Remote) -> None:
        """Create the second client on the same role(s) and hand it to the credential policy."""
        grace = int(self.spec.jamf["rotation_grace_days"])
        stamp = datetime.fromtimestamp(self.options.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        name = f"{self.client_name} (rotation {stamp})"
        adapter = R.ADAPTERS[R.CLIENT]
        assert isinstance(adapter, R.ClientAdapter)
        scopes = list(current.data.get("authorizationScopes") or [])
        lifetime = int(current.data.get("accessTokenLifetimeSeconds") or self.spec.jamf["token_lifetime_seconds"])
        try:
            new = adapter.create_named(self.client, name, scopes, lifetime)
        except AmbiguousWriteError:
            # Never resent; the re-read decides (see the package docstring).
            self._settle()
            found = reread_by_name(adapter, self.client, self.prefix, name)
            if found is None:
                raise SyncError(f"creating {name!r} may have failed (connection lost); nothing else was changed, "
                                "run rotate again") from None
            new = found
        result.writes.append(Write(R.CLIENT, name, "created", new.id, f"same role(s) as {self.client_name!r}"))
        self._hand_over(result, ctx, new, policy_want, policy)
        until = "rotate --retire" if grace == 0 else f"rotate --retire, or the first rotate after {grace} days"
        result.notes.append(f"{self.client_name!r} stays enabled so Macs that have not re-run the policy keep working; "
                            f"it is disabled and deleted by {until}")

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
            gone = delete_object(adapter, self.client, current)
            result.writes.append(Write(R.CLIENT, current.name, "deleted", current.id,
                                       gone or "tokens already issued to it live until they expire"))
        adapter.put(self.client, pending, name=self.client_name)
        result.writes.append(Write(R.CLIENT, self.client_name, "renamed", pending.id, f"was {pending.name!r}"))

