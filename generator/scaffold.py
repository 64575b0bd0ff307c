"""``jamf-enforcer init``: scaffold a commented bundle.toml and an example GitHub Actions workflow.

The bundle is generated from the schema in ``bundle.py`` (every key, its meaning and its
default), so the scaffold can never fall out of step with the parser; it is parsed before
anything is written, so ``init`` can never produce a bundle that ``render`` rejects.

The workflow is ``templates/init/jamf-enforcer.yml`` with one value filled in: where jamf-enforcer is
installed from (``--package``; until the project has a fixed public home the default is a marked
placeholder that the workflow's first job refuses with a clear error).

Writing is all or nothing: every file is written into a staging folder inside the target first, each
one is then renamed into place (an existing file, with ``--force``, is moved aside, not deleted), and
any failure puts back what was moved aside and removes every file and folder ``init`` created.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .bundle import SCHEMA, TENANT_SCHEMA, BundleError, parse_bundle
from .render import templates_dir

REQUIRED_EXAMPLES = {
    ("bundle", "name"): "Example Software Updates",
    ("bundle", "version"): "1.0.0",
    ("bundle", "identifier"): "com.example",
}
TENANT_EXAMPLE = {
    "url": "https://example.jamfcloud.com",
    "client_id": "env:JAMF_CLIENT_ID",
    "client_secret": "env:JAMF_CLIENT_SECRET",
}


def _toml_value(value: Any) -> str:
    # JSON literals for strings, booleans, integers and string lists are valid TOML.
    return json.dumps(value, ensure_ascii=False)


def bundle_text() -> str:
    lines = ["# jamf-enforcer bundle: the one file an admin edits.",
             "# Uncomment a key to change its default. Secrets never go here: tenants hold references.", ""]
    for section, schema in SCHEMA.items():
        lines.append(f"[{section}]")
        for key, field in schema.items():
            lines.append(f"# {field.doc}")
            if field.default is None:
                lines.append(f"{key} = {_toml_value(REQUIRED_EXAMPLES[(section, key)])}")
            else:
                lines.append(f"# {key} = {_toml_value(field.default)}")
        lines.append("")
    lines.append("# One table per Jamf Pro tenant; credentials are env:VAR, file:PATH or keyring:SERVICE/ACCOUNT")
    lines.append("# (keychain: is the same; ACCOUNT follows the last /, e.g. keychain:https://acme.jamfcloud.com/CLIENT_ID).")
    lines.append("[tenants.production]")
    for key, field in TENANT_SCHEMA.items():
        lines.append(f"# {field.doc}")
        if key in TENANT_EXAMPLE:
            lines.append(f"{key} = {_toml_value(TENANT_EXAMPLE[key])}")
    return "\n".join(lines) + "\n"


WORKFLOW = ".github/workflows/jamf-enforcer.yml"
PLACEHOLDER_PACKAGE = "jamf-enforcer @ git+https://github.com/OWNER/REPO@REF"
# A pip requirement pinned to one release or one Git ref, and nothing a YAML string or a shell word
# would have to escape.
PACKAGE_RE = re.compile(r"jamf-enforcer(==[0-9][0-9A-Za-z.+!-]*"
                        r"| @ git\+https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)+@[A-Za-z0-9._/-]+)")


def workflow_text(package: str = PLACEHOLDER_PACKAGE) -> str:
    if not PACKAGE_RE.fullmatch(package):
        raise BundleError(f'--package: expected "jamf-enforcer @ git+https://HOST/OWNER/REPO@REF" or '
                          f'"jamf-enforcer==X.Y.Z", got {package!r}')
    template = (templates_dir() / "init" / "jamf-enforcer.yml").read_text("utf-8")
    quoted = json.dumps(PLACEHOLDER_PACKAGE)
    if template.count(quoted) != 1:
        raise BundleError(f"templates/init/jamf-enforcer.yml: expected the install source {quoted} exactly once")
    return template.replace(quoted, json.dumps(package))


def scaffold(directory: str | Path, *, force: bool = False, package: str = PLACEHOLDER_PACKAGE) -> list[Path]:
    """Write bundle.toml and the workflow into ``directory``; all of them or, on any failure, none."""
    target = Path(directory)
    sources = {"bundle.toml": bundle_text(), WORKFLOW: workflow_text(package)}
    parse_bundle(sources["bundle.toml"], "scaffolded bundle.toml")
    _preflight(target, sources, force)
    try:
        _write_all(target, sources)
    except OSError as exc:
        where = exc.filename or target
        raise BundleError(f"{where}: cannot write: {exc.strerror or exc}") from None
    return [target / rel for rel in sources]


def _preflight(target: Path, sources: dict[str, str], force: bool) -> None:
    """Refuse, before writing anything, what would fail or lose a file."""
    for rel in sources:
        dest = target / rel
        for folder in reversed(dest.absolute().parents):
            if folder.exists() and not folder.is_dir():
                raise BundleError(f"{folder}: exists and is not a folder")
        if dest.is_dir():
            raise BundleError(f"{dest}: is a folder, expected a file")
        if dest.exists() and not force:
            raise BundleError(f"{dest}: already exists (use --force to overwrite)")


def _write_all(target: Path, sources: dict[str, str]) -> None:
    created: list[Path] = []  # folders init made, outermost first
    moved: list[tuple[Path, Path | None]] = []  # (placed file, where its predecessor waits)
    staging: Path | None = None
    try:
        for rel in sources:
            for folder in reversed((target / rel).absolute().parents):
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
        staging = Path(tempfile.mkdtemp(prefix=".jamf-enforcer-init-", dir=target))
        for i, text in enumerate(sources.values()):
            (staging / f"new-{i}").write_text(text, encoding="utf-8")
        for i, rel in enumerate(sources):
            dest = target / rel
            backup = None
            if dest.exists() or dest.is_symlink():
                backup = staging / f"old-{i}"
                os.replace(dest, backup)
            moved.append((dest, backup))
            os.replace(staging / f"new-{i}", dest)
    except BaseException:
        for dest, backup in reversed(moved):
            dest.unlink(missing_ok=True)
            if backup is not None:
                os.replace(backup, dest)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)
