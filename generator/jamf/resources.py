"""One adapter per Jamf object kind: find by name, to and from the wire, normalise for diffing.

Adapters hold no state and never decide anything: ``sync`` asks them to list what the tenant
has, to turn a desired object and a remote one into comparable *views* (plain dicts), and to
write.  A view holds only what this tool manages, after the normalisation that keeps a second
plan from showing false changes:

* names are matched case-insensitively after trimming (Jamf trims names on save, and
  jamf-upload matches Classic names with ``name.lower()``: jamf-api-facts §7);
* server-added fields are ignored (EA ``popupMenuChoices``/``ldapAttributeMapping``, script
  ``categoryName``, Classic ``site``/``self_service`` details...);
* trailing whitespace of free-text fields and scripts is ignored: Jamf strips it on save
  (terraform-provider-jamfpro #398 and PR #1149);
* configuration profiles are compared as parsed plists without the top-level keys Jamf
  rewrites (``PayloadUUID``, ``PayloadIdentifier``, ``PayloadOrganization``,
  ``PayloadDisplayName``: jamf-api-facts §6 quirk 4, [TF] macos_configuration_profile_plist);
* ids: Jamf Pro API ids are strings except API integrations (integers); Classic ids are
  integers (jamf-api-facts §11).  Adapters keep every id as ``str`` and the wire code converts.

Credential hand-over parameters of the credential policy are never shown: views carry
``<secret>`` in their place (see ``HandoverState``).
"""

from __future__ import annotations

import plistlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from .client import JamfClient, NotFoundError, Secret, classic_path, rsql_quote

# Kinds, in dependency order (category → role/account → client → scripts/EAs → profile → policies).
CATEGORY = "category"
ROLE = "api-role"
ACCOUNT = "service-account"
CLIENT = "api-client"
SCRIPT = "script"
EA = "extension-attribute"
PROFILE = "profile"
POLICY = "policy"
KINDS = (CATEGORY, ROLE, ACCOUNT, CLIENT, SCRIPT, EA, PROFILE, POLICY)
CLASSIC_KINDS = (ACCOUNT, PROFILE, POLICY)

SECRET_MARK = "<secret>"
# Keys Jamf rewrites at the top level of an uploaded profile (jamf-api-facts §6 quirk 4).
SERVER_MANAGED_PROFILE_KEYS = ("PayloadUUID", "PayloadIdentifier", "PayloadOrganization", "PayloadDisplayName")
MANAGED_NOTE = "Managed by jamf-enforcer: edits made in Jamf Pro are overwritten by the next apply."


class DuplicateError(Exception):
    """More than one object of a kind answers to one name: refuse to guess which is ours."""


@dataclass
class Desired:
    """An object the bundle wants on the tenant."""

    kind: str
    name: str
    spec: dict[str, Any]
    source: str = ""  # the rendered artifact it comes from
    key: str = ""  # policies: credentials / enforcement / install-now / uninstall

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r}"


@dataclass
class Remote:
    """An object the tenant has.  Classic list entries are ``complete`` only after ``read``."""

    kind: str
    id: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    complete: bool = True

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r} (id {self.id})"


@dataclass
class HandoverState:
    """Whether the credential policy already hands valid credentials to the Macs.

    ``state``: ``ok`` (keep the policy's parameters: a plain re-apply never rotates),
    ``missing`` (placeholder or empty) or ``stale`` (names an API client or account that no
    longer exists).  ``values`` are the parameters to write when credentials were just issued.
    """

    state: str = "missing"
    reason: str = ""
    values: dict[str, Secret] = field(default_factory=dict)


@dataclass
class Context:
    """What views and writes need to know about other objects (ids by name)."""

    category_ids: dict[str, str] = field(default_factory=dict)  # casefolded name -> id
    category_names: dict[str, str] = field(default_factory=dict)  # id -> name
    script_ids: dict[str, str] = field(default_factory=dict)  # casefolded name -> id
    handover: dict[str, HandoverState] = field(default_factory=dict)  # policy name (casefolded) -> state


def fold(name: str) -> str:
    """The form names are matched in: trimmed and case-insensitive (see module docstring)."""
    return " ".join(name.split()).casefold()


