"""Which path a managed software update plan takes, from the Mac's facts and the plan's mechanism.

A cited data table, kept apart from the agent (the agent never imports it): ``PLAN_RULES`` is
read top to bottom and the first row whose condition holds decides.  A row either fails the
plan with a Jamf ``errorReasons`` value (the names are the ``PlanStatus`` enum of the vendored
ManagedSoftwareUpdatesPlans.yaml) or sends it down a success path.  A row resting on behaviour
neither Apple nor Jamf publishes names its row of the project's one assumptions table
(``ASSUMPTIONS.md``, ``assumption``); ``plan_paths_markdown`` renders the table for the README.

The mechanism of a plan is its ``updateAction``: ``DOWNLOAD_INSTALL_SCHEDULE`` is Jamf's one
declarative (DDM) plan type ("Download and schedule to install (via declarative device
management)", learn.jamf.com Managed Software Updates End User Experience for Computers); every
other action rides on Apple's MDM ``ScheduleOSUpdate`` command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .fleet import MacFacts

DDM, MDM_COMMAND, ANY = "DDM", "MDM_COMMAND", "ANY"
DDM_ACTION = "DOWNLOAD_INSTALL_SCHEDULE"

APPLE_REMOVED = ("Apple, Device Management: Removed commands and profiles (ScheduleOSUpdate, ScheduleOSUpdateScan, "
                 "AvailableOSUpdates: macOS 10.11–26.0, replaced by the softwareupdate.enforcement.specific declaration) "
                 "developer.apple.com/documentation/devicemanagement/removed-commands-and-profiles")
APPLE_DDM = ("Apple, Device Management: SoftwareUpdateEnforcementSpecific (com.apple.configuration.softwareupdate."
             "enforcement.specific), macOS 14.0+ developer.apple.com/documentation/devicemanagement/"
             "softwareupdateenforcementspecific")
JAMF_SPEC = "Jamf Pro API spec, ManagedSoftwareUpdatesPlans.yaml PlanStatus (errorReasons and state enums)"
JAMF_DDM_DOC = ("Jamf Pro Documentation 11.16.0, Managed Software Updates End User Experience for Computers: "
                "'Download and schedule to install' runs at the scheduled time in the computer's local time")
JAMF_BOOTSTRAP_DOC = ("Jamf support article 11024835, Jamf Pro's Managed Software Updates with Apple's MDM & DDM "
                      "commands: Apple silicon needs an escrowed bootstrap token for MDM-initiated installs")

# The plan paths (state names from the PlanStatus enum; the order within a path is the simulator's).
MDM_PATH = (
    "Init", "PendingPlanValidation", "AcceptingPlan", "ProcessingPlanType", "ProcessingPlanTypeMdm", "StartingPlan",
    "SchedulingScanForOSUpdates", "WaitingForScheduledOSUpdateScanToComplete", "CollectingAvailableOSUpdates",
    "SchedulingMDM", "MDMPlanScheduled", "SchedulingOSUpdate", "CollectingOSUpdateStatus", "VerifyingInstallation",
    "PlanCompleted",
)
DDM_PATH = (
    "Init", "PendingPlanValidation", "AcceptingPlan", "ProcessingPlanType", "StartingPlan", "SchedulingDDM",
    "DDMPlanScheduled", "WaitingToStartDDMUpdate", "ProcessingDDMStatusResponse", "CollectingDDMStatus",
    "PlanCompleted",
)
DDM_HOLD = "DDMPlanScheduled"  # a DDM plan waits here until its forceInstallLocalDateTime
FAIL_PATH = ("Init", "PendingPlanValidation", "RejectingPlan", "PlanFailed")
STALL_AT = {MDM_COMMAND: "CollectingOSUpdateStatus", DDM: "WaitingToStartDDMUpdate"}
LOW_DISK_GB = 20
# The feature toggle's read-only fields as a fresh simulated server reports them (ASSUMPTIONS.md row 22).
TOGGLE_CAPABILITIES = {"forceInstallLocalDateEnabled": False, "dssEnabled": False, "recipeEnabled": False,
                       "customVersionEnabled": True}


@dataclass(frozen=True)
class PlanRule:
    mechanism: str  # DDM, MDM_COMMAND or ANY
    condition: str  # what the table shows
    holds: Callable[[MacFacts], bool]
    reason: str  # errorReasons value; "" = the mechanism's success path
    source: str
    assumption: int = 0  # the row of ASSUMPTIONS.md this rests on; 0 = published behaviour


PLAN_RULES: tuple[PlanRule, ...] = (
    PlanRule(ANY, "not enrolled in MDM", lambda f: not f.enrolled, "NOT_MANAGED", JAMF_SPEC, 23),
    PlanRule(ANY, "not supervised", lambda f: not f.supervised, "NOT_SUPERVISED", JAMF_SPEC, 23),
    PlanRule(MDM_COMMAND, "macOS 27 or later", lambda f: f.os[0] >= 27, "MDM_EXCEPTION", APPLE_REMOVED, 24),
    PlanRule(DDM, "macOS earlier than 14", lambda f: f.os[0] < 14,
             "DECLARATIVE_DEVICE_MANAGEMENT_SOFTWARE_UPDATES_NOT_SUPPORTED_FOR_DEVICE_OS_VERSION",
             APPLE_DDM + "; " + JAMF_SPEC),
    PlanRule(MDM_COMMAND, "Apple silicon, bootstrap token not escrowed",
             lambda f: f.apple_silicon and not f.bootstrap_escrowed, "APPLE_SILICON_NO_ESCROW_KEY",
             JAMF_BOOTSTRAP_DOC + "; " + JAMF_SPEC),
    PlanRule(DDM, "Apple silicon, bootstrap token not escrowed",
             lambda f: f.apple_silicon and not f.bootstrap_escrowed, "APPLE_SILICON_NO_ESCROW_KEY", JAMF_SPEC, 25),
    PlanRule(ANY, f"less than {LOW_DISK_GB} GB free", lambda f: f.free_disk_gb < LOW_DISK_GB, "NO_DISK_SPACE",
             JAMF_SPEC, 26),
    PlanRule(MDM_COMMAND, "otherwise", lambda f: True, "", JAMF_SPEC, 27),
    PlanRule(DDM, "otherwise: waits at DDMPlanScheduled until forceInstallLocalDateTime", lambda f: True, "",
             JAMF_DDM_DOC + "; " + JAMF_SPEC, 27),
)


def mechanism_of(update_action: str) -> str:
    return DDM if update_action == DDM_ACTION else MDM_COMMAND


def decide(facts: MacFacts, update_action: str) -> PlanRule:
    """The first row of ``PLAN_RULES`` that applies to this Mac and plan."""
    mechanism = mechanism_of(update_action)
    return next(r for r in PLAN_RULES if r.mechanism in (ANY, mechanism) and r.holds(facts))


def plan_paths_markdown() -> str:
    """The plan-path table for the README (first matching row wins)."""
    mechanism = {ANY: "any", DDM: "DDM (`DOWNLOAD_INSTALL_SCHEDULE`)", MDM_COMMAND: "MDM command (other actions)"}
    lines = ["| plan mechanism | Mac | plan ends | source | assumption |", "|---|---|---|---|---|"]
    for r in PLAN_RULES:
        ends = f"`PlanFailed` `{r.reason}`" if r.reason else "`PlanCompleted`"
        flag = f"row {r.assumption}" if r.assumption else "no (published)"
        lines.append(f"| {mechanism[r.mechanism]} | {r.condition} | {ends} | {r.source} | {flag} |")
    return "\n".join(lines) + "\n"
