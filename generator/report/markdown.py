"""The report as a markdown summary for a CI job summary (``$GITHUB_STEP_SUMMARY`` and the like):
one table of states per tenant (and all tenants), then the top problems.  Same numbers as the
HTML page and the JSON (all three render ``summary.build_summary``)."""

from __future__ import annotations

from typing import Any

TOP_REASONS = 10


def render_markdown(summary: dict[str, Any]) -> str:
    labels = summary["state_labels"]
    tenants = summary["tenants"]
    blocks = [*tenants, summary["all"]] if len(tenants) > 1 else list(tenants)
    header = "| state | " + " | ".join(b["tenant"] for b in blocks) + " |"
    lines = ["## jamf-enforcer report", "", f"Generated {summary['generated']}; each Mac counted once, in this "
             "precedence order; silent = no inventory report for " f"{summary['silent_days']} days.", "",
             header, "|---|" + "---:|" * len(blocks)]
    for state in summary["precedence"]:
        lines.append(f"| {labels[state]} | " + " | ".join(str(b["states"][state]) for b in blocks) + " |")
    lines.append("| **total** | " + " | ".join(f"**{b['total']}**" for b in blocks) + " |")
    top = summary["all"]["reasons"][:TOP_REASONS]
    if top:
        lines += ["", "| problem (all tenants) | Macs |", "|---|---:|"]
        lines += [f"| {r['reason']} | {r['count']} |" for r in top]
    errors = [f"- {t['tenant']}: {t['error']}" for t in tenants if t.get("error")]
    if errors:
        lines += ["", "**Tenants not read:**", *errors]
    drift = [f"- {t['tenant']}: {len(t['audit']['findings'])} drift finding(s)" for t in tenants if t.get("audit")]
    if drift:
        lines += ["", *drift]
    return "\n".join(lines) + "\n"
