"""RSQL filters, sorting and paging for the Jamf Pro API list endpoints.

Supports what Jamf documents for ``filter``: ``==``, ``!=``, ``<``, ``>``, ``<=``, ``>=``
(also ``=lt=`` ``=gt=`` ``=le=`` ``=ge=``), ``=in=(a,b)``, ``=out=(a,b)``, ``and``/``;``,
``or``/``,``, parentheses, quoted values and the ``*`` wildcard inside values.  String
comparisons are case-insensitive, as on Jamf's MySQL collation.  Every list endpoint names
the fields it accepts; any other field, a bad sort or a bad page is a 400 ApiError, and so is
a filter nested deeper than ``MAX_DEPTH`` or longer than ``MAX_FILTER`` (an assumption: Jamf
publishes no limit; the simulator bounds both so no filter can make it answer 500).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from typing import Any

from .messages import Request, fail

Getter = Callable[[Any], Any]
MAX_PAGE_SIZE = 2000
# Bounds that keep a hostile filter a 400, never a 500 (RecursionError) or a stalled server thread.
MAX_DEPTH = 32
MAX_FILTER = 8192

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lp>\() | (?P<rp>\)) | (?P<semi>;) | (?P<comma>,) |
        (?P<op>==|!=|<=|>=|<|>|=[a-z]+=) |
        (?P<dq>"(?:[^"\\]|\\.)*") | (?P<sq>'(?:[^'\\]|\\.)*') |
        (?P<word>[^\s()";,'=!<>]+)
    )""",
    re.VERBOSE,
)
_OPS = {"==", "!=", "<", ">", "<=", ">=", "=lt=", "=gt=", "=le=", "=ge=", "=in=", "=out="}


class RsqlError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise RsqlError(f"unexpected character at position {pos}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind in ("dq", "sq"):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
            kind = "value"
        out.append((kind, value))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str, fields: dict[str, Getter]) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0
        self.fields = fields

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise RsqlError("unexpected end of filter")
        self.i += 1
        return tok

    def parse(self) -> Callable[[Any], bool]:
        pred = self.or_expr()
        if self.peek() is not None:
            raise RsqlError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return pred

    def or_expr(self) -> Callable[[Any], bool]:
        parts = [self.and_expr()]
        while (tok := self.peek()) and (tok[0] == "comma" or tok == ("word", "or")):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def and_expr(self) -> Callable[[Any], bool]:
        parts = [self.primary()]
        while (tok := self.peek()) and (tok[0] == "semi" or tok == ("word", "and")):
            self.take()
            parts.append(self.primary())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def primary(self) -> Callable[[Any], bool]:
        kind, value = self.take()
        if kind == "lp":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise RsqlError(f"parentheses nested deeper than {MAX_DEPTH}")
            inner = self.or_expr()
            if self.take()[0] != "rp":
                raise RsqlError("missing )")
            self.depth -= 1
            return inner
        if kind != "word":
            raise RsqlError(f"expected a field name, got {value!r}")
        if value not in self.fields:
            raise KeyError(value)
        getter = self.fields[value]
        op_kind, op = self.take()
        if op_kind != "op" or op not in _OPS:
            raise RsqlError(f"unknown operator {op!r}")
        if op in ("=in=", "=out="):
            if self.take()[0] != "lp":
                raise RsqlError(f"{op} needs a list in parentheses")
            values = [self._value()]
            while self.peek() and self.peek()[0] == "comma":  # type: ignore[index]
                self.take()
                values.append(self._value())
            if self.take()[0] != "rp":
                raise RsqlError("missing )")
            negate = op == "=out="
            return lambda r: any(_equals(getter(r), v) for v in values) != negate
        target = self._value()
        return lambda r: _compare(getter(r), op, target)

    def _value(self) -> str:
        kind, value = self.take()
        if kind not in ("value", "word"):
            raise RsqlError(f"expected a value, got {value!r}")
        return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _equals(actual: Any, target: str) -> bool:
    text = _text(actual).lower()
    if "*" in target:
        return fnmatch.fnmatchcase(text, target.lower().replace("[", "[[]").replace("?", "[?]"))
    return text == target.lower()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(actual: Any, op: str, target: str) -> bool:
    if op == "==":
        return _equals(actual, target)
    if op == "!=":
        return not _equals(actual, target)
    left, right = _text(actual), target
    a, b = _number(left), _number(right)
    pair: tuple[Any, Any] = (a, b) if a is not None and b is not None else (left.lower(), right.lower())
    return {
        "<": pair[0] < pair[1], "=lt=": pair[0] < pair[1], ">": pair[0] > pair[1], "=gt=": pair[0] > pair[1],
        "<=": pair[0] <= pair[1], "=le=": pair[0] <= pair[1], ">=": pair[0] >= pair[1], "=ge=": pair[0] >= pair[1],
    }[op]


def compile_filter(text: str, fields: dict[str, Getter]) -> Callable[[Any], bool]:
    """A predicate for an RSQL string, or a 400 ApiError ``Failure``."""
    if not text.strip():
        return lambda _r: True
    if len(text) > MAX_FILTER:
        raise fail(400, "INVALID_RSQL_FILTER", f"Invalid RSQL filter: longer than {MAX_FILTER} characters", field="filter")
    try:
        return _Parser(text, fields).parse()
    except KeyError as exc:
        raise fail(400, "INVALID_RSQL_FILTER_FIELD", f"Invalid field in filter: {exc.args[0]}", field="filter") from None
    except RsqlError as exc:
        raise fail(400, "INVALID_RSQL_FILTER", f"Invalid RSQL filter: {exc}", field="filter") from None


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    text = str(value)
    return (1, int(text)) if re.fullmatch(r"-?\d{1,18}", text) else (2, text.lower())


def sort_records(records: list[Any], specs: Sequence[str], fields: dict[str, Getter]) -> list[Any]:
    criteria: list[tuple[Getter, bool]] = []
    for spec in specs:
        for part in spec.split(","):
            if not part.strip():
                continue
            name, _, direction = part.strip().partition(":")
            direction = (direction or "asc").lower()
            if name not in fields or direction not in ("asc", "desc"):
                raise fail(400, "INVALID_SORT_FIELD", f"Invalid sort criteria: {part.strip()}", field="sort")
            criteria.append((fields[name], direction == "desc"))
    out = list(records)
    for getter, reverse in reversed(criteria):
        out.sort(key=lambda r, g=getter: _sort_key(g(r)), reverse=reverse)
    return out


def _int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise fail(400, "INVALID_QUERY_PARAMETER", f"{name} must be an integer", field=name) from None
    if not low <= value <= high:
        raise fail(400, "INVALID_QUERY_PARAMETER", f"{name} must be between {low} and {high}", field=name)
    return value


def page(request: Request, records: list[Any], fields: dict[str, Getter], default_sort: str,
         filter_fields: dict[str, Getter] | None = None) -> tuple[int, list[Any]]:
    """Filter, sort and slice ``records`` as the request's query asks: ``(totalCount, page)``."""
    predicate = compile_filter(request.arg("filter", "") or "", filter_fields if filter_fields is not None else fields)
    matching = [r for r in records if predicate(r)]
    sort_specs = request.query.get("sort") or [default_sort]
    ordered = sort_records(matching, sort_specs, fields)
    number = _int_arg(request, "page", 0, 0, 10**9)
    size = _int_arg(request, "page-size", 100, 1, MAX_PAGE_SIZE)
    return len(ordered), ordered[number * size:(number + 1) * size]
