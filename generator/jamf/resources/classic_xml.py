"""Classic API XML helpers shared by the Classic adapters (profile, policy, account).

Building elements (values XML-escaped), reading child text, the by-name GET, the id/name list and the
``<scope>`` element that profiles and policies share.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape

from ..client import JamfClient, NotFoundError, classic_path


def as_bool(value: Any) -> bool:
    """A Classic boolean (``true``/``false`` text) as a bool."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def node(tag: str, *children: str) -> str:
    """``<tag>children</tag>``: children are already XML."""
    return f"<{tag}>{''.join(children)}</{tag}>"


def leaf(tag: str, value: Any) -> str:
    """``<tag>value</tag>`` with ``value`` XML-escaped (bools as ``true``/``false``)."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def xml_document(root: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>' + root


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)


def child_text(el: ET.Element | None, path: str, default: str = "") -> str:
    """The text at ``path`` under ``el``, or ``default`` when absent or empty."""
    if el is None:
        return default
    found = el.find(path)
    return found.text if found is not None and found.text is not None else default


def classic_category(value: str | None) -> str:
    """Classic reports "No category assigned" (id -1) for none; views say NONE."""
    return "NONE" if not value or value == "No category assigned" else value


def created_id(content: bytes) -> str:
    """``<policy><id>7</id></policy>`` → ``"7"`` (Classic create answers 201 with the new id)."""
    try:
        root = parse_xml(content)
    except ET.ParseError:
        return ""
    return child_text(root, "id")


def get_by_name(client: JamfClient, kind: str, name: str, by: str = "name") -> ET.Element | None:
    """``GET /JSSResource/<kind>/<by>/<name>`` parsed, or None on 404."""
    try:
        return parse_xml(client.classic_get(classic_path(kind, by, name)))
    except NotFoundError:
        return None


def list_ids_and_names(client: JamfClient, kind: str, element: str) -> list[tuple[str, str]]:
    """(id, name) of every ``<element>`` in a Classic list."""
    root = parse_xml(client.classic_get(classic_path(kind)))
    out = []
    for item in root.iter(element):
        ident, name = child_text(item, "id"), child_text(item, "name")
        if ident:
            out.append((ident, name))
    return out


def scope_xml(groups: list[str]) -> str:
    """The ``<scope>`` this tool sends: the given computer groups, never all computers."""
    items = "".join(node("computer_group", leaf("name", g)) for g in groups)
    return node("scope", leaf("all_computers", False), node("computer_groups", items))


def scope_groups(root: ET.Element) -> list[str]:
    """The computer group names a Classic object is scoped to, sorted."""
    return sorted(child_text(g, "name") for g in root.findall("scope/computer_groups/computer_group"))

