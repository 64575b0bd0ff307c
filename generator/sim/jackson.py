"""Jackson's ``DefaultPrettyPrinter`` layout, the one Jamf Pro's API answers in.

Jamf Pro serialises with Jackson and pretty-prints: one key per line as ``"key" : value``,
two spaces per object level, arrays inline as ``[ "a", "b" ]`` (objects inside an array open
on the array's line: ``[ {`` ... ``}, {`` ... ``} ]``), ``{ }`` and ``[ ]`` when empty, no
trailing newline.  Arrays do not add an indentation level -- only objects do, as in Jackson's
``DefaultPrettyPrinter`` (whose array indenter is inline).  Strings are escaped as
``json.dumps(ensure_ascii=False)`` does, which matches Jackson's defaults (``\\n``-style short
escapes, ``\\u00XX`` for other control characters, ``/`` unescaped).
"""

from __future__ import annotations

import json
from typing import Any

_INDENT = "  "


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _write(value: Any, level: int, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{ }")
            return
        out.append("{")
        inner = "\n" + _INDENT * (level + 1)
        for i, (key, item) in enumerate(value.items()):
            out.append(("," if i else "") + inner + _scalar(str(key)) + " : ")
            _write(item, level + 1, out)
        out.append("\n" + _INDENT * level + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[ ]")
            return
        out.append("[ ")
        for i, item in enumerate(value):
            if i:
                out.append(", ")
            _write(item, level, out)
        out.append(" ]")
    else:
        out.append(_scalar(value))


def dumps(value: Any) -> str:
    """``value`` as Jamf Pro's API writes it."""
    out: list[str] = []
    _write(value, 0, out)
    return "".join(out)
