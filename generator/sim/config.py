"""Simulator configuration (``SimConfig``) and Jamf Pro version arithmetic.

The configured version decides which routes exist, as on a real server: managed software
update plans and their feature toggle arrived in 10.48.0, API roles, API clients and OAuth
client credentials in 10.49.0, and the Classic ``BlankPush`` computer command was removed in
11.28.0.  A Jamf Cloud version carries a build suffix (``11.12.0-t1772925731845``); only the
numeric part is compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clock import Clock

VersionTuple = tuple[int, int, int]
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:-[A-Za-z0-9.]+)?$")

MSU_PLANS_SINCE: VersionTuple = (10, 48, 0)
API_CLIENTS_SINCE: VersionTuple = (10, 49, 0)
BLANK_PUSH_REMOVED: VersionTuple = (11, 28, 0)


def parse_version(version: str) -> VersionTuple:
    """``"11.12.0-t1772925731845"`` -> ``(11, 12, 0)``; ValueError for anything else."""
    match = _VERSION.match(version.strip())
    if not match:
        raise ValueError(f"not a Jamf Pro version: {version!r} (expected e.g. 11.12.0 or 11.12.0-t1772925731845)")
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def cloud_version(version: str, build: int = 1772925731845) -> str:
    """The Jamf Cloud form of a version: ``11.12.0`` -> ``11.12.0-t1772925731845``."""
    parse_version(version)
    return version if "-" in version else f"{version}-t{build}"


@dataclass
class SimConfig:
    """How to run a simulator.  Every field has a default; see the README of ``generator.sim``.

    ``faults`` uses the spec syntax of ``generator.sim.faults.FaultSpec.parse``.  ``port=0``
    picks a free port.  ``plan_rate_per_minute=0`` means no rate limit on plan creation.
    ``agent_states`` seeds the agent's status on every Mac (``agent_states``).
    ``record_exchanges`` keeps every exchange in ``Simulator.exchanges``; ``publish_exchanges``
    hands them to ``recorder`` listeners (the test session's contract check) -- a fuzzer, whose
    requests are deliberately not the project's, turns that off.
    """

    version: str = "11.12.0"
    fleet: int = 50
    tenants: int = 1
    tls: bool = True
    latency_ms: int = 0
    faults: str = ""
    state_file: str | None = None
    port: int = 0
    host: str = "127.0.0.1"
    clock: Clock | None = None
    plan_rate_per_minute: int = 0
    plan_step_seconds: float = 5.0
    account_token_seconds: int = 1200
    record_exchanges: bool = True
    publish_exchanges: bool = True
    organization: str = "Jamf Enforcer Simulator"
    agent_states: bool = False  # seed each Mac's agent status (agent_states) and its failed plan

    def __post_init__(self) -> None:
        parse_version(self.version)
        if self.tenants < 1:
            raise ValueError("tenants must be at least 1")
        if self.fleet < 0:
            raise ValueError("fleet must not be negative")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        if self.plan_step_seconds <= 0:
            raise ValueError("plan_step_seconds must be positive")
