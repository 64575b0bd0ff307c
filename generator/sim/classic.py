"""Classic API (``/JSSResource``) handlers: macOS configuration profiles, policies, accounts,
and the ``BlankPush`` computer command.

Jamf's behaviours reproduced here:

* POST to ``/id/0`` (or ``/name/{name}``) creates and answers 201 ``<root><id>N</id></root>``;
  PUT answers 201 too and changes only the elements it sends; DELETE answers 200.
* Bodies must be XML (``application/xml`` or ``text/xml``; else 415).  GETs answer JSON when
  the request accepts ``application/json``, else XML.  Errors are Jamf's HTML page with
  ``<p>Error: ...</p>``: 400 for unparsable XML or over-long names, 404 for unknown objects,
  409 for a duplicate name or a reference to something that does not exist.
* Names are trimmed; duplicates are compared case-insensitively.
* Profiles: the ``<payloads>`` text is entity-decoded once more after XML parsing, even inside
  CDATA (PI-827).  So the working wire form is "escape ``&`` once more, wrap in CDATA"; a
  client that sends the plist unescaped gets a corrupted (unparsable) stored plist, one that
  escapes twice gets ``&amp;`` in its values.  A parsable plist is re-serialised (keys sorted)
  with ``PayloadOrganization`` added when missing, and on PUT the server keeps its own
  top-level ``PayloadUUID``/``PayloadIdentifier``.  GET always reports ``redeploy_on_update``
  as "Newly Assigned".
* Accounts created here can get bearer tokens from ``/api/v1/auth/token``; their
  ``<privilege>`` names are the API-role names the privilege checks use (the UI's
  "Jamf Pro Server Objects > Computers > Read" form is accepted too).
"""

from __future__ import annotations

import plistlib
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .classic_xml import child_text, decode_entities_once, ensure, merge, parse, set_text, to_bytes, to_json
from .context import Ctx
from .messages import XML, Response, classic_fail, json_response
from .tenant import ACCOUNT_GROUPS, ADMIN_ACCOUNT, ModelError, name_taken, normalise_privilege

MAX_NAME = 255
_NOT_FOUND = "The server has not found anything matching the request URI"


@dataclass(frozen=True)
class Kind:
    resource: str
    root: str
    plural: str
    store: str


PROFILES = Kind("osxconfigurationprofiles", "os_x_configuration_profile", "os_x_configuration_profiles", "profiles")
POLICIES = Kind("policies", "policy", "policies", "policies")
KINDS = {k.resource: k for k in (PROFILES, POLICIES)}


def _kind(ctx: Ctx) -> Kind:
    return KINDS[ctx.request.path.split("/")[2]]


def _store(ctx: Ctx, kind: Kind) -> dict[int, dict[str, Any]]:
    return getattr(ctx.tenant, kind.store)


def _answer(ctx: Ctx, status: int, element: ET.Element) -> Response:
    if ctx.request.wants_json():
        return json_response(status, {element.tag: to_json(element)})
    return Response(status, to_bytes(element), XML)


def _id_answer(root: str, object_id: int) -> Response:
    element = ET.Element(root)
    ET.SubElement(element, "id").text = str(object_id)
    return Response(201, to_bytes(element), XML)


def _xml_body(ctx: Ctx, root: str) -> ET.Element:
    if ctx.request.content_type not in ("application/xml", "text/xml"):
        raise classic_fail(415, "Unsupported Media Type: the request body must be XML")
    return parse(ctx.request.body, root)


def _find(ctx: Ctx, kind: Kind) -> dict[str, Any]:
    store = _store(ctx, kind)
    if "id" in ctx.params:
        raw = ctx.params["id"]
        record = store.get(int(raw)) if raw.isdigit() else None
    else:
        name = unquote(ctx.params["name"]).lower()
        record = next((r for r in store.values() if r["name"].lower() == name), None)
    if record is None:
        raise classic_fail(404, _NOT_FOUND)
    return record


