"""Which path a managed software update plan takes, from the Mac's facts and the plan's mechanism.

A cited data table, kept apart from the agent (the agent never imports it): ``PLAN_RULES`` is
read top to bottom and the first row whose condition holds decides.  A row either fails the
plan with a Jamf ``errorReasons`` value (the names are the ``PlanStatus`` enum of the vendored
ManagedSoftwareUpdatesPlans.yaml) or sends it down a success path.  ``assumption=True`` marks
behaviour neither Apple nor Jamf publishes; the rows are rendered into the README's simulator
assumptions table (``assumptions_markdown``), the project's one such table.

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
# The feature toggle's read-only fields as a fresh simulated server reports them (the spec's examples,
# except customVersionEnabled).  Tests and /__sim/feature-toggle change them.
TOGGLE_CAPABILITIES = {"forceInstallLocalDateEnabled": False, "dssEnabled": False, "recipeEnabled": False,
                       "customVersionEnabled": True}
# Server behaviour the simulator assumes (rows of the same README table).
SERVER_ASSUMPTIONS: tuple[tuple[str, str], ...] = (
    ("`forceInstallLocalDateEnabled` in `GET …/plans/feature-toggle` is true",
     "the server takes `DOWNLOAD_INSTALL_SCHEDULE` plans with `forceInstallLocalDateTime` (DDM); while it is false "
     "such a plan is refused with 400 `INVALID_FIELD` on `config.updateAction`. The spec documents the field only "
     "as a read-only boolean."),
    ("the feature toggle is off", "the server takes no plans at all (400); only legacy send-updates works."),
    ("a device with an unfinished plan", "a second plan for it is refused at creation with 400 "
     "`EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS`; the spec has no call that cancels a plan."),
    ("a SCRIPT extension attribute in the computer inventory",
     "its `values` are what the script printed at the Mac's last inventory report (one value; a DATE extension "
     "attribute comes back with `dataType` DATE_TIME); the simulator reads the status key from the script itself."),
    ("a smart computer group's criteria (Classic `computergroups`)",
     "`and` binds tighter than `or` and parentheses group; a criterion naming neither an extension attribute nor "
     "Computer Name / Serial Number / Operating System Version matches no Mac; `more than x days ago` compares a "
     "DATE value with now."),
)


@dataclass(frozen=True)
class PlanRule:
    mechanism: str  # DDM, MDM_COMMAND or ANY
    condition: str  # what the table shows
    holds: Callable[[MacFacts], bool]
    reason: str  # errorReasons value; "" = the mechanism's success path
    source: str
    assumption: bool
    note: str = ""


PLAN_RULES: tuple[PlanRule, ...] = (
    PlanRule(ANY, "not enrolled in MDM", lambda f: not f.enrolled, "NOT_MANAGED", JAMF_SPEC, True,
             "Jamf publishes the reason's name, not when it is used; the plan is accepted and then fails."),
    PlanRule(ANY, "not supervised", lambda f: not f.supervised, "NOT_SUPERVISED", JAMF_SPEC, True,
             "As NOT_MANAGED."),
    PlanRule(MDM_COMMAND, "macOS 27 or later", lambda f: f.os[0] >= 27, "MDM_EXCEPTION", APPLE_REMOVED, True,
             "The gate is Apple's; which errorReasons value Jamf reports for a removed command is not published."),
    PlanRule(DDM, "macOS earlier than 14", lambda f: f.os[0] < 14,
             "DECLARATIVE_DEVICE_MANAGEMENT_SOFTWARE_UPDATES_NOT_SUPPORTED_FOR_DEVICE_OS_VERSION",
             APPLE_DDM + "; " + JAMF_SPEC, False),
    PlanRule(MDM_COMMAND, "Apple silicon, bootstrap token not escrowed",
             lambda f: f.apple_silicon and not f.bootstrap_escrowed, "APPLE_SILICON_NO_ESCROW_KEY",
             JAMF_BOOTSTRAP_DOC + "; " + JAMF_SPEC, False),
    PlanRule(DDM, "Apple silicon, bootstrap token not escrowed",
             lambda f: f.apple_silicon and not f.bootstrap_escrowed, "APPLE_SILICON_NO_ESCROW_KEY", JAMF_SPEC, True,
             "Unpublished: whether a DDM plan for such a Mac fails this way (the declaration itself needs no token)."),
    PlanRule(ANY, f"less than {LOW_DISK_GB} GB free", lambda f: f.free_disk_gb < LOW_DISK_GB, "NO_DISK_SPACE",
             JAMF_SPEC, True, f"The {LOW_DISK_GB} GB threshold is the simulator's; Apple publishes none."),
    PlanRule(MDM_COMMAND, "otherwise", lambda f: True, "", JAMF_SPEC, True,
             "Succeeds through the MDM states " + " → ".join(MDM_PATH[4:-1]) + "; the order is the simulator's."),
    PlanRule(DDM, "otherwise", lambda f: True, "", JAMF_DDM_DOC + "; " + JAMF_SPEC, True,
             f"Waits at {DDM_HOLD} until forceInstallLocalDateTime on the simulator clock (the simulated Macs "
             "keep UTC), then completes; the order of the states is the simulator's."),
)


def mechanism_of(update_action: str) -> str:
    return DDM if update_action == DDM_ACTION else MDM_COMMAND


def decide(facts: MacFacts, update_action: str) -> PlanRule:
    """The first row of ``PLAN_RULES`` that applies to this Mac and plan."""
    mechanism = mechanism_of(update_action)
    return next(r for r in PLAN_RULES if r.mechanism in (ANY, mechanism) and r.holds(facts))


def assumptions_markdown() -> str:
    """The plan-path table for the README (first matching row wins)."""
    lines = ["| plan mechanism | Mac | plan ends | source | assumption |", "|---|---|---|---|---|"]
    for r in PLAN_RULES:
        mechanism = {ANY: "any", DDM: "DDM (`DOWNLOAD_INSTALL_SCHEDULE`)", MDM_COMMAND: "MDM command (other actions)"}
        ends = f"`PlanFailed` `{r.reason}`" if r.reason else "`PlanCompleted`"
        flag = f"yes: {r.note}" if r.assumption else ("no" + (f" ({r.note})" if r.note else ""))
        lines.append(f"| {mechanism[r.mechanism]} | {r.condition} | {ends} | {r.source} | {flag} |")
    for condition, behaviour in SERVER_ASSUMPTIONS:
        lines.append(f"| server | {condition} | {behaviour} | {JAMF_SPEC} | yes |")
    return "\n".join(lines) + "\n"
