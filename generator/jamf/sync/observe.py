"""Observing a tenant: what it has of each kind (all reads in parallel, Classic first), and the
``Context`` built from it, including whether the credential policy already hands over valid credentials.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from ...render import HANDOVER_PLACEHOLDER
from .. import resources as R
from ..resources import Context, Desired, DuplicateError, HandoverState, Remote, fold
from .base import Observed, SyncBase
from .objects import find_or_none
from .results import SyncError


class Observer(SyncBase):
    """Reads the tenant (``observe``) and derives the ``Context`` views and writes need."""

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

    def _handover_state(self, want: Desired, observed: Observed) -> HandoverState:
        try:
            obj = R.find_by_name(observed.objects.get(R.POLICY, []), want.name)
        except DuplicateError:
            return HandoverState("missing", "duplicate policies")
        if obj is None or not obj.complete:
            return HandoverState("missing", "the policy does not exist yet")
        record = R.HandoverRecord.parse(obj.data.get("handover_record", ""))
        scripts = obj.data.get("scripts") or []
        params = scripts[0]["parameters"] if scripts else {}
        values: dict[str, str] = {}
        for key, what in want.spec["handover"].items():
            option = R.handover_prefix(want.spec["script"]["parameters"][key])
            current = params.get(key, "")
            if not current.startswith(option) or not current[len(option):] or HANDOVER_PLACEHOLDER in current:
                return HandoverState("missing", f"{key} carries no credential", record=record)
            values[what] = current[len(option):]
        if self.method == "jamf-client":
            named = values.get("client_id", "")
            live = self._live_client_ids(observed)
            if named not in live:
                if record.rotation and record.rotation == named:
                    return HandoverState("pending", f"it names the rotation client {named!r} (handed over by rotate at "
                                         f"{record.since or 'an unknown time'}), which this Jamf Pro node does not "
                                         "show yet", record=record, named=named)
                return HandoverState("stale", "it names an API client that no longer exists", record=record, named=named)
            record.hold(R.client_key(named))  # a policy from before the record: it holds what it names
        elif self.method == "jamf-account":
            named = values.get("account", "")
            account = find_or_none(observed, R.ACCOUNT, named)
            if account is None or fold(account.name) != fold(self._wanted(R.ACCOUNT)[0].name):
                return HandoverState("stale", "it names an account that does not exist", record=record, named=named)
            record.hold(R.account_key(account.id))
        else:
            named = ""
        return HandoverState("ok", record=record, named=named)

    def settle_handover(self, observed: Observed, ctx: Context) -> tuple[Observed, Context]:
        """Wait for the client a pending hand-over names, re-listing clients (bounded); refuse if it never shows.

        ``rotate`` recorded that it handed this client over, so it exists: this node has not
        seen it yet (Jamf Cloud replicates a new object to the other nodes within about 60 s,
        jamf-api-facts §1).  Taking the hand-over for stale would re-issue the secret every Mac
        has saved; guessing is never right, so after ``replication_wait`` the command refuses.
        """
        pending = [(name, st) for name, st in ctx.handover.items() if st.state == "pending"]
        if not pending:
            return observed, ctx
        waited, step = 0.0, 1.0
        while waited < self.options.replication_wait:
            step = min(step, self.options.replication_wait - waited)
            self._progress(f"waiting for API client {pending[0][1].named} (rotate handed it over; not visible on this "
                           "node yet)")
            self.client.options.sleep(step)
            waited += step
            observed.objects[R.CLIENT] = R.ADAPTERS[R.CLIENT].list(self.client, self.prefix,
                                                                   [d.name for d in self._wanted(R.CLIENT)])
            ctx = self.context(observed)
            if all(ctx.handover[name].state != "pending" for name, _ in pending):
                return observed, ctx
            step *= 2
        state = pending[0][1]
        raise SyncError(f"the credential policy hands over API client {state.named!r}, which rotate created at "
                        f"{state.record.since or 'an unknown time'} but this Jamf Pro node still does not show after "
                        f"{waited:.0f} s; "
                        "refusing to issue new credentials (Macs may have saved that client's): run the command again "
                        "once Jamf Cloud has replicated it")
