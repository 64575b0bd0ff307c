"""The credential hand-over across separate processes and Jamf Cloud nodes (issue 12).

A credential Macs depend on is never replaced by apply: the secret (or password) is issued
only when the credential policy has never held one for that client or account, which the
policy's own hand-over record on the server says.  ``rotate`` records the client it hands
over; ``apply`` and ``rotate --retire`` that cannot see it yet wait, bounded, and otherwise
refuse with one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.sim import Simulator
from tests.sync.helpers import bundle_text, write_bundle
from tests.sync.procs import Mac, admin_env, run_cli


def _nodes_of_last_process(sim: Simulator, since: int) -> set[str]:
    return {e["node"] for e in sim.tenant(0).request_log[since:] if e.get("node")}


@pytest.mark.parametrize("seed", [3])
def test_apply_right_after_rotate_on_another_node_replaces_no_saved_credential(
        jamf_sim_factory, tmp_path: Path, seed: int) -> None:  # type: ignore[no-untyped-def]
    sim: Simulator = jamf_sim_factory(tls=True, faults=f"replication_ms=3000,seed={seed}")
    bundle = str(write_bundle(tmp_path, bundle_text(sim)))
    env = admin_env(sim)
    first = run_cli(sim, "apply", bundle, "--tenant", "t0", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    sim.clock.advance(5)  # the first apply has replicated everywhere
    old_mac, new_mac = Mac(sim), Mac(sim)
    assert old_mac.check_in() and old_mac.works()

    mark = len(sim.tenant(0).request_log)
    rotated = run_cli(sim, "rotate", bundle, "--tenant", "t0", env=env)
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    rotate_nodes = _nodes_of_last_process(sim, mark)
    assert new_mac.check_in() and new_mac.works()  # the flushed policy hands over the rotation client

    mark = len(sim.tenant(0).request_log)
    applied = run_cli(sim, "apply", bundle, "--tenant", "t0", env=env)  # within the replication window
    apply_nodes = _nodes_of_last_process(sim, mark)
    assert rotate_nodes != apply_nodes, "the seed must put the two processes on different nodes"
    assert "credentials issued" not in applied.stdout + applied.stderr
    assert old_mac.works(), "apply re-issued the secret of the client every Mac had saved"
    assert new_mac.works()
    assert applied.returncode == 0, applied.stdout + applied.stderr