def _find_group(ctx: Ctx) -> dict[str, Any]:
    """A computer group by ``id`` or ``name`` path parameter (404 when there is none)."""
    store = ctx.tenant.computer_groups
    if "id" in ctx.params:
        raw = ctx.params["id"]
        record = store.get(int(raw)) if raw.isdigit() else None
    else:
        name = unquote(ctx.params["name"]).strip().lower()
        record = next((r for r in store.values() if r["name"].lower() == name), None)
    if record is None:
        raise classic_fail(404, _NOT_FOUND)
    return record


def _check_name(store: dict[int, dict[str, Any]], name: str, exclude: int | None) -> str:
    name = name.strip()
    if not name:
        raise classic_fail(409, "Name is required")
    if len(name) > MAX_NAME:
        raise classic_fail(400, f"Name must be at most {MAX_NAME} characters")
    if name_taken(store.values(), name, exclude):
        raise classic_fail(409, "Duplicate name")
    return name


def _resolve_category(ctx: Ctx, general: ET.Element) -> None:
    category = general.find("category")
    if category is None:
        category = ET.SubElement(general, "category")
    cat_id, cat_name = child_text(category, "id").strip(), child_text(category, "name").strip()
    if cat_id in ("", "-1") and cat_name in ("", "No category assigned", "None"):
        found = None
    else:
        found = next((c for c in ctx.tenant.categories.values()
                      if (cat_id not in ("", "-1") and c["id"] == cat_id) or (cat_name and c["name"].lower() == cat_name.lower())),
                     None)
        if found is None:
            raise classic_fail(409, "Problem with category")
    category.clear()
    ET.SubElement(category, "id").text = found["id"] if found else "-1"
    ET.SubElement(category, "name").text = found["name"] if found else "No category assigned"


def _check_scope(ctx: Ctx, root: ET.Element) -> None:
    scope = root.find("scope")
    if scope is None:
        return
    groups = ctx.tenant.computer_groups.values()
    for group in scope.iter("computer_group"):
        gid, gname = child_text(group, "id").strip(), child_text(group, "name").strip()
        match = next((g for g in groups if str(g["id"]) == gid or (gname and g["name"].lower() == gname.lower())), None)
        if match is None:
            raise classic_fail(409, "Problem with computer group in scope")
    for computer in scope.iter("computer"):
        cid = child_text(computer, "id").strip()
        if cid and ctx.tenant.find_computer(cid) is None:
            raise classic_fail(409, "Problem with computer in scope")


def _check_scripts(ctx: Ctx, root: ET.Element) -> None:
    scripts = root.find("scripts")
    if scripts is None:
        return
    for script in scripts.findall("script"):
        sid, sname = child_text(script, "id").strip(), child_text(script, "name").strip()
        found = next((s for s in ctx.tenant.scripts.values()
                      if s["id"] == sid or (sname and s["name"].lower() == sname.lower())), None)
        if found is None:
            raise classic_fail(409, "Problem with script")
        set_text(script, "id", found["id"])
        set_text(script, "name", found["name"])


def process_payloads(raw: str, keep: tuple[str, str] | None, organization: str) -> tuple[str, str | None, str | None]:
    """Jamf's treatment of ``<payloads>`` text: ``(stored text, PayloadUUID, PayloadIdentifier)``."""
    decoded = decode_entities_once(raw)
    try:
        plist = plistlib.loads(decoded.encode("utf-8"))
    except Exception:  # any parser error: Jamf stores what it got, corrupted
        return decoded, None, None
    if not isinstance(plist, dict):
        return decoded, None, None
    if keep is not None:
        plist["PayloadUUID"], plist["PayloadIdentifier"] = keep
    else:
        plist.setdefault("PayloadUUID", str(uuid.uuid4()).upper())
        plist.setdefault("PayloadIdentifier", plist["PayloadUUID"])
    plist.setdefault("PayloadOrganization", organization)
    try:
        text = plistlib.dumps(plist, sort_keys=True).decode("utf-8")
    except (TypeError, OverflowError, ValueError):
        return decoded, None, None
    return text, str(plist["PayloadUUID"]), str(plist["PayloadIdentifier"])


