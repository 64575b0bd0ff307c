"""The credential policy's hand-over record: what the server itself remembers about the credentials
the policy has handed to the Macs.

Local disk is no place for it (a pipeline runs each step on a fresh runner), so the record lives in
the credential policy, next to the parameters it describes, and is written in the same PUT: whatever
version of the policy a Jamf Cloud node shows, its record and its parameters agree.  It sits in the
policy's ``self_service/self_service_description``, which Jamf Pro never shows because the credential
policy is never offered in Self Service, and it is one line of plain text (no secret: client ids and
account ids only)::

    jamf-enforcer hand-over record (do not edit): held=client:5b0f…,client:9c1e…; rotation=9c1e…;
    since=2026-12-01T22:00:00Z; flushed=yes

* ``held``: every API client (by client id) and account (by id) this policy has ever handed over.
  apply issues a secret, or sets a password, only for one that is *not* held: once the policy held a
  credential, Macs may have saved it, and replacing it would lock every one of them out.
* ``rotation`` / ``since``: the client ``rotate`` handed over and when, until ``rotate --retire``
  finishes.  A process that finds the policy naming that client but cannot see it (it was created on
  another Jamf Cloud node less than a replication delay ago) waits for it instead of taking the
  hand-over for stale.
* ``flushed``: whether the policy's log was flushed after that hand-over (so every Mac re-runs it);
  ``--retire`` refuses to delete the old client before it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PREFIX = "jamf-enforcer hand-over record (do not edit):"
MAX_HELD = 32  # the oldest entries go first; a client or account that old no longer exists


def client_key(client_id: str) -> str:
    return f"client:{client_id}"


def account_key(account_id: str) -> str:
    return f"account:{account_id}"


@dataclass
class HandoverRecord:
    """The parsed record (see the module docstring); an empty one for a policy without it."""

    held: list[str] = field(default_factory=list)
    rotation: str = ""
    since: str = ""
    flushed: bool = False

    @classmethod
    def parse(cls, text: str) -> HandoverRecord:
        text = (text or "").strip()
        if not text.startswith(PREFIX):
            return cls()
        fields: dict[str, str] = {}
        for part in text[len(PREFIX):].split(";"):
            key, sep, value = part.strip().partition("=")
            if sep:
                fields[key.strip()] = value.strip()
        held = [h for h in fields.get("held", "").split(",") if h]
        return cls(held, fields.get("rotation", ""), fields.get("since", ""), fields.get("flushed") == "yes")

    def render(self) -> str:
        parts = [f"held={','.join(self.held[-MAX_HELD:])}"]
        if self.rotation:
            parts += [f"rotation={self.rotation}", f"since={self.since}", f"flushed={'yes' if self.flushed else 'no'}"]
        return f"{PREFIX} " + "; ".join(parts)

    def hold(self, key: str) -> None:
        if key not in self.held:
            self.held.append(key)

    def holds(self, key: str) -> bool:
        return key in self.held

    def close_rotation(self) -> None:
        self.rotation, self.since, self.flushed = "", "", False
