"""The shared adapter base: object kinds, ``Desired``/``Remote``/``Context``, name matching and the
``Adapter`` interface every object kind implements (see the package docstring for the normalisation rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..client import JamfClient, Secret, rsql_quote

# Kinds, in dependency order (category → role/account → client → scripts/EAs → profile, groups → policies).
CATEGORY = "category"
ROLE = "api-role"
ACCOUNT = "service-account"
CLIENT = "api-client"
SCRIPT = "script"
EA = "extension-attribute"
PROFILE = "profile"
POLICY = "policy"
GROUP = "computer-group"  # remediation smart groups (criteria name the EAs: after them)
KINDS = (CATEGORY, ROLE, ACCOUNT, CLIENT, SCRIPT, EA, PROFILE, GROUP, POLICY)
CLASSIC_KINDS = (ACCOUNT, PROFILE, GROUP, POLICY)

SECRET_MARK = "<secret>"
MANAGED_NOTE = "Managed by jamf-enforcer: edits made in Jamf Pro are overwritten by the next apply."


class DuplicateError(Exception):
    """More than one object of a kind answers to one name: refuse to guess which is ours."""


@dataclass
class Desired:
    """An object the bundle wants on the tenant."""

    kind: str
    name: str
    spec: dict[str, Any]
    source: str = ""  # the rendered artifact it comes from
    key: str = ""  # policies: credentials / enforcement / install-now / uninstall

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r}"


@dataclass
class Remote:
    """An object the tenant has.  Classic list entries are ``complete`` only after ``read``."""

    kind: str
    id: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    complete: bool = True

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r} (id {self.id})"


@dataclass
class HandoverState:
    """Whether the credential policy already hands valid credentials to the Macs.

    ``state``: ``ok`` (keep the policy's parameters: a plain re-apply never rotates),
    ``missing`` (placeholder or empty) or ``stale`` (names an API client or account that no
    longer exists).  ``values`` are the parameters to write when credentials were just issued.
    """

    state: str = "missing"
    reason: str = ""
    values: dict[str, Secret] = field(default_factory=dict)


@dataclass
class Context:
    """What views and writes need to know about other objects (ids by name)."""

    category_ids: dict[str, str] = field(default_factory=dict)  # casefolded name -> id
    category_names: dict[str, str] = field(default_factory=dict)  # id -> name
    script_ids: dict[str, str] = field(default_factory=dict)  # casefolded name -> id
    handover: dict[str, HandoverState] = field(default_factory=dict)  # policy name (casefolded) -> state


def fold(name: str) -> str:
    """The form names are matched in: trimmed and case-insensitive (see the package docstring)."""
    return " ".join(name.split()).casefold()


def find_by_name(objects: list[Remote], name: str) -> Remote | None:
    """The one object called ``name``; ``DuplicateError`` when several are (jamf-upload #237)."""
    hits = [o for o in objects if fold(o.name) == fold(name)]
    if len(hits) > 1:
        kind = hits[0].kind
        ids = ", ".join(o.id for o in hits)
        raise DuplicateError(f"{len(hits)} {kind} objects are named {name!r} (ids {ids}); jamf-enforcer will not "
                             "guess which one it manages: delete or rename the extra ones in Jamf Pro")
    return hits[0] if hits else None


def trim(text: str | None) -> str:
    """Free text as compared: CRLF as LF, trailing whitespace dropped (Jamf strips it on save)."""
    return (text or "").replace("\r\n", "\n").rstrip()


class Adapter:
    """One object kind's wire code: list/read/write and the comparable views (no state, no decisions)."""

    kind = ""
    classic = False

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        raise NotImplementedError

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return obj

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        """Classic kinds: one GET by name (404 → None) instead of a list plus a read."""
        raise NotImplementedError

    @staticmethod
    def can_read_by_name(name: str) -> bool:
        # Servers behind Tomcat reject an encoded '/' in a path segment: such names are listed instead.
        return "/" not in name and "\\" not in name

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        raise NotImplementedError

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        raise NotImplementedError

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        raise NotImplementedError

    def delete(self, client: JamfClient, obj: Remote) -> None:
        raise NotImplementedError


def prefix_filter(field_name: str, prefix: str, names: list[str]) -> str:
    """RSQL: our prefix, plus any exact names outside it (``*`` is RSQL's wildcard: §8)."""
    clauses = [f"{field_name}=={rsql_quote(prefix + ' *')}"] if prefix else []
    clauses += [f"{field_name}=={rsql_quote(n)}" for n in names if not prefix or not n.startswith(prefix + " ")]
    return ",".join(clauses)
