"""The status contract: every key the agent writes to its status plist.

One model, rendered into both the agent (which writes the keys) and the extension attributes
(which read them), so the two cannot disagree.  Every value is stored as a plist ``<string>``
so a reader needs no type knowledge; ``kind`` documents the format:

* ``date``   — ``YYYY-MM-DD hh:mm:ss`` local time, the format Jamf DATE extension attributes need;
* ``enum``   — one of ``values``;
* ``string`` — free text (never a secret);
* ``digits`` — a decimal number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"  # strftime form of YYYY-MM-DD hh:mm:ss


@dataclass(frozen=True)
class StatusKey:
    key: str
    kind: str
    doc: str
    values: tuple[str, ...] = ()
    ea_name: str = ""  # empty: no extension attribute for this key
    ea_missing: str = ""  # printed when the key is absent (DATE EAs print nothing)
    ea_section: str = "EXTENSION_ATTRIBUTES"

    @property
    def ea_data_type(self) -> str:
        return {"date": "DATE", "digits": "INTEGER"}.get(self.kind, "STRING")


CREDENTIAL_METHOD_VALUES = ("NONE", "USER_PASSWORD", "LOCAL_ACCOUNT", "SERVICE_ACCOUNT", "JAMF_CLIENT", "JAMF_ACCOUNT")

STATUS_KEYS: tuple[StatusKey, ...] = (
    StatusKey("AgentVersion", "string", "Bundle version of the agent that last ran.",
              ea_name="Agent Version", ea_missing="Not installed"),
    StatusKey("Status", "string", "'<State>: <message>'; State is Running, Idle, Pending, Deferred or Error.",
              ea_name="Status", ea_missing="Not installed"),
    StatusKey("StatusTime", "date", "When Status was written."),
    StatusKey("LastRun", "date", "Start of the last run."),
    StatusKey("NextRun", "date", "Earliest time the next run does work (deferral/error timers).",
              ea_name="Next Run"),
    StatusKey("WorkflowMode", "enum", "MDM workflow the server selected: NEW (plans) or LEGACY (send-updates).",
              ("NEW", "LEGACY", "NONE")),
    StatusKey("UpdateMechanism", "enum", "How the last update was started: DDM (a DOWNLOAD_INSTALL_SCHEDULE plan, "
              "WorkflowMode NEW), MDM_COMMAND (any other plan, NEW), LEGACY (send-updates, WorkflowMode LEGACY) or "
              "LOCAL (softwareupdate on the Mac).", ("DDM", "MDM_COMMAND", "LEGACY", "LOCAL"),
              ea_name="Update Mechanism", ea_missing="NONE"),
    StatusKey("LastMDMWorkflowResult", "enum", "Result of the last MDM push workflow; SCHEDULED = a DDM plan "
              "waits for its forced install time.",
              ("NONE", "IN_PROGRESS", "SCHEDULED", "SUCCESS", "FAILED"), ea_name="Last MDM Workflow Result",
              ea_missing="NONE"),
    StatusKey("ScheduledInstallTime", "date", "When macOS installs the update by itself (the DDM plan's "
              "forceInstallLocalDateTime, local time).", ea_name="Scheduled Install Time"),
    StatusKey("DDMUnsupportedTarget", "string", "Target version for which Jamf answered that DDM is not supported "
              "on this macOS: that target then gets the MDM-command plan, once."),
    StatusKey("LastMDMWorkflowTime", "date", "When the last MDM push workflow started.",
              ea_name="Last MDM Workflow Time"),
    StatusKey("LastMDMProgressTime", "date", "When the MDM workflow last showed progress (plan state change); "
              "agent.mdm_workflow_timeout_minutes counts from here."),
    StatusKey("LastMDMWorkflowDetail", "string", "Why the last MDM workflow ended as it did (plan state, HTTP status)."),
    StatusKey("LastMDMPlanID", "string", "planUuid of the last managed software update plan."),
    StatusKey("SavedCredentialMethod", "enum", "Which Apple silicon credential is saved (never the secret).",
              CREDENTIAL_METHOD_VALUES, ea_name="Saved Credential Method", ea_missing="NONE"),
    StatusKey("ComputerID", "digits", "The computer's Jamf Pro ID, once resolved."),
    StatusKey("ComputerIDSource", "enum", "Where the Jamf Pro ID came from.",
              ("NONE", "MANAGED", "CACHED", "INVENTORY_API", "RECON"), ea_name="Computer ID Source", ea_missing="NONE"),
    StatusKey("BootstrapTokenEscrow", "enum", "Bootstrap token escrow state.",
              ("UNKNOWN", "ESCROWED", "VALID", "NOT_ESCROWED", "INVALID", "UNSUPPORTED"),
              ea_name="Bootstrap Token Escrow", ea_missing="UNKNOWN"),
    StatusKey("ZeroDate", "date", "First run that saw the pending update.", ea_name="Zero Date"),
    StatusKey("SoftDeadline", "date", "Soft deadline for the pending update.", ea_name="Soft Deadline"),
    StatusKey("HardDeadline", "date", "Hard deadline for the pending update.", ea_name="Hard Deadline"),
    StatusKey("PendingUpdateTarget", "string", "Pending update, e.g. 'macOS 15.6.1', or NONE.",
              ea_name="Pending Update Target", ea_missing="NONE"),
    StatusKey("PendingUpdateLabel", "string", "softwareupdate label of the pending update."),
    # Settings given on the command line are kept here (a managed value always wins); the
    # agent reads this one plist per run, so a separate settings file would cost a process.
    StatusKey("AuthJamfCustomURL", "string", "Custom Jamf Pro API URL saved from --auth-jamf-custom-url."),
    StatusKey("AuthMDMFailoverToUser", "string", "MDM failover types saved from --auth-mdm-failover-to-user."),
    StatusKey("AuthCredentialFailoverToUser", "enum", "Saved from --auth-credential-failover-to-user[-off].",
              ("TRUE", "FALSE")),
    StatusKey("AuthAskUserToSavePassword", "enum", "Saved from --auth-ask-user-to-save-password[-off].",
              ("TRUE", "FALSE")),
)


@dataclass(frozen=True)
class StatusModel:
    keys: tuple[StatusKey, ...] = field(default=STATUS_KEYS)

    def by_key(self) -> dict[str, StatusKey]:
        return {k.key: k for k in self.keys}

    def ea_keys(self) -> list[StatusKey]:
        return [k for k in self.keys if k.ea_name]


MODEL = StatusModel()


def reference_markdown() -> str:
    lines = ["| key | kind | values / format | extension attribute | meaning |", "|---|---|---|---|---|"]
    for k in STATUS_KEYS:
        fmt = ", ".join(k.values) if k.values else ("YYYY-MM-DD hh:mm:ss" if k.kind == "date" else "")
        ea = f"{k.ea_name} ({k.ea_data_type})" if k.ea_name else ""
        lines.append(f"| `{k.key}` | {k.kind} | {fmt} | {ea} | {k.doc} |")
    return "\n".join(lines) + "\n"
