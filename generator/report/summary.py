"""The report's numbers: one dict per tenant and one for all tenants, the single model every output
(HTML, JSON, markdown) renders, so the three can never disagree.

Per tenant: ``total``; ``states`` (count per state of ``classify.PRECEDENCE``, adding up to
``total``); ``reasons`` (count per problem, each with its Macs: name, serial, Jamf id, OS, last
report, link); ``mechanisms`` (``UpdateMechanism`` per OS major version, Macs with an agent);
``os_versions`` (the macOS version spread); ``deadlines`` (soft and hard deadlines of Macs with an
update pending, per day over the coming ``TIMELINE_DAYS`` days); ``requests``; and ``audit``
(findings, or None when the client lacks the audit role).  ``all`` adds the tenants up.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from .classify import PRECEDENCE, STATE_LABELS, Mac, classify, reasons
from .reader import TenantReport

TIMELINE_DAYS = 14


def _mac_row(mac: Mac, url: str, tenant: str) -> dict[str, str]:
    return {"tenant": tenant, "name": mac.name, "serial": mac.serial, "id": mac.jamf_id, "os": mac.os_version,
            "last_report": mac.last_report.strftime("%Y-%m-%d %H:%M") if mac.last_report else "never",
            "link": f"{url}/computers.html?id={mac.jamf_id}&o=r"}


def _os_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def _reasons(why: dict[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
    return [{"reason": r, "count": len(m), "macs": m} for r, m in sorted(why.items(), key=lambda i: (-len(i[1]), i[0]))]


def _tenant(report: TenantReport, now: datetime, silent_days: int) -> dict[str, Any]:
    states: Counter[str] = Counter()
    why: dict[str, list[dict[str, str]]] = {}
    mechanisms: dict[str, Counter[str]] = {}
    versions: Counter[str] = Counter()
    today = now.date()
    days = [today + timedelta(days=i) for i in range(TIMELINE_DAYS)]
    soft: Counter[str] = Counter()
    hard: Counter[str] = Counter()
    for mac in report.macs:
        state = classify(mac, now, silent_days)
        states[state] += 1
        for reason in reasons(mac):
            why.setdefault(reason, []).append(_mac_row(mac, report.url, report.tenant))
        versions[mac.os_version or "unknown"] += 1
        if state not in ("silent", "no_agent"):
            major = "macOS " + (mac.os_version.split(".")[0] or "?")
            mechanisms.setdefault(major, Counter())[mac.status.get("UpdateMechanism", "not reported")] += 1
            if mac.status.get("PendingUpdateTarget", "NONE") not in ("", "NONE"):
                for key, counter in (("SoftDeadline", soft), ("HardDeadline", hard)):
                    when = mac.date(key)
                    if when is not None and today <= when.date() <= days[-1]:
                        counter[when.date().isoformat()] += 1
    return {
        "tenant": report.tenant, "url": report.url, "error": report.error, "total": len(report.macs),
        "requests": report.requests, "seconds": round(report.seconds, 3),
        "states": {s: states.get(s, 0) for s in PRECEDENCE},
        "reasons": _reasons(why),
        "mechanisms": {k: dict(sorted(v.items())) for k, v in sorted(mechanisms.items(), key=lambda i: _os_key(i[0][6:]))},
        "os_versions": dict(sorted(versions.items(), key=lambda i: _os_key(i[0]))),
        "deadlines": [{"date": d.isoformat(), "soft": soft.get(d.isoformat(), 0), "hard": hard.get(d.isoformat(), 0)}
                      for d in days],
        "audit": None if report.audit is None else {"findings": list(report.audit)},
    }


def _add_up(tenants: list[dict[str, Any]]) -> dict[str, Any]:
    reasons_: dict[str, list[dict[str, str]]] = {}
    mechanisms: dict[str, Counter[str]] = {}
    versions: Counter[str] = Counter()
    for t in tenants:
        for r in t["reasons"]:
            reasons_.setdefault(r["reason"], []).extend(r["macs"])
        for major, counts in t["mechanisms"].items():
            mechanisms.setdefault(major, Counter()).update(counts)
        versions.update(t["os_versions"])
    deadlines = [{"date": d["date"], "soft": sum(t["deadlines"][i]["soft"] for t in tenants),
                  "hard": sum(t["deadlines"][i]["hard"] for t in tenants)}
                 for i, d in enumerate(tenants[0]["deadlines"])] if tenants else []
    return {
        "tenant": "all", "total": sum(t["total"] for t in tenants), "requests": sum(t["requests"] for t in tenants),
        "states": {s: sum(t["states"][s] for t in tenants) for s in PRECEDENCE},
        "reasons": _reasons(reasons_),
        "mechanisms": {k: dict(sorted(v.items())) for k, v in sorted(mechanisms.items(), key=lambda i: _os_key(i[0][6:]))},
        "os_versions": dict(sorted(versions.items(), key=lambda i: _os_key(i[0]))),
        "deadlines": deadlines,
    }


def build_summary(reports: list[TenantReport], now: datetime | None = None, silent_days: int = 14) -> dict[str, Any]:
    """The report's whole model (what ``--output json`` prints)."""
    now = now or datetime.now(UTC)
    tenants = [_tenant(r, now, silent_days) for r in reports]
    return {"generated": now.strftime("%Y-%m-%d %H:%M:%S UTC"), "silent_days": silent_days,
            "precedence": list(PRECEDENCE), "state_labels": dict(STATE_LABELS), "tenants": tenants, "all": _add_up(tenants)}
