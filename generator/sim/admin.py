"""The simulator's own HTTP endpoints under ``/__sim/`` -- NOT part of Jamf's API.

They exist so that tests driving the simulator over HTTP only (a shell agent, curl) can
arrange state.  No authentication (the simulator listens on loopback only), no faults, no
latency, and they are not in the tenant's request log (``Simulator.admin_log`` has them).
Under a tenant prefix (``/t/<n>/__sim/...``) they act on that tenant.

====== =============================== ===================================================
GET    /__sim/health                   ``{"ok": true, "tenant": "0", "version": ...}``
POST   /__sim/computers                register a Mac: ``{"serialNumber", "udid", "managementId",
                                       "id"?, "name"?, "facts"?: {...}}`` -> 201 ``{"id": "..."}``
GET    /__sim/computers                every computer of the tenant
GET    /__sim/computers/{id}/facts     the Mac's fact record (``fleet.MacFacts``)
PUT    /__sim/computers/{id}/facts     change facts: ``{"os_version": "13.7.1", "supervised": false}``
PUT    /__sim/devices/{id}/outcome     ``{"outcome": "success"|"fail"|"stall", "reason"?}``
PUT    /__sim/feature-toggle           ``{"toggle": true, "forceInstallLocalDateEnabled"?: true, ...}``
PUT    /__sim/version                  ``{"version": "11.12.0"}``
GET    /__sim/plans                    every plan, rendered now
GET    /__sim/log                      the tenant's request log (no secrets)
POST   /__sim/log/reset                clear it
POST   /__sim/clock/advance            ``{"seconds": 60}`` (the whole simulator)
PUT    /__sim/faults                   ``{"spec": "5xx=0.1,seed=7"}`` (the whole simulator)
====== =============================== ===================================================
"""

from __future__ import annotations

import json
import re
from typing import Any

from .messages import Request, Response, json_response
from .tenant import ModelError, Tenant


def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelError(400, "INVALID_JSON", "Malformed JSON") from None
    if not isinstance(body, dict):
        raise ModelError(400, "INVALID_JSON", "Expected a JSON object")
    return body


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def handle(sim: Any, tenant: Tenant, request: Request) -> Response:
    try:
        return _handle(sim, tenant, request)
    except ModelError as error:
        return _error(error.status, str(error))
    except (ValueError, TypeError, KeyError) as error:
        return _error(400, f"{type(error).__name__}: {error}")


def _handle(sim: Any, tenant: Tenant, request: Request) -> Response:
    method, path = request.method, request.path.removeprefix("/__sim")
    if (method, path) == ("GET", "/health"):
        return json_response(200, {"ok": True, "tenant": tenant.name, "version": tenant.version})
    if (method, path) == ("POST", "/computers"):
        body = _body(request)
        facts = body.get("facts") or {}
        if not isinstance(facts, dict):
            raise ModelError(400, "INVALID_FIELD", "facts: expected a JSON object")
        jamf_id = tenant.register_computer(str(body.get("serialNumber", "")), str(body.get("udid", "")),
                                           str(body.get("managementId", "")), body.get("id"), body.get("name"),
                                           **facts)
        return json_response(201, {"id": jamf_id})
    if (method, path) == ("GET", "/computers"):
        with tenant.lock:
            return json_response(200, {"computers": list(tenant.computers.values())})
    facts_path = re.fullmatch(r"/computers/([^/]+)/facts", path)
    if facts_path and method in ("GET", "PUT"):
        jamf_id = facts_path.group(1)
        if tenant.find_computer(jamf_id) is None:
            return _error(404, f"no computer {jamf_id}")
        if method == "PUT":
            return json_response(200, tenant.set_facts(jamf_id, **_body(request)).to_dict())
        return json_response(200, tenant.facts(jamf_id).to_dict())
    outcome = re.fullmatch(r"/devices/([^/]+)/outcome", path)
    if method == "PUT" and outcome:
        body = _body(request)
        tenant.set_device_outcome(outcome.group(1), str(body.get("outcome", "")),
                                  str(body.get("reason") or "APPLE_SILICON_NO_ESCROW_KEY"))
        return json_response(200, {"id": outcome.group(1), "outcome": body.get("outcome")})
    if (method, path) == ("PUT", "/feature-toggle"):
        body = _body(request)
        tenant.set_toggle_capabilities(**{k: v for k, v in body.items() if k != "toggle"})
        if "toggle" in body:
            tenant.set_feature_toggle(bool(body["toggle"]))
        return json_response(200, {"toggle": tenant.feature_toggle, **tenant.toggle_capabilities})
    if (method, path) == ("PUT", "/version"):
        tenant.version = str(_body(request).get("version", ""))
        return json_response(200, {"version": tenant.version})
    if (method, path) == ("GET", "/plans"):
        return json_response(200, {"plans": list(tenant.plans.values())})
    if (method, path) == ("GET", "/log"):
        with tenant.lock:
            return json_response(200, {"log": list(tenant.request_log)})
    if (method, path) == ("POST", "/log/reset"):
        tenant.reset_log()
        return Response(204)
    if (method, path) == ("POST", "/clock/advance"):
        seconds = float(_body(request).get("seconds", 0))
        return json_response(200, {"now": sim.clock.iso(sim.clock.advance(seconds))})
    if (method, path) == ("PUT", "/faults"):
        sim.set_faults(str(_body(request).get("spec", "")))
        return json_response(200, {"spec": str(sim.faults)})
    return _error(404, f"no simulator endpoint {method} /__sim{path}")