def _normalise(ctx: Ctx, kind: Kind, root: ET.Element, record: dict[str, Any]) -> None:
    store = _store(ctx, kind)
    general = ensure(root, "general")
    name = child_text(general, "name")
    if not name.strip() and "name" in ctx.params and ctx.request.method == "POST":
        name = unquote(ctx.params["name"])
    record["name"] = _check_name(store, name, record.get("id"))
    set_text(general, "name", record["name"])
    _resolve_category(ctx, general)
    site = general.find("site")
    if site is None:
        site = ET.SubElement(general, "site")
        ET.SubElement(site, "id").text = "-1"
        ET.SubElement(site, "name").text = "None"
    _check_scope(ctx, root)
    if kind is POLICIES:
        _check_scripts(ctx, root)
        if general.find("enabled") is None:
            set_text(general, "enabled", "true")
        return
    payloads = general.find("payloads")
    if payloads is not None:
        keep = (record["payloadUUID"], record["payloadIdentifier"]) if record.get("payloadUUID") else None
        text, payload_uuid, identifier = process_payloads(payloads.text or "", keep, ctx.tenant.config.organization)
        payloads.text = text
        if payload_uuid:
            record["payloadUUID"], record["payloadIdentifier"] = payload_uuid, identifier
    set_text(general, "uuid", record.get("payloadUUID") or child_text(general, "uuid").strip()
             or str(uuid.uuid4()).upper())
    for tag, default in (("distribution_method", "Install Automatically"), ("user_removable", "false"),
                         ("level", "System"), ("redeploy_on_update", "Newly Assigned")):
        if not child_text(general, tag).strip():
            set_text(general, tag, default)


def _store_element(record: dict[str, Any], root: ET.Element) -> None:
    general = ensure(root, "general")
    old = general.find("id")
    if old is not None:
        general.remove(old)
    id_element = ET.Element("id")
    id_element.text = str(record["id"])
    general.insert(0, id_element)
    record["xml"] = ET.tostring(root, encoding="unicode")


def list_objects(ctx: Ctx) -> Response:
    kind = _kind(ctx)
    records = ctx.visible(kind.store, sorted(_store(ctx, kind).values(), key=lambda r: r["id"]))
    root = ET.Element(kind.plural)
    ET.SubElement(root, "size").text = str(len(records))
    for record in records:
        item = ET.SubElement(root, kind.root)
        ET.SubElement(item, "id").text = str(record["id"])
        ET.SubElement(item, "name").text = record["name"]
    return _answer(ctx, 200, root)


def get_object(ctx: Ctx) -> Response:
    kind = _kind(ctx)
    root = ET.fromstring(_find(ctx, kind)["xml"])
    if kind is PROFILES:
        set_text(ensure(root, "general"), "redeploy_on_update", "Newly Assigned")
    subset = ctx.params.get("subset")
    if subset:
        wanted = {s.strip().lower() for s in unquote(subset).replace(",", "&").split("&") if s.strip()}
        for section in list(root):
            if section.tag.lower() not in wanted:
                root.remove(section)
    return _answer(ctx, 200, root)


def create_object(ctx: Ctx) -> Response:
    kind = _kind(ctx)
    root = _xml_body(ctx, kind.root)
    record: dict[str, Any] = {"id": None}
    _normalise(ctx, kind, root, record)
    record["id"] = ctx.tenant.next_id(kind.store)
    _store_element(record, root)
    _store(ctx, kind)[record["id"]] = record
    ctx.created(kind.store, record["id"])
    return _id_answer(kind.root, record["id"])


def update_object(ctx: Ctx) -> Response:
    kind = _kind(ctx)
    record = _find(ctx, kind)
    incoming = _xml_body(ctx, kind.root)
    root = merge(ET.fromstring(record["xml"]), incoming)
    if incoming.find("general/name") is None:
        set_text(ensure(root, "general"), "name", record["name"])
    candidate = dict(record)
    _normalise(ctx, kind, root, candidate)
    _store_element(candidate, root)
    record.update(candidate)
    return _id_answer(kind.root, record["id"])


