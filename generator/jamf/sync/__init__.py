"""plan / apply / audit / rotate: keep a Jamf Pro tenant in sync with the bundle.

The core returns data (``TenantResult``); ``commands`` only formats it.

* **Observe.**  One token, one list per Jamf Pro API kind (each list returns whole objects, so
  no per-object reads) and one read per Classic object of interest, all issued in parallel
  (the client caps a tenant at five in flight).  Classic lists go first because their reads
  depend on them; that keeps a no-op plan within about four round trips.
* **Plan.**  Every desired object is matched by name (refusing on duplicates), turned into a
  comparable view on both sides (``resources``) and diffed.  Credential parameters never
  appear: the diff shows ``<secret>``.
* **Apply.**  Dependency order: category → API role / service account → API client →
  scripts and extension attributes → profile → policies; objects of one stage are written in
  parallel.  An object whose dependency failed is skipped, everything else goes on, and the
  result lists every write that happened, even when something failed.  A POST that may have
  been applied (the client never resends it) is followed by a re-read by name: found means
  created; not found means it was not applied, and apply decides to create again (at most
  ``create_attempts`` times).  Jamf Cloud's cookie-pinned session makes that re-read see the
  node the POST went to (jamf-api-facts §1).
* **Credentials loop.**  The credential policy carries the agent's Jamf credentials in its
  script parameters.  Apply issues them (``POST .../client-credentials``, or a generated
  password for ``jamf-account``) only when the policy does not already hand over credentials
  for a client or account that exists, and writes them straight into the policy: they are
  never printed, logged or stored anywhere else.  A plain re-apply keeps the policy's
  parameters, so it never rotates.
* **Rotate** (``jamf-client`` only).  Issuing a new secret for the existing client kills the
  saved credential of every Mac at once: each would fail until it happens to re-run the
  credential policy.  So rotate creates a *second* client on the same role, hands it to the
  credential policy, flushes that policy's log so every Mac re-runs it, and keeps the old
  client enabled until ``rotate --retire`` (or ``jamf.rotation_grace_days`` have passed at
  the next ``rotate``), which disables and deletes the old client and renames the new one to
  the bundle's name.
* **Audit** compares tenant, bundle and catalogue and lists drift; **prune** (opt-in) deletes
  objects carrying the bundle's ``name_prefix`` that the bundle no longer wants, never the
  uploader's own client or role and never a client of an unfinished rotation.

Layout: ``results`` (what commands return), ``desired`` (the bundle's objects), ``options``,
``base`` (shared per-tenant state), then one module per phase: ``observe``, ``plan``, ``apply``,
``audit``, ``rotate``; ``objects`` (single-object helpers they share), ``tenant`` (``TenantSync``,
composing the phases) and ``runner`` (many tenants).  This package re-exports their public names;
``commands`` looks ``SyncOptions`` up here when a command runs (tests replace it).
"""

from __future__ import annotations

from .base import PRUNE_ORDER, ROTATION, STAGES, UPLOADER_ROLE, Observed
from .desired import desired_objects
from .options import Progress, SyncOptions
from .plan import render_view
from .results import Change, Failure, Finding, SyncError, TenantResult, Write
from .runner import make_client, run_tenants, select_tenants
from .tenant import TenantSync

__all__ = [
    "PRUNE_ORDER", "ROTATION", "STAGES", "UPLOADER_ROLE", "Change", "Failure", "Finding", "Observed", "Progress",
    "SyncError", "SyncOptions", "TenantResult", "TenantSync", "Write", "desired_objects", "make_client", "render_view",
    "run_tenants", "select_tenants",
]
