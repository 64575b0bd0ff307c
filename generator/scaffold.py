"""``jamf-enforcer init``: scaffold a commented bundle.toml and an example GitHub Actions workflow.

The bundle is generated from the schema in ``bundle.py`` (every key, its meaning and its
default), so the scaffold can never fall out of step with the parser; it is parsed before
anything is written, so ``init`` can never produce a bundle that ``render`` rejects.
"""

from __future__ import annotations

import json
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


def scaffold(directory: str | Path, *, force: bool = False) -> list[Path]:
    target = Path(directory)
    sources = {
        "bundle.toml": bundle_text(),
        ".github/workflows/jamf-enforcer.yml": (templates_dir() / "init" / "jamf-enforcer.yml").read_text("utf-8"),
    }
    parse_bundle(sources["bundle.toml"], "scaffolded bundle.toml")
    existing = [rel for rel in sources if (target / rel).exists()]
    if existing and not force:
        raise BundleError(f"{target / existing[0]}: already exists (use --force to overwrite)")
    written = []
    for rel, text in sources.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
