"""``TenantSync``: plan / apply / audit / rotate for one tenant, on one client.

It only composes the phases, each in its own module and built on the one before:
``base.SyncBase`` → ``observe.Observer`` → ``plan.Planner`` → ``apply.Applier``,
``audit.Auditor`` and ``rotate.Rotator``; this class adds the four commands, each measured
(requests, token requests, wall time).
"""

from __future__ import annotations

from .apply import Applier
from .audit import Auditor
from .results import TenantResult
from .rotate import Rotator


class TenantSync(Applier, Auditor, Rotator):
    """plan / apply / audit / rotate for one tenant, on one client."""

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
