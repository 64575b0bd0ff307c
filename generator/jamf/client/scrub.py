"""Scrubbing: every form a secret takes in an echoed request or error message, and their removal.

A server (or a proxy in front of it) that echoes a request in an error body can carry a secret in
many spellings: raw; URL-encoded (``%20``) and form-encoded (``+`` for space), as the token request
sends it; JSON-escaped and XML-escaped, as an API echoes a field; its UTF-8 bytes read as ISO-8859-1,
as a body without a charset is decoded; base64, as a Basic ``Authorization``
header carries ``id:secret``.  Base64 of a secret embedded in a longer text depends on where it
starts within a three-byte group, so each of the three alignments gives a different string: the
characters that depend on the secret's bytes alone are kept for each (``base64_forms``).  Scrubbing
replaces the longest forms first, so a whole ``id:secret`` encoding goes before a fragment of it.
"""

from __future__ import annotations

import base64
import json
import threading
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

MIN_SECRET = 4  # shorter values would scrub ordinary words
MIN_BASE64_FRAGMENT = 8  # an interior base64 fragment shorter than this matches too much by chance
MARK = "<secret>"


def base64_forms(data: bytes) -> set[str]:
    """The base64 characters ``data`` alone determines at each of the three alignments (standard and URL-safe)."""
    forms: set[str] = set()
    for k in range(3):
        encoded = base64.b64encode(b"\0" * k + data).decode("ascii").rstrip("=")
        start = -(-8 * k // 6)  # the first 6-bit group made of data bits only
        end = (8 * (k + len(data))) // 6  # the last one that ends inside data
        fragment = encoded[start:end]
        if len(fragment) >= MIN_BASE64_FRAGMENT:
            forms.add(fragment)
            forms.add(fragment.replace("+", "-").replace("/", "_"))
    whole = base64.b64encode(data).decode("ascii")
    forms.update({whole, base64.urlsafe_b64encode(data).decode("ascii")})
    return forms


def secret_forms(secret: str, user: str | None = None) -> set[str]:
    """Every spelling of ``secret`` (and of ``user:secret``, when given) that ``scrub`` removes."""
    if len(secret) < MIN_SECRET:
        return set()
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret, safe=""), quote_plus(secret),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             escape(secret), escape(secret, {'"': "&quot;", "'": "&apos;"})}
    # A body without a charset is decoded as ISO-8859-1 (RFC 2616): the UTF-8 bytes then show as mojibake.
    forms.add(secret.encode("utf-8").decode("latin-1"))
    forms |= base64_forms(secret.encode("utf-8"))
    if user:
        forms |= base64_forms(f"{user}:{secret}".encode())
    return {f for f in forms if len(f) >= MIN_SECRET}


class Scrubber:
    """The secrets one client knows, in every form; ``scrub`` replaces each with ``<secret>`` (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: set[str] = set()
        self._ordered: list[str] = []

    def add(self, secret: str, user: str | None = None) -> None:
        forms = secret_forms(secret, user)
        with self._lock:
            if forms - self._forms:
                self._forms |= forms
                self._ordered = sorted(self._forms, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        with self._lock:
            ordered = self._ordered
        for form in ordered:
            if form in text:
                text = text.replace(form, MARK)
        return text
