"""Turning a refused answer into the right ``JamfError``: the server's message on one line, scrubbed of
every secret the client knows, and for a 403 the privileges the catalogue says the endpoint needs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import requests

from .errors import AuthError, BadRequestError, ConflictError, JamfError, NotFoundError, PrivilegeError, ServerError
from .options import ClientOptions

_CLASSIC_ERROR = re.compile(r"<p>\s*Error:\s*(.*?)</p>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


class ResponseErrors:
    """Mixin of ``JamfClient``: describes and classifies non-2xx answers."""

    tenant: str
    options: ClientOptions

    if TYPE_CHECKING:  # provided by JamfClient
        def scrub(self, text: str) -> str:
            ...

    def _describe(self, resp: requests.Response) -> str:
        """What the server said, on one line, scrubbed of secrets and cut to a sane length."""
        text = ""
        ctype = resp.headers.get("Content-Type", "")
        try:
            raw = resp.text or ""
        except Exception:
            raw = ""
        if "json" in ctype:
            try:
                body = resp.json()
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("errors"), list):  # ApiError (§11)
                parts = []
                for err in body["errors"]:
                    if isinstance(err, dict):
                        code = err.get("code") or ""
                        desc = err.get("description") or ""
                        fld = f" [{err['field']}]" if err.get("field") else ""
                        parts.append(f"{code}: {desc}{fld}" if code else f"{desc}{fld}")
                text = "; ".join(parts)
            elif isinstance(body, dict) and "error" in body:  # OAuth (RFC 6749) error
                text = f"{body.get('error')}: {body.get('error_description') or ''}".strip(": ")
        if not text:
            match = _CLASSIC_ERROR.search(raw)  # Classic HTML status page (jamf-api-facts §6 quirk 6)
            text = match.group(1) if match else _TAGS.sub(" ", raw)
        # Scrub before collapsing whitespace and cutting: a cut through a secret would leave its head.
        text = " ".join(self.scrub(text).split())[:300] or resp.reason or "no details"
        return self.scrub(text)

    def _json_or_error(self, method: str, path: str, resp: requests.Response) -> Any:
        if not 200 <= resp.status_code < 300:
            raise self._error(method, path, resp)
        try:
            return resp.json()
        except ValueError:
            raise ServerError("expected a JSON body", tenant=self.tenant, method=method, path=path,
                              status=resp.status_code) from None

    def _error(self, method: str, path: str, resp: requests.Response) -> JamfError:
        status = resp.status_code
        detail = self._describe(resp)
        kw: dict[str, Any] = {"tenant": self.tenant, "method": method, "path": path, "status": status}
        if status == 401:
            return AuthError(f"not authorised even after re-authenticating: {detail}", **kw)
        if status == 403:
            needed = _catalogued_privileges(method, path)
            need = f"; the uploader role needs {', '.join(repr(p) for p in needed)} for this endpoint" if needed else ""
            return PrivilegeError(f"forbidden: the uploader's role or account lacks a privilege ({detail}){need}",
                                  needed=needed, **kw)
        if status == 404:
            return NotFoundError(detail, **kw)
        if status == 409:
            return ConflictError(detail, **kw)
        if status in (400, 422):
            return BadRequestError(detail, **kw)
        if status == 429 or status >= 500:
            return ServerError(f"{detail} (gave up after {self.options.max_attempts} attempts)", **kw)
        return JamfError(detail, **kw)


def _catalogued_privileges(method: str, path: str) -> tuple[str, ...]:
    """The privileges the uploader catalogue says this endpoint needs (for 403 messages)."""
    from ... import catalogue

    try:
        op = catalogue.operation_for(method, path)
    except Exception:  # the catalogue cannot help; the server's own message still stands
        return ()
    return op.privileges if op else ()