def find_by_name(objects: list[Remote], name: str) -> Remote | None:
    """The one object called ``name``; ``DuplicateError`` when several are (jamf-upload #237)."""
    hits = [o for o in objects if fold(o.name) == fold(name)]
    if len(hits) > 1:
        kind = hits[0].kind
        ids = ", ".join(o.id for o in hits)
        raise DuplicateError(f"{len(hits)} {kind} objects are named {name!r} (ids {ids}); jamf-enforcer will not "
                             "guess which one it manages: delete or rename the extra ones in Jamf Pro")
    return hits[0] if hits else None


def _trim(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").rstrip()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _x(tag: str, *children: str) -> str:
    return f"<{tag}>{''.join(children)}</{tag}>"


def _t(tag: str, value: Any) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _xml_doc(root: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>' + root


def _parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)


def _text(el: ET.Element | None, path: str, default: str = "") -> str:
    if el is None:
        return default
    found = el.find(path)
    return found.text if found is not None and found.text is not None else default


def classic_category(value: str | None) -> str:
    """Classic reports "No category assigned" (id -1) for none; views say NONE."""
    return "NONE" if not value or value == "No category assigned" else value


def _classic_created_id(content: bytes) -> str:
    """``<policy><id>7</id></policy>`` → ``"7"`` (Classic create answers 201 with the new id)."""
    try:
        root = _parse(content)
    except ET.ParseError:
        return ""
    return _text(root, "id")


def _classic_by_name(client: JamfClient, kind: str, name: str, by: str = "name") -> ET.Element | None:
    try:
        return _parse(client.classic_get(classic_path(kind, by, name)))
    except NotFoundError:
        return None


def _classic_list(client: JamfClient, kind: str, element: str) -> list[tuple[str, str]]:
    root = _parse(client.classic_get(classic_path(kind)))
    out = []
    for item in root.iter(element):
        ident, name = _text(item, "id"), _text(item, "name")
        if ident:
            out.append((ident, name))
    return out


# --- the adapters ---------------------------------------------------------------------------
class Adapter:
    kind = ""
    classic = False

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        raise NotImplementedError

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return obj

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        """Classic kinds: one GET by name (404 → None) instead of a list plus a read."""
        raise NotImplementedError

    @staticmethod
    def can_read_by_name(name: str) -> bool:
        # Servers behind Tomcat reject an encoded '/' in a path segment: such names are listed instead.
        return "/" not in name and "\\" not in name

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        raise NotImplementedError

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        raise NotImplementedError

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        raise NotImplementedError

    def delete(self, client: JamfClient, obj: Remote) -> None:
        raise NotImplementedError


def _prefix_filter(field_name: str, prefix: str, names: list[str]) -> str:
    """RSQL: our prefix, plus any exact names outside it (``*`` is RSQL's wildcard: §8)."""
    clauses = [f"{field_name}=={rsql_quote(prefix + ' *')}"] if prefix else []
    clauses += [f"{field_name}=={rsql_quote(n)}" for n in names if not prefix or not n.startswith(prefix + " ")]
    return ",".join(clauses)


class CategoryAdapter(Adapter):
    """Jamf Pro API ``/v1/categories`` (jamf-api-facts §5).

    The category is shared with objects this tool does not own and carries no prefix, so it
    is only ensured to exist: its priority is set on create and never overwritten.
    """

    kind = CATEGORY

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/categories", rsql=_prefix_filter("name", "", names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("name", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        return {"name": want.name}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        return {"name": obj.name}

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        body = {"name": want.name, "priority": int(want.spec.get("priority", 9))}
        return str(client.request("POST", "/api/v1/categories", body=body).json()["id"])  # 201 HrefResponse

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        body = {"name": want.name, "priority": int(obj.data.get("priority", want.spec.get("priority", 9)))}
        client.request("PUT", f"/api/v1/categories/{obj.id}", body=body)

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/categories/{obj.id}")


class RoleAdapter(Adapter):
    """Jamf Pro API ``/v1/api-roles`` (§2): id is a string; create answers 200, not 201."""

    kind = ROLE

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/api-roles", rsql=_prefix_filter("displayName", prefix, names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("displayName", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        return {"displayName": want.name, "privileges": sorted(want.spec["privileges"])}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        return {"displayName": obj.name, "privileges": sorted(obj.data.get("privileges") or [])}

    def _body(self, want: Desired) -> dict[str, Any]:
        # Privilege names are case-sensitive and checked against the server first (sync).
        return {"displayName": want.name, "privileges": sorted(want.spec["privileges"])}

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        return str(client.request("POST", "/api/v1/api-roles", body=self._body(want)).json()["id"])

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        client.request("PUT", f"/api/v1/api-roles/{obj.id}", body=self._body(want))  # full replace

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/api-roles/{obj.id}")


class ClientAdapter(Adapter):
    """Jamf Pro API ``/v1/api-integrations`` (§2): id is an **integer** here, ``clientId`` read-only.

    ``authorizationScopes`` are role *display names*, not ids.
    """

    kind = CLIENT

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/api-integrations",
                               rsql=_prefix_filter("displayName", prefix, names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("displayName", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        return {"displayName": want.name, "authorizationScopes": sorted(s["authorizationScopes"]),
                "enabled": bool(s["enabled"]), "accessTokenLifetimeSeconds": int(s["accessTokenLifetimeSeconds"])}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        return {"displayName": obj.name, "authorizationScopes": sorted(d.get("authorizationScopes") or []),
                "enabled": bool(d.get("enabled")), "accessTokenLifetimeSeconds": int(d.get("accessTokenLifetimeSeconds") or 0)}

    @staticmethod
    def body(name: str, scopes: list[str], enabled: bool, lifetime: int) -> dict[str, Any]:
        return {"displayName": name, "authorizationScopes": sorted(scopes), "enabled": enabled,
                "accessTokenLifetimeSeconds": lifetime}

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        s = want.spec
        body = self.body(want.name, s["authorizationScopes"], bool(s["enabled"]), int(s["accessTokenLifetimeSeconds"]))
        return str(client.request("POST", "/api/v1/api-integrations", body=body).json()["id"])  # 201

    def create_named(self, client: JamfClient, name: str, scopes: list[str], lifetime: int) -> Remote:
        body = self.body(name, scopes, True, lifetime)
        data = client.request("POST", "/api/v1/api-integrations", body=body).json()
        return Remote(self.kind, str(data["id"]), name, data)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        s = want.spec
        body = self.body(want.name, s["authorizationScopes"], bool(s["enabled"]), int(s["accessTokenLifetimeSeconds"]))
        client.request("PUT", f"/api/v1/api-integrations/{int(obj.id)}", body=body)

    def put(self, client: JamfClient, obj: Remote, *, name: str | None = None, enabled: bool | None = None) -> None:
        d = obj.data
        body = self.body(name or obj.name, list(d.get("authorizationScopes") or []),
                         d.get("enabled", True) if enabled is None else enabled,
                         int(d.get("accessTokenLifetimeSeconds") or 300))
        client.request("PUT", f"/api/v1/api-integrations/{int(obj.id)}", body=body)

    def issue_credentials(self, client: JamfClient, obj: Remote) -> tuple[str, Secret]:
        """``POST .../client-credentials``: a new secret, which invalidates the previous one (§2).

        Only ever called when the secret goes straight into the credential policy.  The secret
        is registered with the client first so no later message can carry it.
        """
        resp = client.request("POST", f"/api/v1/api-integrations/{int(obj.id)}/client-credentials")
        data = resp.json()
        secret = Secret(str(data["clientSecret"]))
        client.register_secret(secret)
        return str(data.get("clientId") or obj.data.get("clientId") or ""), secret

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/api-integrations/{int(obj.id)}")


class ScriptAdapter(Adapter):
    """Jamf Pro API ``/v1/scripts`` (§3).  PUT replaces the whole script, so every field is sent.

    jamf-upload's rules: ``priority`` upper-case, ``categoryId`` ``"-1"`` when there is no
    category (JamfScriptUploaderBase.py).
    """

    kind = SCRIPT

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/scripts", rsql=_prefix_filter("name", prefix, names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("name", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        return {"name": want.name, "category": s.get("category") or "NONE", "priority": s.get("priority", "AFTER"),
                "info": _trim(s.get("info")), "notes": _trim(s.get("notes")), "osRequirements": "",
                "parameter labels": {}, "scriptContents": _trim(s["contents"])}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        cat_id = str(d.get("categoryId") or "-1")
        category = ctx.category_names.get(cat_id) or (d.get("categoryName") if cat_id != "-1" else "") or "NONE"
        labels = {f"parameter{n}": d.get(f"parameter{n}") for n in range(4, 12) if d.get(f"parameter{n}")}
        return {"name": obj.name, "category": category, "priority": str(d.get("priority") or "").upper(),
                "info": _trim(d.get("info")), "notes": _trim(d.get("notes")),
                "osRequirements": _trim(d.get("osRequirements")), "parameter labels": labels,
                "scriptContents": _trim(d.get("scriptContents"))}

    def _body(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        category = s.get("category") or ""
        body: dict[str, Any] = {
            "name": want.name, "info": s.get("info", ""), "notes": s.get("notes", ""),
            "priority": str(s.get("priority", "AFTER")).upper(),
            "categoryId": ctx.category_ids.get(fold(category), "-1") if category else "-1",
            "osRequirements": "", "scriptContents": s["contents"],
        }
        body.update({f"parameter{n}": "" for n in range(4, 12)})
        return body

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        return str(client.request("POST", "/api/v1/scripts", body=self._body(want, ctx)).json()["id"])  # 201

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        client.request("PUT", f"/api/v1/scripts/{obj.id}", body=self._body(want, ctx))

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/scripts/{obj.id}")


class ExtensionAttributeAdapter(Adapter):
    """Jamf Pro API ``/v1/computer-extension-attributes`` (§4).

    Only the fields that fit ``inputType`` SCRIPT are sent: Jamf answers 400 "Fields which
    are not associated with provided inputType has some value" otherwise (§4, TF #630), and
    ``manageExistingData`` must be absent on create (jamfplatform PR #294).  Update answers 202.
    """

    kind = EA
    FIELDS = ("name", "description", "dataType", "inputType", "inventoryDisplayType", "enabled", "scriptContents")

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = client.list_all("/api/v1/computer-extension-attributes",
                               rsql=_prefix_filter("name", prefix, names) or None)
        return [Remote(self.kind, str(r["id"]), r.get("name", ""), r) for r in rows]

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        return {"name": want.name, "description": _trim(s.get("description")), "dataType": s["dataType"],
                "inputType": "SCRIPT", "inventoryDisplayType": s["inventoryDisplayType"], "enabled": bool(s["enabled"]),
                "scriptContents": _trim(s["contents"])}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        return {"name": obj.name, "description": _trim(d.get("description")), "dataType": d.get("dataType"),
                "inputType": d.get("inputType"), "inventoryDisplayType": d.get("inventoryDisplayType"),
                "enabled": bool(d.get("enabled")), "scriptContents": _trim(d.get("scriptContents"))}

    def _body(self, want: Desired) -> dict[str, Any]:
        s = want.spec
        return {"name": want.name, "description": s.get("description", ""), "dataType": s["dataType"],
                "inputType": "SCRIPT", "inventoryDisplayType": s["inventoryDisplayType"],
                "enabled": bool(s["enabled"]), "scriptContents": s["contents"]}

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        resp = client.request("POST", "/api/v1/computer-extension-attributes", body=self._body(want))
        return str(resp.json()["id"])  # 201 HrefResponse

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        client.request("PUT", f"/api/v1/computer-extension-attributes/{obj.id}", body=self._body(want))  # 202

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", f"/api/v1/computer-extension-attributes/{obj.id}")


# --- configuration profiles (Classic XML) ------------------------------------------------
def payloads_wire(plist_text: str) -> str:
    """The ``<payloads>`` element for a Classic profile upload.

    Jamf entity-decodes ``<payloads>`` once even inside CDATA (Jamf bug PI-827, see jamf-cli
    PR #310 and jamf-upload #129): so escape ``&`` once and wrap the plist in CDATA; the
    server's single decode then gives back the plist byte for byte.  Escaping everything
    (``&lt;`` too), as plain XML escaping does, doubles the ``&`` escapes of the values
    (``&amp;`` → ``&amp;amp;``: jamf-upload #129, TF #579).  A literal ``]]>`` in the plist
    would end the CDATA, so it is split across two sections.
    """
    body = plist_text.replace("&", "&amp;").replace("]]>", "]]]]><![CDATA[>")
    return f"<payloads><![CDATA[{body}]]></payloads>"


def parse_payloads(text: str) -> dict[str, Any]:
    """The server's ``general/payloads`` string → a plist dict.

    Jamf may export an empty ``<key/>``; jamf-upload strips it before parsing because the
    plistlib it runs on rejects it (jamf-api-facts §6 quirk 3).  Python 3.11's plistlib accepts
    it, and stripping can orphan a value, so the plist is parsed as sent first and stripped only
    when that fails.
    """
    try:
        data = plistlib.loads(text.encode("utf-8"))
    except Exception:  # plistlib raises several unrelated types for malformed input
        data = plistlib.loads(re.sub(r"<key\s*/>", "", text).encode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("profile payload is not a plist dictionary")
    return data


def profile_semantic(data: dict[str, Any]) -> str:
    """A profile plist as comparable text: sorted keys, without the keys Jamf rewrites."""
    trimmed = {k: v for k, v in data.items() if k not in SERVER_MANAGED_PROFILE_KEYS}
    return plistlib.dumps(trimmed, sort_keys=True).decode("utf-8")


def _scope_xml(groups: list[str]) -> str:
    items = "".join(_x("computer_group", _t("name", g)) for g in groups)
    return _x("scope", _t("all_computers", False), _x("computer_groups", items))


def _scope_groups(root: ET.Element) -> list[str]:
    return sorted(_text(g, "name") for g in root.findall("scope/computer_groups/computer_group"))


class ProfileAdapter(Adapter):
    """Classic ``/JSSResource/osxconfigurationprofiles`` (§6: no Jamf Pro API CRUD exists)."""

    kind = PROFILE
    classic = True

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = _classic_list(client, "osxconfigurationprofiles", "os_x_configuration_profile")
        return [Remote(self.kind, i, n, complete=False) for i, n in rows]

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return self._from_xml(_parse(client.classic_get(classic_path("osxconfigurationprofiles", "id", obj.id))), obj)

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        root = _classic_by_name(client, "osxconfigurationprofiles", name)
        return None if root is None else self._from_xml(root, Remote(self.kind, _text(root, "general/id"), name))

    def _from_xml(self, root: ET.Element, obj: Remote) -> Remote:
        general = root.find("general")
        payloads = _text(general, "payloads")
        data: dict[str, Any] = {
            "name": _text(general, "name", obj.name), "description": _text(general, "description"),
            "category": _text(general, "category/name"), "distribution_method": _text(general, "distribution_method"),
            "user_removable": _bool(_text(general, "user_removable", "false")), "level": _text(general, "level"),
            "all_computers": _bool(_text(root, "scope/all_computers", "false")), "groups": _scope_groups(root),
            "payloads": payloads,
        }
        try:
            data["plist"] = parse_payloads(payloads) if payloads.strip() else {}
            data["plist_error"] = ""
        except Exception as exc:  # any parser error: a corrupted stored payload is a diff, not a crash
            data["plist"], data["plist_error"] = {}, f"unreadable payload ({type(exc).__name__})"
        return Remote(self.kind, obj.id, data["name"], data)

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        return {"name": want.name, "description": _trim(s["description"]), "category": s["category"] or "NONE",
                "distribution_method": "Install Automatically", "user_removable": False, "level": s["level"],
                "scope all_computers": False, "scope computer_groups": sorted(s["groups"]),
                "payload": profile_semantic(parse_payloads(s["plist"]))}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        return {"name": obj.name, "description": _trim(d.get("description")), "category": classic_category(d.get("category")),
                "distribution_method": d.get("distribution_method"), "user_removable": d.get("user_removable"),
                "level": str(d.get("level") or "").lower(), "scope all_computers": d.get("all_computers"),
                "scope computer_groups": d.get("groups", []),
                "payload": d.get("plist_error") or profile_semantic(d.get("plist") or {})}

    def _xml(self, want: Desired, plist_text: str, *, update: bool) -> str:
        s = want.spec
        general = _x("general",
                     _t("name", want.name), _t("description", s["description"]),
                     _x("category", _t("name", s["category"])) if s["category"] else "",
                     _t("distribution_method", "Install Automatically"), _t("user_removable", False),
                     _t("level", s["level"]),
                     # GET always reports "Newly Assigned" whatever was sent, so set it on every
                     # write; "All" makes a changed profile reach Macs that already have it ([TF], §6 quirk 5).
                     _t("redeploy_on_update", "All" if update else "Newly Assigned"),
                     payloads_wire(plist_text))
        return _xml_doc(_x("os_x_configuration_profile", general, _scope_xml(s["groups"])))

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        resp = client.request("POST", classic_path("osxconfigurationprofiles", "id", 0),
                              xml=self._xml(want, want.spec["plist"], update=False), accept="application/xml")
        return _classic_created_id(resp.content)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        # Keep the server's top-level PayloadUUID/PayloadIdentifier: a new pair makes every Mac
        # install a second ("ghost") profile (jamf-upload get_existing_uuid_and_identifier, TF #539).
        plist = parse_payloads(want.spec["plist"])
        server = obj.data.get("plist") or {}
        for key in ("PayloadUUID", "PayloadIdentifier"):
            if server.get(key):
                plist[key] = server[key]
        text = plistlib.dumps(plist, sort_keys=True).decode("utf-8")
        client.request("PUT", classic_path("osxconfigurationprofiles", "id", obj.id),
                       xml=self._xml(want, text, update=True), accept="application/xml")

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", classic_path("osxconfigurationprofiles", "id", obj.id), accept="application/xml")


# --- the service account (Classic XML) -------------------------------------------------
PRIVILEGE_GROUPS = ("jss_objects", "jss_settings", "jss_actions")


class AccountAdapter(Adapter):
    """Classic ``/JSSResource/accounts/userid/{id}`` (standard account for ``jamf-account``)."""

    kind = ACCOUNT
    classic = True

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        root = _parse(client.classic_get(classic_path("accounts")))
        users = root.find("users")
        rows = [] if users is None else [(_text(u, "id"), _text(u, "name")) for u in users.iter("user")]
        return [Remote(self.kind, i, n, complete=False) for i, n in rows if i]

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return self._from_xml(_parse(client.classic_get(classic_path("accounts", "userid", obj.id))), obj)

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        root = _classic_by_name(client, "accounts", name, "username")
        return None if root is None else self._from_xml(root, Remote(self.kind, _text(root, "id"), name))

    def _from_xml(self, root: ET.Element, obj: Remote) -> Remote:
        privileges = {g: sorted(p.text or "" for p in root.findall(f"privileges/{g}/privilege")) for g in PRIVILEGE_GROUPS}
        data = {"name": _text(root, "name", obj.name), "enabled": _text(root, "enabled"),
                "access_level": _text(root, "access_level"), "privilege_set": _text(root, "privilege_set"),
                "privileges": privileges}
        return Remote(self.kind, obj.id, data["name"], data)

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        out: dict[str, Any] = {"name": want.name, "enabled": "Enabled", "access_level": s["access_level"],
                               "privilege_set": s["privilege_set"]}
        for g in PRIVILEGE_GROUPS:
            out[f"privileges {g}"] = sorted(s["privileges"].get(g, []))
        return out

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        out: dict[str, Any] = {"name": obj.name, "enabled": d.get("enabled"), "access_level": d.get("access_level"),
                               "privilege_set": d.get("privilege_set")}
        for g in PRIVILEGE_GROUPS:
            out[f"privileges {g}"] = sorted(d.get("privileges", {}).get(g, []))
        return out

    def xml(self, want: Desired, password: Secret | None) -> str:
        s = want.spec
        groups = "".join(_x(g, *(_t("privilege", p) for p in sorted(s["privileges"].get(g, []))))
                         for g in PRIVILEGE_GROUPS)
        parts = [_t("name", want.name), _t("directory_user", False), _t("full_name", s.get("full_name", want.name)),
                 _t("enabled", "Enabled"), _t("force_password_change", False), _t("access_level", s["access_level"]),
                 _t("privilege_set", s["privilege_set"])]
        if password is not None:
            # Only on create and on a credential hand-over: an update without <password> keeps it.
            parts.append(_t("password", password.reveal()))
        parts.append(_x("privileges", groups))
        return _xml_doc(_x("account", *parts))

    def create(self, client: JamfClient, want: Desired, ctx: Context, password: Secret | None = None) -> str:
        resp = client.request("POST", classic_path("accounts", "userid", 0), xml=self.xml(want, password),
                              accept="application/xml")
        return _classic_created_id(resp.content)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context,
               password: Secret | None = None) -> None:
        client.request("PUT", classic_path("accounts", "userid", obj.id), xml=self.xml(want, password),
                       accept="application/xml")

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", classic_path("accounts", "userid", obj.id), accept="application/xml")


# --- policies (Classic XML) --------------------------------------------------------------
def handover_prefix(value: str) -> str:
    """``--auth-jamf-secret=...`` → ``--auth-jamf-secret=`` (the option; values start after the first '=')."""
    head, sep, _ = value.partition("=")
    return head + sep


class PolicyAdapter(Adapter):
    """Classic ``/JSSResource/policies`` (§7: policies exist only in the Classic API).

    Sections sent: ``general``, ``scope``, ``self_service`` and ``scripts``; the server keeps
    any other section as it is.  ``<scope>`` is replaced by what is sent (§7).
    """

    kind = POLICY
    classic = True

    def list(self, client: JamfClient, prefix: str, names: list[str]) -> list[Remote]:
        rows = _classic_list(client, "policies", "policy")
        return [Remote(self.kind, i, n, complete=False) for i, n in rows]

    def read(self, client: JamfClient, obj: Remote) -> Remote:
        return self._from_xml(client, _parse(client.classic_get(classic_path("policies", "id", obj.id))), obj)

    def read_by_name(self, client: JamfClient, name: str) -> Remote | None:
        root = _classic_by_name(client, "policies", name)
        return None if root is None else self._from_xml(client, root, Remote(self.kind, _text(root, "general/id"), name))

    def _from_xml(self, client: JamfClient, root: ET.Element, obj: Remote) -> Remote:
        general = root.find("general")
        scripts = []
        for s in root.findall("scripts/script"):
            scripts.append({"id": _text(s, "id"), "name": _text(s, "name"), "priority": _text(s, "priority"),
                            "parameters": {f"parameter{n}": _text(s, f"parameter{n}") for n in range(4, 12)}})
        data = {
            "name": _text(general, "name", obj.name), "enabled": _bool(_text(general, "enabled", "false")),
            "frequency": _text(general, "frequency"), "category": _text(general, "category/name"),
            "trigger_checkin": _bool(_text(general, "trigger_checkin", "false")),
            "trigger_other": _text(general, "trigger_other"),
            "self_service": _bool(_text(root, "self_service/use_for_self_service", "false")),
            "all_computers": _bool(_text(root, "scope/all_computers", "false")), "groups": _scope_groups(root),
            "scripts": scripts,
        }
        for s in scripts:
            for value in s["parameters"].values():
                # Hand-over parameters hold credentials: keep them out of every later message.
                _, sep, secret = value.partition("=")
                if sep and secret:
                    client.register_secret(secret)
        return Remote(self.kind, obj.id, data["name"], data)

    def view(self, want: Desired, ctx: Context) -> dict[str, Any]:
        s = want.spec
        script = s["script"]
        handover = s.get("handover") or {}
        params = {}
        for key, value in sorted(script["parameters"].items()):
            params[key] = handover_prefix(value) + SECRET_MARK if key in handover else value
        return {"name": want.name, "enabled": bool(s["enabled"]), "frequency": s["frequency"],
                "category": s["category"] or "NONE", "trigger_checkin": bool(s["trigger_checkin"]),
                "trigger_other": s["trigger_other"], "self_service": bool(s["self_service"]),
                "scope all_computers": False, "scope computer_groups": sorted(s["scope"]["computer_groups"]),
                "script": script["name"], "script priority": script["priority"], "script parameters": params}

    def remote_view(self, obj: Remote, ctx: Context, want: Desired | None = None) -> dict[str, Any]:
        d = obj.data
        scripts = d.get("scripts") or []
        first = scripts[0] if scripts else {"name": "", "priority": "", "parameters": {}}
        handover_keys = set((want.spec.get("handover") or {}) if want else {})
        state = ctx.handover.get(fold(obj.name))
        params = {}
        for key, value in sorted(first["parameters"].items()):
            if not value:
                continue
            if key in handover_keys:
                ok = state is not None and state.state == "ok"
                params[key] = handover_prefix(value) + (SECRET_MARK if ok else f"<{state.state if state else 'missing'}>")
            else:
                params[key] = value
        for key in handover_keys - set(params):
            params[key] = "<missing>"
        view = {"name": obj.name, "enabled": d.get("enabled"), "frequency": d.get("frequency"),
                "category": classic_category(d.get("category", "")), "trigger_checkin": d.get("trigger_checkin"),
                "trigger_other": d.get("trigger_other", ""), "self_service": d.get("self_service"),
                "scope all_computers": d.get("all_computers"), "scope computer_groups": d.get("groups", []),
                "script": first["name"] if len(scripts) <= 1 else [s["name"] for s in scripts],
                "script priority": first["priority"], "script parameters": params}
        return view

    def parameters(self, want: Desired, obj: Remote | None, ctx: Context) -> dict[str, str]:
        """The parameter values to write: issued credentials, else the policy's existing ones."""
        s = want.spec
        handover = s.get("handover") or {}
        params = dict(s["script"]["parameters"])
        state = ctx.handover.get(fold(want.name))
        existing = {}
        if obj is not None and obj.data.get("scripts"):
            existing = obj.data["scripts"][0]["parameters"]
        for key, what in handover.items():
            if state is not None and what in state.values:
                params[key] = handover_prefix(params[key]) + state.values[what].reveal()
            elif state is not None and state.state == "ok" and existing.get(key):
                params[key] = existing[key]  # a plain re-apply never rotates: keep what the Macs have
            else:
                raise ValueError(f"policy {want.name!r}: no credentials to hand over for {key}")
        return params

    def xml(self, want: Desired, ctx: Context, params: dict[str, str]) -> str:
        s = want.spec
        script = s["script"]
        script_id = ctx.script_ids.get(fold(script["name"]))
        if not script_id:
            raise ValueError(f"policy {want.name!r}: script {script['name']!r} does not exist on the tenant")
        general = _x("general", _t("name", want.name), _t("enabled", bool(s["enabled"])),
                     _t("frequency", s["frequency"]),
                     _x("category", _t("name", s["category"])) if s["category"] else "",
                     _t("trigger_checkin", bool(s["trigger_checkin"])), _t("trigger_enrollment_complete", False),
                     _t("trigger_login", False), _t("trigger_startup", False), _t("trigger_other", s["trigger_other"]))
        script_xml = _x("script", _t("id", script_id), _t("priority", script["priority"]),
                        *(_t(f"parameter{n}", params.get(f"parameter{n}", "")) for n in range(4, 12)))
        body = _x("policy", general, _scope_xml(s["scope"]["computer_groups"]),
                  _x("self_service", _t("use_for_self_service", bool(s["self_service"]))),
                  _x("scripts", _t("size", 1), script_xml))
        return _xml_doc(body)

    def create(self, client: JamfClient, want: Desired, ctx: Context) -> str:
        xml = self.xml(want, ctx, self.parameters(want, None, ctx))
        resp = client.request("POST", classic_path("policies", "id", 0), xml=xml, accept="application/xml")
        return _classic_created_id(resp.content)

    def update(self, client: JamfClient, obj: Remote, want: Desired, ctx: Context) -> None:
        xml = self.xml(want, ctx, self.parameters(want, obj, ctx))
        client.request("PUT", classic_path("policies", "id", obj.id), xml=xml, accept="application/xml")

    def delete(self, client: JamfClient, obj: Remote) -> None:
        client.request("DELETE", classic_path("policies", "id", obj.id), accept="application/xml")

    def flush_log(self, client: JamfClient, obj: Remote) -> None:
        """Flush the policy's log so every Mac runs a once-per-computer policy again.

        ``DELETE /JSSResource/logflush/policy/id/{id}/interval/Zero+Days``: the Classic spec's
        ``createLogFlushWithIdAndInterval`` (generator/data/jamf-openapi/classic), which needs
        "Delete Policies" and "Flush Policy Logs" (gateway scopes delete:pro:policies,
        execute:pro:flush-policy-logs).  ``+`` is literal in the path, as in the spec's example.
        """
        client.request("DELETE", f"/JSSResource/logflush/policy/id/{int(obj.id)}/interval/Zero+Days",
                       accept="application/xml")


ADAPTERS: dict[str, Adapter] = {
    CATEGORY: CategoryAdapter(), ROLE: RoleAdapter(), ACCOUNT: AccountAdapter(), CLIENT: ClientAdapter(),
    SCRIPT: ScriptAdapter(), EA: ExtensionAttributeAdapter(), PROFILE: ProfileAdapter(), POLICY: PolicyAdapter(),
}
