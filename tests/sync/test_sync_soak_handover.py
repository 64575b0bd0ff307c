"""Soak: rotate, apply, rotate --retire and apply as separate CLI processes, in a seeded random order
and timing, against a simulator with a Jamf Cloud replication delay and faults (issue 12).

After every step each Mac's saved credential must still authenticate: the API client of one tenant
(``jamf-client``) and the standard account of another (``jamf-account``; rotate refuses there), each
on a simulator of its own.  A
Mac re-runs the credential policy when Jamf would (``procs.Mac``), so a credential is lost only if
a command replaced or deleted one that the Macs had no chance to replace.  Time between steps moves
on the simulator's clock (0-8 s: inside and outside the 6 s replication window), so the soak waits
only for what the processes themselves wait for.  ``JAMF_ENFORCER_SOAK_ROUNDS`` sets N (default 8).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator.sim import Simulator
from tests.sync.helpers import bundle_text, write_bundle
from tests.sync.procs import Mac, admin_env, run_cli

SEED = 53
ROUNDS = int(os.environ.get("JAMF_ENFORCER_SOAK_ROUNDS", "8"))
FAULTS = f"replication_ms=6000,5xx=0.04,429=0.02,retry_after=0,drop_before=0.02,drop_after=0.02,seed={SEED}"
STEPS = (("rotate",), ("apply",), ("rotate", "--retire"), ("apply",))


def _lane(method: str, sim: Simulator, bundle: str, seed: int) -> tuple[list[str], dict[str, dict[int, int]], list[int]]:
    """N rounds of the four steps on one simulator; returns (losses, exit codes per step, policy runs per Mac)."""
    env = admin_env(sim)
    first = run_cli(sim, "apply", bundle, "--tenant", "t0", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    sim.clock.advance(5)
    # One Mac re-runs the credential policy at its first check-in after each step; the other checks
    # in only now and then, so it still holds the old credential while the next steps run.  Before
    # a retire both have checked in (what the grace period is for).
    prompt, lagging = Mac(sim, 0, method), Mac(sim, 0, method)
    for mac in (prompt, lagging):
        assert mac.check_in() and mac.works()
    sim.set_faults(FAULTS)
    rng = random.Random(seed)
    losses: list[str] = []
    outcomes: dict[str, dict[int, int]] = {}
    for round_no in range(ROUNDS):
        for step in rng.sample(STEPS, len(STEPS)):
            if "--retire" in step:
                prompt.check_in()
                lagging.check_in()
            sim.clock.advance(rng.choice((0.0, 0.0, 0.0, 0.5, 1.0, 8.0)))
            args = [sys.executable, "-m", "generator", step[0], bundle, "--tenant", "t0", *step[1:], "--ca-file",
                    str(sim.ca_file)]
            proc = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **env, "CI": "1"}, timeout=180)
            name = " ".join(step)
            outcomes.setdefault(name, {}).setdefault(proc.returncode, 0)
            outcomes[name][proc.returncode] += 1
            assert proc.returncode in (0, 1), proc.stdout + proc.stderr
            assert "Traceback" not in proc.stderr and "internal error" not in proc.stdout, proc.stdout + proc.stderr
            for which, mac in (("prompt", prompt), ("lagging", lagging)):
                if not mac.works():  # before it re-runs anything: did this step kill what it saved?
                    losses.append(f"{method} round {round_no}: {name}: {which} Mac: {proc.stdout.strip().splitlines()[:3]}")
            for mac in (prompt, lagging) if rng.random() < 0.3 else (prompt,):
                if mac.check_in() and not mac.works():
                    losses.append(f"{method} round {round_no}: {name}: the policy hands over a credential that fails")
    # Without faults, once replication has caught up, the tenant converges and both Macs work.
    sim.set_faults("")
    sim.clock.advance(10)
    final = run_cli(sim, "apply", bundle, "--tenant", "t0", env=env)
    assert final.returncode == 0, final.stdout + final.stderr
    for mac in (prompt, lagging):
        mac.check_in()
        assert mac.works()
    return losses, outcomes, [prompt.runs, lagging.runs]


@pytest.mark.slow
def test_soak_no_mac_loses_its_saved_credential(jamf_sim_factory: Any, tmp_path: Path) -> None:
    # One simulator and one lane of processes per method, side by side: each draws the nodes of its
    # own processes from its own seeded generator, and its steps follow each other closely.
    lanes = {}
    for method in ("jamf-client", "jamf-account"):
        sim = jamf_sim_factory(tls=True, faults=f"replication_ms=6000,seed={SEED}")
        (tmp_path / method).mkdir()
        lanes[method] = (sim, str(write_bundle(tmp_path / method, bundle_text(sim, method=method))))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {m: pool.submit(_lane, m, sim, bundle, SEED + i) for i, (m, (sim, bundle)) in enumerate(lanes.items())}
        results = {m: f.result() for m, f in futures.items()}
    losses = [loss for lost, _, _ in results.values() for loss in lost]
    print(f"\nsoak {FAULTS}: {ROUNDS} rounds x {len(STEPS)} steps x {len(lanes)} methods = "
          f"{ROUNDS * len(STEPS) * len(lanes)} processes, {len(losses)} losses; "
          + "; ".join(f"{m}: exit codes {r[1]}, credential policy runs per Mac {r[2]}" for m, r in results.items()))
    assert losses == []
