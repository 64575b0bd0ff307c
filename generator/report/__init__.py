"""``jamf-enforcer report``: is enforcement working across my fleets?

Layout (each module one job): ``reader`` (per tenant: computer inventory v3, paged, at most five
requests in flight, failed managed-software-update plans, and audit findings when the client
holds the audit role too), ``classify`` (one Mac's state in the stated precedence order, and why
it fails), ``summary`` (the numbers every output carries), and the renderers ``html`` (one
self-contained page, inline CSS and SVG, a CSP that forbids every load), ``markdown`` (a CI job
summary) and ``json`` via ``summary.to_json``.  ``command`` registers the CLI command.
"""

from __future__ import annotations

from .classify import PRECEDENCE, STATE_LABELS, Mac, classify, reasons
from .reader import TenantReport, read_tenant
from .summary import build_summary

__all__ = ["PRECEDENCE", "STATE_LABELS", "Mac", "TenantReport", "build_summary", "classify", "read_tenant", "reasons"]
