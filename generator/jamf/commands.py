"""Command-line wiring for ``plan``, ``apply``, ``audit`` and ``rotate`` (``generator.cli`` calls
``register``).  Only parsing and formatting live here; ``sync`` does the work.

Exit codes (documented in each command's help):

* ``plan`` (and ``apply --dry-run``): 0 nothing to do, **2 changes pending**, 1 error.  Note that
  2 here is *not* a usage error; typer/click still use 2 for a malformed command line.
* ``apply``: 0 everything written (or nothing to write), 1 any failure (the written objects
  are listed anyway).
* ``audit``: 0 no drift, 1 drift found or the tenant could not be audited.
* ``rotate``: 0 done (or nothing to do), 1 error.

Results go to stdout (text, ``--output json``, or ``--output markdown`` for a pull request or a job
summary; see ``markdown``); progress goes to stderr: a rich status line
on a terminal, plain lines in CI (``CI`` set, or stderr not a TTY).  No secret ever reaches
either: results carry none, and the diff shows ``<secret>`` for credential parameters.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..bundle import BundleError, load_bundle
from ..deprecations import deprecations
from ..deprecations import warn as warn_deprecations

if TYPE_CHECKING:  # the HTTP stack is imported only when a sync command runs: render stays fast
    from .sync import TenantResult

BundleArg = Annotated[Path, typer.Argument(help="bundle.toml, or a folder holding one.")]
TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="A tenant name from the bundle, 'all', or a glob such as 'prod-*'.")]
OUTPUTS = ("text", "json", "markdown")
OutputOpt = Annotated[str, typer.Option("--output", help="text, json or markdown (a table per tenant, for a job summary).")]
CaOpt = Annotated[Path | None, typer.Option("--ca-file", help="CA bundle to trust (e.g. the simulator's CA).")]
PruneOpt = Annotated[bool, typer.Option("--prune", help="Also delete prefixed objects the bundle no longer wants.")]


def _is_ci() -> bool:
    return bool(os.environ.get("CI")) or not sys.stderr.isatty()


class _Progress:
    """Progress on stderr: rich status on a terminal, one plain line per event in CI."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.lock = threading.Lock()
        self.console: Any = None
        self.status: Any = None
        if enabled and not _is_ci():
            try:
                from rich.console import Console

                self.console = Console(stderr=True)
            except ImportError:  # rich comes with typer, but plain lines are fine without it
                self.console = None

    def __enter__(self) -> _Progress:
        if self.console is not None:
            self.status = self.console.status("connecting")
            self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.__exit__(None, None, None)

    def __call__(self, tenant: str, message: str) -> None:
        if not self.enabled:
            return
        with self.lock:
            if self.console is not None:
                self.status.update(f"{tenant}: {message}")
                if not message.startswith("reading"):
                    self.console.print(f"[dim]{tenant}:[/dim] {message}", markup=True, highlight=False)
            else:
                typer.echo(f"{tenant}: {message}", err=True)


def _run(command: str, bundle: Path, tenant: str, output: str, ca_file: Path | None,
         fail: Callable[[str, int], typer.Exit], *, prune: bool = False, retire: bool = False,
         dry_run: bool = False) -> list[TenantResult]:
    # Imported here, not at the top: render stays free of the HTTP stack, and SyncOptions is looked up on
    # the sync package when a command runs (tests replace it there).
    from .client import CredentialError
    from .sync import SyncOptions, run_tenants, select_tenants

    if output not in OUTPUTS:
        raise fail(f"--output: expected text, json or markdown, got {output!r}", 1)
    try:
        spec = load_bundle(bundle)
        tenants = select_tenants(spec, tenant)
    except (BundleError, CredentialError) as exc:
        raise fail(str(exc), 1) from None
    if command == "plan":  # Jamf's deprecations of what the bundle calls: stderr only, exit code unchanged
        warn_deprecations(deprecations(spec.agent["msu_workflow"], spec.agent["credential_method"]))
    if ca_file is not None and not ca_file.is_file():
        raise fail(f"--ca-file: {ca_file} is not a file", 1)
    with _Progress(enabled=output == "text") as progress:
        options = SyncOptions(ca_file=str(ca_file) if ca_file else None, prune=prune, retire=retire,
                              progress=progress if output == "text" else None)
        effective = "plan" if dry_run else command
        try:
            return run_tenants(spec, tenants, effective, options)
        except BundleError as exc:
            raise fail(str(exc), 1) from None


