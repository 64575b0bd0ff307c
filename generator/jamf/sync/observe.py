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
            account = find_or_none(observed, R.ACCOUNT, values.get("account", ""))
            if account is None or fold(account.name) != fold(self._wanted(R.ACCOUNT)[0].name):
                return HandoverState("stale", "it names an account that does not exist")
        return HandoverState("ok")
