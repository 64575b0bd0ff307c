"""The derived index of Jamf's vendored OpenAPI files.

Jamf publishes the privileges each Jamf Pro API operation needs as ``x-required-privileges``
in its OpenAPI files (vendored, unchanged but for one ``$ref`` rewrite, under
``generator/data/jamf-openapi``).  Parsing 1.6 MB of YAML on every ``render`` would cost
seconds, so this module owns a compact JSON index derived from those files
(``generator/data/privilege-index.json``).  ``build_index`` re-derives it (PyYAML is a
test/dev dependency only); a test proves the committed index equals a fresh derivation, so
the index can never drift from the specs it claims to come from.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
SPEC_DIR = DATA_DIR / "jamf-openapi"
INDEX_PATH = DATA_DIR / "privilege-index.json"
PRIVILEGE_LIST = SPEC_DIR / "api-role-privileges-11.12.txt"
CLASSIC_SPEC = SPEC_DIR / "classic" / "classic_api_resource_documentation.json"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
CLASSIC_TENANT_PREFIX = "/tenant/{tenantId}"


def build_index(spec_dir: Path = SPEC_DIR) -> dict[str, Any]:
    """Derive ``{"pro": {"METHOD /api/path": {...}}, "classic": {...}}`` from the spec files."""
    import yaml  # dev/test dependency: only the derivation needs it

    pro: dict[str, Any] = {}
    for spec_file in sorted((spec_dir / "pro").glob("*.yaml")):
        spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
        for path, item in (spec.get("paths") or {}).items():
            for method in HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                key = f"{method.upper()} /api{path}"
                pro[key] = {
                    "file": spec_file.name,
                    "operationId": op.get("operationId", ""),
                    "privileges": list(op.get("x-required-privileges") or []),
                    "deprecated": bool(op.get("deprecated", False)),
                    # YAML reads an unquoted date as a date: keep Jamf's ISO text either way.
                    "deprecation_date": str(op.get("x-deprecation-date") or ""),
                }
    classic: dict[str, Any] = {}
    doc = json.loads((spec_dir / "classic" / CLASSIC_SPEC.name).read_text(encoding="utf-8"))
    for path, item in doc["paths"].items():
        plain = "/JSSResource" + path.removeprefix(CLASSIC_TENANT_PREFIX)
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            classic[f"{method.upper()} {plain}"] = {
                "operationId": op.get("operationId", ""),
                "gateway_scopes": list(op.get("x-required-privileges") or []),
            }
    return {"pro": dict(sorted(pro.items())), "classic": dict(sorted(classic.items()))}


def write_index(path: Path = INDEX_PATH) -> None:
    path.write_text(json.dumps(build_index(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


@cache
def load_index() -> dict[str, Any]:
    return json.loads(INDEX_PATH.read_text(encoding="utf-8"))


@cache
def valid_privileges() -> frozenset[str]:
    """The 501 API-role privilege names Jamf Pro 11.12 accepts (case-sensitive)."""
    lines = PRIVILEGE_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


def data_file(*parts: str) -> Path:
    """Path of a packaged data file (works from a checkout and from an installed wheel)."""
    return Path(str(resources.files("generator").joinpath("data", *parts)))


if __name__ == "__main__":
    write_index()
