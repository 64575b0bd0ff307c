"""Soak: rotate, apply, rotate --retire and apply as separate CLI processes, in a seeded random order
and timing, against a simulator with a Jamf Cloud replication delay and faults (issue 12).

After every step each Mac's saved credential must still authenticate: the API client of one tenant
(``jamf-client``) and the standard account of another (``jamf-account``; rotate refuses there), each
on a simulator of its own.  A
Mac re-runs the credential policy when Jamf would (``procs.Mac``), so a credential is lost only if
a command replaced or deleted one that the Macs had no chance to replace.  Time between steps moves
on the simulator's clock (0-4 s: inside and outside the 3 s replication window), so the soak waits
only for what the processes themselves wait for.  ``JAMF_ENFORCER_SOAK_ROUNDS`` sets N (default 6).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.sim import Simulator
from tests.sync.helpers import bundle_text, write_bundle
from tests.sync.procs import Mac, admin_env, run_cli

SEED = 92
ROUNDS = int(os.environ.get("JAMF_ENFORCER_SOAK_ROUNDS", "6"))
FAULTS = f"replication_ms=3000,5xx=0.04,429=0.02,retry_after=0,drop_before=0.02,drop_after=0.02,seed={SEED}"
STEPS = (("rotate",), ("apply",), ("rotate", "--retire"), ("apply",))


def _start(sim: Simulator, bundle: str, step: tuple[str, ...], env: dict[str, str]) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "generator", step[0], bundle, "--tenant", "t0", *step[1:], "--ca-file",
            str(sim.ca_file)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env, "CI": "1"})


@pytest.mark.slow
def test_soak_no_mac_loses_its_saved_credential(jamf_sim_factory: Any, tmp_path: Path) -> None:
    # One simulator per method: each draws the nodes of its own processes from its own seeded generator.
    sims = {method: jamf_sim_factory(tls=True, faults=f"replication_ms=3000,seed={SEED}")
            for method in ("jamf-client", "jamf-account")}
    bundles = {}
    for method, sim in sims.items():
        (tmp_path / method).mkdir()
        bundles[method] = str(write_bundle(tmp_path / method, bundle_text(sim, method=method)))
        first = run_cli(sim, "apply", bundles[method], "--tenant", "t0", env=admin_env(sim))
        assert first.returncode == 0, first.stdout + first.stderr
        sim.clock.advance(5)
    # Per method one Mac that re-runs the credential policy at its first check-in after each step,
    # and one that checks in only now and then: it still holds the old credential while the
    # next steps run.  Before a retire every Mac has checked in (what the grace period is for).
    macs = {method: [Mac(sim, 0, method), Mac(sim, 0, method)] for method, sim in sims.items()}
    for mac in (m for pair in macs.values() for m in pair):
        assert mac.check_in() and mac.works()

    for sim in sims.values():
        sim.set_faults(FAULTS)
    rng = random.Random(SEED)
    losses: list[str] = []
    outcomes: dict[str, dict[int, int]] = {}
    for round_no in range(ROUNDS):
        for step in rng.sample(STEPS, len(STEPS)):
            if "--retire" in step:
                for mac in (m for pair in macs.values() for m in pair):
                    mac.check_in()
            pause = rng.choice((0.0, 0.0, 0.0, 0.5, 1.0, 4.0))
            for sim in sims.values():
                sim.clock.advance(pause)
            procs = {method: _start(sims[method], bundles[method], step, admin_env(sims[method])) for method in sims}
            for method, proc in procs.items():
                out, err = proc.communicate(timeout=180)
                name = " ".join(step) + f" ({method})"
                outcomes.setdefault(name, {}).setdefault(proc.returncode, 0)
                outcomes[name][proc.returncode] += 1
                assert proc.returncode in (0, 1), out + err
                assert "Traceback" not in err and "internal error" not in out, out + err
                prompt, lagging = macs[method]
                for which, mac in (("prompt", prompt), ("lagging", lagging)):
                    if not mac.works():  # before it re-runs anything: did this step kill what it saved?
                        losses.append(f"round {round_no}: {name}: {which} Mac: {out.strip().splitlines()[:3]}")
                for mac in (prompt, lagging) if rng.random() < 0.3 else (prompt,):
                    if mac.check_in() and not mac.works():
                        losses.append(f"round {round_no}: {name}: the policy hands over a credential that does not work")
    runs = {method: [m.runs for m in pair] for method, pair in macs.items()}
    print(f"\nsoak {FAULTS}: {ROUNDS} rounds, {ROUNDS * len(STEPS) * 2} processes, {len(losses)} losses, "
          f"credential policy runs per Mac {runs}, exit codes {outcomes}")
    assert losses == []
    # Without faults, once replication has caught up, both tenants converge.
    for method, sim in sims.items():
        sim.set_faults("")
        sim.clock.advance(10)
        final = run_cli(sim, "apply", bundles[method], "--tenant", "t0", env=admin_env(sim))
        assert final.returncode == 0, final.stdout + final.stderr
        for mac in macs[method]:
            mac.check_in()
            assert mac.works()
