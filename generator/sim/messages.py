"""Requests, responses and the three error shapes the simulator answers with.

* Jamf Pro API errors: ``ApiError`` (``DefinitionsLibrary.yaml#/components/schemas/ApiError``)
  ``{"httpStatus": N, "errors": [{"code", "description", "id", "field"}]}``.  Jamf's servers
  send ``"field": null`` for errors not tied to a field, although the spec types ``field`` as a
  non-nullable string; the simulator does what the servers do.
* OAuth token errors: RFC 6749 ``{"error": ..., "error_description": ...}``.
* Classic API errors: Jamf's HTML status page with ``<p>Error: ...</p>``.

Every JSON body is written in Jackson's pretty-printed layout (``jackson``), as Jamf Pro's are.

A handler raises ``Failure`` (carrying a ready ``Response``) to stop with an error.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from . import jackson

JSON = "application/json;charset=UTF-8"
XML = "application/xml;charset=UTF-8"
HTML = "text/html;charset=UTF-8"
_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}


@dataclass
class Request:
    """One HTTP request, with the path relative to its tenant (``/api/...``, ``/JSSResource/...``)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str = ""

    @classmethod
    def build(cls, method: str, path: str, query_string: str, headers: dict[str, str], body: bytes,
              base_url: str = "") -> Request:
        query = parse_qs(query_string, keep_blank_values=True) if query_string else {}
        return cls(method.upper(), path, query, {k.lower(): v for k, v in headers.items()}, body, base_url)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def wants_json(self) -> bool:
        return "application/json" in self.headers.get("accept", "").lower()

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    json: Any = None  # the object behind a JSON body, kept for the exchange recorder

    @property
    def reason(self) -> str:
        return _REASONS.get(self.status, "")


class Failure(Exception):
    """Raised by handlers: answer with ``response`` instead of going on."""

    def __init__(self, response: Response) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response


def json_response(status: int, obj: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    body = jackson.dumps(obj).encode("utf-8")
    return Response(status, body, JSON, list(headers or []), obj)


def no_content() -> Response:
    return Response(204)


def api_error_body(status: int, causes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"httpStatus": status, "errors": causes}


def cause(code: str, description: str, field: str | None = None, id: str | None = "0") -> dict[str, Any]:
    return {"code": code, "description": description, "id": id, "field": field}


def api_error(status: int, code: str, description: str, field: str | None = None, id: str | None = "0",
              headers: list[tuple[str, str]] | None = None) -> Response:
    return json_response(status, api_error_body(status, [cause(code, description, field, id)]), headers)


def fail(status: int, code: str, description: str, field: str | None = None, id: str | None = "0") -> Failure:
    """``raise fail(400, "INVALID_FIELD", "...", field="name")``."""
    return Failure(api_error(status, code, description, field, id))


def oauth_error(status: int, error: str, description: str) -> Response:
    return json_response(status, {"error": error, "error_description": description})


def classic_page(status: int, message: str) -> Response:
    """Jamf's Classic API error page: an HTML status page whose second paragraph is ``Error: ...``."""
    reason = _REASONS.get(status, "Error")
    text = (
        "<html>\n<head>\n   <title>Status page</title>\n</head>\n<body style=\"font-family:sans-serif;\">\n"
        f"<p style=\"font-size:1.2em;font-weight:bold;margin:1em 0px;\">{html.escape(reason)}</p>\n"
        f"<p>Error: {html.escape(message)}</p>\n"
        "<p>You can get technical details <a href=\"http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html\">here</a>."
        "<br>\nPlease continue your visit at our <a href=\"/\">home page</a>.\n</p>\n</body>\n</html>\n"
    )
    return Response(status, text.encode("utf-8"), HTML)


def classic_fail(status: int, message: str) -> Failure:
    return Failure(classic_page(status, message))


def plain_not_found() -> Response:
    return Response(404, b"<html><body><p>Not Found</p></body></html>\n", HTML)
