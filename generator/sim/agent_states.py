"""The seeded fleet's agent: what the agent's status plist holds on each simulated Mac.

``seeded_agent_state`` gives, for one Mac's facts (``fleet.MacFacts``) and the report time, the
values the agent would have written (status keys of ``generator.status``), how long ago the Mac
last sent inventory, and -- when its last Jamf plan failed -- that plan's ``errorReasons``.  It is
deterministic (a function of the Jamf id and the facts) and cheap (no I/O), so seeding 2,000 Macs
per tenant costs milliseconds.

The mix is tied to the facts, as on a real fleet:

* a Mac whose plan the simulator's plan rules (``plan_rules.decide``, the README's assumptions
  table) fail -- not enrolled, not supervised, short of disk, Apple silicon without an escrowed
  bootstrap token -- has a FAILED MDM workflow and a failed plan with that ``errorReasons`` value;
* a Mac on its OS family's newest release (``LATEST``) has nothing pending;
* the update mechanism follows the OS: Declarative Device Management from macOS 14 (Apple's
  software-update declarations), MDM commands before;
* the rest spread over past hard / past soft deadline, in an MDM workflow, scheduled (DDM
  only), deferred and pending by a hash of the Jamf id; about one Mac in 17 is silent (its last
  inventory is 20-40 days old) and one in 23 never ran the agent.

``Tenant.seed_agent_states`` stores the values on each computer record (``agentStatus``) and
the failed plans in the plan store; ``api_inventory`` answers every SCRIPT extension attribute
that prints a status-plist key with that Mac's value (``script_key`` finds the key).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from ..status import DATE_FORMAT
from .fleet import MacFacts, os_tuple
from .plan_rules import DDM_ACTION, decide

DAY = 86400.0
# The newest release of each OS family in the seeded fleet (what a pending update targets).
LATEST: dict[int, str] = {11: "11.7.10", 12: "12.7.6", 13: "13.7.8", 14: "14.7.8", 15: "15.7.2", 26: "26.2", 27: "27.0"}
DDM_SINCE = 14  # Apple's declarative software-update management: macOS 14 (Apple Platform Deployment)


@dataclass
class AgentState:
    """One Mac's agent: ``status`` (key -> value; empty when the agent never ran), the age of its
    last inventory report in days, and the ``errorReasons`` of its failed plan (if any)."""

    status: dict[str, str] = field(default_factory=dict)
    report_age_days: float = 0.0
    plan_error: str = ""


def _bucket(number: int, salt: int) -> int:
    return (number * 2654435761 + salt * 40503) % 1000 // 10  # 0..99, spread over consecutive ids


def _date(at: float) -> str:
    return time.strftime(DATE_FORMAT, time.gmtime(at))


def _failure(facts: MacFacts, ddm: bool) -> tuple[str, str]:
    """``(plan errorReason, detail)`` when the simulator's plan rules fail this Mac's plan, else ``("", "")``."""
    reason = decide(facts, DDM_ACTION if ddm else "DOWNLOAD_INSTALL_RESTART").reason
    return (reason, f"plan PlanFailed: {reason}") if reason else ("", "")


def seeded_agent_state(facts: MacFacts, now: float, soft_days: int = 7, hard_days: int = 14) -> AgentState:
    number = int(facts.jamf_id)
    state = AgentState()
    if number % 17 == 5:
        state.report_age_days = 20 + number % 21
    else:
        state.report_age_days = (number % 30) / 24  # reported within the last 30 hours
    if number % 23 == 7:
        return state  # the agent never ran here: every EA prints its "missing" value
    reported = now - state.report_age_days * DAY
    major = facts.os[0]
    ddm = major >= DDM_SINCE
    credential = "NONE" if not facts.apple_silicon or number % 11 == 4 else "JAMF_CLIENT"
    escrow = "ESCROWED" if facts.bootstrap_escrowed else "NOT_ESCROWED"
    latest = LATEST.get(major, facts.os_version)
    pending = os_tuple(latest) > facts.os
    values = {
        "AgentVersion": "1.0.0", "LastRun": _date(reported - 600), "StatusTime": _date(reported - 590),
        "WorkflowMode": "NEW", "SavedCredentialMethod": credential, "ComputerID": facts.jamf_id,
        "ComputerIDSource": "MANAGED", "BootstrapTokenEscrow": escrow, "LastMDMWorkflowResult": "NONE",
        "PendingUpdateTarget": f"macOS {latest}" if pending else "NONE",
        "UpdateMechanism": "DDM" if ddm else "MDM_COMMAND",
    }
    if not pending:
        values["Status"] = "Idle: macOS is up to date"
        state.status = values
        return state
    reason, detail = _failure(facts, ddm)
    bucket = _bucket(number, 1)
    # Days since the zero date: failures anywhere; else past hard / past soft / before the soft deadline.
    age_days = 3 + bucket % 10 if reason else 16 if bucket < 10 else 9 if bucket < 22 else 1 + bucket % 5
    zero = reported - age_days * DAY
    values.update({"ZeroDate": _date(zero), "PendingUpdateLabel": f"macOS {latest}-{facts.os_build}"})
    if soft_days:
        values["SoftDeadline"] = _date(zero + soft_days * DAY)
    if hard_days:
        values["HardDeadline"] = _date(zero + hard_days * DAY)
    if reason:
        state.plan_error = reason
        values.update({"Status": f"Error: MDM workflow failed ({reason})", "LastMDMWorkflowResult": "FAILED",
                       "LastMDMWorkflowTime": _date(reported - 3600), "LastMDMWorkflowDetail": detail,
                       "NextRun": _date(reported + 3600)})
    elif bucket < 22:
        values["Status"] = "Pending: past the " + ("hard" if bucket < 10 else "soft") + " deadline, waiting for the user"
    elif bucket < 34:
        values.update({"Status": "Running: MDM workflow in progress", "LastMDMWorkflowResult": "IN_PROGRESS",
                       "LastMDMWorkflowTime": _date(reported - 900)})
    elif bucket < 46 and ddm:
        values.update({"Status": "Idle: update scheduled by DDM", "LastMDMWorkflowResult": "SCHEDULED",
                       "LastMDMWorkflowTime": _date(reported - 1800),
                       "ScheduledInstallTime": _date(reported + (1 + bucket % 3) * DAY)})
    elif bucket < 60:
        values.update({"Status": "Deferred: the user deferred the update", "NextRun": _date(reported + 4 * 3600)})
    else:
        values["Status"] = "Pending: update available, before the soft deadline"
    state.status = values
    return state


_PRINT_KEY = re.compile(r"PlistBuddy -c 'Print :([A-Za-z]+)'")
_DEFAULT = re.compile(r"^value='([^']*)'$", re.MULTILINE)


def script_key(script: str | None) -> tuple[str, str] | None:
    """``(status key, value when absent)`` an extension attribute script prints, read from the script
    itself (as Jamf would learn it by running the script at recon); None for any other script."""
    match = _PRINT_KEY.search(script or "")
    if match is None:
        return None
    default = _DEFAULT.search(script or "")
    return match.group(1), default.group(1) if default else ""
