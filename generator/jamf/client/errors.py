"""The ``JamfError`` family: one exception per way a Jamf Pro exchange fails, each a secret-free line.
"""

from __future__ import annotations

from typing import Any


class JamfError(Exception):
    """A failed Jamf Pro exchange, described on one line without any secret."""

    def __init__(self, message: str, *, tenant: str = "", method: str = "", path: str = "",
                 status: int | None = None) -> None:
        self.tenant = tenant
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        super().__init__(self._line())

    def _line(self) -> str:
        where = f"{self.method} {self.path}" if self.method else ""
        status = f" (HTTP {self.status})" if self.status else ""
        prefix = f"{self.tenant}: " if self.tenant else ""
        return f"{prefix}{where}{status}: {self.message}" if where else f"{prefix}{self.message}{status}"


class CredentialError(JamfError):
    """A credential reference that cannot be resolved (missing variable, file, keyring...)."""


class AuthError(JamfError):
    """The tenant rejected the uploader's credentials (wrong id/secret/password, disabled client)."""


class PrivilegeError(JamfError):
    """403: the uploader's own role or account lacks a privilege for this endpoint."""

    def __init__(self, message: str, *, needed: tuple[str, ...] = (), **kw: Any) -> None:
        self.needed = needed
        super().__init__(message, **kw)


class NotFoundError(JamfError):
    pass


class ConflictError(JamfError):
    pass


class BadRequestError(JamfError):
    pass


class ServerError(JamfError):
    """5xx (or 429) still failing after the bounded retries."""


class UnreachableError(JamfError):
    """No connection could be made (DNS, refused, TLS, connect timeout) after retries."""


class AmbiguousWriteError(JamfError):
    """A POST may or may not have been applied (connection dropped, timeout, 502/504).

    The client never resends it; the caller re-reads by name and decides.
    """