def delete_object(ctx: Ctx) -> Response:
    kind = _kind(ctx)
    record = _find(ctx, kind)
    del _store(ctx, kind)[record["id"]]
    element = ET.Element(kind.root)
    ET.SubElement(element, "id").text = str(record["id"])
    return Response(200, to_bytes(element), XML)


# --- accounts ----------------------------------------------------------------------------------
def _find_account(ctx: Ctx) -> dict[str, Any]:
    if "id" in ctx.params:
        raw = ctx.params["id"]
        account = ctx.tenant.accounts.get(int(raw)) if raw.isdigit() else None
    else:
        account = ctx.tenant.account_by_name(unquote(ctx.params["name"]))
    if account is None:
        raise classic_fail(404, _NOT_FOUND)
    return account


def _account_element(account: dict[str, Any]) -> ET.Element:
    root = ET.Element("account")
    for tag, value in (("id", str(account["id"])), ("name", account["name"]), ("directory_user", "false"),
                       ("full_name", account["full_name"]), ("email", account["email"]),
                       ("email_address", account["email"]), ("enabled", account["enabled"]),
                       ("force_password_change", "false"), ("access_level", account["access_level"]),
                       ("privilege_set", account["privilege_set"])):
        ET.SubElement(root, tag).text = value
    site = ET.SubElement(root, "site")
    ET.SubElement(site, "id").text = "-1"
    ET.SubElement(site, "name").text = "None"
    privileges = ET.SubElement(root, "privileges")
    for group in ACCOUNT_GROUPS:
        container = ET.SubElement(privileges, group)
        for name in account["privileges"].get(group, []):
            ET.SubElement(container, "privilege").text = name
    return root


def _privilege_groups(element: ET.Element) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {g: [] for g in ACCOUNT_GROUPS}
    for group in ACCOUNT_GROUPS:
        container = element.find(group)
        if container is not None:
            groups[group] = [normalise_privilege(p.text or "") for p in container.findall("privilege") if (p.text or "").strip()]
    return groups


def _apply_account(ctx: Ctx, account: dict[str, Any], root: ET.Element) -> None:
    tenant = ctx.tenant
    name_element = root.find("name")
    if name_element is not None:
        name = (name_element.text or "").strip()
        if not name:
            raise classic_fail(409, "Name is required")
        if len(name) > MAX_NAME:
            raise classic_fail(400, f"Name must be at most {MAX_NAME} characters")
        if name_taken(tenant.accounts.values(), name, account.get("id")):
            raise classic_fail(409, "Duplicate name")
        account["name"] = name
    for tag, key in (("full_name", "full_name"), ("email", "email"), ("email_address", "email")):
        if root.find(tag) is not None:
            account[key] = child_text(root, tag)
    enabled = root.find("enabled")
    if enabled is not None:
        if (enabled.text or "").strip() not in ("Enabled", "Disabled"):
            raise classic_fail(409, "Problem with enabled: expected Enabled or Disabled")
        account["enabled"] = enabled.text.strip()  # type: ignore[union-attr]
    for tag, key, allowed in (("access_level", "access_level", ("Full Access", "Site Access", "Group Access")),
                              ("privilege_set", "privilege_set", ("Administrator", "Auditor", "Enrollment Only",
                                                                  "Custom"))):
        element = root.find(tag)
        if element is not None:
            if (element.text or "").strip() not in allowed:
                raise classic_fail(409, f"Problem with {tag}")
            account[key] = (element.text or "").strip()
    privileges = root.find("privileges")
    if privileges is not None:
        groups = _privilege_groups(privileges)
        try:
            tenant.check_account_privileges(groups)
        except ModelError as exc:
            raise classic_fail(409, str(exc)) from None
        account["privileges"] = groups
    password = root.find("password")
    if password is not None and (password.text or ""):
        if len(password.text or "") > 1024:
            raise classic_fail(400, "Password is too long")
        tenant.set_password(account, password.text or "")


