"""``jamf-enforcer report``: command-line wiring (``generator.cli`` calls ``register``).

Reads every selected tenant concurrently (each on its own client: one session, at most five
requests in flight), builds the summary and writes it: ``--output html`` (the default) to
``--out`` (default ``report.html``), ``json`` and ``markdown`` to stdout unless ``--out`` is given.
Files are written atomically (a temporary file renamed into place).  Progress goes to stderr on a
terminal (plain lines in CI).  Exit codes: 0 written, 1 a tenant could not be read (the page is
written anyway, naming it), 2 bad input.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import typer

from ..bundle import BundleError, BundleSpec, load_bundle
from ..jamf.commands import BundleArg, CaOpt, TenantOpt, _Progress
from .html import render_html
from .markdown import render_markdown
from .reader import TenantReport, read_tenant
from .summary import build_summary

OUTPUTS = ("html", "json", "markdown")


def _audit_findings(spec: BundleSpec, name: str, client: Any, options: Any) -> Callable[[], list[str]]:
    def run() -> list[str]:
        from ..jamf.sync import TenantSync

        result = TenantSync(spec, name, client, options).audit()
        if result.error:
            return [f"audit could not finish: {result.error}"]
        return [f"{f.kind} {f.name}: {f.message}" for f in result.findings]
    return run


def read_tenants(spec: BundleSpec, pattern: str, ca_file: str | None = None, progress: Any = None,
                 client_options: Any = None) -> list[TenantReport]:
    """Read every tenant ``pattern`` selects; a tenant that fails becomes a report with ``error``."""
    from ..jamf.client import JamfError
    from ..jamf.sync import SyncOptions, make_client, select_tenants
    from ..jamf.sync.results import one_line

    options = SyncOptions(ca_file=ca_file, **({"client_options": client_options} if client_options else {}))

    def one(tenant: Any) -> TenantReport:
        client = None
        try:
            client = make_client(spec, tenant, options)
            return read_tenant(spec, tenant.name, client, progress=progress,
                               audit=_audit_findings(spec, tenant.name, client, options))
        except JamfError as exc:
            return TenantReport(tenant.name, tenant.url, error=one_line(client, exc) if client else str(exc))
        except Exception as exc:  # an unexpected answer must not hide the other tenants (or leak a secret)
            text = f"internal error: {type(exc).__name__}: {exc}"
            return TenantReport(tenant.name, tenant.url, error=one_line(client, Exception(text)) if client else text)
        finally:
            if client is not None:
                client.close()

    tenants = select_tenants(spec, pattern)
    with ThreadPoolExecutor(max_workers=min(32, len(tenants)), thread_name_prefix="report") as pool:
        return list(pool.map(one, tenants))


def render(summary: dict[str, Any], output: str) -> str:
    if output == "json":
        return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    if output == "markdown":
        return render_markdown(summary)
    return render_html(summary)


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def register(app: typer.Typer, fail: Callable[[str, int], typer.Exit]) -> None:
    @app.command()
    def report(
        tenant: TenantOpt,
        bundle: BundleArg = Path("bundle.toml"),
        out: Annotated[Path | None, typer.Option("--out", help="File to write (html default: report.html).")] = None,
        output: Annotated[str, typer.Option("--output", help="html, json or markdown.")] = "html",
        ca_file: CaOpt = None,
    ) -> None:
        """Is enforcement working? One self-contained HTML page (or JSON / markdown) per fleet of tenants.

        Exit codes: 0 written, 1 a tenant could not be read (still written, naming it), 2 bad input.
        """
        from ..jamf.client import CredentialError

        if output not in OUTPUTS:
            raise fail(f"--output: expected one of {', '.join(OUTPUTS)}, got {output!r}", 2)
        if ca_file is not None and not ca_file.is_file():
            raise fail(f"--ca-file: {ca_file} is not a file", 2)
        target = out if out is not None else (Path("report.html") if output == "html" else None)
        if target is not None and not target.parent.is_dir():
            raise fail(f"--out: folder {target.parent} does not exist", 2)
        try:
            spec = load_bundle(bundle)
            with _Progress(enabled=True) as progress:
                reports = read_tenants(spec, tenant, str(ca_file) if ca_file else None, progress)
        except (BundleError, CredentialError) as exc:
            raise fail(str(exc), 2) from None
        summary = build_summary(reports, silent_days=spec.report["silent_days"])
        text = render(summary, output)
        if target is None:
            typer.echo(text, nl=False)
        else:
            _write(target, text)
            typer.echo(f"wrote {target} ({summary['all']['total']} Macs, {len(reports)} tenant(s))", err=True)
        for r in reports:
            if r.error:
                typer.echo(f"{r.tenant}: ERROR: {r.error}", err=True)
        raise typer.Exit(1 if any(r.error for r in reports) else 0)
