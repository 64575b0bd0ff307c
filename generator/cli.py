"""The ``jamf-enforcer`` command line: parses arguments, calls the core, prints the outcome.

Kept thin on purpose: every command is a function in the core that returns data; this module
only formats it.  User errors (``BundleError`` and friends) become one line on stderr and exit
code 2; nothing is half-written because the core writes atomically.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

try:  # typer >= 0.20 vendors click as typer._click; older releases use click itself
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as click_exceptions

from . import __version__
from .bundle import BundleError
from .jamf.commands import register as register_sync_commands
from .report.command import register as register_report_command

app = typer.Typer(
    name="jamf-enforcer",
    help="Render a macOS software-update enforcement agent and its Jamf Pro objects, and keep tenants in sync.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"jamf-enforcer: error: {message}", err=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jamf-enforcer {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """jamf-enforcer"""


BundleArg = Annotated[Path, typer.Argument(help="bundle.toml, or a folder holding one.")]


@app.command()
def render(
    bundle: BundleArg = Path("bundle.toml"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: created, or replaced atomically when it is "
                                                          "empty or a previous render.")] = Path("dist"),
) -> None:
    """Render the agent, extension attributes, profiles, API role/client and policies into OUT.

    OUT is replaced only when it is missing, empty or a previous render (its manifest.json lists
    every file in it); never the bundle's own folder or a parent of it.
    """
    from .bundle import deadline_warnings, load_bundle
    from .render import check_out_dir, render_all, write_dist

    try:
        spec = load_bundle(bundle)
        check_out_dir(out, spec.path)  # before rendering: a refusal costs nothing
        artifacts = render_all(spec)
        target = write_dist(artifacts, out, spec.path)
    except BundleError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or out}: cannot write output: {exc.strerror or exc}") from None
    for warning in deadline_warnings(spec):
        typer.echo(f"jamf-enforcer: warning: {warning}", err=True)
    typer.echo(f"rendered {len(artifacts)} files into {target}")


@app.command()
def validate(
    dist: Annotated[Path, typer.Argument(help="A rendered output folder.")] = Path("dist"),
) -> None:
    """Check a rendered folder offline: shell syntax and portability, plists, schema, privileges, EAs."""
    from .deprecations import from_manifest, warn
    from .validate import load_manifest, validate_dist

    try:
        findings = validate_dist(dist)
    except BundleError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or dist}: cannot read: {exc.strerror or exc}") from None
    warn(from_manifest(load_manifest(dist)))  # Jamf's deprecations are warnings, not findings
    for finding in findings:
        typer.echo(finding)
    if findings:
        typer.echo(f"{len(findings)} finding(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{dist}: ok")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to scaffold (created if missing).")],
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
    package: Annotated[str | None, typer.Option(
        help='Where the workflow installs jamf-enforcer from: "jamf-enforcer @ git+https://HOST/OWNER/REPO@REF" '
             'or "jamf-enforcer==X.Y.Z".')] = None,
) -> None:
    """Scaffold a commented bundle.toml and a GitHub Actions workflow (plan on pull requests, apply on main)."""
    from .scaffold import PLACEHOLDER_PACKAGE, WORKFLOW, scaffold

    try:
        written = scaffold(directory, force=force, package=package or PLACEHOLDER_PACKAGE)
    except BundleError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or directory}: cannot write: {exc.strerror or exc}") from None
    for path in written:
        typer.echo(f"wrote {path}")
    if package is None:
        typer.echo(f"note: set JAMF_ENFORCER_PACKAGE at the top of {directory / WORKFLOW} (or re-run with --package)",
                   err=True)


@app.command()
def tenants(
    bundle: BundleArg = Path("bundle.toml"),
    output: Annotated[str, typer.Option("--output", help="text (one per line) or json (a list, for a CI job matrix).")] = "text",
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Leave out tenants matching GLOB (repeatable).")] = None,
) -> None:
    """List the bundle's tenant names (e.g. to fan a CI pipeline out as one job per tenant)."""
    from .tenants import format_tenants, tenant_names

    try:
        text = format_tenants(tenant_names(bundle, exclude or []), output)
    except BundleError as exc:
        raise fail(str(exc)) from None
    if text:
        typer.echo(text)


@app.command()
def sim(
    port: Annotated[int, typer.Option(help="Port (0 = any free port).")] = 0,
    version: Annotated[str, typer.Option("--version", help="Jamf Pro version to simulate.")] = "11.12.0",
    fleet: Annotated[int, typer.Option(help="Seeded computers per tenant.")] = 50,
    tenants: Annotated[int, typer.Option(help="Isolated tenants in this process.")] = 1,
    state: Annotated[Path | None, typer.Option(help="JSON file keeping state across restarts.")] = None,
    latency_ms: Annotated[int, typer.Option("--latency-ms", help="Latency added to every request.")] = 0,
    faults: Annotated[str, typer.Option(help="Fault spec, e.g. 5xx=0.1,429=0.05,seed=7.")] = "",
    plan_rate: Annotated[int, typer.Option("--plan-rate", help="MSU plans per minute before 429 (0 = unlimited).")] = 0,
    plain_http: Annotated[bool, typer.Option("--plain-http", help="Serve plain HTTP instead of HTTPS.")] = False,
    show_secret: Annotated[bool, typer.Option("--show-secret", help="Print the bootstrap admin secret.")] = False,
    env_file: Annotated[Path | None, typer.Option("--env-file", help="Write URL, admin client and CA path as KEY=value "
                                                   "lines (0600) for a [tenants.sim] table of env: references.")] = None,
    agent_states: Annotated[bool, typer.Option("--agent-states", help="Seed the agent's status on each Mac (report).")] = False,
) -> None:
    """Run a local Jamf Pro simulator (HTTPS on 127.0.0.1) to rehearse a pipeline without a tenant."""
    from .sim.cli import run_sim

    if env_file is not None and not env_file.absolute().parent.is_dir():
        raise fail(f"--env-file: {env_file.absolute().parent} is not a folder")
    try:
        run_sim(port=port, version=version, fleet=fleet, tenants=tenants, state=state, latency_ms=latency_ms,
                faults=faults, plain_http=plain_http, show_secret=show_secret, plan_rate=plan_rate, env_file=env_file,
                agent_states=agent_states)
    except ValueError as exc:
        raise fail(str(exc)) from None


# plan / apply / audit / rotate live with the Jamf client; registering them there keeps this
# module free of HTTP code.
register_sync_commands(app, fail)
register_report_command(app, fail)


def main() -> None:
    # standalone_mode=False so a malformed command line is one line too (click prints a usage block).
    try:
        code = app(standalone_mode=False)
    except getattr(click_exceptions, "NoArgsIsHelpError", ()) as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click_exceptions.UsageError as exc:
        hint = f"{exc.ctx.command_path}: " if exc.ctx is not None else ""
        typer.echo(f"jamf-enforcer: error: {hint}{exc.format_message()}".replace("\n", " "), err=True)
        sys.exit(EXIT_USAGE)
    except click_exceptions.ClickException as exc:
        typer.echo(f"jamf-enforcer: error: {exc.format_message()}".replace("\n", " "), err=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click_exceptions.Abort):
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
