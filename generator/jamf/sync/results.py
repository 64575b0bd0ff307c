"""What a sync command returns: ``TenantResult`` with its changes, writes, failures, findings and
notes, and ``SyncError``, the tenant-level problem that stops a command before any write.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..client import JamfClient


class SyncError(Exception):
    """A tenant-level problem that stops the command before any write (one line, no secret)."""


@dataclass
class Change:
    kind: str
    name: str
    action: str  # create | update | unchanged | delete | error
    diff: str = ""
    id: str | None = None
    reason: str = ""

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


@dataclass
class Write:
    kind: str
    name: str
    action: str  # created | updated | deleted | credentials issued | password set | log flushed | disabled | renamed
    id: str | None = None
    detail: str = ""

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


@dataclass
class Failure:
    kind: str
    name: str
    error: str

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Finding:
    kind: str
    name: str
    message: str

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TenantResult:
    tenant: str
    command: str
    changes: list[Change] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    requests: int = 0
    token_requests: int = 0
    seconds: float = 0.0

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action in ("create", "update", "delete")]

    @property
    def ok(self) -> bool:
        return not self.error and not self.failures and not any(c.action == "error" for c in self.changes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.action] = out.get(c.action, 0) + 1
        return out

    def status(self) -> str:
        if self.error:
            return "error"
        if self.command == "audit":  # duplicates are drift findings for audit, not errors
            return "drift" if self.findings else "clean"
        if any(c.action == "error" for c in self.changes):
            return "error"
        if self.command == "plan":
            return "changes" if self.pending else "in sync"
        if self.command == "audit":
            return "drift" if self.findings else "clean"
        return "failed" if self.failures else "ok"

    def public(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant, "command": self.command, "status": self.status(),
            "error": self.error or None, "counts": self.counts(),
            "changes": [c.public() for c in self.changes],
            "writes": [w.public() for w in self.writes],
            "failures": [f.public() for f in self.failures],
            "findings": [f.public() for f in self.findings],
            "notes": self.notes,
            "requests": self.requests, "token_requests": self.token_requests, "seconds": round(self.seconds, 3),
        }


def one_line(client: JamfClient, exc: BaseException) -> str:
    """An exception as one scrubbed line for a result."""
    # Results already carry the tenant: drop the exception's own "<tenant>: " prefix.
    return client.scrub(" ".join(str(exc).split())).removeprefix(f"{client.tenant}: ")
