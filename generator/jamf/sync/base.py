"""The state every phase of one tenant's sync shares (``SyncBase``): bundle, client, options, desired
objects and the small questions about them (which kinds, which names are ours, rotation names),
plus ``Observed``, what the tenant was seen to have.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ...bundle import BundleSpec
from ...catalogue import UPLOADER_ROLES
from .. import resources as R
from ..client import JamfClient
from ..resources import Desired, Remote, fold
from .desired import desired_objects
from .options import SyncOptions
from .results import TenantResult

ROTATION = re.compile(r"^(?P<base>.+) \(rotation (?P<when>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\)$")
UPLOADER_ROLE = UPLOADER_ROLES["bootstrap"]
STAGES: tuple[tuple[str, ...], ...] = (
    (R.CATEGORY,), (R.ROLE, R.ACCOUNT), (R.CLIENT,), (R.SCRIPT, R.EA), (R.PROFILE, R.GROUP), (R.POLICY,),
)
PRUNE_ORDER = (R.POLICY, R.PROFILE, R.GROUP, R.EA, R.SCRIPT, R.CLIENT, R.ROLE, R.ACCOUNT)


@dataclass
class Observed:
    """What the tenant was seen to have: objects by kind, and its privilege list when fetched."""

    objects: dict[str, list[Remote]] = field(default_factory=dict)
    privileges: set[str] | None = None


class SyncBase:
    """One tenant's sync state; the phases (observe, plan, apply, audit, rotate) build on it."""

    def __init__(self, spec: BundleSpec, tenant_name: str, client: JamfClient, options: SyncOptions | None = None,
                 desired: list[Desired] | None = None) -> None:
        self.spec = spec
        self.tenant = tenant_name
        self.client = client
        self.options = options or SyncOptions()
        self.desired = desired if desired is not None else desired_objects(spec)
        self.method = spec.agent["credential_method"]
        self.prefix = spec.jamf["name_prefix"]
        self.client_name = spec.object_name(spec.jamf["api_client"])

    def _progress(self, message: str) -> None:
        if self.options.progress:
            self.options.progress(self.tenant, message)

    def _wanted(self, kind: str) -> list[Desired]:
        return [d for d in self.desired if d.kind == kind]

    def _ours(self, kind: str, name: str) -> bool:
        """Carries this bundle's prefix (what prune and audit may touch)."""
        # Case-insensitive, like the server's own name matching (and its RSQL filters).
        if kind == R.ACCOUNT:
            return fold(name).startswith(fold(self.prefix.replace(" ", "-") + "-"))
        return fold(name).startswith(fold(self.prefix) + " ")

    def _kinds(self, full: bool) -> list[str]:
        kinds = [R.CATEGORY, R.SCRIPT, R.EA, R.PROFILE, R.GROUP, R.POLICY]
        if full or self.method == "jamf-client":
            kinds += [R.ROLE, R.CLIENT]
        if full or self.method == "jamf-account":
            kinds.append(R.ACCOUNT)
        return kinds

    def _rotation_of(self, name: str) -> datetime | None:
        """When the rotation client ``name`` was created, or None if it is no rotation of the bundle's client."""
        m = ROTATION.match(name)
        if m and fold(m.group("base")) == fold(self.client_name):
            return datetime.strptime(m.group("when"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return None

    def _measured(self, fn: Callable[[], TenantResult]) -> TenantResult:
        """Run one command and record its own requests, token requests and wall time."""
        started, before = time.monotonic(), len(self.client.stats.exchanges)
        tokens_before = self.client.stats.token_requests()
        result = fn()
        result.requests = len(self.client.stats.exchanges) - before
        result.token_requests = self.client.stats.token_requests() - tokens_before
        result.seconds = time.monotonic() - started
        return result

    def _settle(self) -> None:
        """Wait before re-reading after an ambiguous POST (``SyncOptions.settle_seconds``)."""
        if self.options.settle_seconds > 0 and self.client.options.sleep:
            self.client.options.sleep(self.options.settle_seconds)
