"""The report's precedence and problem rules on hand-made Macs, and the page's escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from generator.report.classify import PRECEDENCE, Mac, classify, reasons
from generator.report.html import render_html
from generator.report.reader import TenantReport
from generator.report.summary import build_summary

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def mac(age_days: float = 0.1, silicon: bool = True, **status: str) -> Mac:
    base = {"AgentVersion": "1.0.0", "PendingUpdateTarget": "NONE", "SavedCredentialMethod": "JAMF_CLIENT"}
    return Mac("7", "Mac <7>", "C02X", "15.1", silicon, NOW - timedelta(days=age_days), {**base, **status})


def test_precedence_first_state_that_applies_wins() -> None:
    past = (NOW - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    future = (NOW + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    pending = {"PendingUpdateTarget": "macOS 15.7"}
    assert classify(mac(30, LastMDMWorkflowResult="FAILED"), NOW, 14) == "silent"
    assert classify(mac(AgentVersion="Not installed", LastMDMWorkflowResult="FAILED"), NOW, 14) == "no_agent"
    assert classify(mac(LastMDMWorkflowResult="FAILED", HardDeadline=past, **pending), NOW, 14) == "failed"
    assert classify(mac(Status="Error: x"), NOW, 14) == "failed"
    assert classify(mac(HardDeadline=past, SoftDeadline=past, LastMDMWorkflowResult="IN_PROGRESS", **pending),
                    NOW, 14) == "past_hard"
    assert classify(mac(HardDeadline=future, SoftDeadline=past, **pending), NOW, 14) == "past_soft"
    assert classify(mac(SoftDeadline=past), NOW, 14) == "up_to_date"  # a stale deadline with nothing pending
    assert classify(mac(LastMDMWorkflowResult="IN_PROGRESS", Status="Deferred: u", **pending), NOW, 14) == "mdm_workflow"
    assert classify(mac(LastMDMWorkflowResult="SCHEDULED", Status="Deferred: u", **pending), NOW, 14) == "scheduled"
    assert classify(mac(Status="Deferred: user", **pending), NOW, 14) == "deferred"
    assert classify(mac(**pending), NOW, 14) == "pending"
    assert classify(mac(), NOW, 14) == "up_to_date"
    assert classify(mac(13.9), NOW, 14) == "up_to_date" and classify(mac(14), NOW, 14) == "silent"


def test_reasons() -> None:
    m = mac(LastMDMWorkflowResult="FAILED", BootstrapTokenEscrow="NOT_ESCROWED", SavedCredentialMethod="NONE")
    m.plan_errors = ["NO_DISK_SPACE", "NO_DISK_SPACE"]
    assert reasons(m) == ["MDM workflow failed", "Jamf plan: NO_DISK_SPACE", "Bootstrap token not escrowed",
                          "Missing credentials (Apple silicon)"]
    assert reasons(mac(silicon=False, SavedCredentialMethod="NONE")) == []  # Intel Macs need no saved credential


def test_counts_add_up_and_jamf_values_are_escaped() -> None:
    macs = [mac(LastMDMWorkflowResult="FAILED"), mac(40), mac()]
    summary = build_summary([TenantReport("t<1>", "https://x.example", macs)], now=NOW)
    block = summary["tenants"][0]
    assert sum(block["states"].values()) == block["total"] == 3
    assert list(block["states"]) == list(PRECEDENCE)
    page = render_html(summary)
    assert "Mac <7>" not in page and "Mac &lt;7&gt;" in page and "t&lt;1&gt;" in page
    assert "<script" not in page