def exit_code(command: str, results: list[TenantResult]) -> int:
    if command == "plan":
        if any(r.status() == "error" for r in results):
            return 1
        return 2 if any(r.pending for r in results) else 0
    if command == "audit":
        return 1 if any(r.error or r.findings for r in results) else 0
    return 0 if all(r.ok for r in results) else 1


def _q(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def format_text(command: str, results: list[TenantResult]) -> str:
    symbols = {"create": "+", "update": "~", "delete": "-", "error": "!"}
    lines: list[str] = []
    for r in results:
        counts = r.counts()
        if r.error:
            lines.append(f"{r.tenant}: ERROR: {r.error}")
        elif command == "plan":
            if r.pending:
                lines.append(f"{r.tenant}: {counts.get('create', 0)} to create, {counts.get('update', 0)} to update, "
                             f"{counts.get('delete', 0)} to delete, {counts.get('unchanged', 0)} unchanged")
            else:
                lines.append(f"{r.tenant}: in sync ({counts.get('unchanged', 0)} objects unchanged)")
        elif command == "apply":
            lines.append(f"{r.tenant}: {len(r.writes)} written, {len(r.failures)} failed")
        elif command == "audit":
            lines.append(f"{r.tenant}: {len(r.findings)} finding(s)" if r.findings else f"{r.tenant}: no drift")
        else:
            lines.append(f"{r.tenant}: {len(r.writes)} written" if r.writes else f"{r.tenant}: nothing written")
        if command == "plan":
            for c in r.changes:
                if c.action == "unchanged":
                    continue
                why = f" ({c.reason})" if c.reason else ""
                lines.append(f"  {symbols.get(c.action, '?')} {c.action} {c.kind} {_q(c.name)}{why}")
                lines.extend("      " + d for d in c.diff.splitlines())
        if command == "audit":
            lines.extend(f"  {f.kind} {_q(f.name)}: {f.message}" for f in r.findings)
        for w in r.writes:
            ident = f" (id {w.id})" if w.id else ""
            detail = f": {w.detail}" if w.detail else ""
            lines.append(f"  {w.action} {w.kind} {_q(w.name)}{ident}{detail}")
        lines.extend(f"  FAILED {f.kind} {_q(f.name)}: {f.error}" for f in r.failures)
        lines.extend(f"  note: {n}" for n in r.notes)
    if len(results) > 1:
        lines.append("")
        lines.extend(_summary(results))
    return "\n".join(lines)


def summary_rows(results: list[TenantResult]) -> list[list[str]]:
    """The cross-tenant summary table, header row first (text and markdown both show it)."""
    rows = [["tenant", "status", "create", "update", "delete", "writes", "failed", "findings", "requests", "seconds"]]
    for r in results:
        c = r.counts()
        rows.append([r.tenant, r.status(), str(c.get("create", 0)), str(c.get("update", 0)), str(c.get("delete", 0)),
                     str(len(r.writes)), str(len(r.failures)), str(len(r.findings)), str(r.requests),
                     f"{r.seconds:.2f}"])
    return rows


def _summary(results: list[TenantResult]) -> list[str]:
    rows = summary_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def _emit(command: str, results: list[TenantResult], output: str) -> int:
    code = exit_code(command, results)
    # The report (stdout) lists every tenant; each tenant's error is also one line on stderr, where CI looks.
    for r in results:
        if r.error:
            typer.echo(f"jamf-enforcer: error: {r.tenant}: {r.error}", err=True)
    if output == "json":
        typer.echo(json.dumps({"command": command, "exit_code": code, "tenants": [r.public() for r in results]},
                              indent=2, ensure_ascii=False))
    elif output == "markdown":
        from .markdown import format_markdown

        typer.echo(format_markdown(command, results, summary_rows(results)), nl=False)
    else:
        typer.echo(format_text(command, results))
    return code


def register(app: typer.Typer, fail: Callable[[str, int], typer.Exit]) -> None:
    """Add plan, apply, audit and rotate to the ``jamf-enforcer`` typer app."""
    _register_plan(app, fail)
    _register_apply(app, fail)
    _register_audit(app, fail)
    _register_rotate(app, fail)


def _register_plan(app: typer.Typer, fail: Callable[[str, int], typer.Exit]) -> None:
    @app.command()
    def plan(
        tenant: TenantOpt,
        bundle: BundleArg = Path("bundle.toml"),
        output: OutputOpt = "text",
        ca_file: CaOpt = None,
        prune: PruneOpt = False,
    ) -> None:
        """Show what apply would change on each tenant (create / update with a diff / unchanged).

        Exit codes: 0 nothing to do, 2 changes pending (not a usage error), 1 error.
        """
        results = _run("plan", bundle, tenant, output, ca_file, fail, prune=prune)
        raise typer.Exit(_emit("plan", results, output))


def _register_apply(app: typer.Typer, fail: Callable[[str, int], typer.Exit]) -> None:
    @app.command()
    def apply(
        tenant: TenantOpt,
        bundle: BundleArg = Path("bundle.toml"),
        output: OutputOpt = "text",
        ca_file: CaOpt = None,
        prune: PruneOpt = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Only plan (same output and exit codes).")] = False,
    ) -> None:
        """Create or update the Jamf objects in dependency order; a re-apply never rotates credentials.

        Exit codes: 0 done, 1 any failure (what was written is listed anyway).  With --dry-run: as plan.
        """
        results = _run("apply", bundle, tenant, output, ca_file, fail, prune=prune, dry_run=dry_run)
        raise typer.Exit(_emit("plan" if dry_run else "apply", results, output))


def _register_audit(app: typer.Typer, fail: Callable[[str, int], typer.Exit]) -> None:
    @app.command()
    def audit(
        tenant: TenantOpt,
        bundle: BundleArg = Path("bundle.toml"),
        output: OutputOpt = "text",
        ca_file: CaOpt = None,
    ) -> None:
        """Compare tenant, bundle and catalogue: privileges, API client, rendered objects, duplicates, leftovers, rotations.

        Exit codes: 0 no drift, 1 drift (or the tenant could not be audited).
        """
        results = _run("audit", bundle, tenant, output, ca_file, fail)
        raise typer.Exit(_emit("audit", results, output))


def _register_rotate(app: typer.Typer, fail: Callable[[str, int], typer.Exit]) -> None:
    @app.command()
    def rotate(
        tenant: TenantOpt,
        bundle: BundleArg = Path("bundle.toml"),
        output: OutputOpt = "text",
        ca_file: CaOpt = None,
        retire: Annotated[bool, typer.Option("--retire", help="Disable and delete the old API client now.")] = False,
    ) -> None:
        """Rotate the agent's API client without breaking Macs mid-flight (a second client; the old one stays until retired).

        A new secret for the existing client would kill every Mac's saved credential at once, so rotate creates a
        second client on the same role, hands it to the credential policy and flushes that policy so every Mac
        re-runs it.  The old client stays enabled until --retire (or until jamf.rotation_grace_days have passed at
        a later rotate), which disables and deletes it.

        Exit codes: 0 done or nothing to do, 1 error.
        """
        results = _run("rotate", bundle, tenant, output, ca_file, fail, retire=retire)
        raise typer.Exit(_emit("rotate", results, output))


__all__ = ["exit_code", "format_text", "register", "summary_rows"]
