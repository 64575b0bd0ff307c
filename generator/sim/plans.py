"""Managed software update plans: how a plan's state advances over (simulated) time.

A plan's path is fixed when it is created (``plan_path``): the device's outcome switch
(``/__sim/devices/{id}/outcome``) wins when it is ``fail`` or ``stall``; otherwise the Mac's
facts and the plan's mechanism decide through the cited table in ``plan_rules``:

* an MDM-command plan goes through Jamf's MDM states to PlanCompleted;
* a DDM plan (``DOWNLOAD_INSTALL_SCHEDULE``) waits at DDMPlanScheduled until its
  ``forceInstallLocalDateTime`` (read as UTC, the simulated Macs' time zone), then completes;
* a failing plan goes Init -> PendingPlanValidation -> RejectingPlan -> PlanFailed with one
  ``errorReasons`` value;
* ``stall``: the success path, stuck for ever at CollectingOSUpdateStatus (MDM) or
  WaitingToStartDDMUpdate (DDM).

Each step takes ``step_seconds`` of clock time; the state is computed on every read, so
``Clock.advance`` moves plans along without any background thread.  All state names and error
reasons come from the ``PlanStatus`` enums of ManagedSoftwareUpdatesPlans.yaml.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .fleet import MacFacts
from .plan_rules import DDM, DDM_HOLD, DDM_PATH, FAIL_PATH, MDM_PATH, STALL_AT, decide, mechanism_of

TERMINAL = frozenset({"PlanCompleted", "PlanFailed", "PlanCanceled", "PlanException"})
OUTCOMES = ("success", "fail", "stall")
DEFAULT_FAIL_REASON = "APPLE_SILICON_NO_ESCROW_KEY"
ERROR_REASONS = frozenset({
    "APPLE_SILICON_NO_ESCROW_KEY", "NOT_SUPERVISED", "NOT_MANAGED", "NO_DISK_SPACE", "NO_UPDATES_AVAILABLE",
    "SPECIFIC_VERSION_UNAVAILABLE", "SPECIFIC_VERSION_UNAVAILABLE_FOR_DEVICE_MODEL",
    "ACTION_NOT_SUPPORTED_FOR_DEVICE_TYPE", "PLAN_NOT_FOUND", "APPLE_SOFTWARE_LOOKUP_SERVICE_ERROR",
    "EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS", "DOWNGRADE_NOT_SUPPORTED", "DECLARATIVE_SERVICE_ERROR",
    "DECLARATIVE_DEVICE_MANAGEMENT_SOFTWARE_UPDATES_NOT_SUPPORTED_FOR_DEVICE_OS_VERSION",
    "MDM_EXCEPTION", "INSTALL_REASON_UNKNOWN", "NO_DEVICE_STATUS_BY_GRACE_PERIOD", "UNKNOWN",
})


def local_epoch(value: str | None) -> float | None:
    """``forceInstallLocalDateTime`` (``yyyy-mm-ddThh:mm:ss``, no offset) as epoch seconds, read as UTC."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def plan_path(facts: MacFacts | None, config: dict[str, Any], switch: dict[str, str]) -> dict[str, Any]:
    """The ``path``/``reason``/``hold_until`` fields of a new plan record."""
    mechanism = mechanism_of(config["updateAction"])
    success = DDM_PATH if mechanism == DDM else MDM_PATH
    hold = local_epoch(config.get("forceInstallLocalDateTime")) if mechanism == DDM else None
    if switch.get("outcome") == "fail":
        return {"path": list(FAIL_PATH), "reason": switch.get("reason") or DEFAULT_FAIL_REASON, "hold_until": None}
    if switch.get("outcome") == "stall":
        return {"path": list(success[:success.index(STALL_AT[mechanism]) + 1]), "reason": "", "hold_until": hold}
    rule = decide(facts, config["updateAction"]) if facts is not None else None
    if rule is not None and rule.reason:
        return {"path": list(FAIL_PATH), "reason": rule.reason, "hold_until": None}
    return {"path": list(success), "reason": "", "hold_until": hold}


def _legacy_path(plan: dict[str, Any]) -> list[str]:
    """Plans saved before paths were recorded: the old outcome-only paths."""
    if plan.get("outcome") == "fail":
        return list(FAIL_PATH)
    if plan.get("outcome") == "stall":
        return list(DDM_PATH[:DDM_PATH.index("WaitingToStartDDMUpdate") + 1])
    return list(DDM_PATH)


def progress(plan: dict[str, Any], now: float, step_seconds: float) -> tuple[str, list[str], list[tuple[str, float]]]:
    """``(state, errorReasons, [(state, entered_at), ...])`` of a plan record at ``now``."""
    states = plan.get("path") or _legacy_path(plan)
    hold_until = plan.get("hold_until")
    history: list[tuple[str, float]] = []
    at = plan["created"]
    for i, state in enumerate(states):
        if i:
            at += step_seconds
            previous = states[i - 1]
            if previous == DDM_HOLD and hold_until is not None:
                at = max(at, hold_until)
        if at > now:
            break
        history.append((state, at))
    state = history[-1][0]
    reasons = [plan.get("reason") or DEFAULT_FAIL_REASON] if state == "PlanFailed" else []
    return state, reasons, history


def events_text(plan: dict[str, Any], history: list[tuple[str, float]]) -> str:
    """The ``events`` string of ``ManagedSoftwareUpdatePlanEventStore`` (Jamf sends JSON in a string)."""
    events = [{"type": f".{state}Event", "state": state, "eventReceivedEpoch": int(at * 1000),
               "planUuid": plan["planUuid"]} for state, at in history]
    return json.dumps({"events": events}, separators=(",", ":"))
