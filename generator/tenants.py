"""``jamf-enforcer tenants``: the bundle's tenant names, for a person (one per line) or for a CI job
matrix (``--output json``: one compact JSON list on one line, as ``$GITHUB_OUTPUT`` wants it).

The bundle is parsed in full, so a pipeline's first job fails on a bad bundle before any tenant job
starts.  No tenant at all is not an error here (``[]``): a repository may render and validate only.
Credentials are not resolved: listing needs none.  ``--exclude GLOB`` leaves tenants out: the
scaffolded workflow excludes ``sim``, the README's rehearsal table that points at a simulator on the
admin's own machine.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

from .bundle import BundleError, load_bundle

OUTPUTS = ("text", "json")


def tenant_names(bundle: str | Path, exclude: list[str] | tuple[str, ...] = ()) -> list[str]:
    names = [t.name for t in load_bundle(bundle).tenants]
    return [n for n in names if not any(fnmatch.fnmatchcase(n, pattern) for pattern in exclude)]


def format_tenants(names: list[str], output: str) -> str:
    if output == "json":
        return json.dumps(names, separators=(",", ":"))
    if output == "text":
        return "\n".join(names)
    raise BundleError(f"--output: expected text or json, got {output!r}")
