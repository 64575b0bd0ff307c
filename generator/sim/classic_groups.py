"""Classic ``/JSSResource/computergroups``: static and smart computer groups, with smart membership
computed from the simulated Macs.

Jamf's behaviours reproduced (as for the other Classic objects): POST ``/id/0`` creates (201
``<computer_group><id>N</id></computer_group>``), PUT changes only the elements sent, DELETE answers
200, names are trimmed and unique case-insensitively (409), bodies must be XML.  A smart group's
``<computers>`` is its membership at the time of the GET: each criterion names an extension
attribute (its display name) or one of ``Computer Name``, ``Serial Number``, ``Operating System
Version``; search types ``is``, ``is not``, ``like``, ``not like``, ``more than x days ago``, ``less
than x days ago``, ``before (yyyy-mm-dd)``, ``after (yyyy-mm-dd)``.  ``and`` binds tighter than ``or``
and parentheses group, as in Jamf's criteria editor (an assumption: Jamf documents no precedence).
A criterion naming anything else matches no Mac.  The extension attribute values are the ones the
inventory serves (``agent_states``).
"""

from __future__ import annotations

import calendar
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from . import agent_states
from .classic import _answer, _check_name, _find_group, _id_answer, _xml_body
from .classic_xml import child_text, to_bytes
from .context import Ctx
from .messages import XML, Response, classic_fail

FIELDS = ("name", "priority", "and_or", "search_type", "value", "opening_paren", "closing_paren")
_INVENTORY = {"computer name": "name", "serial number": "serialNumber", "operating system version": "osVersion"}
_DAY = 86400.0


def _criteria(root: ET.Element) -> list[dict[str, str]]:
    out = [{f: child_text(c, f).strip() for f in FIELDS} for c in root.findall("criteria/criterion")]
    for c in out:
        if not c["name"] or not c["search_type"]:
            raise classic_fail(409, "Problem with criteria: name and search_type are required")
        c["and_or"] = c["and_or"].lower() or "and"
    return sorted(out, key=lambda c: int(c["priority"]) if c["priority"].lstrip("-").isdigit() else 0)


def _epoch(text: str) -> float | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return calendar.timegm(time.strptime(text.strip(), fmt)) if text.strip() else None  # the Macs keep UTC
        except ValueError:
            continue
    return None


def _test(value: str, search: str, wanted: str, now: float) -> bool:
    search = search.lower()
    if search == "is":
        return value.lower() == wanted.lower()
    if search == "is not":
        return value.lower() != wanted.lower()
    if search == "like":
        return wanted.lower() in value.lower()
    if search == "not like":
        return wanted.lower() not in value.lower()
    when, bound = _epoch(value), _epoch(wanted)
    if when is None:
        return False
    if search in ("more than x days ago", "less than x days ago"):
        days = float(wanted) if wanted.replace(".", "", 1).isdigit() else 0.0
        return when < now - days * _DAY if search.startswith("more") else when >= now - days * _DAY
    if bound is None:
        return False
    return when < bound if search.startswith("before") else when > bound if search.startswith("after") else False


def _getter(ctx: Ctx, name: str) -> Callable[[dict[str, Any]], str | None]:
    """How to read one criterion's value from a computer record (resolved once per GET, not per Mac)."""
    name = name.lower()
    for ea in ctx.tenant.eas.values():
        found = agent_states.script_key(ea.get("scriptContents")) if ea.get("inputType") == "SCRIPT" else None
        if ea["name"].lower() == name and found:
            key, missing = found
            return lambda c: (c.get("agentStatus") or {}).get(key, missing)
    if name in _INVENTORY:
        return lambda c: str(c[_INVENTORY[name]])
    return lambda _c: None  # names nothing the simulator knows: matches no Mac (see the module docstring)


