"""Running a command on many tenants: choosing tenants, building each one's client, running them
concurrently and turning any failure into that tenant's one-line error.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ...bundle import BundleError, BundleSpec, Tenant
from ..client import ClientOptions, JamfClient, JamfError, tenant_credentials
from ..resources import DuplicateError
from .desired import desired_objects
from .options import SyncOptions
from .results import SyncError, TenantResult, one_line
from .tenant import TenantSync

log = logging.getLogger(__name__)


def select_tenants(spec: BundleSpec, pattern: str) -> list[Tenant]:
    """``all``, an exact name, or a glob (``prod-*``)."""
    if not spec.tenants:
        raise BundleError(f"{spec.path}: no [tenants.NAME] tables: nothing to sync")
    if pattern == "all":
        return list(spec.tenants)
    exact = [t for t in spec.tenants if t.name == pattern]
    if exact:
        return exact
    matched = [t for t in spec.tenants if fnmatch.fnmatchcase(t.name, pattern)]
    if not matched:
        known = ", ".join(t.name for t in spec.tenants)
        raise BundleError(f"{spec.path}: --tenant {pattern!r} matches no tenant (known: {known})")
    return matched


def make_client(spec: BundleSpec, tenant: Tenant, options: SyncOptions) -> JamfClient:
    base_dir = options.base_dir or str(Path(spec.path).parent)
    url, tenant_ca = tenant.endpoint(base_dir)
    creds = tenant_credentials(tenant, base_dir)
    copts = options.client_options or ClientOptions()
    if options.ca_file or tenant_ca:
        copts = ClientOptions(**{**copts.__dict__, "ca_file": options.ca_file or tenant_ca})
    return JamfClient(url, creds, tenant=tenant.name, options=copts)


def run_tenants(spec: BundleSpec, tenants: list[Tenant], command: str, options: SyncOptions,
                clients: dict[str, JamfClient] | None = None) -> list[TenantResult]:
    """Run ``command`` on each tenant concurrently; one result per tenant, in bundle order."""
    desired = desired_objects(spec)

    def one(tenant: Tenant) -> TenantResult:
        started = time.monotonic()
        result = TenantResult(tenant.name, command)
        client: JamfClient | None = None
        try:
            client = (clients or {}).get(tenant.name) or make_client(spec, tenant, options)
            sync = TenantSync(spec, tenant.name, client, options, desired)
            if command == "plan":
                result = sync.plan(prune=options.prune)
            elif command == "apply":
                result = sync.apply(prune=options.prune)
            elif command == "audit":
                result = sync.audit()
            elif command == "rotate":
                result = sync.rotate(retire=options.retire)
            else:
                raise ValueError(f"unknown command {command!r}")
        except (JamfError, SyncError, DuplicateError, BundleError) as exc:
            result.error = one_line(client, exc) if client else " ".join(str(exc).split())
        except Exception as exc:  # a bug must not hide the other tenants' results or leak a secret
            log.debug("unexpected error on tenant %s", tenant.name, exc_info=False)
            text = f"internal error: {type(exc).__name__}: {exc}"
            result.error = one_line(client, Exception(text)) if client else text
        finally:
            if client is not None:
                if result.error:  # the command did not finish: report what it cost anyway
                    result.requests = client.stats.total
                    result.token_requests = client.stats.token_requests()
                if not clients:
                    client.close()
            if not result.seconds:
                result.seconds = time.monotonic() - started
        return result

    if len(tenants) == 1:
        return [one(tenants[0])]
    with ThreadPoolExecutor(max_workers=min(32, len(tenants)), thread_name_prefix="tenant") as pool:
        return list(pool.map(one, tenants))
