"""Recording request/response exchanges for the contract tests, with secrets redacted.

Every exchange a simulator answers can be recorded as ``{"tenant", "method", "path",
"template", "status", "request_json", "response_json"}`` (JSON bodies decoded; the OAuth form
as a dict; XML and other bodies as ``None``).  Values under secret-bearing keys
(``access_token``, ``token``, ``clientSecret``, ``client_secret``, ``password``) are replaced
by ``"REDACTED"`` -- still a string, so the shapes stay valid.  Listeners registered with
``add_listener`` see every exchange of every simulator in the process (the test session uses
one to validate all traffic against Jamf's specs).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

SECRET_KEYS = frozenset({"access_token", "token", "clientSecret", "client_secret", "password", "refresh_token"})
REDACTED = "REDACTED"
Listener = Callable[[dict[str, Any]], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def add_listener(listener: Listener) -> None:
    with _lock:
        _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def notify(exchange: dict[str, Any]) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(exchange)


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_KEYS and isinstance(v, str) else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def request_json(content_type: str, body: bytes) -> Any:
    """The decoded request body for the record, or None when it is not JSON or form data."""
    if not body:
        return None
    try:
        text = body.decode("utf-8")
        if content_type == "application/json":
            return redact(json.loads(text))
        if content_type == "application/x-www-form-urlencoded":
            return redact({k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()})
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return None