def _members(ctx: Ctx, criteria: list[dict[str, str]]) -> list[dict[str, Any]]:
    if not criteria:
        return []
    getters = [_getter(ctx, c["name"]) for c in criteria]
    now = ctx.now
    out = []
    for computer in ctx.tenant.computers.values():
        expression = []
        for i, (c, get) in enumerate(zip(criteria, getters, strict=True)):
            value = get(computer)
            matched = value is not None and _test(value, c["search_type"], c["value"], now)
            if i:
                expression.append("or" if c["and_or"] == "or" else "and")
            expression.append(("(" if c["opening_paren"] == "true" else "") + str(matched)
                              + (")" if c["closing_paren"] == "true" else ""))
        try:  # only True/False/and/or/parens, built above
            if eval(" ".join(expression), {"__builtins__": {}}, {}):
                out.append(computer)
        except SyntaxError:
            raise classic_fail(409, "Problem with criteria: unbalanced parentheses") from None
    return sorted(out, key=lambda c: int(c["id"]))


def _element(ctx: Ctx, record: dict[str, Any]) -> ET.Element:
    root = ET.Element("computer_group")
    for tag, value in (("id", str(record["id"])), ("name", record["name"]),
                       ("is_smart", "true" if record["is_smart"] else "false")):
        ET.SubElement(root, tag).text = value
    site = ET.SubElement(root, "site")
    ET.SubElement(site, "id").text, ET.SubElement(site, "name").text = "-1", "None"
    criteria = record.get("criteria", [])
    container = ET.SubElement(root, "criteria")
    ET.SubElement(container, "size").text = str(len(criteria))
    for c in criteria:
        element = ET.SubElement(container, "criterion")
        for f in FIELDS:
            ET.SubElement(element, f).text = c[f] or ("false" if f.endswith("paren") else "")
    members = _members(ctx, criteria) if record["is_smart"] else []
    computers = ET.SubElement(root, "computers")
    ET.SubElement(computers, "size").text = str(len(members))
    for m in members:
        element = ET.SubElement(computers, "computer")
        for tag, value in (("id", m["id"]), ("name", m["name"]), ("mac_address", ""), ("alt_mac_address", ""),
                           ("serial_number", m["serialNumber"])):
            ET.SubElement(element, tag).text = str(value)
    return root


def list_groups(ctx: Ctx) -> Response:
    records = ctx.visible("computer_groups", sorted(ctx.tenant.computer_groups.values(), key=lambda r: r["id"]))
    root = ET.Element("computer_groups")
    ET.SubElement(root, "size").text = str(len(records))
    for record in records:
        item = ET.SubElement(root, "computer_group")
        ET.SubElement(item, "id").text = str(record["id"])
        ET.SubElement(item, "name").text = record["name"]
        ET.SubElement(item, "is_smart").text = "true" if record["is_smart"] else "false"
    return _answer(ctx, 200, root)


def get_group(ctx: Ctx) -> Response:
    return _answer(ctx, 200, _element(ctx, _find_group(ctx)))


def _apply(ctx: Ctx, record: dict[str, Any], root: ET.Element, creating: bool) -> None:
    store = ctx.tenant.computer_groups
    if root.find("name") is not None or creating:
        name = child_text(root, "name")
        if not name.strip() and creating and "name" in ctx.params:
            name = ctx.params["name"]
        record["name"] = _check_name(store, name, record.get("id"))
    if root.find("is_smart") is not None:
        record["is_smart"] = child_text(root, "is_smart").strip().lower() == "true"
    elif creating:
        raise classic_fail(409, "Problem with is_smart: it is required")
    if root.find("criteria") is not None:
        record["criteria"] = _criteria(root)


def create_group(ctx: Ctx) -> Response:
    root = _xml_body(ctx, "computer_group")
    record: dict[str, Any] = {"id": None, "criteria": []}
    _apply(ctx, record, root, creating=True)
    with ctx.tenant.lock:
        record["id"] = ctx.tenant.next_id("computer_group") + max(ctx.tenant.computer_groups, default=0)
        ctx.tenant.computer_groups[record["id"]] = record
    ctx.created("computer_groups", record["id"])
    return _id_answer("computer_group", record["id"])


def update_group(ctx: Ctx) -> Response:
    record = _find_group(ctx)
    candidate = dict(record)
    _apply(ctx, candidate, _xml_body(ctx, "computer_group"), creating=False)
    record.update(candidate)
    return _id_answer("computer_group", record["id"])


def delete_group(ctx: Ctx) -> Response:
    record = _find_group(ctx)
    del ctx.tenant.computer_groups[record["id"]]
    element = ET.Element("computer_group")
    ET.SubElement(element, "id").text = str(record["id"])
    return Response(200, to_bytes(element), XML)
