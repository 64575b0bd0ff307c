"""Secret-carrying values: ``Secret`` (never shows itself) and the uploader's two kinds of credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Secret:
    """A string that never shows itself: ``repr``, ``str`` and f-strings give ``<secret>``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "<secret>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class ClientCredentials:
    """An API client (Jamf Pro 10.49+): client id (not secret) and client secret."""

    client_id: str
    client_secret: Secret

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret=<secret>)"


@dataclass(frozen=True)
class AccountCredentials:
    """A Jamf Pro user account: username and password (basic auth → bearer token)."""

    username: str
    password: Secret

    def __repr__(self) -> str:
        return f"AccountCredentials(username={self.username!r}, password=<secret>)"


Credentials = ClientCredentials | AccountCredentials
