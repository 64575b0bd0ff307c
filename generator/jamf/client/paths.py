"""Building request paths and filters: Classic ``/JSSResource`` paths and RSQL string quoting.
"""

from __future__ import annotations

from urllib.parse import quote


def rsql_quote(value: str) -> str:
    """A double-quoted RSQL value (backslash escapes quote and backslash)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def classic_path(kind: str, *parts: str | int) -> str:
    """``/JSSResource/<kind>/...`` with each part URL-quoted (names may hold spaces and slashes)."""
    return "/JSSResource/" + "/".join([kind, *(quote(str(p), safe="") for p in parts)])
