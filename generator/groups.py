"""Remediation smart computer groups: built from the agent's own extension attributes, so an admin
can scope a fix (a bootstrap-token re-escrow policy, a Self Service nudge) to exactly those Macs.

Each group is a Classic smart computer group (``/JSSResource/computergroups``) whose criteria
name the bundle's EAs (Jamf smart-group criteria use the EA's display name).  Three groups:

* **MDM workflow failed** -- Last MDM Workflow Result *is* FAILED;
* **Bootstrap token not escrowed** -- Bootstrap Token Escrow *is* NOT_ESCROWED *or* INVALID;
* **Past hard deadline** -- Pending Update Target *is not* NONE *and* Hard Deadline *more than x days
  ago* 0 (a DATE EA's deadline before now).

A Mac's membership follows its last inventory report, like the report's states.  Names carry the
bundle's ``jamf.name_prefix``, so ``apply --prune`` removes a group the bundle no longer renders.
"""

from __future__ import annotations

from typing import Any

from .bundle import BundleSpec
from .status import MODEL


def _criterion(spec: BundleSpec, key: str, search_type: str, value: str, priority: int, and_or: str = "and") -> dict[str, Any]:
    return {"name": spec.object_name(MODEL.by_key()[key].ea_name), "priority": priority, "and_or": and_or,
            "search_type": search_type, "value": value, "opening_paren": False, "closing_paren": False}


def remediation_groups(spec: BundleSpec) -> dict[str, dict[str, Any]]:
    """slug -> ``{"name", "is_smart", "criteria"}`` (criteria in priority order)."""
    c = _criterion
    groups = {
        "mdm-workflow-failed": ("MDM workflow failed", [c(spec, "LastMDMWorkflowResult", "is", "FAILED", 0)]),
        "bootstrap-token-not-escrowed": ("Bootstrap token not escrowed", [
            c(spec, "BootstrapTokenEscrow", "is", "NOT_ESCROWED", 0),
            c(spec, "BootstrapTokenEscrow", "is", "INVALID", 1, "or")]),
        "past-hard-deadline": ("Past hard deadline", [
            c(spec, "PendingUpdateTarget", "is not", "NONE", 0),
            c(spec, "HardDeadline", "more than x days ago", "0", 1)]),
    }
    return {slug: {"name": spec.object_name(title), "is_smart": True, "criteria": criteria}
            for slug, (title, criteria) in groups.items()}
