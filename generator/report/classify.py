"""One Mac's state and its problems, from its inventory record and the agent's extension attributes.

**Precedence** (``PRECEDENCE``; a Mac counts once, in the first state that applies, so the
counts add up to the number of Macs):

1. ``silent`` -- no inventory report for ``report.silent_days`` days: everything below would be
   read from a stale report, so the first thing to fix is that the Mac stopped reporting;
2. ``no_agent`` -- the Agent Version EA says the agent is not installed (or has no value);
3. ``failed`` -- ``LastMDMWorkflowResult`` FAILED, or the agent's Status is ``Error``;
4. ``past_hard`` -- an update is pending and the hard deadline has passed;
5. ``past_soft`` -- an update is pending and the soft deadline has passed;
6. ``mdm_workflow`` -- ``LastMDMWorkflowResult`` IN_PROGRESS;
7. ``scheduled`` -- ``LastMDMWorkflowResult`` SCHEDULED (a DDM update with an install time);
8. ``deferred`` -- the agent's Status is ``Deferred``;
9. ``pending`` -- ``PendingUpdateTarget`` names an update;
10. ``up_to_date`` -- ``PendingUpdateTarget`` NONE.

Deadlines are compared with the report's time; every state is "as of" the Mac's last inventory
report (shown with each Mac).  EA dates are the Mac's local time without a zone; they are read
as UTC, so a deadline may be off by the Mac's UTC offset (at most 14 hours).

**Why Macs fail** (``reasons``; a Mac may have several, so these counts do not add up): the MDM
workflow result FAILED, each Jamf plan ``errorReasons`` value of the Mac's failed plans, a
bootstrap token not escrowed or invalid, and missing credentials (an Apple silicon Mac whose agent
saved no credential, so it cannot authorise an update itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..status import DATE_FORMAT

PRECEDENCE = ("silent", "no_agent", "failed", "past_hard", "past_soft", "mdm_workflow", "scheduled", "deferred",
              "pending", "up_to_date")
STATE_LABELS = {
    "silent": "Silent", "no_agent": "No agent", "failed": "Failed", "past_hard": "Past hard deadline",
    "past_soft": "Past soft deadline", "mdm_workflow": "In MDM workflow", "scheduled": "Scheduled (DDM)",
    "deferred": "Deferred", "pending": "Pending", "up_to_date": "Up to date",
}
NOT_INSTALLED = "Not installed"


@dataclass
class Mac:
    """What the report knows about one computer: inventory fields and the agent's EA values by status key."""

    jamf_id: str
    name: str
    serial: str
    os_version: str
    apple_silicon: bool
    last_report: datetime | None
    status: dict[str, str] = field(default_factory=dict)
    plan_errors: list[str] = field(default_factory=list)

    def date(self, key: str) -> datetime | None:
        return parse_date(self.status.get(key, ""))


def parse_date(text: str) -> datetime | None:
    """An EA date (``YYYY-MM-DD hh:mm:ss``) or Jamf ISO-8601 timestamp as an aware UTC datetime."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _pending(mac: Mac) -> bool:
    return mac.status.get("PendingUpdateTarget", "NONE") not in ("", "NONE")


def classify(mac: Mac, now: datetime, silent_days: int) -> str:
    """The Mac's state: the first of ``PRECEDENCE`` that applies."""
    if mac.last_report is None or (now - mac.last_report).total_seconds() >= silent_days * 86400:
        return "silent"
    if mac.status.get("AgentVersion", NOT_INSTALLED) in ("", NOT_INSTALLED):
        return "no_agent"
    result = mac.status.get("LastMDMWorkflowResult", "NONE")
    state = mac.status.get("Status", "").split(":", 1)[0].strip()
    if result == "FAILED" or state == "Error":
        return "failed"
    if _pending(mac):
        hard, soft = mac.date("HardDeadline"), mac.date("SoftDeadline")
        if hard is not None and hard <= now:
            return "past_hard"
        if soft is not None and soft <= now:
            return "past_soft"
    if result == "IN_PROGRESS":
        return "mdm_workflow"
    if result == "SCHEDULED":
        return "scheduled"
    if state == "Deferred":
        return "deferred"
    return "pending" if _pending(mac) else "up_to_date"


def reasons(mac: Mac) -> list[str]:
    """Every problem this Mac shows (labels; see the module docstring)."""
    out = []
    if mac.status.get("LastMDMWorkflowResult") == "FAILED":
        out.append("MDM workflow failed")
    out.extend(f"Jamf plan: {r}" for r in sorted(set(mac.plan_errors)))
    escrow = mac.status.get("BootstrapTokenEscrow", "")
    if escrow in ("NOT_ESCROWED", "INVALID"):
        out.append(f"Bootstrap token {escrow.lower().replace('_', ' ')}")
    installed = mac.status.get("AgentVersion", NOT_INSTALLED) not in ("", NOT_INSTALLED)
    if installed and mac.apple_silicon and mac.status.get("SavedCredentialMethod", "NONE") == "NONE":
        out.append("Missing credentials (Apple silicon)")
    return out
