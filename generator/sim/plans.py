"""Managed software update plans: how a plan's state advances over (simulated) time.

A plan's path is fixed when it is created, from the device's configured outcome:

* ``success``: Init -> PendingPlanValidation -> AcceptingPlan -> ProcessingPlanType ->
  StartingPlan -> SchedulingDDM -> DDMPlanScheduled -> WaitingToStartDDMUpdate ->
  ProcessingDDMStatusResponse -> CollectingDDMStatus -> PlanCompleted;
* ``fail``: Init -> PendingPlanValidation -> RejectingPlan -> PlanFailed, with
  ``errorReasons`` (default ``APPLE_SILICON_NO_ESCROW_KEY``);
* ``stall``: the success path, stuck at WaitingToStartDDMUpdate for ever.

Each step takes ``step_seconds`` of clock time; the state is computed on every read, so
``Clock.advance`` moves plans along without any background thread.  All state names and error
reasons come from the ``PlanStatus`` enums of ManagedSoftwareUpdatesPlans.yaml.
"""

from __future__ import annotations

import json
from typing import Any

SUCCESS_PATH = (
    "Init", "PendingPlanValidation", "AcceptingPlan", "ProcessingPlanType", "StartingPlan", "SchedulingDDM",
    "DDMPlanScheduled", "WaitingToStartDDMUpdate", "ProcessingDDMStatusResponse", "CollectingDDMStatus",
    "PlanCompleted",
)
FAIL_PATH = ("Init", "PendingPlanValidation", "RejectingPlan", "PlanFailed")
STALL_PATH = SUCCESS_PATH[:SUCCESS_PATH.index("WaitingToStartDDMUpdate") + 1]
TERMINAL = frozenset({"PlanCompleted", "PlanFailed", "PlanCanceled", "PlanException"})
OUTCOMES = ("success", "fail", "stall")
DEFAULT_FAIL_REASON = "APPLE_SILICON_NO_ESCROW_KEY"
ERROR_REASONS = frozenset({
    "APPLE_SILICON_NO_ESCROW_KEY", "NOT_SUPERVISED", "NOT_MANAGED", "NO_DISK_SPACE", "NO_UPDATES_AVAILABLE",
    "SPECIFIC_VERSION_UNAVAILABLE", "SPECIFIC_VERSION_UNAVAILABLE_FOR_DEVICE_MODEL",
    "ACTION_NOT_SUPPORTED_FOR_DEVICE_TYPE", "PLAN_NOT_FOUND", "APPLE_SOFTWARE_LOOKUP_SERVICE_ERROR",
    "EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS", "DOWNGRADE_NOT_SUPPORTED", "DECLARATIVE_SERVICE_ERROR",
    "MDM_EXCEPTION", "INSTALL_REASON_UNKNOWN", "NO_DEVICE_STATUS_BY_GRACE_PERIOD", "UNKNOWN",
})


def path_for(outcome: str) -> tuple[str, ...]:
    return {"success": SUCCESS_PATH, "fail": FAIL_PATH, "stall": STALL_PATH}[outcome]


def progress(plan: dict[str, Any], now: float, step_seconds: float) -> tuple[str, list[str], list[tuple[str, float]]]:
    """``(state, errorReasons, [(state, entered_at), ...])`` of a plan record at ``now``."""
    states = path_for(plan["outcome"])
    elapsed = max(0.0, now - plan["created"])
    reached = min(int(elapsed // step_seconds), len(states) - 1)
    history = [(states[i], plan["created"] + i * step_seconds) for i in range(reached + 1)]
    state = states[reached]
    reasons = [plan.get("reason") or DEFAULT_FAIL_REASON] if state == "PlanFailed" else []
    return state, reasons, history


def events_text(plan: dict[str, Any], history: list[tuple[str, float]]) -> str:
    """The ``events`` string of ``ManagedSoftwareUpdatePlanEventStore`` (Jamf sends JSON in a string)."""
    events = [{"type": f".{state}Event", "state": state, "eventReceivedEpoch": int(at * 1000),
               "planUuid": plan["planUuid"]} for state, at in history]
    return json.dumps({"events": events}, separators=(",", ":"))