def list_accounts(ctx: Ctx) -> Response:
    root = ET.Element("accounts")
    users = ET.SubElement(root, "users")
    records = ctx.visible("accounts", sorted(ctx.tenant.accounts.values(), key=lambda a: a["id"]))
    for account in records:
        user = ET.SubElement(users, "user")
        ET.SubElement(user, "id").text = str(account["id"])
        ET.SubElement(user, "name").text = account["name"]
    ET.SubElement(root, "groups")
    if ctx.request.wants_json():
        users_json = [{"id": a["id"], "name": a["name"]} for a in records]
        return json_response(200, {"accounts": {"users": users_json, "groups": []}})
    return Response(200, to_bytes(root), XML)


def get_account(ctx: Ctx) -> Response:
    return _answer(ctx, 200, _account_element(_find_account(ctx)))


def create_account(ctx: Ctx) -> Response:
    root = _xml_body(ctx, "account")
    if root.find("name") is None and "name" in ctx.params:
        ET.SubElement(root, "name").text = unquote(ctx.params["name"])
    if root.find("name") is None:
        raise classic_fail(409, "Name is required")
    if not child_text(root, "password"):
        raise classic_fail(409, "Password is required")
    account: dict[str, Any] = {"id": None, "name": "", "full_name": "", "email": "", "enabled": "Enabled",
                               "access_level": "Full Access", "privilege_set": "Custom",
                               "privileges": {g: [] for g in ACCOUNT_GROUPS}, "salt": "", "passwordHash": ""}
    _apply_account(ctx, account, root)
    account["id"] = ctx.tenant.next_id("account")
    ctx.tenant.accounts[account["id"]] = account
    ctx.created("accounts", account["id"])
    return _id_answer("account", account["id"])


def update_account(ctx: Ctx) -> Response:
    account = _find_account(ctx)
    root = _xml_body(ctx, "account")
    candidate = {**account, "privileges": dict(account["privileges"])}
    _apply_account(ctx, candidate, root)
    account.update(candidate)
    return _id_answer("account", account["id"])


def delete_account(ctx: Ctx) -> Response:
    account = _find_account(ctx)
    if account["name"] == ADMIN_ACCOUNT:
        raise classic_fail(409, "The simulator's bootstrap admin account cannot be deleted")
    del ctx.tenant.accounts[account["id"]]
    element = ET.Element("account")
    ET.SubElement(element, "id").text = str(account["id"])
    return Response(200, to_bytes(element), XML)


# --- log flush ---------------------------------------------------------------------------------
_FLUSH_INTERVAL = re.compile(r"(Zero|One|Two|Three|Six)[+ ](Days|Weeks|Months|Years)")


def flush_log(ctx: Ctx) -> Response:
    """``DELETE /logflush/policy/id/{id}/interval/{interval}``: every Mac re-runs a once-per-computer policy."""
    raw = ctx.params["id"]
    if ctx.params["log"] != "policy":
        raise classic_fail(400, "Only policy logs can be flushed")
    if not raw.isdigit() or int(raw) not in ctx.tenant.policies:
        raise classic_fail(404, _NOT_FOUND)
    if not _FLUSH_INTERVAL.fullmatch(unquote(ctx.params["interval"])):
        raise classic_fail(400, "Invalid interval")
    ctx.tenant.policy_flushes.append(int(raw))
    root = ET.Element("logflush")
    ET.SubElement(root, "id").text = raw
    return Response(200, to_bytes(root), XML)


# --- computer commands -------------------------------------------------------------------------
def blank_push(ctx: Ctx) -> Response:
    if ctx.params["command"] != "BlankPush":
        raise classic_fail(400, "Only the BlankPush command is simulated")
    ids = [i.strip() for i in unquote(ctx.params["id"]).split(",") if i.strip()]
    if not ids or any(ctx.tenant.find_computer(i) is None for i in ids):
        raise classic_fail(404, _NOT_FOUND)
    root = ET.Element("computer_command")
    for computer_id in ids:
        command_uuid = str(uuid.uuid4())
        ctx.tenant.blank_pushes.append({"computerId": computer_id, "uuid": command_uuid, "time": ctx.now})
        command = ET.SubElement(root, "command")
        ET.SubElement(command, "name").text = "BlankPush"
        ET.SubElement(command, "command_uuid").text = command_uuid
        ET.SubElement(command, "computer_id").text = computer_id
    return Response(201, to_bytes(root), XML)
