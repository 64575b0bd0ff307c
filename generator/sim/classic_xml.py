"""XML for the Classic API: parsing request bodies, Jamf's JSON rendering, partial updates.

* ``parse`` refuses DTDs and entity declarations and answers malformed XML with Jamf's HTML
  400 page.
* ``to_json`` renders an element the way the Classic API's ``Accept: application/json`` does:
  list containers (a ``<size>`` child, or a plural container of one repeated child tag) become
  arrays (an empty one too: ``{"policies": []}``, never ``{"policies": {"size": 0}}``),
  ``true``/``false`` become booleans, ``id`` and ``size`` become integers.
* ``merge`` applies a Classic PUT: only the elements sent change (within ``general``, child by
  child; any other top-level section is replaced whole).
* ``decode_entities_once`` is the PI-827 quirk: Jamf entity-decodes a profile's ``<payloads>``
  text once more after XML parsing, even when it came inside CDATA.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

from .messages import classic_fail

_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.S)
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_LIST_CONTAINERS = {"jss_objects", "jss_settings", "jss_actions", "recon", "casper_admin", "casper_remote",
                    "casper_imaging"}
_INT_TAGS = {"id", "size", "computer_id"}


def parse(body: bytes, root_tag: str) -> ET.Element:
    if not body.strip():
        raise classic_fail(400, "Unable to parse XML: the request body is empty")
    outside_cdata = _CDATA.sub(b"", body).lower()
    if b"<!doctype" in outside_cdata or b"<!entity" in outside_cdata:
        raise classic_fail(400, "Unable to parse XML: DTDs are not allowed")
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError, RecursionError):
        raise classic_fail(400, "Unable to parse XML") from None
    if root.tag != root_tag:
        raise classic_fail(400, f"Unable to parse XML: expected <{root_tag}>, got <{root.tag}>")
    return root


def decode_entities_once(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _NAMED:
            return _NAMED[name]
        try:
            code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return match.group(0)

    return _ENTITY.sub(one, text)


def child_text(element: ET.Element | None, path: str, default: str = "") -> str:
    if element is None:
        return default
    found = element.find(path)
    return default if found is None or found.text is None else found.text


def ensure(parent: ET.Element, tag: str) -> ET.Element:
    found = parent.find(tag)
    return found if found is not None else ET.SubElement(parent, tag)


def set_text(parent: ET.Element, path: str, value: str) -> ET.Element:
    node = parent
    for tag in path.split("/"):
        node = ensure(node, tag)
    node.text = value
    return node


def merge(existing: ET.Element, incoming: ET.Element) -> ET.Element:
    """Apply a Classic PUT body to a stored element (see the module docstring)."""
    for section in incoming:
        current = existing.find(section.tag)
        if section.tag == "general" and current is not None and len(section):
            for child in section:
                old = current.find(child.tag)
                if old is None:
                    current.append(child)
                else:
                    current[list(current).index(old)] = child
        elif current is None:
            existing.append(section)
        else:
            existing[list(existing).index(current)] = section
    return existing


def _scalar(tag: str, text: str | None) -> Any:
    value = (text or "").strip() if tag in _INT_TAGS else (text or "")
    if value in ("true", "false"):
        return value == "true"
    if tag in _INT_TAGS and re.fullmatch(r"-?\d{1,18}", value):
        return int(value)
    return value


def to_json(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        if element.tag in _LIST_CONTAINERS:
            return []
        return _scalar(element.tag, element.text)
    items = [c for c in children if c.tag != "size"]
    if not items:  # <policies><size>0</size></policies>: the spec's schema is an array, so an empty one
        return []
    tags = {c.tag for c in items}
    is_list = len(tags) == 1 and (
        len(items) != len(children) or element.tag in _LIST_CONTAINERS or element.tag == next(iter(tags)) + "s"
    )
    if is_list:
        return [to_json(c) for c in items]
    out: dict[str, Any] = {}
    counts = Counter(c.tag for c in children)
    for child in children:
        if counts[child.tag] > 1:
            out.setdefault(child.tag, []).append(to_json(child))
        else:
            out[child.tag] = to_json(child)
    return out


def to_bytes(element: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(element, encoding="utf-8", xml_declaration=False)
