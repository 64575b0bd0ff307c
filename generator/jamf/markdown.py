"""``--output markdown`` for plan / apply / audit / rotate: what a reviewer reads in a pull request or
a job summary (``$GITHUB_STEP_SUMMARY``).

One heading and one table per tenant (plan: the pending changes; apply and rotate: the writes and
failures; audit: the findings), then for each changed object its diff collapsed in a ``<details>``
block, and a summary table when there are several tenants.  It is built only from the same
``TenantResult`` fields the text and JSON outputs use, which carry no secret (errors are scrubbed by
the client, credential parameters show ``<secret>`` in diffs); every value is escaped by
``generator.markdown`` so an object name cannot become markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..markdown import details, inline, table

if TYPE_CHECKING:
    from .sync import TenantResult

SYMBOLS = {"create": "+", "update": "~", "delete": "-", "error": "!"}


def _headline(command: str, r: TenantResult) -> str:
    counts = r.counts()
    if r.error:
        return "error"
    if command == "plan":
        if not r.pending:
            return f"in sync ({counts.get('unchanged', 0)} objects unchanged)"
        return (f"{counts.get('create', 0)} to create, {counts.get('update', 0)} to update, "
                f"{counts.get('delete', 0)} to delete, {counts.get('unchanged', 0)} unchanged")
    if command == "apply":
        return f"{len(r.writes)} written, {len(r.failures)} failed"
    if command == "audit":
        return f"{len(r.findings)} finding(s)" if r.findings else "no drift"
    return f"{len(r.writes)} written" if r.writes else "nothing written"


def _tenant(command: str, r: TenantResult) -> list[str]:
    lines = [f"### {inline(r.tenant)}: {inline(_headline(command, r))}", ""]
    if r.error:
        lines += [f"**Error:** {inline(r.error)}", ""]
    if command == "plan":
        shown = [c for c in r.changes if c.action != "unchanged"]
        if shown:
            lines += [*table(("action", "kind", "name", "reason"),
                             ((f"{SYMBOLS.get(c.action, '?')} {c.action}", c.kind, c.name, c.reason) for c in shown)), ""]
        for c in shown:
            if c.diff:
                lines += [*details(f"{SYMBOLS.get(c.action, '?')} {c.action} {c.kind} {c.name}", c.diff, "diff"), ""]
    elif command == "audit" and r.findings:
        lines += [*table(("kind", "name", "finding"), ((f.kind, f.name, f.message) for f in r.findings)), ""]
    if r.writes or r.failures:
        rows = [(w.action, w.kind, w.name, w.id or "", w.detail) for w in r.writes]
        rows += [("FAILED", f.kind, f.name, "", f.error) for f in r.failures]
        lines += [*table(("result", "kind", "name", "id", "detail"), rows), ""]
    lines += [f"- note: {inline(n)}" for n in r.notes]
    if r.notes:
        lines.append("")
    return lines


def format_markdown(command: str, results: list[TenantResult], summary: list[list[str]]) -> str:
    """The results as Markdown; ``summary`` is the cross-tenant table (header row first), shown for 2+ tenants."""
    lines = [f"## jamf-enforcer {command}", ""]
    if len(results) > 1:
        lines += [*table(summary[0], summary[1:]), ""]
    for r in results:
        lines += _tenant(command, r)
    return "\n".join(lines).rstrip() + "\n"
