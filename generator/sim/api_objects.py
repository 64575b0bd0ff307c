"""Jamf Pro API handlers for scripts, categories and computer extension attributes.

Status codes as Jamf answers them: create is 201 with an ``HrefResponse``; update is 200 for
scripts and categories but 202 for extension attributes; delete is 204.  Names are trimmed,
unique (case-insensitively, as on Jamf's MySQL collation: a duplicate is a 400
``DUPLICATE_FIELD``) and at most 255 characters.  Extension attributes enforce the
``inputType`` rules ("Fields which are not associated with provided inputType has some value").
"""

from __future__ import annotations

from typing import Any

from . import bodies, rsql
from .context import Ctx
from .messages import Response, fail, json_response, no_content
from .tenant import name_taken

_SCRIPT_DEFAULTS: dict[str, Any] = {
    "info": "", "notes": "", "priority": "AFTER", "categoryId": "-1", "categoryName": "",
    **{f"parameter{n}": "" for n in range(4, 12)}, "osRequirements": "", "scriptContents": "",
}
_SCRIPT_FILTER = {k: (lambda r, k=k: r.get(k)) for k in ("id", "name", "info", "notes", "priority", "categoryId",
                                                          "categoryName", *(f"parameter{n}" for n in range(4, 12)),
                                                          "osRequirements", "scriptContents")}
_SCRIPT_SORT = {k: (lambda r, k=k: r.get(k)) for k in ("id", "name", "info", "notes", "priority", "categoryId",
                                                        "categoryName")}
_CATEGORY_FIELDS = {k: (lambda r, k=k: r.get(k)) for k in ("id", "name", "priority")}
_EA_FIELDS = {k: (lambda r, k=k: r.get(k)) for k in ("id", "name")}


def _unique_name(store: dict[str, dict[str, Any]], name: str, exclude: str | None, kind: str) -> str:
    name = name.strip()
    if not name:
        raise fail(400, "INVALID_FIELD", "name must not be blank", field="name")
    if name_taken(store.values(), name, exclude):
        raise fail(400, "DUPLICATE_FIELD", f"A {kind} named {name!r} already exists", field="name")
    return name


def _get(store: dict[str, dict[str, Any]], ctx: Ctx, kind: str) -> dict[str, Any]:
    record = store.get(ctx.params["id"])
    if record is None:
        raise fail(404, "INVALID_ID", f"{kind} with id {ctx.params['id']} not found", id=ctx.params["id"])
    return record


def _listing(ctx: Ctx, kind: str, store: dict[str, dict[str, Any]], fields: dict[str, Any], default_sort: str,
             filter_fields: dict[str, Any] | None = None) -> Response:
    records = ctx.visible(kind, list(store.values()))
    total, results = rsql.page(ctx.request, records, fields, default_sort, filter_fields)
    return json_response(200, {"totalCount": total, "results": [dict(r) for r in results]})


# --- scripts -------------------------------------------------------------------------------
def _script_from(ctx: Ctx, body: dict[str, Any], exclude: str | None) -> dict[str, Any]:
    name = _unique_name(ctx.tenant.scripts, body["name"], exclude, "script")
    record = {"name": name, **_SCRIPT_DEFAULTS, **{k: v for k, v in body.items() if k not in ("id", "name")}}
    category_id = record["categoryId"] or "-1"
    if category_id != "-1":
        category = ctx.tenant.categories.get(category_id)
        if category is None:
            raise fail(400, "INVALID_ID", f"Category with id {category_id} not found", field="categoryId")
        record["categoryName"] = category["name"]
    else:
        record["categoryName"] = ""
    record["categoryId"] = category_id
    return record


def list_scripts(ctx: Ctx) -> Response:
    return _listing(ctx, "script", ctx.tenant.scripts, _SCRIPT_SORT, "name:asc", _SCRIPT_FILTER)


def create_script(ctx: Ctx) -> Response:
    record = _script_from(ctx, ctx.json_body(bodies.SCRIPT), None)
    script_id = str(ctx.tenant.next_id("script"))
    ctx.tenant.scripts[script_id] = {"id": script_id, **record}
    ctx.created("script", script_id)
    return json_response(201, {"id": script_id, "href": ctx.href(f"/api/v1/scripts/{script_id}")})


def get_script(ctx: Ctx) -> Response:
    return json_response(200, dict(_get(ctx.tenant.scripts, ctx, "Script")))


def update_script(ctx: Ctx) -> Response:
    current = _get(ctx.tenant.scripts, ctx, "Script")
    record = _script_from(ctx, ctx.json_body(bodies.SCRIPT), current["id"])
    ctx.tenant.scripts[current["id"]] = {"id": current["id"], **record}
    return json_response(200, dict(ctx.tenant.scripts[current["id"]]))


def delete_script(ctx: Ctx) -> Response:
    del ctx.tenant.scripts[_get(ctx.tenant.scripts, ctx, "Script")["id"]]
    return no_content()


# --- categories ----------------------------------------------------------------------------
def list_categories(ctx: Ctx) -> Response:
    return _listing(ctx, "category", ctx.tenant.categories, _CATEGORY_FIELDS, "id:asc")


