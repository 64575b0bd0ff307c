"""Reading one tenant for the report, through the project's ``JamfClient``.

Requests (and only these; ``catalogue.reporter_endpoints``): one token, ``GET /api/v1/auth`` (the
token's privileges: does the client also hold the audit role?), the computer inventory
``GET /api/v3/computers-inventory`` with sections GENERAL, HARDWARE, OPERATING_SYSTEM and
EXTENSION_ATTRIBUTES in pages of ``PAGE_SIZE``, and the failed plans ``GET
/api/v1/managed-software-updates/plans?filter=state==PlanFailed`` (paged).  The first inventory page
gives ``totalCount``; the other pages are fetched concurrently, at most five in flight (the
client's per-tenant limit).  So a tenant costs ``ceil(Macs / PAGE_SIZE) + ceil(failed plans /
PAGE_SIZE) + 2`` requests (one plans page while fewer than ``PAGE_SIZE`` plans have failed), never
one per Mac.  Nothing here reads a policy, so the reporter role never sees a policy's parameters.

Extension attribute values are matched to status keys by their Jamf names (the bundle's
``jamf.name_prefix`` + the status model's EA name), from every section that carries them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..bundle import BundleSpec
from ..catalogue import audit_privileges
from ..status import MODEL
from .classify import Mac, parse_date

PAGE_SIZE = 1000
SECTIONS = ("GENERAL", "HARDWARE", "OPERATING_SYSTEM", "EXTENSION_ATTRIBUTES")
INVENTORY = "/api/v3/computers-inventory"
PLANS = "/api/v1/managed-software-updates/plans"
Progress = Callable[[str, str], None]


@dataclass
class TenantReport:
    """One tenant's Macs as read, what reading cost, and audit findings (None: no audit role)."""

    tenant: str
    url: str
    macs: list[Mac] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    error: str = ""
    audit: list[str] | None = None


def ea_names(spec: BundleSpec) -> dict[str, str]:
    """Jamf EA name -> status key, for every EA the bundle renders."""
    return {spec.object_name(k.ea_name): k.key for k in MODEL.ea_keys()}


def _values(record: dict[str, Any]) -> list[dict[str, Any]]:
    eas = list(record.get("extensionAttributes") or [])
    for section in ("general", "hardware", "operatingSystem"):
        eas.extend((record.get(section) or {}).get("extensionAttributes") or [])
    return eas


def to_mac(record: dict[str, Any], names: dict[str, str]) -> Mac:
    general, hardware, system = (record.get(s) or {} for s in ("general", "hardware", "operatingSystem"))
    status = {}
    for ea in _values(record):
        key = names.get(ea.get("name", ""))
        values = ea.get("values") or []
        if key and values and values[0] not in (None, ""):
            status[key] = str(values[0])
    return Mac(jamf_id=str(record.get("id", "")), name=general.get("name", ""), serial=hardware.get("serialNumber", ""),
               os_version=system.get("version", ""), apple_silicon=bool(hardware.get("appleSilicon")),
               last_report=parse_date(general.get("reportDate") or ""), status=status)


def _inventory_page(client: Any, page: int) -> dict[str, Any]:
    return client.get_json(INVENTORY, {"section": list(SECTIONS), "page": page, "page-size": PAGE_SIZE,
                                       "sort": "id:asc"})


def read_inventory(client: Any, progress: Progress | None = None, tenant: str = "") -> list[dict[str, Any]]:
    first = _inventory_page(client, 0)
    records = list(first.get("results") or [])
    pages = math.ceil(int(first.get("totalCount", len(records))) / PAGE_SIZE)
    if progress:
        progress(tenant, f"reading inventory: page 1 of {max(pages, 1)}")
    if pages > 1:
        with ThreadPoolExecutor(max_workers=min(5, pages - 1), thread_name_prefix="inventory") as pool:
            for i, answer in enumerate(pool.map(lambda p: _inventory_page(client, p), range(1, pages)), start=2):
                records.extend(answer.get("results") or [])
                if progress:
                    progress(tenant, f"reading inventory: page {i} of {pages}")
    return records


def read_failed_plans(client: Any) -> dict[str, list[str]]:
    """Computer id -> errorReasons of its failed plans."""
    out: dict[str, list[str]] = {}
    for plan in client.list_all(PLANS, rsql="state==PlanFailed"):
        device = plan.get("device") or {}
        if device.get("objectType") == "COMPUTER":
            reasons = (plan.get("status") or {}).get("errorReasons") or []
            out.setdefault(str(device.get("deviceId", "")), []).extend(reasons)
    return out


def holds_audit_role(client: Any) -> bool:
    """Whether the token holds every privilege ``audit`` reads with (``AuthorizationV1``: an
    ADMINISTRATOR account holds all; otherwise ``account.privilegesBySite``, any site)."""
    account = (client.get_json("/api/v1/auth") or {}).get("account") or {}
    if account.get("privilegeSet") == "ADMINISTRATOR":
        return True
    held = {p for names in (account.get("privilegesBySite") or {}).values() for p in names or []}
    return set(audit_privileges()) <= held


def read_tenant(spec: BundleSpec, name: str, client: Any, *, progress: Progress | None = None,
                audit: Callable[[], list[str]] | None = None) -> TenantReport:
    """Read one tenant (``audit`` runs only when the client holds the audit role)."""
    started, before = time.monotonic(), client.stats.total
    report = TenantReport(name, client.base_url)
    if progress:
        progress(name, "checking the token's privileges")
    with_audit = holds_audit_role(client)
    records = read_inventory(client, progress, name)
    if progress:
        progress(name, "reading failed plans")
    plans = read_failed_plans(client)
    names = ea_names(spec)
    report.macs = [to_mac(r, names) for r in records]
    for mac in report.macs:
        mac.plan_errors = plans.get(mac.jamf_id, [])
    report.requests = client.stats.total - before
    if with_audit and audit is not None:
        if progress:
            progress(name, "auditing (the client holds the audit role)")
        report.audit = audit()
    report.seconds = time.monotonic() - started
    return report
