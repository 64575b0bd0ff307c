"""What a route handler gets: the tenant, the request, path parameters and the caller.

``Ctx.json_body`` applies Jamf's rules for Jamf Pro API bodies: a JSON body needs
``Content-Type: application/json`` (else 415), must parse (else 400) and, when a field table
from ``bodies`` is given, must match it (else 400).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .auth import Identity
from .bodies import F, check_object
from .messages import Failure, Request, api_error, fail
from .tenant import Tenant


@dataclass
class Ctx:
    tenant: Tenant
    request: Request
    params: dict[str, str]
    identity: Identity | None = None
    node: str | None = None
    replication_ms: int = 0
    log_identity: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def now(self) -> float:
        return self.tenant.clock.now()

    def href(self, path: str) -> str:
        return f"{self.request.base_url}{path}"

    def json_body(self, table: dict[str, F] | None = None) -> Any:
        request = self.request
        if request.content_type != "application/json":
            shown = request.content_type or "none"
            raise Failure(api_error(415, "UNSUPPORTED_MEDIA_TYPE",
                                    f"Content type '{shown}' not supported; use application/json"))
        if not request.body.strip():
            raise fail(400, "INVALID_JSON", "Required request body is missing")
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise fail(400, "INVALID_JSON", "Malformed JSON in request body") from None
        if table is not None:
            check_object(body, table)
        return body

    def visible(self, kind: str, records: list[dict[str, Any]], key: str = "id") -> list[dict[str, Any]]:
        """The records a list on this request's node shows (Jamf Cloud replication delay)."""
        return [r for r in records if self.tenant.visible(kind, r[key], self.node, self.replication_ms)]

    def created(self, kind: str, object_id: Any) -> None:
        self.tenant.note_origin(kind, object_id, self.node)
