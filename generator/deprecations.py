"""Which operations jamf-enforcer calls that Jamf's vendored specs mark ``deprecated``.

Jamf deprecates Jamf Pro API operations in its OpenAPI files (``deprecated: true`` with an
``x-deprecation-date``) and keeps them for at least a year after that date.  This module owns
the cross-check: the catalogue says what the rendered agent (per workflow and credential
method) and the uploader call, the privilege index says what Jamf deprecated, and the result
is one ``Deprecation`` per operation.  ``validate`` and ``plan`` print one warning line per
operation on stderr (exit codes unchanged: a deprecation is not a finding), and
``manifest.json`` lists them under ``deprecations``.

The agent keeps two deprecated calls on purpose: ``GET /api/v1/computers-inventory`` only on
servers without ``/api/v3`` (it answers 404 there), and ``send-updates`` only in the legacy
workflow, which servers without managed software update plans still need.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, TextIO

from . import catalogue
from .specindex import load_index


@dataclass(frozen=True)
class Deprecation:
    operation: str  # "GET /api/v1/computers-inventory"
    date: str  # Jamf's x-deprecation-date, "" when the spec gives none
    callers: tuple[str, ...]  # "agent", "uploader"
    purpose: str
    file: str

    def line(self) -> str:
        since = f"since {self.date}" if self.date else "(no date given)"
        return (f"jamf-enforcer: warning: {self.operation} is deprecated by Jamf {since} ({self.file}); "
                f"called by the {' and the '.join(self.callers)}: {self.purpose}")

    def as_json(self) -> dict[str, Any]:
        return {"operation": self.operation, "deprecation_date": self.date, "callers": list(self.callers),
                "purpose": self.purpose, "source": f"{self.file} deprecated / x-deprecation-date"}


def deprecations(workflow: str, method: str) -> list[Deprecation]:
    """The deprecated operations of a bundle's agent (workflow, credential method) and of the uploader."""
    # As manifest.json's privileges: credential_method "none" still renders the client's endpoints
    # (credentials may arrive on the command line).
    agent_method = "jamf-account" if method == "jamf-account" else "jamf-client"
    calls = [("agent", ep) for ep in catalogue.agent_endpoints(workflow, agent_method)]
    calls += [("uploader", ep) for ep in catalogue.uploader_endpoints()]
    pro = load_index()["pro"]
    found: dict[str, Deprecation] = {}
    for caller, ep in calls:
        entry = pro.get(ep.label)
        if entry is None or not entry.get("deprecated"):
            continue
        seen = found.get(ep.label)
        if seen is None:
            found[ep.label] = Deprecation(ep.label, entry.get("deprecation_date", ""), (caller,), ep.purpose, entry["file"])
        elif caller not in seen.callers:
            found[ep.label] = Deprecation(seen.operation, seen.date, (*seen.callers, caller), seen.purpose, seen.file)
    return sorted(found.values(), key=lambda d: (d.date, d.operation))


def from_manifest(manifest: dict[str, Any]) -> list[Deprecation]:
    """The deprecations of the bundle a rendered folder was made from (none if the manifest does not say)."""
    privileges = manifest.get("privileges", {})
    workflow, method = privileges.get("workflow"), privileges.get("credential_method")
    if workflow not in ("auto", "new", "legacy") or method not in ("jamf-client", "jamf-account", "none"):
        return []
    return deprecations(workflow, method)


def warn(found: list[Deprecation], stream: TextIO | None = None) -> None:
    for deprecation in found:
        print(deprecation.line(), file=stream or sys.stderr)
