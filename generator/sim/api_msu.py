"""Jamf Pro API handlers for managed software updates: the plans workflow and the legacy one.

* ``GET/PUT /api/v1/managed-software-updates/plans/feature-toggle`` (+ ``/status``).  The
  toggle job completes at once (Jamf runs it in the background; the simulator reports it as
  finished on the first status read).
* ``POST /api/v1/managed-software-updates/plans``: 201 with one plan per device.  Refusals:
  400 ApiError while the feature toggle is off (Jamf refuses plans then; the simulator's code is
  ``MANAGED_SOFTWARE_UPDATE_FEATURE_DISABLED``), 400 ``INVALID_FIELD`` for a DDM plan while the
  toggle's ``forceInstallLocalDateEnabled`` is false, 400 ``EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS``
  (the spec's ``errorReasons`` name) when a device already has an unfinished plan, 400
  ``INVALID_ID`` for an unknown device, 429 with ``Retry-After`` over the tenant's plan rate.
* ``GET /plans``, ``/plans/{id}``, ``/plans/{id}/events``: state computed from the clock; the
  path follows from the Mac's facts and the plan's mechanism (``plans``, ``plan_rules``).
* Legacy ``POST /api/v1/macos-managed-software-updates/send-updates``: 200
  ``{"processManagerUuids": [...], "errors": [...]}``; unknown devices come back as errors.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from . import bodies, rsql
from .context import Ctx
from .messages import Failure, Response, api_error, cause, fail, json_response
from .plan_rules import DDM_ACTION
from .plans import events_text, local_epoch, plan_path, progress

_PLAN_FIELDS: dict[str, Any] = {
    "planUuid": lambda p: p["planUuid"],
    "device.deviceId": lambda p: p["device"]["deviceId"],
    "device.objectType": lambda p: p["device"]["objectType"],
    "updateAction": lambda p: p["updateAction"],
    "versionType": lambda p: p["versionType"],
    "specificVersion": lambda p: p["specificVersion"],
    "maxDeferrals": lambda p: p["maxDeferrals"],
    "recipeId": lambda p: p["recipeId"],
    "forceInstallLocalDateTime": lambda p: p["forceInstallLocalDateTime"],
    "state": lambda p: p["status"]["state"],
}


def _toggle_body(ctx: Ctx) -> dict[str, Any]:
    return {"toggle": ctx.tenant.feature_toggle, **ctx.tenant.toggle_capabilities}


def get_toggle(ctx: Ctx) -> Response:
    return json_response(200, _toggle_body(ctx))


def put_toggle(ctx: Ctx) -> Response:
    body = ctx.json_body(bodies.FEATURE_TOGGLE)
    ctx.tenant.set_feature_toggle(body["toggle"])
    return json_response(200, _toggle_body(ctx))


def _job(ctx: Ctx, name: str) -> dict[str, Any]:
    job = ctx.tenant.toggle_jobs.get(name)
    if job is None:
        return {"state": "NEVER_RAN", "exitState": "UNKNOWN", "percentComplete": 0.0,
                "formattedPercentComplete": "0/0 (0%)", "startTime": None, "endTime": None, "elapsedTime": None,
                "exitMessage": "", "totalRecords": 0, "processedRecords": 0}
    return {"state": "NOT_RUNNING", "exitState": "COMPLETED", "percentComplete": 100.0,
            "formattedPercentComplete": "0/0 (100%)", "startTime": ctx.tenant.clock.iso(job["start"]),
            "endTime": ctx.tenant.clock.iso(job["end"]), "elapsedTime": int(job["end"] - job["start"]),
            "exitMessage": "", "totalRecords": 0, "processedRecords": 0}


def toggle_status(ctx: Ctx) -> Response:
    return json_response(200, {"toggleOn": _job(ctx, "toggleOn"), "toggleOff": _job(ctx, "toggleOff")})


def _rate_limit(ctx: Ctx) -> None:
    limit = ctx.tenant.plan_rate_per_minute
    if limit <= 0:
        return
    now, window = ctx.now, ctx.tenant.plan_window
    while window and now - window[0] >= 60:
        window.popleft()
    if len(window) >= limit:
        wait = max(1, math.ceil(60 - (now - window[0])))
        raise Failure(api_error(429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded",
                                headers=[("Retry-After", str(wait))]))
    window.append(now)


def _check_config(config: dict[str, Any]) -> None:
    action, version_type = config["updateAction"], config["versionType"]
    if action == "DOWNLOAD_INSTALL_ALLOW_DEFERRAL" and "maxDeferrals" not in config:
        raise fail(400, "INVALID_FIELD", "maxDeferrals is required for DOWNLOAD_INSTALL_ALLOW_DEFERRAL",
                   field="config.maxDeferrals")
    if action == "DOWNLOAD_INSTALL_SCHEDULE" and local_epoch(config.get("forceInstallLocalDateTime")) is None:
        raise fail(400, "INVALID_FIELD", "forceInstallLocalDateTime (yyyy-mm-ddThh:mm:ss, the device's local time) "
                   "is required for DOWNLOAD_INSTALL_SCHEDULE", field="config.forceInstallLocalDateTime")
    specific = config.get("specificVersion", "NO_SPECIFIC_VERSION")
    if version_type in ("SPECIFIC_VERSION", "CUSTOM_VERSION") and specific in ("", "NO_SPECIFIC_VERSION"):
        raise fail(400, "INVALID_FIELD", "specificVersion is required for " + version_type,
                   field="config.specificVersion")
    if version_type == "CUSTOM_VERSION" and not config.get("buildVersion"):
        raise fail(400, "INVALID_FIELD", "buildVersion is required for CUSTOM_VERSION", field="config.buildVersion")
    if action == "UNKNOWN" or version_type == "UNKNOWN":
        raise fail(400, "INVALID_FIELD", "UNKNOWN is not a valid choice", field="config")


def create_plans(ctx: Ctx) -> Response:
    _rate_limit(ctx)
    body = ctx.json_body(bodies.PLAN_POST)
    config = body["config"]
    _check_config(config)
    tenant = ctx.tenant
    if not tenant.feature_toggle:
        raise fail(400, "MANAGED_SOFTWARE_UPDATE_FEATURE_DISABLED",
                   "Managed Software Update plans are not available while the feature toggle is off")
    if config["updateAction"] == DDM_ACTION and not tenant.toggle_capabilities["forceInstallLocalDateEnabled"]:
        raise fail(400, "INVALID_FIELD", "DOWNLOAD_INSTALL_SCHEDULE is not available on this server",
                   field="config.updateAction")
    for i, device in enumerate(body["devices"]):
        device_id, object_type = device["deviceId"].strip(), device["objectType"]
        if object_type != "COMPUTER" or tenant.find_computer(device_id) is None:
            raise fail(400, "INVALID_ID", f"{object_type} with id {device_id} not found",
                       field=f"devices[{i}].deviceId", id=device_id)
        if tenant.plan_in_progress(device_id, object_type):
            raise fail(400, "EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS",
                       f"A plan for {object_type} {device_id} is already in progress",
                       field=f"devices[{i}].deviceId", id=device_id)
    specific = config.get("specificVersion", "NO_SPECIFIC_VERSION") or "NO_SPECIFIC_VERSION"
    created = []
    for device in body["devices"]:
        device_id = device["deviceId"].strip()
        switch = tenant.device_outcomes.get(device_id, {"outcome": "success", "reason": ""})
        plan = {
            "planUuid": str(uuid.uuid4()), "deviceId": device_id, "objectType": device["objectType"],
            "updateAction": config["updateAction"], "versionType": config["versionType"],
            "specificVersion": specific, "buildVersion": config.get("buildVersion"),
            "maxDeferrals": config.get("maxDeferrals", 0),
            "forceInstallLocalDateTime": config.get("forceInstallLocalDateTime"),
            "created": ctx.now, "outcome": switch["outcome"],
            **plan_path(tenant.facts(device_id), config, switch),
        }
        tenant.add_plan(plan)
        ctx.created("plan", plan["planUuid"])
        created.append({
            "device": {"deviceId": device_id, "objectType": device["objectType"],
                       "href": f"/v1/computers-inventory/{device_id}"},
            "planId": plan["planUuid"],
            "href": f"/v1/managed-software-updates/plans/{plan['planUuid']}",
        })
    return json_response(201, {"plans": created})


def list_plans(ctx: Ctx) -> Response:
    now = ctx.now
    views = [ctx.tenant.plan_view(p, now) for p in ctx.tenant.plan_records.values()]
    views = ctx.visible("plan", views, key="planUuid")
    total, results = rsql.page(ctx.request, views, _PLAN_FIELDS, "planUuid:asc")
    return json_response(200, {"totalCount": total, "results": results})


def _plan(ctx: Ctx) -> dict[str, Any]:
    plan = ctx.tenant.plan_records.get(ctx.params["id"])
    if plan is None:
        raise fail(404, "INVALID_ID", f"Plan with id {ctx.params['id']} not found", id=ctx.params["id"])
    return plan


def get_plan(ctx: Ctx) -> Response:
    return json_response(200, ctx.tenant.plan_view(_plan(ctx), ctx.now))


def plan_events(ctx: Ctx) -> Response:
    plan = _plan(ctx)
    _, _, history = progress(plan, ctx.now, ctx.tenant.config.plan_step_seconds)
    return json_response(200, {"events": events_text(plan, history)})


def send_updates(ctx: Ctx) -> Response:
    body = ctx.json_body(bodies.SEND_UPDATES)
    device_ids = body.get("deviceIds") or []
    if not device_ids and not body.get("groupId"):
        raise fail(400, "INVALID_FIELD", "Either deviceIds or groupId is required", field="deviceIds")
    if body.get("forceRestart") and body.get("updateAction") == "DOWNLOAD_ONLY":
        raise fail(400, "INVALID_FIELD", "forceRestart can only be used with DOWNLOAD_AND_INSTALL",
                   field="forceRestart")
    uuids, errors = [], []
    group_id = str(body.get("groupId") or "").strip()
    if group_id:
        try:
            group = ctx.tenant.computer_groups.get(int(group_id))
        except ValueError:
            group = None
        if group is None:
            errors.append(cause("INVALID_ID", f"Computer group with id {group_id} not found", "groupId", group_id))
        elif group["name"] == "All Managed Clients":
            device_ids = [*device_ids, *(c for c in ctx.tenant.computers if c not in device_ids)]
    for device_id in device_ids:
        if ctx.tenant.find_computer(device_id.strip()) is None:
            errors.append(cause("INVALID_ID", f"Computer with id {device_id} not found", "deviceIds", device_id))
            continue
        process_id = str(uuid.uuid4())
        uuids.append(process_id)
        ctx.tenant.legacy_updates.append({"deviceId": device_id.strip(), "processManagerUuid": process_id,
                                          "request": dict(body), "time": ctx.now})
    return json_response(200, {"processManagerUuids": uuids, "errors": errors})
