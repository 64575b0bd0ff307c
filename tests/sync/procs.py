"""Helpers for tests that run the CLI as separate processes against an in-process simulator.

Separate processes share nothing: each one gets its own ``jpro-ingress`` cookie, so with a
replication delay two of them may land on different Jamf Cloud nodes, as an MSP pipeline's
steps do.  ``Mac`` models one enrolled Mac's saved credential: it runs the credential policy
when Jamf would (first check-in, and again after the policy's log was flushed) and saves what
the policy's parameters held *then*; ``works`` asks the simulator for a token with it.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time

import requests

from generator.sim import Simulator
from tests.sync.helpers import policy_params

CREDENTIAL_POLICY = "Save update credentials"
# The Mac pins itself to one node, so its token requests do not draw from the simulator's node
# generator (that keeps which node each CLI process lands on a function of the fault seed).
MAC_COOKIE = {"jpro-ingress": "node-1"}


def run_cli(sim: Simulator, *args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS --ca-file CA`` in a fresh process (no shared cookie jar)."""
    full = {**os.environ, **env, "CI": "1"}
    return subprocess.run([sys.executable, "-m", "generator", *args, "--ca-file", str(sim.ca_file)],
                          capture_output=True, text=True, env=full, timeout=timeout)


def admin_env(sim: Simulator, tenant: int = 0, prefix: str = "JE_TEST") -> dict[str, str]:
    client_id, secret = sim.tenant(tenant).admin_client
    return {f"{prefix}_{tenant}_ID": client_id, f"{prefix}_{tenant}_SECRET": secret}


class Mac:
    """One Mac's saved Jamf credential (see the module docstring)."""

    def __init__(self, sim: Simulator, tenant: int = 0, method: str = "jamf-client") -> None:
        self.sim, self.tenant, self.method = sim, tenant, method
        self.saved: dict[str, str] | None = None
        self.seen_flushes = -1
        self.runs = 0

    def check_in(self) -> bool:
        """Run the credential policy if Jamf would now; True if it ran."""
        t = self.sim.tenant(self.tenant)
        if self.saved is not None and len(t.policy_flushes) == self.seen_flushes:
            return False  # once per computer: it ran, and its log was not flushed since
        params = policy_params(self.sim, CREDENTIAL_POLICY, self.tenant)
        values = {k: v.partition("=")[2] for k, v in params.items() if v}
        if not values.get("parameter5") or "<set by" in values.get("parameter5", ""):
            return False  # nothing handed over yet
        self.saved = values
        self.seen_flushes = len(t.policy_flushes)
        self.runs += 1
        return True

    def works(self) -> bool:
        """A token request with the saved credential: True on 200, False on 401 (faults are retried)."""
        assert self.saved is not None, "the Mac has not run the credential policy yet"
        base = self.sim.base_url(self.tenant)
        for _ in range(40):
            try:
                if self.method == "jamf-client":
                    resp = requests.post(base + "/api/v1/oauth/token", verify=self.sim.ca_file, timeout=10,
                                         cookies=MAC_COOKIE,
                                         data={"grant_type": "client_credentials", "client_id": self.saved["parameter4"],
                                               "client_secret": self.saved["parameter5"]})
                else:
                    basic = base64.b64encode(f"{self.saved['parameter4']}:{self.saved['parameter5']}".encode()).decode()
                    resp = requests.post(base + "/api/v1/auth/token", verify=self.sim.ca_file, timeout=10,
                                         cookies=MAC_COOKIE, headers={"Authorization": f"Basic {basic}"})
            except requests.RequestException:
                continue  # a dropped connection (fault): ask again
            if resp.status_code == 200:
                return True
            if resp.status_code == 401:
                return False
            time.sleep(0.05)  # 429 / 5xx from the fault injector
        raise AssertionError("the simulator never answered the Mac's token request")