def create_category(ctx: Ctx) -> Response:
    body = ctx.json_body(bodies.CATEGORY)
    name = _unique_name(ctx.tenant.categories, body["name"], None, "category")
    category_id = str(ctx.tenant.next_id("category"))
    ctx.tenant.categories[category_id] = {"id": category_id, "name": name, "priority": body["priority"]}
    ctx.created("category", category_id)
    return json_response(201, {"id": category_id, "href": ctx.href(f"/api/v1/categories/{category_id}")})


def get_category(ctx: Ctx) -> Response:
    return json_response(200, dict(_get(ctx.tenant.categories, ctx, "Category")))


def update_category(ctx: Ctx) -> Response:
    current = _get(ctx.tenant.categories, ctx, "Category")
    body = ctx.json_body(bodies.CATEGORY)
    current["name"] = _unique_name(ctx.tenant.categories, body["name"], current["id"], "category")
    current["priority"] = body["priority"]
    for script in ctx.tenant.scripts.values():
        if script["categoryId"] == current["id"]:
            script["categoryName"] = current["name"]
    return json_response(200, dict(current))


def delete_category(ctx: Ctx) -> Response:
    current = _get(ctx.tenant.categories, ctx, "Category")
    del ctx.tenant.categories[current["id"]]
    for script in ctx.tenant.scripts.values():
        if script["categoryId"] == current["id"]:
            script["categoryId"], script["categoryName"] = "-1", ""
    return no_content()


# --- computer extension attributes -------------------------------------------------------------
_EA_ONLY_FOR = {
    "scriptContents": "SCRIPT",
    "popupMenuChoices": "POPUP",
    "ldapAttributeMapping": "DIRECTORY_SERVICE_ATTRIBUTE_MAPPING",
}


def _ea_from(ctx: Ctx, body: dict[str, Any], exclude: str | None) -> dict[str, Any]:
    input_type = body["inputType"]
    for key, owner in _EA_ONLY_FOR.items():
        if body.get(key) not in (None, "", []) and input_type != owner:
            raise fail(400, "INVALID_FIELD",
                       "Fields which are not associated with provided inputType has some value", field=key)
    if body.get("ldapExtensionAttributeAllowed") and input_type != "DIRECTORY_SERVICE_ATTRIBUTE_MAPPING":
        raise fail(400, "INVALID_FIELD", "Fields which are not associated with provided inputType has some value",
                   field="ldapExtensionAttributeAllowed")
    if input_type == "DIRECTORY_SERVICE_ATTRIBUTE_MAPPING" and not body.get("ldapAttributeMapping"):
        raise fail(400, "INVALID_FIELD", "ldapAttributeMapping is required for this inputType",
                   field="ldapAttributeMapping")
    if input_type == "POPUP" and not body.get("popupMenuChoices"):
        raise fail(400, "INVALID_FIELD", "popupMenuChoices is required for inputType POPUP", field="popupMenuChoices")
    record: dict[str, Any] = {
        "name": _unique_name(ctx.tenant.eas, body["name"], exclude, "computer extension attribute"),
        "description": body.get("description", ""),
        "dataType": body["dataType"],
        "enabled": body.get("enabled", True),
        "inventoryDisplayType": body["inventoryDisplayType"],
        "inputType": input_type,
        "scriptContents": body.get("scriptContents") if input_type == "SCRIPT" else None,
        "popupMenuChoices": list(body.get("popupMenuChoices") or []),
        "ldapAttributeMapping": body.get("ldapAttributeMapping", ""),
        "ldapExtensionAttributeAllowed": bool(body.get("ldapExtensionAttributeAllowed", False)),
    }
    if "manageExistingData" in body:
        record["manageExistingData"] = body["manageExistingData"]
    return record


def list_eas(ctx: Ctx) -> Response:
    return _listing(ctx, "ea", ctx.tenant.eas, _EA_FIELDS, "name:asc")


def create_ea(ctx: Ctx) -> Response:
    record = _ea_from(ctx, ctx.json_body(bodies.EXTENSION_ATTRIBUTE), None)
    ea_id = str(ctx.tenant.next_id("ea"))
    ctx.tenant.eas[ea_id] = {"id": ea_id, **record}
    ctx.created("ea", ea_id)
    return json_response(201, {"id": ea_id, "href": ctx.href(f"/api/v1/computer-extension-attributes/{ea_id}")})


def get_ea(ctx: Ctx) -> Response:
    return json_response(200, dict(_get(ctx.tenant.eas, ctx, "Computer extension attribute")))


def update_ea(ctx: Ctx) -> Response:
    current = _get(ctx.tenant.eas, ctx, "Computer extension attribute")
    record = _ea_from(ctx, ctx.json_body(bodies.EXTENSION_ATTRIBUTE), current["id"])
    ctx.tenant.eas[current["id"]] = {"id": current["id"], **record}
    return json_response(202, dict(ctx.tenant.eas[current["id"]]))


def delete_ea(ctx: Ctx) -> Response:
    del ctx.tenant.eas[_get(ctx.tenant.eas, ctx, "Computer extension attribute")["id"]]
    return no_content()
