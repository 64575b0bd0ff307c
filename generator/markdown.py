"""GitHub-flavoured Markdown building blocks for command output (``--output markdown``): a table, a
collapsed ``<details>`` block with a fenced body, and the escaping that keeps a value from becoming
markup.  It formats only; callers pass values that are already scrubbed of secrets.

Escaping rules (why each): GitHub renders inline HTML, so ``& < >`` become entities; ``|`` would end a
table cell; ``\\ ` * _ [ ] ~`` would start emphasis, code or links; a newline would end the row, so
whitespace runs become one space.  A fenced body is never escaped: its fence is one backtick longer
than the longest backtick run inside it, so the body cannot close it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]~|#])")


def inline(text: object) -> str:
    """``text`` as literal inline Markdown on one line (for a cell, a heading or a summary)."""
    flat = " ".join(str(text).split())
    return _INLINE_SPECIALS.sub(r"\\\1", html.escape(flat, quote=False))


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A GFM table; every cell is escaped with ``inline``."""
    lines = ["| " + " | ".join(inline(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(inline(c) for c in row) + " |" for row in rows)
    return lines


def fence(body: str, lang: str = "") -> list[str]:
    """``body`` in a fenced code block that nothing inside it can close."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    marker = "`" * max(3, longest + 1)
    return [marker + lang, *body.splitlines(), marker]


def details(summary: str, body: str, lang: str = "") -> list[str]:
    """A collapsed block: ``summary`` (escaped) that opens onto ``body`` in a fence."""
    # The blank lines around the fence make GitHub render the Markdown inside the HTML block.
    return ["<details>", f"<summary>{inline(summary)}</summary>", "", *fence(body, lang), "", "</details>"]
